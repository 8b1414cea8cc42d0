/**
 * Routes as the codec hands them to the event model. One object per NLRI entry; every object of a
 * given family has the same shape (same keys in the same order) so V8 keeps the consumers'
 * property reads monomorphic.
 */
import type { BgpLsRoute } from './bgp-ls/nlri.js';
import type { SrPolicyRoute } from './sr-policy.js';

/** A decoded IP prefix (plain, labeled or VPN). */
export interface PrefixRoute {
  kind: 'prefix';
  afi: number;
  safi: number;
  /**
   * CIDR text, e.g. "10.0.0.0/8", "2001:db8::/32" (IPv6 in RFC 5952 form). Rendered from exactly
   * the ⌈length/8⌉ octets on the wire: bits past the prefix length inside the last octet are
   * don't-care per RFC 4271 §4.3 but are *not* masked here, so the text re-encodes to the same
   * bytes. Use `maskPrefix` for a canonical key when a sender is known to leave junk there.
   */
  prefix: string;
  /** ADD-PATH path identifier (RFC 7911 §3), or null when the family has no ADD-PATH. */
  pathId: number | null;
  /**
   * Label values (20 bits each) for labeled (SAFI 4) and VPN (SAFI 128/129) routes, RFC 8277 §2.
   * In MP_UNREACH_NLRI this is the 3-octet "Compatibility" field (RFC 8277 §2.4), normally the
   * value 0x80000 (wire 0x800000).
   */
  labels?: number[];
  /**
   * Low 4 bits (TC and bottom-of-stack S) of each label entry, present only when they differ from
   * what the encoder writes by default (TC 0; S set on the last label of a reachable route; all
   * clear in a withdrawal's 0x800000/0x000000 compatibility field). Kept so the encoder reproduces
   * unusual senders byte for byte.
   */
  labelBits?: number[];
  /** Route distinguisher text for VPN routes (see rd.ts for the forms). */
  rd?: string;
}

/** NLRI of a family this codec does not decode: the whole NLRI block, never dropped. */
export interface RawRoute {
  kind: 'raw';
  afi: number;
  safi: number;
  raw: Buffer;
}

export type { BgpLsRoute, SrPolicyRoute };

/** Link-State NLRI (bgp-ls/nlri.ts) and SR Policy NLRI (sr-policy.ts) carry `prefix` text too. */
export type Route = PrefixRoute | RawRoute | BgpLsRoute | SrPolicyRoute;
