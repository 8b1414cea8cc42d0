/**
 * Attributes kept as bytes: every type code this codec does not decode (PMSI tunnel, ATTR_SET,
 * ...), and known ones whose value is malformed while
 * their length is sound (RFC 7606 §2's "attribute discard"/"treat-as-withdraw" outcomes are for a
 * BGP speaker; a collector reports, so the bytes and the reason are kept), and repeated
 * occurrences of a type (RFC 7606 §3 g: only the first counts).
 */

export interface RawAttribute {
  code: number;
  kind: 'raw';
  /** The whole flags octet, incl. Extended Length and the unused low bits. */
  flags: number;
  value: Buffer;
  /** Why a known attribute was not decoded (CodecError text with byte offset), else null. */
  error: string | null;
}
