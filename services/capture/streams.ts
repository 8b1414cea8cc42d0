/**
 * Capture file → TCP byte streams → the BMP ones.
 *
 * A BMP session carries data in one direction only, router → station (RFC 7854 §3.2); which side
 * opened the connection is configuration, so the router → station direction is recognised by its
 * payload starting with a BMP common header (version 3 or 4, plausible length and type), on any
 * port. A file that is neither pcap nor pcapng is taken as a raw BMP byte stream (as recorded by
 * bmp_play or a `nc` dump) and returned as one stream.
 */
import { DEFAULT_MAX_MESSAGE_SIZE } from '../codec/framer.js';
import { detectCaptureFormat, readPacketFile, type CaptureFormat } from './pcap.js';
import { decodeTcpSegment, type SkipReason } from './packet.js';
import { TcpReassembler, type TcpStream } from './reassembly.js';

export interface CaptureReadResult {
  format: CaptureFormat;
  /** Every TCP direction that carried payload (for raw input: the one raw stream). */
  streams: TcpStream[];
  /** Packets in the file. */
  packets: number;
  /** Packets that yielded no TCP segment, by reason. */
  skipped: Record<SkipReason, number>;
  /** TCP segments whose frame was cut short by the capture's snaplen. */
  truncatedSegments: number;
  /** The file itself ended inside a record/block. */
  fileTruncated: boolean;
  warnings: string[];
}

/** Reads a pcap/pcapng file (or a raw byte stream) and reassembles every TCP direction. */
export function readCapture(file: Buffer): CaptureReadResult {
  const skipped: Record<SkipReason, number> = { link_type: 0, not_ip: 0, not_tcp: 0, fragment: 0, malformed: 0 };
  const format = detectCaptureFormat(file);
  if (format === 'raw') {
    return { format, streams: [rawStream(file)], packets: 0, skipped, truncatedSegments: 0, fileTruncated: false, warnings: [] };
  }
  const packetFile = readPacketFile(file);
  const reassembler = new TcpReassembler();
  let truncatedSegments = 0;
  for (const packet of packetFile.packets) {
    const segment = decodeTcpSegment(packet.linkType, packet.data);
    if (segment.kind === 'skip') {
      skipped[segment.reason]++;
      continue;
    }
    if (segment.truncated) truncatedSegments++;
    reassembler.add(segment, packet.timestamp);
  }
  return {
    format,
    streams: reassembler.streams(),
    packets: packetFile.packets.length,
    skipped,
    truncatedSegments,
    fileTruncated: packetFile.truncated,
    warnings: packetFile.warnings,
  };
}

/** Every TCP direction with payload, in order of first packet; raw input gives one stream. */
export function extractTcpStreams(file: Buffer): TcpStream[] {
  return readCapture(file).streams;
}

function rawStream(file: Buffer): TcpStream {
  return {
    origin: 'raw',
    src: '',
    srcPort: 0,
    dst: '',
    dstPort: 0,
    payload: file,
    gaps: [],
    bytesAfterGap: 0,
    duplicateBytes: 0,
    segments: 0,
    synSeen: false,
    closed: false,
    synDataAtIsn: false,
    firstTimestamp: 0,
    lastTimestamp: 0,
  };
}

/** BMP message types a stream may plausibly start with (RFC 7854 §4.1, plus ROFT 100). */
function plausibleType(type: number): boolean {
  return type <= 6 || type === 100;
}

/** True when a plausible BMP common header starts at `offset`: version 3/4, length 6..1 MiB, known type. */
export function looksLikeBmpHeader(buf: Buffer, offset = 0): boolean {
  if (offset + 6 > buf.length) return false;
  const version = buf[offset];
  if (version !== 3 && version !== 4) return false;
  const length = buf.readUInt32BE(offset + 1);
  return length >= 6 && length <= DEFAULT_MAX_MESSAGE_SIZE && plausibleType(buf[offset + 5]);
}

/** The streams whose payload starts with a BMP common header. */
export function pickBmpStreams(streams: readonly TcpStream[]): TcpStream[] {
  return streams.filter((s) => looksLikeBmpHeader(s.payload, 0));
}

/** pickBmpStreams(extractTcpStreams(file)). */
export function extractBmpStreams(file: Buffer): TcpStream[] {
  return pickBmpStreams(extractTcpStreams(file));
}
