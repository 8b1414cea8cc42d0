/**
 * HAProxy PROXY protocol, versions 1 (text) and 2 (binary), as read by the BMP listener when
 * routers reach it through a load balancer: the proxy prepends one header to the TCP stream that
 * names the original connection's endpoints, and the BMP messages follow it.
 *
 * Pure functions over bytes. `parseProxyHeader` is incremental: call it with everything received
 * so far; it answers `need_more` until the bytes decide, then `ok` (with the header's length, so
 * the caller hands the rest of the buffer to the BMP framer) or `error` (close the connection).
 * The specification (haproxy doc/proxy-protocol.txt) requires a listener configured for the
 * protocol to insist on it, never to guess: bytes that do not start a PROXY header, such as a
 * router speaking BMP directly, are an error.
 *
 * Buffering is bounded: a v1 line longer than 107 bytes is an error, and a v2 header announcing
 * more than `maxV2Length` bytes (default 4096) after its 16-byte fixed part is refused before
 * those bytes are waited for.
 *
 * Facts from the specification that shape the decisions below:
 * - v1: `PROXY <TCP4|TCP6|UNKNOWN> <src> <dst> <sport> <dport>\r\n`, single spaces, no leading
 *   zeros in IPv4 octets or ports, at most 107 bytes with the CRLF; after UNKNOWN the receiver
 *   ignores everything up to the CRLF and uses the real connection's endpoints.
 * - v2: 12-byte signature, version nibble 2 (anything else is refused), command LOCAL (0) or
 *   PROXY (1) (anything else is refused), family nibble 0-3 and protocol nibble 0-2 (anything else
 *   is refused), 16-bit length of what follows. LOCAL means "use the real endpoints" whatever the
 *   block holds. Valid combinations a receiver does not support fall back to UNSPEC (use the real
 *   endpoints): here UDP and AF_UNIX, which cannot describe a router's BMP session.
 * - v2 TLVs follow the address block: type (1 byte), length (2 bytes), value. They are checked to
 *   tile the rest of the header exactly, returned, and otherwise ignored, except PP2_TYPE_CRC32C
 *   (0x03), which the specification says a receiver that supports it must verify; this one does.
 */
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6 } from '../codec/address.js';

/** An endpoint of the proxied connection: canonical address text and TCP port. */
export interface ProxyEndpoint {
  /** IPv4 dotted quad or IPv6 in RFC 5952 form (IPv4-mapped as ::ffff:a.b.c.d). */
  address: string;
  port: number;
}

/** One v2 TLV, its value copied out of the input buffer. */
export interface ProxyTlv {
  type: number;
  value: Buffer;
}

/** What the header announced: v1 keywords, or the v2 family/protocol pair. */
export type ProxyTransport = 'TCP4' | 'TCP6' | 'UDP4' | 'UDP6' | 'UNIX_STREAM' | 'UNIX_DGRAM' | 'UNSPEC' | 'UNKNOWN';

export interface ProxyHeaderOk {
  kind: 'ok';
  version: 1 | 2;
  /** Bytes of the buffer taken by the header; the proxied stream starts here. */
  headerLength: number;
  /** v1 is always 'proxy'; a v2 LOCAL header (proxy health check) reports 'local'. */
  command: 'proxy' | 'local';
  transport: ProxyTransport;
  /**
   * The original client (the router). Null when the header carries no usable address (v1 UNKNOWN,
   * v2 LOCAL, UNSPEC, UDP or AF_UNIX): the caller uses the socket's own remote address.
   */
  source: ProxyEndpoint | null;
  /** The address the client connected to (the proxy's frontend); null exactly when source is. */
  destination: ProxyEndpoint | null;
  /** v2 TLVs in wire order (empty for v1 and for headers whose address block is ignored). */
  tlvs: ProxyTlv[];
}

export type ProxyHeaderResult = { kind: 'need_more' } | ProxyHeaderOk | { kind: 'error'; reason: string };

export interface ProxyParseOptions {
  /** Largest v2 length field accepted (bytes after the 16-byte fixed part). Default 4096. */
  maxV2Length?: number;
}

/** Longest v1 header line, CRLF included (the specification's worst case). */
export const PROXY_V1_MAX_LENGTH = 107;
/** Default cap on the v2 length field. */
export const PROXY_V2_DEFAULT_MAX_LENGTH = 4096;
/** The v2 signature: \r\n\r\n\0\r\nQUIT\n. */
export const PROXY_V2_SIGNATURE: Buffer = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** Registered v2 TLV types used here. */
export const PP2_TYPE_CRC32C = 0x03;
export const PP2_TYPE_NOOP = 0x04;

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const CR = 0x0d;
const LF = 0x0a;

const needMore: { kind: 'need_more' } = Object.freeze({ kind: 'need_more' }) as { kind: 'need_more' };

function fail(reason: string): { kind: 'error'; reason: string } {
  return { kind: 'error', reason };
}

function hexByte(b: number): string {
  return '0x' + b.toString(16).padStart(2, '0');
}

/**
 * Reads a PROXY protocol header (v1 or v2) from the start of `buf`, which holds everything
 * received on the connection so far.
 */
export function parseProxyHeader(buf: Uint8Array, options: ProxyParseOptions = {}): ProxyHeaderResult {
  if (buf.length === 0) return needMore;
  if (buf[0] === PROXY_V2_SIGNATURE[0]) return parseV2(buf, options.maxV2Length ?? PROXY_V2_DEFAULT_MAX_LENGTH);
  if (buf[0] === V1_PREFIX[0]) return parseV1(buf);
  return fail(notAHeader(buf[0]));
}

function notAHeader(first: number): string {
  const base = `no PROXY protocol header: the connection starts with byte ${hexByte(first)}, not "PROXY " (v1) or the v2 signature`;
  // Every BMP message starts with its version byte, 3 (RFC 7854); older routers send 1 or 2.
  if (first >= 1 && first <= 3) {
    return `${base}; this looks like a BMP message, so the router is probably connecting directly instead of through the proxy`;
  }
  return base;
}

// ---------------------------------------------------------------- v1

/** Characters that may follow "PROXY TCP4 " / "PROXY TCP6 " before the CRLF. */
function isV1AddressChar(c: number): boolean {
  return (
    c === 0x20 || // space
    c === 0x2e || // .
    c === 0x3a || // :
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x46) ||
    (c >= 0x61 && c <= 0x66)
  );
}

const V1_PROTOCOLS = ['TCP4 ', 'TCP6 ', 'UNKNOWN'] as const;

function parseV1(buf: Uint8Array): ProxyHeaderResult {
  const limit = Math.min(buf.length, PROXY_V1_MAX_LENGTH);
  // The fixed "PROXY " prefix, checked as far as it has arrived.
  for (let i = 0; i < V1_PREFIX.length && i < limit; i++) {
    if (buf[i] !== V1_PREFIX[i]) {
      if (buf[i] === CR || buf[i] === LF) return fail('PROXY v1: line ends before the protocol field ("PROXY" must be followed by one space and TCP4, TCP6 or UNKNOWN)');
      return fail(`PROXY v1: expected "PROXY " at the start of the connection, byte ${i} is ${hexByte(buf[i])}`);
    }
  }
  // Find the end of the line within the first 107 bytes.
  let end = -1;
  for (let i = V1_PREFIX.length; i < limit; i++) {
    const c = buf[i];
    if (c === LF) return fail(`PROXY v1: bare LF at byte ${i}; the line must end with CRLF`);
    if (c === CR) {
      end = i;
      break;
    }
    if (c < 0x20 || c > 0x7e) return fail(`PROXY v1: byte ${i} is ${hexByte(c)}, not printable US-ASCII`);
  }
  if (end < 0) {
    if (buf.length >= PROXY_V1_MAX_LENGTH) return fail(`PROXY v1: no CRLF within the first ${PROXY_V1_MAX_LENGTH} bytes`);
    return earlyV1Check(buf) ?? needMore;
  }
  if (end + 1 >= PROXY_V1_MAX_LENGTH) return fail(`PROXY v1: no CRLF within the first ${PROXY_V1_MAX_LENGTH} bytes`);
  if (end + 1 >= buf.length) return earlyV1Check(buf.subarray(0, end)) ?? needMore;
  if (buf[end + 1] !== LF) return fail(`PROXY v1: CR at byte ${end} is not followed by LF`);
  const line = Buffer.from(buf.buffer, buf.byteOffset + V1_PREFIX.length, end - V1_PREFIX.length).toString('latin1');
  return parseV1Fields(line, end + 2);
}

/**
 * On a partial line: refuse it as soon as the protocol keyword or an address character is wrong,
 * rather than waiting for 107 bytes of garbage.
 */
function earlyV1Check(partial: Uint8Array): { kind: 'error'; reason: string } | null {
  if (partial.length <= V1_PREFIX.length) return null;
  const rest = Buffer.from(partial.buffer, partial.byteOffset + V1_PREFIX.length, partial.length - V1_PREFIX.length).toString('latin1');
  const candidates = V1_PROTOCOLS.filter((p) => p.startsWith(rest.slice(0, p.length)));
  if (candidates.length === 0) return fail(`PROXY v1: unsupported protocol field "${rest.split(' ')[0]}" (expected TCP4, TCP6 or UNKNOWN)`);
  if (rest.length > 5 && (rest.startsWith('TCP4 ') || rest.startsWith('TCP6 '))) {
    for (let i = 5; i < rest.length; i++) {
      if (!isV1AddressChar(rest.charCodeAt(i))) return fail(`PROXY v1: unexpected character "${rest[i]}" in the address fields`);
    }
  }
  return null;
}

const PORT_TEXT = /^(0|[1-9][0-9]{0,4})$/;

function parseV1Port(text: string, which: string): number | string {
  if (!PORT_TEXT.test(text) || Number(text) > 65535) {
    return `PROXY v1: ${which} port "${text}" is not a decimal integer 0-65535 without leading zeros`;
  }
  return Number(text);
}

/** `line` is what follows "PROXY " up to (not including) the CRLF. */
function parseV1Fields(line: string, headerLength: number): ProxyHeaderResult {
  if (line === 'UNKNOWN' || line.startsWith('UNKNOWN ')) {
    return { kind: 'ok', version: 1, headerLength, command: 'proxy', transport: 'UNKNOWN', source: null, destination: null, tlvs: [] };
  }
  const fields = line.split(' ');
  const protocol = fields[0];
  if (protocol !== 'TCP4' && protocol !== 'TCP6') return fail(`PROXY v1: unsupported protocol field "${protocol}" (expected TCP4, TCP6 or UNKNOWN)`);
  if (fields.length !== 5 || fields.some((f) => f === '')) {
    return fail(`PROXY v1: expected "${protocol} <source> <destination> <source port> <destination port>" separated by single spaces, got "${line}"`);
  }
  const [, srcText, dstText, sportText, dportText] = fields;
  const src = parseV1Address(srcText, protocol, 'source');
  if (typeof src !== 'object') return fail(src);
  const dst = parseV1Address(dstText, protocol, 'destination');
  if (typeof dst !== 'object') return fail(dst);
  const sport = parseV1Port(sportText, 'source');
  if (typeof sport === 'string') return fail(sport);
  const dport = parseV1Port(dportText, 'destination');
  if (typeof dport === 'string') return fail(dport);
  return {
    kind: 'ok',
    version: 1,
    headerLength,
    command: 'proxy',
    transport: protocol,
    source: { address: src.address, port: sport },
    destination: { address: dst.address, port: dport },
    tlvs: [],
  };
}

const scratch = new Uint8Array(16);

function parseV1Address(text: string, protocol: 'TCP4' | 'TCP6', which: string): { address: string } | string {
  try {
    if (protocol === 'TCP4') {
      writeIPv4(text, scratch, 0);
      return { address: formatIPv4(scratch, 0) };
    }
    if (!text.includes(':')) throw new Error('not IPv6');
    writeIPv6(text, scratch, 0);
    return { address: formatIPv6(scratch, 0) };
  } catch {
    const expected = protocol === 'TCP4' ? 'an IPv4 address (dotted quad, no leading zeros)' : 'an IPv6 address';
    return `PROXY v1: ${which} address "${text}" is not ${expected} as ${protocol} requires`;
  }
}

// ---------------------------------------------------------------- v2

interface V2Layout {
  transport: ProxyTransport;
  /** Bytes of address block this transport needs; 0 for UNSPEC. */
  addressLength: number;
  /** Addresses usable for a TCP session (TCP4/TCP6 only). */
  usable: boolean;
}

function v2Layout(fam: number): V2Layout | string {
  const family = fam >> 4;
  const protocol = fam & 0x0f;
  if (family > 3) return `PROXY v2: unknown address family ${family} in byte 13 (${hexByte(fam)})`;
  if (protocol > 2) return `PROXY v2: unknown transport protocol ${protocol} in byte 13 (${hexByte(fam)})`;
  if (family === 0 || protocol === 0) return { transport: 'UNSPEC', addressLength: 0, usable: false };
  const stream = protocol === 1;
  switch (family) {
    case 1:
      return { transport: stream ? 'TCP4' : 'UDP4', addressLength: 12, usable: stream };
    case 2:
      return { transport: stream ? 'TCP6' : 'UDP6', addressLength: 36, usable: stream };
    default:
      return { transport: stream ? 'UNIX_STREAM' : 'UNIX_DGRAM', addressLength: 216, usable: false };
  }
}

function parseV2(buf: Uint8Array, maxLength: number): ProxyHeaderResult {
  const sigLength = PROXY_V2_SIGNATURE.length;
  for (let i = 0; i < sigLength && i < buf.length; i++) {
    if (buf[i] !== PROXY_V2_SIGNATURE[i]) {
      return fail(`PROXY v2: byte ${i} is ${hexByte(buf[i])}, the signature (\\r\\n\\r\\n\\0\\r\\nQUIT\\n) has ${hexByte(PROXY_V2_SIGNATURE[i])}`);
    }
  }
  if (buf.length <= 12) return needMore;
  const verCmd = buf[12];
  if (verCmd >> 4 !== 2) return fail(`PROXY v2: version ${verCmd >> 4} in byte 12 (${hexByte(verCmd)}); only version 2 is defined`);
  const command = verCmd & 0x0f;
  if (command > 1) return fail(`PROXY v2: unknown command ${command} in byte 12 (${hexByte(verCmd)}); only LOCAL (0) and PROXY (1) are defined`);
  const local = command === 0;
  // For LOCAL the family byte is ignored, whatever it holds.
  let layout: V2Layout = { transport: 'UNSPEC', addressLength: 0, usable: false };
  if (buf.length > 13 && !local) {
    const l = v2Layout(buf[13]);
    if (typeof l === 'string') return fail(l);
    layout = l;
  }
  if (buf.length < 16) return needMore;
  const length = (buf[14] << 8) | buf[15];
  if (length > maxLength) return fail(`PROXY v2: header announces ${length} bytes after the fixed part, more than the ${maxLength} accepted`);
  if (length < layout.addressLength) {
    return fail(`PROXY v2: length ${length} is shorter than the ${layout.addressLength}-byte address block ${layout.transport} needs`);
  }
  const headerLength = 16 + length;
  if (buf.length < headerLength) return needMore;

  if (local || layout.transport === 'UNSPEC') {
    return { kind: 'ok', version: 2, headerLength, command: local ? 'local' : 'proxy', transport: layout.transport, source: null, destination: null, tlvs: [] };
  }
  const tlvs = parseTlvs(buf, 16 + layout.addressLength, headerLength);
  if (typeof tlvs === 'string') return fail(tlvs);
  let source: ProxyEndpoint | null = null;
  let destination: ProxyEndpoint | null = null;
  if (layout.usable) {
    const v4 = layout.transport === 'TCP4';
    const size = v4 ? 4 : 16;
    const fmt = v4 ? formatIPv4 : formatIPv6;
    const portAt = 16 + 2 * size;
    source = { address: fmt(buf, 16), port: (buf[portAt] << 8) | buf[portAt + 1] };
    destination = { address: fmt(buf, 16 + size), port: (buf[portAt + 2] << 8) | buf[portAt + 3] };
  }
  return { kind: 'ok', version: 2, headerLength, command: 'proxy', transport: layout.transport, source, destination, tlvs };
}

function parseTlvs(buf: Uint8Array, start: number, end: number): ProxyTlv[] | string {
  const tlvs: ProxyTlv[] = [];
  let crcAt = -1;
  let at = start;
  while (at < end) {
    if (end - at < 3) return `PROXY v2: ${end - at} stray byte(s) after the last TLV at byte ${at} (a TLV needs at least 3)`;
    const type = buf[at];
    const length = (buf[at + 1] << 8) | buf[at + 2];
    if (at + 3 + length > end) return `PROXY v2: TLV type ${hexByte(type)} at byte ${at} claims ${length} bytes, only ${end - at - 3} remain in the header`;
    if (type === PP2_TYPE_CRC32C) {
      if (length !== 4) return `PROXY v2: CRC32C TLV at byte ${at} has length ${length}, must be 4`;
      if (crcAt >= 0) return `PROXY v2: more than one CRC32C TLV`;
      crcAt = at + 3;
    }
    tlvs.push({ type, value: Buffer.from(buf.subarray(at + 3, at + 3 + length)) });
    at += 3 + length;
  }
  if (crcAt >= 0) {
    const header = Buffer.from(buf.subarray(0, end));
    const received = header.readUInt32BE(crcAt);
    header.fill(0, crcAt, crcAt + 4);
    const computed = crc32c(header);
    if (computed !== received) {
      return `PROXY v2: CRC32C mismatch: header says 0x${received.toString(16).padStart(8, '0')}, computed 0x${computed.toString(16).padStart(8, '0')}`;
    }
  }
  return tlvs;
}

// ---------------------------------------------------------------- CRC32C (RFC 4960 appendix B)

let crcTable: Uint32Array | null = null;

/** CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as PP2_TYPE_CRC32C uses. */
export function crc32c(data: Uint8Array): number {
  let table = crcTable;
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    crcTable = table;
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------- encoders

function checkPort(port: number, which: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PROXY header: ${which} port ${String(port)} is not an integer 0-65535`);
}

/** 16 address bytes, IPv4 mapped into ::ffff:0:0/96, and whether the text was IPv4. */
function addressBytes(text: string, which: string): { bytes: Uint8Array; v4: boolean } {
  const bytes = new Uint8Array(16);
  try {
    if (text.includes(':')) {
      writeIPv6(text, bytes, 0);
      return { bytes, v4: false };
    }
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    writeIPv4(text, bytes, 12);
    return { bytes, v4: true };
  } catch {
    throw new RangeError(`PROXY header: ${which} address "${text}" is not an IPv4 or IPv6 address`);
  }
}

function endpointsOf(src: ProxyEndpoint | null, dst: ProxyEndpoint | null): { src: Uint8Array; dst: Uint8Array; v4: boolean; sport: number; dport: number } | null {
  if (src === null && dst === null) return null;
  if (src === null || dst === null) throw new RangeError('PROXY header: source and destination must both be given, or both be null');
  checkPort(src.port, 'source');
  checkPort(dst.port, 'destination');
  const s = addressBytes(src.address, 'source');
  const d = addressBytes(dst.address, 'destination');
  // Mixed families are carried as IPv6 with the IPv4 side mapped, as dual-stack proxies do.
  return { src: s.bytes, dst: d.bytes, v4: s.v4 && d.v4, sport: src.port, dport: dst.port };
}

/**
 * A v1 header line. Both endpoints null gives "PROXY UNKNOWN\r\n"; two IPv4 endpoints TCP4;
 * otherwise TCP6, an IPv4 endpoint written as ::ffff:a.b.c.d. Addresses are written canonically.
 */
export function encodeProxyHeaderV1(src: ProxyEndpoint | null, dst: ProxyEndpoint | null): Buffer {
  const e = endpointsOf(src, dst);
  if (e === null) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  const text = e.v4
    ? `PROXY TCP4 ${formatIPv4(e.src, 12)} ${formatIPv4(e.dst, 12)} ${e.sport} ${e.dport}\r\n`
    : `PROXY TCP6 ${formatIPv6(e.src, 0)} ${formatIPv6(e.dst, 0)} ${e.sport} ${e.dport}\r\n`;
  return Buffer.from(text, 'latin1');
}

export interface ProxyV2EncodeOptions {
  /** Default: 'proxy' when endpoints are given, 'local' when both are null. */
  command?: 'proxy' | 'local';
  /** TLVs appended after the address block, in order. */
  tlvs?: ProxyTlv[];
  /** Append a PP2_TYPE_CRC32C TLV holding the header's checksum. */
  crc32c?: boolean;
}

/**
 * A v2 header. Two IPv4 endpoints give TCP over IPv4 (0x11); otherwise TCP over IPv6 (0x21), an
 * IPv4 endpoint mapped to ::ffff:a.b.c.d. Both endpoints null give an address-less header (family
 * UNSPEC, 0x00), LOCAL unless `options.command` says 'proxy'.
 */
export function encodeProxyHeaderV2(src: ProxyEndpoint | null, dst: ProxyEndpoint | null, options: ProxyV2EncodeOptions = {}): Buffer {
  const e = endpointsOf(src, dst);
  const command = options.command ?? (e === null ? 'local' : 'proxy');
  const parts: Uint8Array[] = [];
  let fam = 0x00;
  if (e !== null) {
    const size = e.v4 ? 4 : 16;
    const from = e.v4 ? 12 : 0;
    fam = e.v4 ? 0x11 : 0x21;
    const block = Buffer.alloc(2 * size + 4);
    block.set(e.src.subarray(from), 0);
    block.set(e.dst.subarray(from), size);
    block.writeUInt16BE(e.sport, 2 * size);
    block.writeUInt16BE(e.dport, 2 * size + 2);
    parts.push(block);
  }
  for (const tlv of options.tlvs ?? []) {
    if (!Number.isInteger(tlv.type) || tlv.type < 0 || tlv.type > 255) throw new RangeError(`PROXY header: TLV type ${String(tlv.type)} is not a byte`);
    if (tlv.value.length > 65535) throw new RangeError(`PROXY header: TLV type ${tlv.type} value of ${tlv.value.length} bytes exceeds 65535`);
    const head = Buffer.from([tlv.type, tlv.value.length >> 8, tlv.value.length & 0xff]);
    parts.push(head, tlv.value);
  }
  if (options.crc32c) parts.push(Buffer.from([PP2_TYPE_CRC32C, 0, 4, 0, 0, 0, 0]));
  const body = Buffer.concat(parts);
  if (body.length > 65535) throw new RangeError(`PROXY header: ${body.length} bytes after the fixed part exceed the 16-bit length field`);
  const header = Buffer.alloc(16 + body.length);
  PROXY_V2_SIGNATURE.copy(header, 0);
  header[12] = 0x20 | (command === 'proxy' ? 1 : 0);
  header[13] = fam;
  header.writeUInt16BE(body.length, 14);
  body.copy(header, 16);
  if (options.crc32c) header.writeUInt32BE(crc32c(header), header.length - 4);
  return header;
}
