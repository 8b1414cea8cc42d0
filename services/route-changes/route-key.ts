/**
 * The identity of a route within one peer, RIB view and family: its NLRI (prefix, or the raw NLRI
 * octets of a family the codec does not decode), the route distinguisher of VPN families
 * (RFC 4364 §4.2: the RD is part of the VPN-IPv4 prefix) and the ADD-PATH path id (RFC 7911 §3: a
 * path is identified by prefix and path id). Written as one string, as short as the common case
 * allows: a bare prefix has a key equal to the prefix text, which the event already holds.
 *
 *   [rd " "] (prefix | "raw:" hex) ["#" path_id]
 *
 * Prefix and RD texts contain neither " " nor "#", so the key parses back unambiguously.
 */
import type { RouteEvent } from '../events/model.js';

/** Key of a route event's route; null for End-of-RIB. */
export function routeKey(e: Pick<RouteEvent, 'prefix' | 'raw_nlri' | 'rd' | 'path_id'>): string | null {
  let key: string;
  if (e.prefix !== null) key = e.prefix;
  else if (e.raw_nlri !== null) key = `raw:${e.raw_nlri.toString('hex')}`;
  else return null;
  if (e.rd !== null) key = `${e.rd} ${key}`;
  if (e.path_id !== null) key = `${key}#${e.path_id}`;
  return key;
}

export interface RouteKeyParts {
  prefix: string;
  rd: string | null;
  path_id: number | null;
}

/** The parts of a route key (prefix as written: CIDR text, or "raw:" + hex). */
export function parseRouteKey(key: string): RouteKeyParts {
  let rest = key;
  let rd: string | null = null;
  let pathId: number | null = null;
  const space = rest.indexOf(' ');
  if (space >= 0) {
    rd = rest.slice(0, space);
    rest = rest.slice(space + 1);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    pathId = Number(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  return { prefix: rest, rd, path_id: pathId };
}
