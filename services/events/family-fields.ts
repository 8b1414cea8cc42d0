/**
 * Route event fields of the NLRI families that are not IP prefixes (EVPN, VPLS, MCAST-VPN, RT
 * membership, flowspec, BGP-LS, SR Policy): the canonical route text that becomes the event's
 * `prefix`, its RD and labels, and the family's structured record (RouteEvent.evpn / vpls / mvpn /
 * rt_constraint / flowspec / bgp_ls / sr_policy).
 */
import type { BgpLsRoute, EvpnRoute, FlowspecRoute, MvpnRoute, RtConstraintRoute, SrPolicyRoute, VplsRoute } from '../codec/bgp/nlri/index.js';
import { FlowspecOp, flowspecComponentName, flowspecOperatorName } from '../codec/bgp/nlri/flowspec.js';
import { bgpLsField, srPolicyField } from './traffic-engineering.js';
import { EVPN_ROUTE_TYPES, evpnRouteText } from '../codec/bgp/nlri/evpn.js';
import { MVPN_ROUTE_TYPES, mvpnRouteText } from '../codec/bgp/nlri/mvpn.js';
import { vplsRouteText } from '../codec/bgp/nlri/vpls.js';
import { rtConstraintRouteText } from '../codec/bgp/nlri/rt-constraint.js';
import type { BgpLsField, EvpnFields, FlowspecComponentField, MvpnFields, RtConstraintFields, SrPolicyField, VplsFields } from './model.js';

/** The per-family records of a route event; all null for IP prefix routes. */
export interface FamilyFields {
  evpn: EvpnFields | null;
  vpls: VplsFields | null;
  mvpn: MvpnFields | null;
  rt_constraint: RtConstraintFields | null;
  flowspec: FlowspecComponentField[] | null;
  bgp_ls: BgpLsField | null;
  sr_policy: SrPolicyField | null;
}

export const NO_FAMILY_FIELDS: FamilyFields = Object.freeze({ evpn: null, vpls: null, mvpn: null, rt_constraint: null, flowspec: null, bgp_ls: null, sr_policy: null });

/** One family's record set, the others null (keys always in NO_FAMILY_FIELDS' order). */
function only(fields: Partial<FamilyFields>): FamilyFields {
  return { ...NO_FAMILY_FIELDS, ...fields };
}

/** What a non-prefix route contributes to its event. */
export interface FamilyRoute {
  prefix: string;
  rd: string | null;
  labels: number[];
  fields: FamilyFields;
}

const NO_LABELS: number[] = [];
Object.freeze(NO_LABELS);

function evpnFields(r: EvpnRoute): EvpnFields {
  return {
    route_type: r.routeType,
    route_type_name: EVPN_ROUTE_TYPES[r.routeType] ?? `type_${r.routeType}`,
    esi: r.esi,
    esi_type: r.esi === null ? null : parseInt(r.esi.slice(0, 2), 16),
    ethernet_tag: r.ethernetTag,
    mac: r.mac,
    ip: r.ip,
    ip_prefix: r.ipPrefix,
    gateway_ip: r.gatewayIp,
    originator_ip: r.originatorIp,
    source: r.source,
    group: r.group,
    multicast_flags: r.flags,
    leave_group_sync: r.leaveGroupSync,
    max_response_time: r.maxResponseTime,
    region_id: r.regionId,
    label_fields: r.labelFields,
    route_key: r.routeKey === null ? null : evpnRouteText(r.routeKey),
    raw: r.raw,
  };
}

export function familyRoute(r: EvpnRoute | VplsRoute | MvpnRoute | RtConstraintRoute | FlowspecRoute | BgpLsRoute | SrPolicyRoute): FamilyRoute {
  switch (r.kind) {
    case 'evpn':
      return {
        prefix: evpnRouteText(r),
        rd: r.rd,
        labels: r.labelFields.length === 0 ? NO_LABELS : r.labelFields.map((f) => f >>> 4),
        fields: only({ evpn: evpnFields(r) }),
      };
    case 'vpls':
      return {
        prefix: vplsRouteText(r),
        rd: r.rd,
        labels: r.labelBase === null ? NO_LABELS : [r.labelBase],
        fields: only({ vpls: { ve_id: r.veId, ve_block_offset: r.veBlockOffset, ve_block_size: r.veBlockSize, label_base: r.labelBase, pe_address: r.peAddress, raw: r.raw } }),
      };
    case 'mvpn':
      return {
        prefix: mvpnRouteText(r),
        rd: r.rd,
        labels: NO_LABELS,
        fields: only({
          mvpn: {
            route_type: r.routeType,
            route_type_name: MVPN_ROUTE_TYPES[r.routeType] ?? `type_${r.routeType}`,
            originator_ip: r.originatorIp,
            source_as: r.sourceAs,
            source: r.source,
            group: r.group,
            route_key: r.routeKey === null ? null : mvpnRouteText(r.routeKey),
            raw: r.raw,
          },
        }),
      };
    case 'rt_constraint':
      return {
        prefix: rtConstraintRouteText(r),
        rd: null,
        labels: NO_LABELS,
        fields: only({ rt_constraint: { origin_as: r.originAs, route_target: r.routeTarget, prefix_length: r.prefixLength } }),
      };
    case 'flowspec':
      return { prefix: r.prefix, rd: r.rd, labels: NO_LABELS, fields: only({ flowspec: flowspecFields(r) }) };
    case 'bgp_ls':
      return { prefix: r.prefix, rd: r.rd, labels: NO_LABELS, fields: only({ bgp_ls: bgpLsField(r) }) };
    case 'sr_policy':
      return { prefix: r.prefix, rd: null, labels: NO_LABELS, fields: only({ sr_policy: srPolicyField(r) }) };
  }
}

/** The event form of a flowspec rule's components. */
function flowspecFields(route: FlowspecRoute): FlowspecComponentField[] {
  return route.components.map((c) => ({
    type: c.type,
    name: flowspecComponentName(route.afi, c.type),
    prefix: c.prefix,
    offset: c.offset,
    items: c.items.map((i) => ({ operator: i.operator, and: (i.operator & FlowspecOp.AND) !== 0, op: flowspecOperatorName(c.type, i.operator), value: i.value })),
  }));
}
