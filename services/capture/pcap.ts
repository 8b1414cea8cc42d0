/**
 * Packet capture files from a Buffer: classic pcap and pcapng. Packets come out as views into the
 * file buffer (no copies).
 *
 * pcap (draft-ietf-opsawg-pcap): 24-octet file header — magic, version, (reserved), snaplen,
 * link type — then records of ts_sec, ts_frac, captured length, original length and the packet.
 * The magic tells byte order and timestamp resolution: A1B2C3D4 microseconds, A1B23C4D
 * nanoseconds, each written in the file's byte order. The link-type field carries FCS
 * information in its upper bits; the link type proper is the low 16 bits.
 *
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, Type (4) + Total Length (4) + body +
 * Total Length (4), in one or more sections. Each Section Header Block (0x0A0D0D0A) sets the byte
 * order of its section via the byte-order magic 1A2B3C4D and resets the interface list. Interface
 * Description Blocks (1) give each interface its link type and timestamp resolution (option
 * if_tsresol, default microseconds); Enhanced Packet Blocks (6) carry an interface id, a 64-bit
 * timestamp and the packet; Simple Packet Blocks (3) carry a packet of interface 0 without
 * timestamp; the obsolete Packet Block (2) is read like an EPB. Other blocks are skipped.
 *
 * A file that ends inside a record or block (a capture cut short) yields the packets before it
 * and `truncated: true`.
 */

export type CaptureFormat = 'pcap' | 'pcapng' | 'raw';

export interface CapturedPacket {
  /** LINKTYPE_* value of the packet's interface. */
  linkType: number;
  /** Capture time in microseconds since the Unix epoch (0 when the format has none). */
  timestamp: number;
  /** Captured octets (view into the file). */
  data: Buffer;
  /** Length on the wire (data may be shorter when the snaplen cut it). */
  originalLength: number;
  /** pcapng interface id (0 for pcap). */
  interfaceId: number;
}

export interface PacketFile {
  format: 'pcap' | 'pcapng';
  packets: CapturedPacket[];
  /** The file ended inside a record/block, or a block length was impossible. */
  truncated: boolean;
  /** What could not be read (unknown interface ids, bad block lengths, ...). */
  warnings: string[];
}

/** Thrown when a file that announces itself as pcap/pcapng cannot be read at all. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} (at byte ${offset})`);
  }
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** pcap / pcapng by magic number; anything else is taken as a raw byte stream. */
export function detectCaptureFormat(file: Buffer): CaptureFormat {
  if (file.length < 4) return 'raw';
  const le = file.readUInt32LE(0);
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) return 'pcap';
  const be = file.readUInt32BE(0);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) return 'pcap';
  if (be === PCAPNG_SHB) return 'pcapng';
  return 'raw';
}

/** Reads every packet of a pcap or pcapng file. Throws CaptureError for other input. */
export function readPacketFile(file: Buffer): PacketFile {
  const format = detectCaptureFormat(file);
  if (format === 'pcap') return readPcap(file);
  if (format === 'pcapng') return readPcapng(file);
  throw new CaptureError('not a pcap or pcapng file (unknown magic number)', 0);
}

// ---------------------------------------------------------------------------------------------
// pcap

function readPcap(file: Buffer): PacketFile {
  if (file.length < 24) throw new CaptureError('pcap file header needs 24 octets', 0);
  const leMagic = file.readUInt32LE(0);
  const le = leMagic === PCAP_MAGIC_US || leMagic === PCAP_MAGIC_NS;
  const magic = le ? leMagic : file.readUInt32BE(0);
  const nanos = magic === PCAP_MAGIC_NS;
  const u32 = le ? (o: number) => file.readUInt32LE(o) : (o: number) => file.readUInt32BE(o);
  const linkType = u32(20) & 0xffff;
  const packets: CapturedPacket[] = [];
  const warnings: string[] = [];
  let truncated = false;
  let p = 24;
  while (p < file.length) {
    if (p + 16 > file.length) {
      truncated = true;
      warnings.push(`file ends inside a record header at byte ${p}`);
      break;
    }
    const seconds = u32(p);
    const fraction = u32(p + 4);
    const captured = u32(p + 8);
    const original = u32(p + 12);
    if (p + 16 + captured > file.length) {
      truncated = true;
      warnings.push(`file ends inside a packet at byte ${p} (${captured} octets announced)`);
      break;
    }
    packets.push({
      linkType,
      timestamp: seconds * 1_000_000 + (nanos ? Math.floor(fraction / 1000) : fraction),
      data: file.subarray(p + 16, p + 16 + captured),
      originalLength: original,
      interfaceId: 0,
    });
    p += 16 + captured;
  }
  return { format: 'pcap', packets, truncated, warnings };
}

// ---------------------------------------------------------------------------------------------
// pcapng

interface PcapngInterface {
  linkType: number;
  /** Timestamp units per second (10^6 unless if_tsresol says otherwise). */
  unitsPerSecond: bigint;
}

const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const OPTION_IF_TSRESOL = 9;

function readPcapng(file: Buffer): PacketFile {
  const packets: CapturedPacket[] = [];
  const warnings: string[] = [];
  let truncated = false;
  let le = true;
  let interfaces: PcapngInterface[] = [];
  let p = 0;
  while (p < file.length) {
    if (p + 12 > file.length) {
      truncated = true;
      warnings.push(`file ends inside a block header at byte ${p}`);
      break;
    }
    // The Section Header Block's type reads the same in both byte orders; its byte-order magic
    // decides how this and every following block of the section is read.
    if (file.readUInt32BE(p) === PCAPNG_SHB) {
      const bom = file.readUInt32LE(p + 8);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (file.readUInt32BE(p + 8) === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else throw new CaptureError('pcapng section header without byte-order magic', p + 8);
      interfaces = [];
    }
    const u32 = le ? (o: number) => file.readUInt32LE(o) : (o: number) => file.readUInt32BE(o);
    const u16 = le ? (o: number) => file.readUInt16LE(o) : (o: number) => file.readUInt16BE(o);
    const type = u32(p);
    const length = u32(p + 4);
    if (length < 12 || length % 4 !== 0) {
      truncated = true;
      warnings.push(`impossible pcapng block length ${length} at byte ${p}`);
      break;
    }
    if (p + length > file.length) {
      truncated = true;
      warnings.push(`file ends inside a pcapng block at byte ${p} (${length} octets announced)`);
      break;
    }
    const body = p + 8;
    const bodyEnd = p + length - 4;
    if (type === BLOCK_IDB && bodyEnd - body >= 8) {
      interfaces.push({ linkType: u16(body), unitsPerSecond: readTsresol(file, body + 8, bodyEnd, u16) });
    } else if ((type === BLOCK_EPB || type === BLOCK_PB) && bodyEnd - body >= 20) {
      const ifId = type === BLOCK_EPB ? u32(body) : u16(body);
      const high = u32(body + 4);
      const low = u32(body + 8);
      const captured = u32(body + 12);
      const original = u32(body + 16);
      const iface = interfaces[ifId];
      if (iface === undefined) {
        warnings.push(`packet block at byte ${p} names unknown interface ${ifId}`);
      } else if (body + 20 + captured > bodyEnd) {
        warnings.push(`packet block at byte ${p} announces ${captured} octets beyond its end`);
      } else {
        const units = (BigInt(high) << 32n) | BigInt(low);
        packets.push({
          linkType: iface.linkType,
          timestamp: Number((units * 1_000_000n) / iface.unitsPerSecond),
          data: file.subarray(body + 20, body + 20 + captured),
          originalLength: original,
          interfaceId: ifId,
        });
      }
    } else if (type === BLOCK_SPB && bodyEnd - body >= 4) {
      const iface = interfaces[0];
      const original = u32(body);
      if (iface === undefined) {
        warnings.push(`simple packet block at byte ${p} without an interface`);
      } else {
        // SPB has no captured length: the packet is the block body, up to the original length.
        const captured = Math.min(original, bodyEnd - body - 4);
        packets.push({
          linkType: iface.linkType,
          timestamp: 0,
          data: file.subarray(body + 4, body + 4 + captured),
          originalLength: original,
          interfaceId: 0,
        });
      }
    }
    p += length;
  }
  return { format: 'pcapng', packets, truncated, warnings };
}

/** Timestamp units per second from the IDB options (if_tsresol, option 9). */
function readTsresol(file: Buffer, p: number, end: number, u16: (o: number) => number): bigint {
  while (p + 4 <= end) {
    const code = u16(p);
    const length = u16(p + 2);
    if (code === 0) break;
    if (p + 4 + length > end) break;
    if (code === OPTION_IF_TSRESOL && length >= 1) {
      const v = file[p + 4];
      // Most significant bit set: negative power of two; otherwise negative power of ten.
      return v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
    }
    p += 4 + ((length + 3) & ~3);
  }
  return 1_000_000n;
}
