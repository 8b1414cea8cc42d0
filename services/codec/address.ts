/**
 * IP address text <-> bytes, for the codec's hot path: no intermediate arrays or regexes when
 * formatting, since every prefix event carries one address string.
 */
import { CodecError } from './errors.js';

/** Decimal text of every octet, with and without a '.' after it: no number-to-string per octet. */
const DECIMAL_DOT: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}.`);
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}`);

/** Formats 4 bytes at `offset` as dotted-quad IPv4 text. */
export function formatIPv4(buf: Uint8Array, offset: number): string {
  return DECIMAL_DOT[buf[offset]] + DECIMAL_DOT[buf[offset + 1]] + DECIMAL_DOT[buf[offset + 2]] + DECIMAL[buf[offset + 3]];
}

/*
 * IPv6 formatting tables: the hex text of every octet without leading zeros ("0", "a", "ff"), with
 * a ':' in front (":0", ":ff"), and as two digits ("00", "0a", "ff"). A 16-bit group is one table
 * load when its high octet is zero and two otherwise (high without, low with leading zeros), so an
 * address takes no toString(16) call. Three 256-entry tables (a few KB, always in cache) rather
 * than 65,536-entry per-group tables: on the addresses of a real table those missed the CPU cache
 * on nearly every group and were slower.
 */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));
const COLON_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => `:${i.toString(16)}`);
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Group `i` (0-7) of the address at `offset`, without leading zeros. */
function groupText(buf: Uint8Array, offset: number, i: number): string {
  const hi = buf[offset + 2 * i];
  const lo = buf[offset + 2 * i + 1];
  return hi === 0 ? HEX[lo] : HEX[hi] + HEX2[lo];
}

/** ':' and group `i` (0-7) of the address at `offset`, without leading zeros. */
function colonGroupText(buf: Uint8Array, offset: number, i: number): string {
  const hi = buf[offset + 2 * i];
  const lo = buf[offset + 2 * i + 1];
  return hi === 0 ? COLON_HEX[lo] : COLON_HEX[hi] + HEX2[lo];
}

/**
 * Formats 16 bytes at `offset` as IPv6 text in RFC 5952 canonical form (§4): lower case, no
 * leading zeros in a group, the longest run of two or more zero groups compressed to "::" (the
 * first one on ties), a lone zero group written as "0"; IPv4-mapped addresses in mixed notation,
 * "::ffff:a.b.c.d" (§5).
 */
export function formatIPv6(buf: Uint8Array, offset: number): string {
  // One pass: find the longest run of zero groups (first wins on ties).
  let bestStart = -1;
  let bestLength = 1; // a run must be longer than this to be compressed
  let run = 0;
  for (let i = 0; i < 8; i++) {
    if ((buf[offset + 2 * i] | buf[offset + 2 * i + 1]) === 0) {
      run++;
      if (run > bestLength) {
        bestLength = run;
        bestStart = i + 1 - run;
      }
    } else {
      run = 0;
    }
  }
  if (bestStart < 0) {
    return (
      groupText(buf, offset, 0) +
      colonGroupText(buf, offset, 1) +
      colonGroupText(buf, offset, 2) +
      colonGroupText(buf, offset, 3) +
      colonGroupText(buf, offset, 4) +
      colonGroupText(buf, offset, 5) +
      colonGroupText(buf, offset, 6) +
      colonGroupText(buf, offset, 7)
    );
  }
  // ::ffff:a.b.c.d — the first five groups zero means the run starts at 0 and is at least 5 long.
  if (bestStart === 0 && bestLength === 5 && buf[offset + 10] === 0xff && buf[offset + 11] === 0xff) return '::ffff:' + formatIPv4(buf, offset + 12);
  const end = bestStart + bestLength;
  let text = bestStart === 0 ? '' : groupText(buf, offset, 0);
  for (let i = 1; i < bestStart; i++) text += colonGroupText(buf, offset, i);
  if (end === 8) return text + '::';
  text += ':';
  for (let i = end; i < 8; i++) text += colonGroupText(buf, offset, i);
  return text;
}

/**
 * Parses dotted-quad IPv4 text into 4 bytes written at `offset` of `out`: four decimal numbers
 * 0-255 without sign, spaces or leading zeros (which some parsers read as octal; Node's net.isIPv4
 * refuses them too). Throws CodecError, before writing anything, on other text.
 */
export function writeIPv4(text: string, out: Uint8Array, offset: number): void {
  if (typeof text !== 'string') throw new CodecError(`not an IPv4 address: ${String(text)}`, 0);
  let word = 0;
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i); // a final '.' closes the last part
    if (c === 46) {
      if (digits === 0 || part === 4) throw new CodecError(`not an IPv4 address: ${text}`, 0);
      word = word * 256 + value;
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) throw new CodecError(`not an IPv4 address: ${text}`, 0); // leading zero
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) throw new CodecError(`not an IPv4 address: ${text}`, 0);
    } else {
      throw new CodecError(`not an IPv4 address: ${text}`, 0);
    }
  }
  if (part !== 4) throw new CodecError(`not an IPv4 address: ${text}`, 0);
  out[offset] = word >>> 24;
  out[offset + 1] = (word >>> 16) & 0xff;
  out[offset + 2] = (word >>> 8) & 0xff;
  out[offset + 3] = word & 0xff;
}

/**
 * Parses IPv6 text (RFC 4291 §2.2: groups of 1-4 hex digits, optional ::, optional dotted-quad
 * IPv4 in the last 32 bits) into 16 bytes written at `offset` of `out`. Throws CodecError, before
 * writing anything, on other text.
 */
export function writeIPv6(text: string, out: Uint8Array, offset: number): void {
  const bad = (): never => {
    throw new CodecError(`not an IPv6 address: ${String(text)}`, 0);
  };
  if (typeof text !== 'string') bad();
  let s = text;
  const tailBytes: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > lastColon) {
    const v4 = new Uint8Array(4);
    try {
      writeIPv4(s.slice(lastColon + 1), v4, 0);
    } catch {
      bad();
    }
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
