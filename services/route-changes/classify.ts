/**
 * Classification of a route event against the peer's current routes, applying it to the table:
 *
 *  - new route: an announcement of a route (prefix + RD + path id) the table lacks;
 *  - path change: an announcement of a known route with another attribute set; the change mask
 *    says which attributes differ (attributes.ts CHANGED);
 *  - duplicate: an announcement identical to the known route (routers resend routes on route
 *    refresh, policy re-evaluation, or a BMP session restart);
 *  - withdrawal of a known route, or of an unknown one (counted apart: it changes nothing, and is
 *    normal after a Peer Down the router reports late, or when the table was not seen from the start);
 *  - End-of-RIB (RFC 4724 §2) is a marker, not a route: nothing is applied.
 *
 * Communities: the standard (RFC 1997), large (RFC 8092) and extended (RFC 4360) communities are
 * three separate change kinds: operators act on them differently (large communities carry most
 * informational tagging on 4-octet-AS networks, extended ones route targets and Flowspec actions).
 * The order of communities is part of the attribute as received; a reordering counts as a change.
 */
import type { RouteEvent } from '../events/model.js';
import type { AttributeSets } from './attributes.js';
import type { FamilyTable } from './route-store.js';

export const RouteChange = {
  NEW: 0,
  PATH_CHANGE: 1,
  DUPLICATE: 2,
  WITHDRAW: 3,
  UNKNOWN_WITHDRAW: 4,
  END_OF_RIB: 5,
} as const;

export type RouteChangeKind = (typeof RouteChange)[keyof typeof RouteChange];

/** The result of the last `classifyAndApply`: which attributes changed (0 unless PATH_CHANGE). */
export interface Classification {
  kind: RouteChangeKind;
  changed: number;
}

/**
 * Classifies `e` (of route `key` in `table`) and applies it: the table afterwards holds the route's
 * new attribute set, or no longer holds it. `result` is filled in (reused to avoid an allocation
 * per event). `key` is null for End-of-RIB.
 */
export function classifyAndApply(e: RouteEvent, key: string | null, table: FamilyTable, attrs: AttributeSets, result: Classification): Classification {
  result.changed = 0;
  if (e.action === 'end_of_rib' || key === null) {
    result.kind = RouteChange.END_OF_RIB;
    return result;
  }
  const routes = table.routes;
  if (e.action === 'withdraw') {
    const old = routes.delete(key);
    if (old < 0) {
      result.kind = RouteChange.UNKNOWN_WITHDRAW;
    } else {
      attrs.release(old);
      result.kind = RouteChange.WITHDRAW;
    }
    return result;
  }
  // One lookup: set, then compare with what the route had.
  const set = attrs.acquire(e);
  const old = routes.set(key, set);
  if (old < 0) {
    result.kind = RouteChange.NEW;
  } else if (old === set) {
    attrs.release(set);
    result.kind = RouteChange.DUPLICATE;
  } else {
    result.changed = attrs.diff(old, set);
    attrs.release(old);
    result.kind = RouteChange.PATH_CHANGE;
  }
  return result;
}
