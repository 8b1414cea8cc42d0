/**
 * How the event model renders AS_PATH members and COMMUNITIES values (RouteEvent's `as_path` and
 * `communities`): the session decoder makes its events with these, and ingest's Avro encoder makes
 * the same values from an UPDATE's octets where a lent event has placeholders for them.
 */
import type { AsPathSegment } from '../codec/bgp/attributes/as-path.js';
import { formatCommunity } from '../codec/bgp/attributes/communities.js';
import type { AsPathHop } from './model.js';

/** The hops of an AS_PATH: each member's ASN and the type of its segment, in order. */
export function asPathHops(segments: readonly AsPathSegment[]): AsPathHop[] {
  // Allocated at its exact size (see decodeAsPath).
  let n = 0;
  for (let i = 0; i < segments.length; i++) n += segments[i].asns.length;
  const hops: AsPathHop[] = new Array<AsPathHop>(n);
  let k = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const asns = s.asns;
    for (let j = 0; j < asns.length; j++) hops[k++] = { asn: asns[j], segment: s.type };
  }
  return hops;
}

/** "high:low" texts of COMMUNITIES values, in order. */
export function communityTexts(values: readonly number[]): string[] {
  const n = values.length;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = formatCommunity(values[i]);
  return out;
}
