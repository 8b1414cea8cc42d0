/**
 * IP address text <-> bytes, for the codec's hot path: no intermediate arrays or regexes when
 * formatting, since every prefix event carries one address string.
 */
import { CodecError } from './errors.js';

/** Formats 4 bytes at `offset` as dotted-quad IPv4 text. */
export function formatIPv4(buf: Uint8Array, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/**
 * Formats 16 bytes at `offset` as IPv6 text in RFC 5952 canonical form (lower case, longest run
 * of two or more zero groups compressed, IPv4-mapped addresses in mixed notation).
 */
export function formatIPv6(buf: Uint8Array, offset: number): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (buf[offset + 2 * i] << 8) | buf[offset + 2 * i + 1];
  // ::ffff:a.b.c.d (RFC 5952 §5)
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(buf, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** Parses dotted-quad IPv4 text into 4 bytes written at `offset` of `out`. */
export function writeIPv4(text: string, out: Uint8Array, offset: number): void {
  const parts = text.split('.');
  if (parts.length !== 4) throw new CodecError(`not an IPv4 address: ${text}`, 0);
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!Number.isInteger(n) || n < 0 || n > 255 || parts[i] === '') throw new CodecError(`not an IPv4 address: ${text}`, 0);
    out[offset + i] = n;
  }
}

/** Parses IPv6 text (with optional :: and embedded IPv4) into 16 bytes written at `offset` of `out`. */
export function writeIPv6(text: string, out: Uint8Array, offset: number): void {
  const bad = (): never => {
    throw new CodecError(`not an IPv6 address: ${text}`, 0);
  };
  let s = text;
  const tailBytes: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > lastColon) {
    const v4 = new Uint8Array(4);
    writeIPv4(s.slice(lastColon + 1), v4, 0);
    tailBytes.push(...v4);
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) bad();
  const parse = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : bad())));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) bad();
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  for (let i = 0; i < 8; i++) {
    out[offset + 2 * i] = groups[i] >> 8;
    out[offset + 2 * i + 1] = groups[i] & 0xff;
  }
  if (tailBytes.length === 4) out.set(tailBytes, offset + 12);
}

/** True when the text is an IPv6 address (contains a colon). */
export function isIPv6Text(text: string): boolean {
  return text.includes(':');
}
