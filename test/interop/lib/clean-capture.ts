/**
 * The capture tshark dissects: each router -> collector BMP byte stream, reassembled from the
 * loopback capture and written again as clean, in-order TCP segments, each starting on a BMP
 * message boundary.
 *
 * Why not hand tshark the loopback capture itself: on a loaded machine the collector pauses its
 * socket (backpressure), the kernel drops segments that overflow the receive queue, and the
 * router's TCP retransmits them, sometimes coalesced with data not sent before. tshark 4.0 marks
 * such a segment as a retransmission and does not pass it to the BMP dissector, so the new octets
 * in it (dozens of BMP messages) vanish from its view without any error: CI saw 57 and then 121
 * route events that the pipeline published and tshark did not show, in one contiguous run.
 *
 * The reassembly is the capture module's (services/capture, the reader behind `bmp decode` for
 * pcap files, not the socket path the live pipeline takes); the BMP and BGP dissection, which is
 * what the interop comparison is about, stays tshark's. The caller checks that the streams are
 * complete and as long as what the collector counted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { extractTcpStreams, type TcpStream } from '../../../services/capture/index.js';
import { ipv4, ipv6, pcapFile, type TcpSpec } from '../../helpers/pcap-builder.js';

/** LINKTYPE_RAW: each frame is an IPv4 or IPv6 packet. */
const LINKTYPE_RAW = 101;
/** Largest TCP payload per frame (an IPv4 packet holds at most 65,535 octets). */
const MAX_SEGMENT = 60_000;
const TCP_SYN = 0x02;
const TCP_ACK_PSH = 0x18;

export interface CleanCapture {
  /** Router -> collector streams written. */
  streams: TcpStream[];
  /** Their octets, all together. */
  bytes: number;
  /** Octets the loopback capture held more than once (retransmissions, overlaps). */
  duplicateBytes: number;
  /** Stream octets missing from the loopback capture (the comparison is then meaningless). */
  missingBytes: number;
}

/**
 * Payload chunks of at most MAX_SEGMENT octets that start on BMP message boundaries (a message
 * longer than that is cut, and tshark reassembles it as it would any message).
 */
export function messageAlignedChunks(payload: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  let at = 0;
  while (at < payload.length) {
    const length = at + 6 <= payload.length ? payload.readUInt32BE(at + 1) : payload.length - at;
    const next = length >= 6 ? Math.min(at + length, payload.length) : payload.length;
    if (next - start > MAX_SEGMENT && at > start) {
      chunks.push(payload.subarray(start, at));
      start = at;
    }
    while (next - start > MAX_SEGMENT) {
      chunks.push(payload.subarray(start, start + MAX_SEGMENT));
      start += MAX_SEGMENT;
    }
    at = next;
  }
  if (start < payload.length) chunks.push(payload.subarray(start));
  return chunks;
}

/** Reads `pcap`, keeps the streams sent to TCP port `port`, and writes them to `out` as clean segments. */
export function writeCleanCapture(pcap: string, port: number, out: string): CleanCapture {
  const streams = extractTcpStreams(readFileSync(pcap)).filter((s) => s.origin === 'tcp' && s.dstPort === port);
  const packets: Array<{ data: Buffer; ts: number }> = [];
  for (const stream of streams) {
    const packet = (spec: TcpSpec): Buffer => (stream.src.includes(':') ? ipv6(spec) : ipv4(spec));
    const base = { src: stream.src, dst: stream.dst, sport: stream.srcPort, dport: stream.dstPort };
    let ts = stream.firstTimestamp;
    packets.push({ data: packet({ ...base, seq: 0, flags: TCP_SYN }), ts });
    let seq = 1;
    for (const chunk of messageAlignedChunks(stream.payload)) {
      packets.push({ data: packet({ ...base, seq, flags: TCP_ACK_PSH, payload: chunk }), ts: ++ts });
      seq += chunk.length;
    }
  }
  writeFileSync(out, pcapFile(packets, { linkType: LINKTYPE_RAW }));
  return {
    streams,
    bytes: streams.reduce((n, s) => n + s.payload.length, 0),
    duplicateBytes: streams.reduce((n, s) => n + s.duplicateBytes, 0),
    missingBytes: streams.reduce((n, s) => n + s.gaps.reduce((m, g) => m + g.length, 0), 0),
  };
}
