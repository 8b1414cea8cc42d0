/**
 * Labeled unicast NLRI, SAFI 4 (RFC 8277 §2), and the label-stack machinery shared with the VPN
 * families (vpn.ts).
 *
 * Entry: [path id (4), RFC 7911] + Length (1, in bits, covering labels, RD and prefix) + label
 * entries (3 octets: 20-bit label, 3-bit TC, S bit) + [RD (8), VPN only] + prefix octets.
 *
 * How many labels: the BGP session's Multiple Labels capability (RFC 8277 §2.1) is not part of
 * BgpDecodeOptions, so the stack is read by the S bit, as RFC 8277 §2.3 allows: stop after an entry
 * with S = 1. Two safeguards for senders that leave S clear on a single label: stop at the label
 * values of the withdrawal "Compatibility" field, 0x80000 (wire 0x800000) and 0 (RFC 8277 §2.4;
 * whatever the TC bits), and stop when the bits left could not hold another label (plus the RD
 * for VPN routes). A sender that clears S on a lone label of a longer prefix still cannot be told
 * from a two-label stack; that would need the Multiple Labels capability (RFC 8277 §2.1).
 */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { writePathId } from './ipv4.js';
import { ipv4PrefixText, ipv6PrefixText, parsePrefix, writePrefixOctets } from './prefix.js';
import { writeRd } from './rd.js';
import { formatRouteDistinguisher } from '../../route-distinguisher.js';
import type { PrefixRoute, Route } from './route.js';
import { u32 } from '../bytes.js';

/** Compatibility field of a labeled withdrawal, RFC 8277 §2.4 (as a 20-bit label value). */
export const WITHDRAW_COMPAT_LABEL = 0x80000;

/**
 * Decodes labeled (rdBits 0) or VPN (rdBits 64) entries for IPv4 (width 32) or IPv6 (width 128).
 * `withdraw` only changes which label low bits count as the default (see PrefixRoute.labelBits).
 */
export function decodeLabeledPrefixes(
  buf: Buffer,
  pos: number,
  end: number,
  afi: number,
  safi: number,
  addPath: boolean,
  withdraw: boolean,
  width: 32 | 128,
  rdBits: 0 | 64,
  out: Route[],
): void {
  const what = rdBits ? 'VPN NLRI' : 'labeled NLRI';
  while (pos < end) {
    const entry = pos;
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 5) throw new CodecError(`${what} with ADD-PATH needs a 4-byte path identifier and a length, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    const length = buf[pos];
    const bytes = (length + 7) >>> 3;
    if (pos + 1 + bytes > end) throw new CodecError(`${what} length ${length} bits needs ${bytes} bytes, only ${end - pos - 1} left`, pos);
    pos++;
    const next = pos + bytes;
    let remaining = length;
    const labels: number[] = [];
    const lows: number[] = [];
    for (;;) {
      if (remaining < 24) throw new CodecError(`${what} length ${length} leaves no room for a label`, entry);
      const v = (buf[pos] << 16) | (buf[pos + 1] << 8) | buf[pos + 2];
      pos += 3;
      remaining -= 24;
      const label = v >>> 4;
      labels.push(label);
      lows.push(v & 0xf);
      if (v & 1 || label === WITHDRAW_COMPAT_LABEL || label === 0 || remaining < 24 + rdBits) break;
    }
    let rd: string | undefined;
    if (rdBits) {
      if (remaining < 64) throw new CodecError(`${what} length ${length} leaves no room for the route distinguisher`, entry);
      rd = formatRouteDistinguisher(buf, pos);
      pos += 8;
      remaining -= 64;
    }
    if (remaining > width) throw new CodecError(`${what} prefix length ${remaining} exceeds ${width}`, entry);
    const prefix = width === 32 ? ipv4PrefixText(buf, pos, remaining) : ipv6PrefixText(buf, pos, remaining);
    const route: PrefixRoute =
      rd === undefined ? { kind: 'prefix', afi, safi, prefix, pathId, labels } : { kind: 'prefix', afi, safi, prefix, pathId, labels, rd };
    if (!isDefaultLows(labels, lows, withdraw)) route.labelBits = lows;
    out.push(route);
    pos = next;
  }
}

/** Low nibble the encoder writes for label `i` of `n` when no labelBits are given. */
function defaultLow(label: number, i: number, n: number, withdraw: boolean): number {
  if (i !== n - 1) return 0;
  // The compatibility field 0x800000 (and the 0x000000 some senders use) has S clear.
  if (withdraw && (label === WITHDRAW_COMPAT_LABEL || label === 0)) return 0;
  return 1;
}

function isDefaultLows(labels: number[], lows: number[], withdraw: boolean): boolean {
  for (let i = 0; i < labels.length; i++) if (lows[i] !== defaultLow(labels[i], i, labels.length, withdraw)) return false;
  return true;
}

export function encodeLabeledPrefixes(w: ByteWriter, routes: readonly Route[], addPath: boolean, withdraw: boolean, width: 32 | 128, vpn: boolean): void {
  for (const r of routes) {
    if (r.kind === 'raw') {
      w.bytes(r.raw);
      continue;
    }
    if (r.kind !== 'prefix') encodeError(`labeled/VPN NLRI: route of kind "${r.kind}" cannot be encoded here`);
    writePathId(w, r.pathId, addPath, r.prefix);
    // A withdrawal may omit the labels: RFC 8277 §2.4 defines the value to send.
    const labels = r.labels ?? (withdraw ? [WITHDRAW_COMPAT_LABEL] : encodeError(`labeled route ${r.prefix} has no labels`));
    if (labels.length === 0) encodeError(`labeled route ${r.prefix} has an empty label list`);
    if (vpn && r.rd === undefined) encodeError(`VPN route ${r.prefix} has no route distinguisher`);
    const bits = parsePrefix(r.prefix, width);
    const total = labels.length * 24 + (vpn ? 64 : 0) + bits;
    if (total > 255) encodeError(`labeled route ${r.prefix}: ${labels.length} label(s) make the NLRI ${total} bits, over the 255 a length octet holds`);
    w.u8(total, 'labeled NLRI length');
    const lows = r.labelBits;
    if (lows !== undefined && lows.length !== labels.length) encodeError(`route ${r.prefix}: labelBits must have one entry per label`);
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (!Number.isInteger(label) || label < 0 || label > 0xfffff) encodeError(`route ${r.prefix}: label ${label} is not a 20-bit value`);
      const low = lows !== undefined ? lows[i] : defaultLow(label, i, labels.length, withdraw);
      if (!Number.isInteger(low) || low < 0 || low > 15) encodeError(`route ${r.prefix}: labelBits ${low} is not a 4-bit value`);
      w.u24(label * 16 + low, 'label entry');
    }
    if (vpn) writeRd(w, r.rd as string);
    // parsePrefix's scratch was not disturbed by writeRd (it has its own parsing).
    writePrefixOctets(w, bits);
  }
}
