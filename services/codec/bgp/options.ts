/**
 * The per-session context the BMP layer hands to the BGP decoder. BGP PDUs are not
 * self-describing: the AS number width and the presence of ADD-PATH path identifiers were
 * negotiated in the OPENs (RFC 6793 §4, RFC 7911 §4-5), and BMP tells us about them only through
 * the Peer Up OPENs and the per-peer A flag (see docs/bmp-protocol.md §5.1, §5.3).
 */
export interface BgpDecodeOptions {
  /** AS numbers in AS_PATH/AGGREGATOR are 4 octets (both OPENs had capability 65, or BMP A flag clear per §5.1). */
  fourOctetAs: boolean;
  /** Does NLRI of this AFI/SAFI carry an ADD-PATH path identifier (already resolved for direction)? */
  addPath(afi: number, safi: number): boolean;
}

/** AFI/SAFI pair. */
export interface Family {
  afi: number;
  safi: number;
}

/** Key used in sets of families: AFI in the high bits, SAFI (one octet) in the low 8 bits. */
export function familyKey(afi: number, safi: number): number {
  return afi * 256 + safi;
}

const noAddPath = (): boolean => false;

/**
 * Builds decode options from plain data: the AS width and the list of families whose NLRI carry
 * path identifiers. The lookup is a Set probe, cheap enough to be called once per UPDATE.
 */
export function makeDecodeOptions(fourOctetAs: boolean, addPathFamilies: Iterable<Family> = []): BgpDecodeOptions {
  const keys = new Set<number>();
  for (const f of addPathFamilies) keys.add(familyKey(f.afi, f.safi));
  if (keys.size === 0) return { fourOctetAs, addPath: noAddPath };
  return { fourOctetAs, addPath: (afi, safi) => keys.has(familyKey(afi, safi)) };
}

/** The common modern case: 4-octet AS numbers, no ADD-PATH anywhere. */
export const DEFAULT_DECODE_OPTIONS: BgpDecodeOptions = makeDecodeOptions(true);
