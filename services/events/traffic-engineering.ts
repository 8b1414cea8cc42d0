/**
 * Event fields of the traffic-engineering families and attributes: the Link-State NLRI and
 * BGP-LS attribute (RFC 9552, RFC 9085, RFC 9514), the SR Policy NLRI (RFC 9830), PREFIX_SID
 * (RFC 8669, RFC 9252) and TUNNEL_ENCAPSULATION (RFC 9012). The codec keeps these as TLV lists in
 * wire order; events flatten them into fixed records (model.ts). What a record has no field for —
 * unknown types, values of another layout — goes to its `unknown_tlvs` as "type:hex", never lost.
 * Converted once per UPDATE for the attributes (session-decoder.ts shares them by all its routes).
 */
import type { BgpLsRoute, LsTlv, PrefixSidTlv, SrPolicyRoute, TunnelTlv } from '../codec/bgp/index.js';
import { bgpLsNlriTypeName, bgpLsProtocolName } from '../codec/bgp/nlri/bgp-ls/nlri.js';
import type {
  AdjacencySid,
  IgpMetric,
  LanAdjacencySid,
  LinkIds,
  PrefixSidTlvValue,
  SrRanges,
  Srv6EndpointBehavior,
  Srv6EndXSid,
  Srv6Locator,
  Srv6SidStructure,
} from '../codec/bgp/nlri/bgp-ls/tlv.js';
import type { LabelIndex, OriginatorSrgb, Srv6Service } from '../codec/bgp/attributes/prefix-sid.js';
import type { BindingSid, Enlp, FlaggedNumber, SegmentListSubTlv, SegmentTypeA, SegmentTypeB } from '../codec/bgp/attributes/tunnel-encapsulation.js';
import type {
  BgpLsAttributeField,
  BgpLsField,
  BgpLsNodeField,
  PrefixSidField,
  SegmentListField,
  SrPolicyField,
  SrRangesField,
  Srv6SidStructureField,
  TunnelEncapsulationField,
  TunnelField,
} from './model.js';

const unknown = (type: number, value: Buffer): string => `${type}:${value.toString('hex')}`;
const snake = (name: string): string => name.replace(/-/g, '_');

function nodeField(tlvs: readonly LsTlv[]): BgpLsNodeField {
  const node: BgpLsNodeField = { as_number: null, bgp_ls_id: null, ospf_area_id: null, igp_router_id: null, bgp_router_id: null, member_asn: null, unknown_tlvs: [] };
  for (const t of tlvs) {
    const v = t.value;
    if (Buffer.isBuffer(v)) node.unknown_tlvs.push(unknown(t.type, v));
    else if (t.type === 512) node.as_number = v as number;
    else if (t.type === 513) node.bgp_ls_id = v as number;
    else if (t.type === 514) node.ospf_area_id = v as number;
    else if (t.type === 515) node.igp_router_id = v as string;
    else if (t.type === 516) node.bgp_router_id = v as string;
    else if (t.type === 517) node.member_asn = v as number;
  }
  return node;
}

export function bgpLsField(r: BgpLsRoute): BgpLsField {
  const f: BgpLsField = {
    nlri_type: snake(bgpLsNlriTypeName(r.nlriType)),
    nlri_type_code: r.nlriType,
    protocol: snake(bgpLsProtocolName(r.protocolId)),
    protocol_id: r.protocolId,
    identifier: Number(r.identifier),
    local_node: null,
    remote_node: null,
    link_local_id: null,
    link_remote_id: null,
    ipv4_interface_address: null,
    ipv4_neighbor_address: null,
    ipv6_interface_address: null,
    ipv6_neighbor_address: null,
    multi_topology_ids: [],
    ospf_route_type: null,
    ip_reachability: null,
    srv6_sid: null,
    unknown_tlvs: [],
    raw: r.raw,
  };
  for (const t of r.descriptors) {
    const v = t.value;
    if (Buffer.isBuffer(v)) {
      f.unknown_tlvs.push(unknown(t.type, v));
      continue;
    }
    switch (t.type) {
      case 256:
        f.local_node = nodeField(v as LsTlv[]);
        break;
      case 257:
        f.remote_node = nodeField(v as LsTlv[]);
        break;
      case 258:
        f.link_local_id = (v as LinkIds).local;
        f.link_remote_id = (v as LinkIds).remote;
        break;
      case 259:
        f.ipv4_interface_address = v as string;
        break;
      case 260:
        f.ipv4_neighbor_address = v as string;
        break;
      case 261:
        f.ipv6_interface_address = v as string;
        break;
      case 262:
        f.ipv6_neighbor_address = v as string;
        break;
      case 263:
        f.multi_topology_ids.push(...(v as number[]));
        break;
      case 264:
        f.ospf_route_type = v as number;
        break;
      case 265:
        f.ip_reachability = v as string;
        break;
      case 518:
        f.srv6_sid = v as string;
        break;
      default:
        // A known attribute-only TLV placed among the descriptors: keep its wire form.
        f.unknown_tlvs.push(`${t.type}:${JSON.stringify(v)}`);
    }
  }
  return f;
}

export function srPolicyField(r: SrPolicyRoute): SrPolicyField {
  return { distinguisher: r.distinguisher, color: r.color, endpoint: r.endpoint };
}

function rangesField(v: SrRanges): SrRangesField {
  return { flags: v.flags, ranges: v.ranges.map((x) => ({ size: x.size, first_sid: x.sid, is_label: x.isLabel })) };
}

function structureField(v: Srv6SidStructure): Srv6SidStructureField {
  return { locator_block_length: v.locatorBlock, locator_node_length: v.locatorNode, function_length: v.function, argument_length: v.argument };
}

export function bgpLsAttributeField(tlvs: readonly LsTlv[]): BgpLsAttributeField {
  const f: BgpLsAttributeField = {
    node_flags: null,
    node_name: null,
    isis_area_ids: [],
    local_router_ids: [],
    remote_router_ids: [],
    multi_topology_ids: [],
    sr_capabilities: null,
    sr_algorithms: [],
    sr_local_block: null,
    admin_group: null,
    max_link_bandwidth: null,
    max_reservable_bandwidth: null,
    unreserved_bandwidth: [],
    te_default_metric: null,
    igp_metric: null,
    srlgs: [],
    link_name: null,
    adjacency_sids: [],
    prefix_metric: null,
    igp_flags: null,
    route_tags: [],
    prefix_sids: [],
    srv6_end_x_sids: [],
    srv6_locator: null,
    srv6_endpoint_behavior: null,
    srv6_sid_structure: null,
    unknown_tlvs: [],
  };
  for (const t of tlvs) {
    const v = t.value;
    if (Buffer.isBuffer(v)) {
      f.unknown_tlvs.push(unknown(t.type, v));
      continue;
    }
    switch (t.type) {
      case 1024:
        f.node_flags = v as number;
        break;
      case 1026:
        f.node_name = v as string;
        break;
      case 1027:
        f.isis_area_ids.push(v as string);
        break;
      case 1028:
      case 1029:
        f.local_router_ids.push(v as string);
        break;
      case 1030:
      case 1031:
        f.remote_router_ids.push(v as string);
        break;
      case 263:
        f.multi_topology_ids.push(...(v as number[]));
        break;
      case 1034:
        f.sr_capabilities = rangesField(v as SrRanges);
        break;
      case 1035:
        f.sr_algorithms.push(...(v as number[]));
        break;
      case 1036:
        f.sr_local_block = rangesField(v as SrRanges);
        break;
      case 1088:
        f.admin_group = v as number;
        break;
      case 1089:
        f.max_link_bandwidth = v as number;
        break;
      case 1090:
        f.max_reservable_bandwidth = v as number;
        break;
      case 1091:
        f.unreserved_bandwidth = v as number[];
        break;
      case 1092:
        f.te_default_metric = v as number;
        break;
      case 1095:
        f.igp_metric = (v as IgpMetric).metric;
        break;
      case 1096:
        f.srlgs.push(...(v as number[]));
        break;
      case 1098:
        f.link_name = v as string;
        break;
      case 1099:
      case 1100: {
        const a = v as AdjacencySid & Partial<LanAdjacencySid>;
        f.adjacency_sids.push({ flags: a.flags, weight: a.weight, sid: a.sid, is_label: a.isLabel, neighbor: a.neighbor ?? null });
        break;
      }
      case 1106: {
        const x = v as Srv6EndXSid;
        const structure = x.subTlvs.find((s) => s.type === 1252 && !Buffer.isBuffer(s.value));
        for (const s of x.subTlvs) if (Buffer.isBuffer(s.value)) f.unknown_tlvs.push(`1106.${unknown(s.type, s.value)}`);
        f.srv6_end_x_sids.push({
          endpoint_behavior: x.behavior,
          flags: x.flags,
          algorithm: x.algorithm,
          weight: x.weight,
          sid: x.sid,
          structure: structure ? structureField(structure.value as Srv6SidStructure) : null,
        });
        break;
      }
      case 1152:
        f.igp_flags = v as number;
        break;
      case 1153:
        f.route_tags.push(...(v as number[]));
        break;
      case 1155:
        f.prefix_metric = v as number;
        break;
      case 1158: {
        const p = v as PrefixSidTlvValue;
        f.prefix_sids.push({ flags: p.flags, algorithm: p.algorithm, sid: p.sid, is_label: p.isLabel });
        break;
      }
      case 1162: {
        const x = v as Srv6Locator;
        for (const s of x.subTlvs) if (Buffer.isBuffer(s.value)) f.unknown_tlvs.push(`1162.${unknown(s.type, s.value)}`);
        f.srv6_locator = { flags: x.flags, algorithm: x.algorithm, metric: x.metric };
        break;
      }
      case 1250: {
        const x = v as Srv6EndpointBehavior;
        f.srv6_endpoint_behavior = { endpoint_behavior: x.behavior, flags: x.flags, algorithm: x.algorithm };
        break;
      }
      case 1252:
        f.srv6_sid_structure = structureField(v as Srv6SidStructure);
        break;
      default:
        // A descriptor-only TLV placed in the attribute.
        f.unknown_tlvs.push(`${t.type}:${JSON.stringify(v)}`);
    }
  }
  return f;
}

export function prefixSidField(tlvs: readonly PrefixSidTlv[]): PrefixSidField {
  const f: PrefixSidField = { label_index: null, label_index_flags: null, originator_srgb_flags: null, originator_srgbs: [], srv6_services: [], unknown_tlvs: [] };
  for (const t of tlvs) {
    const v = t.value;
    if (Buffer.isBuffer(v)) {
      f.unknown_tlvs.push(unknown(t.type, v));
    } else if (t.type === 1) {
      f.label_index = (v as LabelIndex).labelIndex;
      f.label_index_flags = (v as LabelIndex).flags;
    } else if (t.type === 3) {
      f.originator_srgb_flags = (v as OriginatorSrgb).flags;
      f.originator_srgbs = (v as OriginatorSrgb).srgbs.map((g) => ({ base: g.base, range: g.range }));
    } else {
      const service = t.type === 5 ? 'l3' : 'l2';
      for (const sub of (v as Srv6Service).subTlvs) {
        const info = sub.value;
        if (Buffer.isBuffer(info)) {
          f.unknown_tlvs.push(`${t.type}.${unknown(sub.type, info)}`);
          continue;
        }
        let structure: PrefixSidField['srv6_services'][number]['structure'] = null;
        for (const ss of info.subSubTlvs) {
          const sv = ss.value;
          if (Buffer.isBuffer(sv)) f.unknown_tlvs.push(`${t.type}.${sub.type}.${unknown(ss.type, sv)}`);
          else
            structure = {
              locator_block_length: sv.locatorBlock,
              locator_node_length: sv.locatorNode,
              function_length: sv.function,
              argument_length: sv.argument,
              transposition_length: sv.transpositionLength,
              transposition_offset: sv.transpositionOffset,
            };
        }
        f.srv6_services.push({ service, sid: info.sid, flags: info.flags, endpoint_behavior: info.endpointBehavior, structure });
      }
    }
  }
  return f;
}

function segmentListField(subs: readonly SegmentListSubTlv[]): SegmentListField {
  const f: SegmentListField = { weight: null, segments: [], unknown_sub_tlvs: [] };
  for (const s of subs) {
    const v = s.value;
    if (Buffer.isBuffer(v)) f.unknown_sub_tlvs.push(unknown(s.type, v));
    else if (s.type === 9) f.weight = (v as FlaggedNumber).value;
    else if (s.type === 1) {
      const a = v as SegmentTypeA;
      f.segments.push({ segment_type: 'a', flags: a.flags, label: a.labelEntry >>> 12, sid: null, endpoint_behavior: null });
    } else {
      const b = v as SegmentTypeB;
      f.segments.push({ segment_type: 'b', flags: b.flags, label: null, sid: b.sid, endpoint_behavior: b.behavior === null ? null : b.behavior.endpointBehavior });
    }
  }
  return f;
}

export function tunnelEncapsulationField(tunnels: readonly TunnelTlv[]): TunnelEncapsulationField {
  return {
    tunnels: tunnels.map((t) => {
      const f: TunnelField = {
        tunnel_type: t.tunnelType,
        preference: null,
        priority: null,
        binding_sid_flags: null,
        binding_sid_label: null,
        binding_sid_srv6: null,
        enlp: null,
        candidate_path_name: null,
        policy_name: null,
        segment_lists: [],
        unknown_sub_tlvs: [],
      };
      for (const s of t.subTlvs) {
        const v = s.value;
        if (Buffer.isBuffer(v)) f.unknown_sub_tlvs.push(unknown(s.type, v));
        else if (s.type === 12) f.preference = (v as FlaggedNumber).value;
        else if (s.type === 13) {
          const b = v as BindingSid;
          f.binding_sid_flags = b.flags;
          if (typeof b.sid === 'number') f.binding_sid_label = b.sid >>> 12;
          else if (typeof b.sid === 'string') f.binding_sid_srv6 = b.sid;
        } else if (s.type === 14) f.enlp = (v as Enlp).enlp;
        else if (s.type === 15) f.priority = v as number;
        else if (s.type === 128) f.segment_lists.push(segmentListField(v as SegmentListSubTlv[]));
        else if (s.type === 129) f.candidate_path_name = v as string;
        else if (s.type === 130) f.policy_name = v as string;
      }
      return f;
    }),
  };
}
