/**
 * The OpenBMP "raw BMP" binary message-bus header, version 1.7: the header OpenBMP's collector
 * puts in front of each BMP message it writes to its `openbmp.bmp_raw` topic, and that RouteViews'
 * Kafka feed, BGPStream (libbgpstream) and bgpkit-parser read. One Kafka message is this header
 * followed by exactly one BMP message, unaltered.
 *
 * Layout (all integers big-endian; offsets for an admin id of A bytes and a group of G bytes):
 *
 *   off      size  field
 *   0        4     magic "OBMP" (0x4F424D50)
 *   4        1     major version = 1
 *   5        1     minor version = 7
 *   6        2     header length: the whole header, magic through row count = 78 + A + G
 *   8        4     message length: bytes of the BMP message that follows the header
 *   12       1     flags: 0x80 router message (router fields present), 0x40 router IP is IPv6
 *   13       1     object type: 12 = BMP_RAW
 *   14       4     collector timestamp, seconds (when the collector received the message)
 *   18       4     collector timestamp, microseconds
 *   22       16    collector hash
 *   38       2     collector admin id length A
 *   40       A     collector admin id
 *   40+A     16    router hash
 *   56+A     16    router IP: IPv6 in all 16 bytes, or IPv4 in the FIRST 4 bytes then 12 zero bytes
 *   72+A     2     router group length G
 *   74+A     G     router group
 *   74+A+G   4     row count = 1
 *
 * Where each fact comes from (facts only; no code was taken from these projects):
 * - Field order, sizes, magic, 1.7 version: the header diagrams in OpenBMP's
 *   obmp-collector scripts/rv-kafka-to-bmp.py and in bgpkit-parser's parser/bmp/openbmp.rs, and
 *   the readers in libbgpstream's lib/formats/bs_format_bmp.c; all agree.
 * - Flag bits 0x80 (router message) and 0x40 (router IPv6) and object type 12: the writer
 *   (OpenBMP v2 collector, Encapsulator.cpp) and both readers (BGPStream, bgpkit) agree.
 * - IPv4 router address in the first 4 bytes of the 16: BGPStream and bgpkit read it there, and a
 *   RouteViews message published in bgpkit-parser's tests carries 128.223.51.105 as 80 df 33 69
 *   followed by 12 zero bytes.
 * - Header length covers magic through row count: that RouteViews message has header length 100
 *   with a 10-byte admin id and a 12-byte group (78 + 10 + 12); OpenBMP's Encapsulator sums the
 *   same fields.
 * - Message length is the BMP message's length (51 in that message, equal to the BMP header's own
 *   length field); row count is always 1 for raw BMP (Encapsulator writes 1; bgpkit rejects other
 *   values).
 * - Collector hash = MD5 of the collector admin id text: confirmed, MD5("is-cc-bmp1") is the
 *   collector hash of that RouteViews message (bf4f072f3ae149d23486024bc3dadfc4).
 * - Router hash = MD5 of the router address's bytes (4 for IPv4, 16 for IPv6): confirmed for that
 *   message, MD5(80 df 33 69) is its router hash. OpenBMP's Encapsulator computes it with C
 *   strlen() over the 16-byte binary address, so it actually hashes the bytes up to the first zero
 *   byte (for 10.0.0.1, only the byte 10). That is not reproduced here: it gives many routers one
 *   hash (10.0.0.1 and 10.0.0.2 alike). The two agree for addresses with no zero byte; a caller
 *   that needs OpenBMP's exact value for others can pass `routerHash`.
 * - Inferred, not confirmed: the admin id and group are written as UTF-8 (OpenBMP copies C
 *   strings; they are ASCII in practice); BGPStream uses the router group as the router's name.
 *   Collector (heartbeat) messages, which carry no router fields, are not handled here.
 */
import { createHash } from 'node:crypto';
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6 } from '../codec/address.js';
import { putU32 } from '../codec/bgp/bytes.js';

export const OPENBMP_MAGIC = 0x4f424d50;
export const OPENBMP_VERSION_MAJOR = 1;
export const OPENBMP_VERSION_MINOR = 7;
export const OPENBMP_OBJECT_TYPE_BMP_RAW = 12;
export const OPENBMP_FLAG_ROUTER_MESSAGE = 0x80;
export const OPENBMP_FLAG_ROUTER_IPV6 = 0x40;
/** Header length with an empty admin id and an empty router group. */
export const OPENBMP_RAW_FIXED_LENGTH = 78;

export interface OpenBmpRawHeaderInput {
  /** The collector's administrative id (OpenBMP's admin_id, e.g. a host name). */
  collectorAdminId: string;
  /** 16 bytes; default MD5 of the admin id, as OpenBMP computes it. */
  collectorHash?: Uint8Array;
  /** The router's address, IPv4 or IPv6 text; IPv4-mapped IPv6 (::ffff:a.b.c.d) is written as IPv4. */
  routerAddress: string;
  /** 16 bytes; default openBmpRouterHash(routerAddress). */
  routerHash?: Uint8Array;
  /** Router group name; '' for none. */
  routerGroup: string;
  /** When the collector received the message, microseconds since the Unix epoch. */
  timestampMicros: number;
  /** Length of the BMP message that will follow the header. */
  bmpLength: number;
}

export interface OpenBmpRawHeader {
  versionMajor: number;
  versionMinor: number;
  /** Bytes of header; the BMP message starts here. */
  headerLength: number;
  /** Bytes of BMP message after the header. */
  bmpLength: number;
  flags: number;
  objectType: number;
  timestampSeconds: number;
  timestampMicroseconds: number;
  /** timestampSeconds * 1e6 + timestampMicroseconds. */
  timestampMicros: number;
  collectorHash: Buffer;
  collectorAdminId: string;
  routerHash: Buffer;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  routerAddress: string;
  routerGroup: string;
  rowCount: number;
}

export type OpenBmpDecodeResult = { kind: 'ok'; header: OpenBmpRawHeader } | { kind: 'error'; reason: string };

/** MD5 of the admin id's UTF-8 bytes: OpenBMP's collector hash. */
export function openBmpCollectorHash(collectorAdminId: string): Buffer {
  return createHash('md5').update(collectorAdminId, 'utf8').digest();
}

/** MD5 of the router address's 4 (IPv4) or 16 (IPv6) bytes; see the module comment. */
export function openBmpRouterHash(routerAddress: string): Buffer {
  const { bytes, v6 } = routerAddressBytes(routerAddress);
  return createHash('md5').update(v6 ? bytes : bytes.subarray(0, 4)).digest();
}

/** The 16-byte router IP field and whether the router is IPv6. Throws RangeError on bad text. */
function routerAddressBytes(text: string): { bytes: Buffer; v6: boolean } {
  const bytes = Buffer.alloc(16);
  try {
    if (!text.includes(':')) {
      writeIPv4(text, bytes, 0);
      return { bytes, v6: false };
    }
    writeIPv6(text, bytes, 0);
  } catch {
    throw new RangeError(`OpenBMP header: router address "${text}" is not an IPv4 or IPv6 address`);
  }
  let mapped = bytes[10] === 0xff && bytes[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) mapped = bytes[i] === 0;
  if (mapped) {
    bytes.copy(bytes, 0, 12, 16);
    bytes.fill(0, 4);
    return { bytes, v6: false };
  }
  return { bytes, v6: true };
}

function hash16(value: Uint8Array | undefined, fallback: () => Buffer, which: string): Uint8Array {
  if (value === undefined) return fallback();
  if (value.length !== 16) throw new RangeError(`OpenBMP header: ${which} must be 16 bytes, got ${value.length}`);
  return value;
}

/** The 1.7 header for one raw BMP message (the BMP bytes are not included). */
export function encodeOpenBmpRawHeader(input: OpenBmpRawHeaderInput): Buffer {
  const adminId = Buffer.from(input.collectorAdminId, 'utf8');
  const group = Buffer.from(input.routerGroup, 'utf8');
  const headerLength = OPENBMP_RAW_FIXED_LENGTH + adminId.length + group.length;
  if (headerLength > 0xffff) {
    throw new RangeError(`OpenBMP header: admin id and router group (${adminId.length} + ${group.length} bytes) make the header longer than 65535 bytes`);
  }
  const { timestampMicros, bmpLength } = input;
  if (!Number.isSafeInteger(timestampMicros) || timestampMicros < 0 || Math.floor(timestampMicros / 1e6) > 0xffffffff) {
    throw new RangeError(`OpenBMP header: timestampMicros ${String(timestampMicros)} is not a non-negative integer within 32-bit seconds`);
  }
  if (!Number.isInteger(bmpLength) || bmpLength < 0 || bmpLength > 0xffffffff) {
    throw new RangeError(`OpenBMP header: bmpLength ${String(bmpLength)} is not a 32-bit unsigned integer`);
  }
  const router = routerAddressBytes(input.routerAddress);
  const collectorHash = hash16(input.collectorHash, () => openBmpCollectorHash(input.collectorAdminId), 'collectorHash');
  const routerHash = hash16(input.routerHash, () => openBmpRouterHash(input.routerAddress), 'routerHash');

  const out = Buffer.alloc(headerLength);
  let at = out.writeUInt32BE(OPENBMP_MAGIC, 0);
  at = out.writeUInt8(OPENBMP_VERSION_MAJOR, at);
  at = out.writeUInt8(OPENBMP_VERSION_MINOR, at);
  at = out.writeUInt16BE(headerLength, at);
  at = out.writeUInt32BE(bmpLength, at);
  at = out.writeUInt8(OPENBMP_FLAG_ROUTER_MESSAGE | (router.v6 ? OPENBMP_FLAG_ROUTER_IPV6 : 0), at);
  at = out.writeUInt8(OPENBMP_OBJECT_TYPE_BMP_RAW, at);
  at = out.writeUInt32BE(Math.floor(timestampMicros / 1e6), at);
  at = out.writeUInt32BE(timestampMicros % 1e6, at);
  out.set(collectorHash, at);
  at += 16;
  at = out.writeUInt16BE(adminId.length, at);
  at += adminId.copy(out, at);
  out.set(routerHash, at);
  at += 16;
  at += router.bytes.copy(out, at);
  at = out.writeUInt16BE(group.length, at);
  at += group.copy(out, at);
  out.writeUInt32BE(1, at);
  return out;
}

/**
 * Raw records of one router session: the 1.7 header followed by the BMP message, in one buffer.
 * Everything but the BMP length and the timestamp is the same for every message of a session, so
 * the header is made once (encodeOpenBmpRawHeader) and each record copies it and fills in those
 * two fields: one allocation per message instead of a header, its strings and a concatenation.
 */
export class OpenBmpRawRecordWriter {
  private readonly template: Buffer;
  private scratch = Buffer.allocUnsafe(0);

  constructor(session: Omit<OpenBmpRawHeaderInput, 'timestampMicros' | 'bmpLength'>) {
    this.template = encodeOpenBmpRawHeader({ ...session, timestampMicros: 0, bmpLength: 0 });
  }

  /** The raw record of `bmp`, received at `timestampMicros` (µs since the epoch). */
  record(bmp: Uint8Array, timestampMicros: number): Buffer {
    const out = Buffer.allocUnsafe(this.template.length + bmp.length);
    this.writeAt(out, 0, bmp, timestampMicros);
    return out;
  }

  /**
   * As record, in a buffer this writer reuses: valid only until its next call. For a caller that
   * copies the record at once (a session's records are packed into one buffer).
   */
  recordBorrowed(bmp: Uint8Array, timestampMicros: number): Buffer {
    const length = this.template.length + bmp.length;
    if (length > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(length, this.scratch.length * 2));
    this.writeAt(this.scratch, 0, bmp, timestampMicros);
    return this.scratch.subarray(0, length);
  }

  /**
   * Writes the raw record of `bmp` into `out` at `at`, for a caller that packs records into a
   * buffer of its own (no view and no copy per record); returns its end, or -1 when it does not
   * fit in `out` (nothing is written then).
   */
  writeAt(out: Buffer, at: number, bmp: Uint8Array, timestampMicros: number): number {
    if (!Number.isSafeInteger(timestampMicros) || timestampMicros < 0 || Math.floor(timestampMicros / 1e6) > 0xffffffff) {
      throw new RangeError(`OpenBMP header: timestampMicros ${String(timestampMicros)} is not a non-negative integer within 32-bit seconds`);
    }
    const headerLength = this.template.length;
    if (at + headerLength + bmp.length > out.length) return -1;
    out.set(this.template, at);
    // Offsets of the 1.7 header: BMP length at 8, timestamp seconds at 14, microseconds at 18.
    // Unchecked writes (putU32): the bounds were checked above and the values range-checked.
    putU32(out, at + 8, bmp.length);
    putU32(out, at + 14, Math.floor(timestampMicros / 1e6));
    putU32(out, at + 18, timestampMicros % 1e6);
    out.set(bmp, at + headerLength);
    return at + headerLength + bmp.length;
  }
}

function fail(reason: string): { kind: 'error'; reason: string } {
  return { kind: 'error', reason: `OpenBMP header: ${reason}` };
}

/**
 * Decodes the 1.7 raw BMP header at the start of `buf` (which may hold the BMP message after it;
 * use header.headerLength / header.bmpLength to find it). Only router messages of type BMP_RAW.
 */
export function decodeOpenBmpRawHeader(buf: Uint8Array): OpenBmpDecodeResult {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  if (b.length < 4) return fail(`${b.length} bytes, too short for the magic number`);
  const magic = b.readUInt32BE(0);
  if (magic !== OPENBMP_MAGIC) {
    const hint = b.subarray(0, 2).toString('latin1') === 'V:' ? ' (this looks like the older text header, "V: ..." lines)' : '';
    return fail(`magic is 0x${magic.toString(16).padStart(8, '0')}, not "OBMP" (0x4f424d50)${hint}`);
  }
  if (b.length < OPENBMP_RAW_FIXED_LENGTH) return fail(`${b.length} bytes, shorter than the ${OPENBMP_RAW_FIXED_LENGTH}-byte minimum header`);
  const versionMajor = b[4];
  const versionMinor = b[5];
  if (versionMajor !== OPENBMP_VERSION_MAJOR || versionMinor !== OPENBMP_VERSION_MINOR) {
    return fail(`version ${versionMajor}.${versionMinor}, only ${OPENBMP_VERSION_MAJOR}.${OPENBMP_VERSION_MINOR} is supported`);
  }
  const headerLength = b.readUInt16BE(6);
  if (headerLength < OPENBMP_RAW_FIXED_LENGTH) return fail(`header length ${headerLength} is below the ${OPENBMP_RAW_FIXED_LENGTH}-byte minimum`);
  if (b.length < headerLength) return fail(`header length ${headerLength} but only ${b.length} bytes given`);
  const bmpLength = b.readUInt32BE(8);
  const flags = b[12];
  const objectType = b[13];
  if ((flags & OPENBMP_FLAG_ROUTER_MESSAGE) === 0) return fail(`flags 0x${flags.toString(16).padStart(2, '0')} lack the router-message bit (0x80); not a raw BMP message`);
  if (objectType !== OPENBMP_OBJECT_TYPE_BMP_RAW) return fail(`object type ${objectType}, not BMP_RAW (${OPENBMP_OBJECT_TYPE_BMP_RAW})`);
  const timestampSeconds = b.readUInt32BE(14);
  const timestampMicroseconds = b.readUInt32BE(18);
  if (timestampMicroseconds > 999_999) return fail(`timestamp microseconds ${timestampMicroseconds} exceed 999999`);
  const collectorHash = Buffer.from(b.subarray(22, 38));
  const adminLength = b.readUInt16BE(38);
  // Every later field is bounded by the header length the header itself announces.
  let at = 40;
  if (at + adminLength + 16 + 16 + 2 > headerLength) return fail(`admin id length ${adminLength} runs past the ${headerLength}-byte header`);
  const collectorAdminId = b.toString('utf8', at, at + adminLength);
  at += adminLength;
  const routerHash = Buffer.from(b.subarray(at, at + 16));
  at += 16;
  const routerAddress = flags & OPENBMP_FLAG_ROUTER_IPV6 ? formatIPv6(b, at) : formatIPv4(b, at);
  at += 16;
  const groupLength = b.readUInt16BE(at);
  at += 2;
  if (at + groupLength + 4 !== headerLength) {
    return fail(`header length ${headerLength} does not match its fields (router group length ${groupLength} puts the row count's end at ${at + groupLength + 4})`);
  }
  const routerGroup = b.toString('utf8', at, at + groupLength);
  at += groupLength;
  const rowCount = b.readUInt32BE(at);
  return {
    kind: 'ok',
    header: {
      versionMajor,
      versionMinor,
      headerLength,
      bmpLength,
      flags,
      objectType,
      timestampSeconds,
      timestampMicroseconds,
      timestampMicros: timestampSeconds * 1e6 + timestampMicroseconds,
      collectorHash,
      collectorAdminId,
      routerHash,
      routerAddress,
      routerGroup,
      rowCount,
    },
  };
}

/**
 * Splits one message-bus message (a raw BMP topic record) into its header and BMP message; the
 * record must hold exactly header length + message length bytes.
 */
export function splitOpenBmpRawMessage(buf: Uint8Array): { kind: 'ok'; header: OpenBmpRawHeader; bmp: Buffer } | { kind: 'error'; reason: string } {
  const decoded = decodeOpenBmpRawHeader(buf);
  if (decoded.kind === 'error') return decoded;
  const { header } = decoded;
  const total = header.headerLength + header.bmpLength;
  if (buf.length !== total) {
    return fail(`record is ${buf.length} bytes, header (${header.headerLength}) + BMP message (${header.bmpLength}) make ${total}`);
  }
  const bmp = Buffer.from(buf.buffer, buf.byteOffset + header.headerLength, header.bmpLength);
  return { kind: 'ok', header, bmp };
}

/** A complete raw-topic record: the header for `bmp`, then `bmp`. */
export function encodeOpenBmpRawMessage(input: Omit<OpenBmpRawHeaderInput, 'bmpLength'>, bmp: Uint8Array): Buffer {
  return Buffer.concat([encodeOpenBmpRawHeader({ ...input, bmpLength: bmp.length }), bmp]);
}
