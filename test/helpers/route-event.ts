/**
 * The route-event fields most test events leave null: those of the families other than IP
 * prefixes, BMP v4 path marking, and the traffic-engineering attributes (services/events/model.ts).
 * Spread into a test's RouteEvent literal so a new field of that kind is added in one place.
 */
import type { RouteEvent } from '../../services/events/model.js';

export const NO_FAMILY_OR_TE_FIELDS = {
  evpn: null,
  vpls: null,
  mvpn: null,
  rt_constraint: null,
  flowspec: null,
  path_status: null,
  path_reason: null,
  bgp_ls: null,
  sr_policy: null,
  bgp_ls_attribute: null,
  prefix_sid: null,
  tunnel_encapsulation: null,
} as const satisfies Partial<RouteEvent>;
