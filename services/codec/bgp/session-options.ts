/**
 * Decode options for a monitored BGP session, from the two OPENs of a BMP Peer Up
 * (docs/bmp-protocol.md §5.1, §5.3, §8.3). `sent` is the OPEN the monitored router sent,
 * `received` the one its peer sent.
 *
 * The BMP A flag is not seen here: for Route Monitoring of peer types 0-2 it describes the AS
 * width of the message actually held (RFC 7854 §4.2) and should override `fourOctetAs`; the BMP
 * layer applies it.
 */
import type { AddPathCapability } from './capabilities.js';
import type { OpenMessage } from './open.js';
import { type BgpDecodeOptions, type Family, makeDecodeOptions } from './options.js';

/** Which RIB the Route Monitoring messages come from (decides the ADD-PATH direction). */
export type RibView = 'adj_rib_in' | 'adj_rib_out' | 'loc_rib';

function hasFourOctetAs(open: OpenMessage): boolean {
  return open.capabilities.some((c) => c.kind === 'four_octet_as');
}

/** ADD-PATH send/receive per family key (afi*256+safi) of one OPEN (RFC 7911 §4). */
function addPathModes(open: OpenMessage): Map<number, number> {
  const modes = new Map<number, number>();
  for (const c of open.capabilities) {
    if (c.kind !== 'add_path') continue;
    for (const f of (c as AddPathCapability).families) modes.set(f.afi * 256 + f.safi, f.sendReceive);
  }
  return modes;
}

const canSend = (m: number | undefined): boolean => m === 2 || m === 3;
const canReceive = (m: number | undefined): boolean => m === 1 || m === 3;

/**
 * - fourOctetAs: both OPENs carry capability 65 (RFC 6793 §4.1); always true for Loc-RIB
 *   (RFC 9069 §5.4.1).
 * - ADD-PATH for family X (RFC 7911 §5; RFC 9069 §5.2):
 *   adj_rib_in: the peer can send X and the router can receive it;
 *   adj_rib_out: the router can send X and the peer can receive it;
 *   loc_rib: X appears in the (fabricated) OPEN's ADD-PATH capability at all.
 */
export function decodeOptionsFromOpens(sent: OpenMessage, received: OpenMessage, view: RibView): BgpDecodeOptions {
  const mine = addPathModes(sent);
  const theirs = addPathModes(received);
  const families: Family[] = [];
  const keys = new Set<number>([...mine.keys(), ...theirs.keys()]);
  for (const key of keys) {
    const m = mine.get(key);
    const t = theirs.get(key);
    let on: boolean;
    if (view === 'loc_rib') on = true;
    else if (view === 'adj_rib_in') on = canSend(t) && canReceive(m);
    else on = canSend(m) && canReceive(t);
    if (on) families.push({ afi: Math.floor(key / 256), safi: key % 256 });
  }
  const fourOctetAs = view === 'loc_rib' || (hasFourOctetAs(sent) && hasFourOctetAs(received));
  return makeDecodeOptions(fourOctetAs, families);
}
