/**
 * TCP stream reassembly for captures: orders each direction of each TCP connection by sequence
 * number (RFC 9293 §3.4) and returns its payload bytes.
 *
 * - A direction is keyed by its 4-tuple. A SYN (with or without ACK: the router may be either
 *   side) on a 4-tuple whose current stream already carried data starts a new stream, and so does
 *   data after a FIN/RST that does not fall inside the stream already seen.
 * - Sequence arithmetic is modulo 2^32 (wrap-safe): offsets are taken relative to the initial
 *   sequence number, or, without a SYN in the capture, to the lowest sequence number seen.
 * - Retransmissions and overlaps: the bytes of the segment that comes first in sequence order are
 *   kept (the first one received among equal ones); duplicate octets are counted.
 * - Out-of-order segments are put in place.
 * - SYN carrying data: RFC 9293 puts SYN data at ISN + 1. The pmacct / traffic-reproducer pcaps
 *   (synthesised from replays) put it at the ISN itself and continue at ISN + n. The layout under
 *   which the next segment follows on exactly is taken.
 * - Gaps (octets never captured): the payload stops at the first gap — BMP framing cannot
 *   continue across missing octets — and every gap is reported with its stream offset.
 */
import { TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from './packet.js';

export interface TcpGap {
  /** Stream offset of the first missing octet. */
  offset: number;
  /** Number of missing octets. */
  length: number;
}

export interface TcpStream {
  /** 'tcp' for a reassembled TCP direction, 'raw' for a file that was already a byte stream. */
  origin: 'tcp' | 'raw';
  /** Sender address and port ('' and 0 for raw streams). */
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** Octets in order from the start of the stream up to the first gap. */
  payload: Buffer;
  /** Missing ranges, in stream order (empty when the stream is complete). */
  gaps: TcpGap[];
  /** Octets captured after the first gap (not in payload). */
  bytesAfterGap: number;
  /** Octets received more than once (retransmissions, overlaps). */
  duplicateBytes: number;
  /** Segments with payload. */
  segments: number;
  synSeen: boolean;
  /** The stream ended with a FIN or RST in the capture. */
  closed: boolean;
  /** SYN data was placed at the ISN (traffic-reproducer convention) rather than ISN + 1. */
  synDataAtIsn: boolean;
  /** Capture times (µs since the epoch) of the first and last packet of this direction. */
  firstTimestamp: number;
  lastTimestamp: number;
}

interface Segment {
  seq: number;
  payload: Buffer;
}

const MOD = 0x1_0000_0000;

/** Signed distance b - a modulo 2^32, in (-2^31, 2^31]. */
function seqDelta(a: number, b: number): number {
  const d = (b - a + MOD) % MOD;
  return d > 0x7fffffff ? d - MOD : d;
}

class Direction {
  readonly segments: Segment[] = [];
  synSeq: number | null = null;
  synPayload: Buffer | null = null;
  closed = false;
  firstTimestamp: number;
  lastTimestamp: number;

  constructor(
    readonly src: string,
    readonly srcPort: number,
    readonly dst: string,
    readonly dstPort: number,
    timestamp: number,
  ) {
    this.firstTimestamp = timestamp;
    this.lastTimestamp = timestamp;
  }

  started(): boolean {
    return this.segments.length > 0 || this.synPayload !== null;
  }

  /** Start of the stream in sequence space and where SYN data goes. */
  layout(): { base: number; synDataAtIsn: boolean } {
    if (this.synSeq !== null) {
      if (this.synPayload !== null) {
        const after = (this.synSeq + this.synPayload.length) % MOD;
        if (this.segments.some((s) => s.seq === after)) return { base: this.synSeq, synDataAtIsn: true };
      }
      return { base: (this.synSeq + 1) % MOD, synDataAtIsn: false };
    }
    let base = this.segments[0].seq;
    for (const s of this.segments) if (seqDelta(base, s.seq) < 0) base = s.seq;
    return { base, synDataAtIsn: false };
  }

  /** Whether `seq` lies within [stream start, highest octet seen] (a retransmission after FIN). */
  covers(seq: number): boolean {
    if (!this.started()) return false;
    const { base } = this.layout();
    let end = 0;
    for (const s of this.segments) end = Math.max(end, seqDelta(base, s.seq) + s.payload.length);
    if (this.synPayload !== null) end = Math.max(end, this.synPayload.length + 1);
    const at = seqDelta(base, seq);
    return at >= 0 && at < end;
  }

  build(): TcpStream {
    const { base, synDataAtIsn } = this.layout();
    const list: Array<{ at: number; payload: Buffer; order: number }> = [];
    if (this.synPayload !== null && this.synSeq !== null) {
      list.push({ at: seqDelta(base, synDataAtIsn ? this.synSeq : (this.synSeq + 1) % MOD), payload: this.synPayload, order: -1 });
    }
    this.segments.forEach((s, order) => list.push({ at: seqDelta(base, s.seq), payload: s.payload, order }));
    list.sort((a, b) => a.at - b.at || a.order - b.order);

    const pieces: Buffer[] = [];
    const gaps: TcpGap[] = [];
    let cur = 0;
    let duplicateBytes = 0;
    let bytesAfterGap = 0;
    for (const { at, payload } of list) {
      const end = at + payload.length;
      if (end <= cur) {
        duplicateBytes += payload.length;
        continue;
      }
      if (at > cur) {
        gaps.push({ offset: cur, length: at - cur });
        cur = at;
      }
      const fresh = at < cur ? payload.subarray(cur - at) : payload;
      duplicateBytes += payload.length - fresh.length;
      if (gaps.length === 0) pieces.push(fresh);
      else bytesAfterGap += fresh.length;
      cur = end;
    }
    return {
      origin: 'tcp',
      src: this.src,
      srcPort: this.srcPort,
      dst: this.dst,
      dstPort: this.dstPort,
      payload: pieces.length === 1 ? pieces[0] : Buffer.concat(pieces),
      gaps,
      bytesAfterGap,
      duplicateBytes,
      segments: this.segments.length + (this.synPayload !== null ? 1 : 0),
      synSeen: this.synSeq !== null,
      closed: this.closed,
      synDataAtIsn,
      firstTimestamp: this.firstTimestamp,
      lastTimestamp: this.lastTimestamp,
    };
  }
}

/** Collects segments of every TCP connection in capture order; `streams()` reassembles them. */
export class TcpReassembler {
  private readonly current = new Map<string, Direction>();
  private readonly all: Direction[] = [];

  add(segment: TcpSegment, timestamp: number): void {
    const key = `${segment.src}|${segment.srcPort}|${segment.dst}|${segment.dstPort}`;
    let d = this.current.get(key);
    const { flags, payload } = segment;
    if (flags & TCP_SYN) {
      // A new connection unless this is a retransmitted SYN of the one not yet carrying data.
      if (d === undefined || d.started() || (d.synSeq !== null && d.synSeq !== segment.seq)) {
        d = this.open(key, segment, timestamp);
      }
      d.synSeq = segment.seq;
      if (payload.length > 0) d.synPayload = payload;
      d.lastTimestamp = timestamp;
      if (flags & (TCP_FIN | TCP_RST)) d.closed = true;
      return;
    }
    if (payload.length === 0) {
      if (d !== undefined) {
        d.lastTimestamp = timestamp;
        if (flags & (TCP_FIN | TCP_RST)) d.closed = true;
      }
      return;
    }
    if (d === undefined || (d.closed && d.started() && !d.covers(segment.seq))) d = this.open(key, segment, timestamp);
    d.segments.push({ seq: segment.seq, payload });
    d.lastTimestamp = timestamp;
    if (flags & (TCP_FIN | TCP_RST)) d.closed = true;
  }

  /** Every direction that carried payload, in order of its first packet. */
  streams(): TcpStream[] {
    const out: TcpStream[] = [];
    for (const d of this.all) if (d.started()) out.push(d.build());
    return out;
  }

  private open(key: string, s: TcpSegment, timestamp: number): Direction {
    const d = new Direction(s.src, s.srcPort, s.dst, s.dstPort, timestamp);
    this.current.set(key, d);
    this.all.push(d);
    return d;
  }
}
