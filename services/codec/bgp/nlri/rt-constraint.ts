/**
 * Route Target membership NLRI, AFI 1 / SAFI 132 (RFC 4684 §4). Each entry: [path id (4), RFC
 * 7911] + Length (1, in bits, 0-96) + ⌈length/8⌉ octets of origin AS (4) + route target (8).
 * Length 0 is the default route target (RFC 4684 §4: matches every route target); RFC 4684
 * expects 32 or more otherwise, but any length up to 96 is read and re-encoded as sent (octets
 * not on the wire read as zero, bits past the length inside the last octet are kept).
 *
 * rtConstraintRouteText gives the route's canonical text for the event model.
 */
import { CodecError } from '../../errors.js';
import { u32 } from '../bytes.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { decodeExtendedCommunity, parseExtendedCommunity } from '../attributes/extended-communities.js';
import { writePathId } from './ipv4.js';
import type { Route, RtConstraintRoute } from './route.js';

const MAX_BITS = 96;
const SCRATCH = Buffer.alloc(12);

/** Text of the 8 octets at `pos`: "rt:..." for a transitive route target, else "0xTTSS:hex". */
function routeTargetText(buf: Buffer, pos: number): string {
  const c = decodeExtendedCommunity(buf, pos);
  // parseExtendedCommunity reads "rt:" back as the transitive types 0x00-0x02 only.
  if (c.kind === 'route_target' && c.type <= 0x02) return c.text;
  return `0x${buf.toString('hex', pos, pos + 2)}:${buf.toString('hex', pos + 2, pos + 8)}`;
}

export function decodeRtConstraintRoutes(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, out: Route[]): void {
  while (pos < end) {
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 5) throw new CodecError(`RT membership NLRI with ADD-PATH needs a 4-byte path identifier and a length, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    const bits = buf[pos];
    if (bits > MAX_BITS) throw new CodecError(`RT membership NLRI length ${bits} bits exceeds ${MAX_BITS} (RFC 4684 §4)`, pos);
    const octets = (bits + 7) >>> 3;
    if (pos + 1 + octets > end) throw new CodecError(`RT membership NLRI length ${bits} bits needs ${octets} bytes, only ${end - pos - 1} left`, pos);
    SCRATCH.fill(0);
    buf.copy(SCRATCH, 0, pos + 1, pos + 1 + octets);
    out.push({
      kind: 'rt_constraint',
      afi,
      safi,
      pathId,
      prefixLength: bits,
      originAs: bits === 0 ? null : u32(SCRATCH, 0),
      routeTarget: bits > 32 ? routeTargetText(SCRATCH, 4) : null,
    });
    pos += 1 + octets;
  }
}

export function encodeRtConstraintRoutes(w: ByteWriter, routes: readonly Route[], addPath: boolean): void {
  for (const r of routes) {
    if (r.kind !== 'rt_constraint') encodeError(`an RT membership NLRI holds RT membership routes only, got a ${r.kind} route`);
    writePathId(w, r.pathId, addPath, `RT membership route ${r.originAs}:${r.routeTarget}`);
    const bits = r.prefixLength;
    if (!Number.isInteger(bits) || bits < 0 || bits > MAX_BITS) encodeError(`RT membership prefix length ${bits} is not 0-${MAX_BITS}`);
    SCRATCH.fill(0);
    if (bits > 0) {
      if (r.originAs === null) encodeError(`RT membership route of length ${bits} has no origin AS`);
      SCRATCH.writeUInt32BE(r.originAs, 0);
    }
    if (bits > 32) {
      if (r.routeTarget === null) encodeError(`RT membership route of length ${bits} has no route target`);
      const c = parseExtendedCommunity(r.routeTarget);
      SCRATCH[4] = c.type;
      SCRATCH[5] = c.subtype;
      c.value.copy(SCRATCH, 6);
    }
    w.u8(bits, 'RT membership prefix length');
    w.bytes(SCRATCH.subarray(0, (bits + 7) >>> 3));
  }
}

/**
 * Canonical text of an RT membership route (the route event's `prefix`): "origin-as:route-target
 * /length", e.g. "65000:rt:65000:100/96"; "65000/32" when the prefix covers the origin AS only;
 * "default" for length 0.
 */
export function rtConstraintRouteText(r: RtConstraintRoute): string {
  if (r.prefixLength === 0) return 'default';
  if (r.routeTarget === null) return `${r.originAs}/${r.prefixLength}`;
  return `${r.originAs}:${r.routeTarget}/${r.prefixLength}`;
}
