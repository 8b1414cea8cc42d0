/**
 * BMP framing: cuts a router's TCP byte stream into whole BMP messages.
 *
 * BMP v3 is self-framing (RFC 7854 §4.1): every message starts with the 6-octet common header
 * whose 4-octet Message Length counts the whole message, header included. TCP keeps no message
 * boundaries, so chunks of any size and alignment are pushed in and whole messages come out.
 *
 * Hot path: a message that lies inside one pushed chunk is returned as a subarray view of that
 * chunk (no copy); only a message spanning chunks is concatenated, once, when complete. Nothing is
 * allocated per message besides the view and the result object.
 *
 * Framing is lost when a header cannot be trusted, and the framer then stops for good — after a
 * wrong length every later "header" would be read from the middle of some message:
 *  - version other than 3 (RFC 7854) or 4 (draft-ietf-grow-bmp-tlv; same header). Versions 1 and
 *    2 (pre-RFC drafts) are refused with their own code: their header has no length field (the
 *    length of a Route Monitoring has to be taken from the BGP header inside, and the framing of
 *    the other v1/v2 messages is not documented), which does not fit a length-driven framer;
 *  - length below 6 (RFC 7854 §4.1: the length includes the 6-octet header);
 *  - length above maxMessageSize.
 * The error names the reason and the stream offset of the offending header.
 *
 * Default maxMessageSize, 1 MiB: the largest legitimate message is a Route Monitoring carrying a
 * BGP Extended Message (RFC 8654: up to 65535 octets) — 6 + 42 + 65535 octets in v3 — to which
 * BMP v4 adds TLVs (each at most 4 + 2 + 65535 octets: VRF name, group lists, a path-marking TLV
 * per NLRI, …), so a handful of 64 KiB TLVs must fit. 1 MiB leaves an order of magnitude of slack
 * over that, while a garbage length (up to 4 GiB) from a desynchronised stream is caught at once
 * instead of buffering the session until memory runs out. Peer Up (two OPENs ≤ 4096 octets each,
 * RFC 8654 excludes OPEN) and the other types are far smaller.
 */

export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
const HEADER_LENGTH = 6;
/** What the slot of a consumed chunk holds (see BmpFramer.skip). */
const CONSUMED = Buffer.alloc(0);

export interface FramedMessage {
  kind: 'message';
  /** BMP version from the common header (3 or 4). */
  version: number;
  /** Message type code from the common header. */
  type: number;
  /** Message length, header included (= bytes.length). */
  length: number;
  /** Stream offset of the message's first octet (octets pushed before it). */
  offset: number;
  /** The whole message: a view into a pushed chunk, or a copy if it spanned chunks. */
  bytes: Buffer;
}

export type FramingErrorCode = 'bad_version' | 'legacy_version' | 'short_length' | 'oversized_length' | 'truncated';

export interface FramingError {
  kind: 'error';
  code: FramingErrorCode;
  /** Stream offset of the header that broke framing (for `truncated`: of the partial message). */
  offset: number;
  reason: string;
}

export interface BmpFramerOptions {
  /** Largest accepted message length in octets (default DEFAULT_MAX_MESSAGE_SIZE). */
  maxMessageSize?: number;
}

export class BmpFramer {
  private readonly maxMessageSize: number;
  /** Pushed chunks not yet fully consumed; chunks[head] is the oldest one still in use. */
  private chunks: Buffer[] = [];
  private head = 0;
  /** Offset of the first unconsumed octet inside chunks[head]. */
  private headOffset = 0;
  private buffered = 0;
  private consumed = 0;
  private failure: FramingError | null = null;
  private failureReported = false;
  /** After a framing error: the octets that could not be framed (at most maxMessageSize). */
  private unframed: Buffer | null = null;

  constructor(options: BmpFramerOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    if (!Number.isInteger(max) || max < HEADER_LENGTH || max > 0xffffffff) {
      throw new RangeError(`maxMessageSize must be an integer between 6 and 2^32-1, got ${max}`);
    }
    this.maxMessageSize = max;
  }

  /** Octets pushed but not yet handed out as messages (the memory the framer holds). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Stream offset of the next message: octets handed out as messages so far. */
  get streamOffset(): number {
    return this.consumed;
  }

  /** The framing error, once framing is lost (or the stream ended inside a message). */
  get error(): FramingError | null {
    return this.failure;
  }

  /**
   * Appends a TCP chunk. The framer keeps a reference (no copy): the caller must not modify the
   * chunk afterwards. Ignored once framing is lost.
   */
  push(chunk: Buffer): void {
    if (this.failure !== null || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next whole message; null when more data is needed. When framing is lost the error is
   * returned once, then null for ever.
   */
  next(): FramedMessage | FramingError | null {
    if (this.failure !== null) {
      if (this.failureReported) return null;
      this.failureReported = true;
      return this.failure;
    }
    if (this.buffered < HEADER_LENGTH) return null;

    const chunk = this.chunks[this.head];
    const at = this.headOffset;
    let version: number;
    let length: number;
    let type: number;
    if (chunk.length - at >= HEADER_LENGTH) {
      version = chunk[at];
      length = ((chunk[at + 1] << 24) | (chunk[at + 2] << 16) | (chunk[at + 3] << 8) | chunk[at + 4]) >>> 0;
      type = chunk[at + 5];
    } else {
      version = this.byteAt(0);
      length = ((this.byteAt(1) << 24) | (this.byteAt(2) << 16) | (this.byteAt(3) << 8) | this.byteAt(4)) >>> 0;
      type = this.byteAt(5);
    }

    if (version !== 3 && version !== 4) return this.fail(this.versionError(version));
    if (length < HEADER_LENGTH) {
      return this.fail({
        kind: 'error',
        code: 'short_length',
        offset: this.consumed,
        reason: `BMP message length ${length} is below the 6-octet common header`,
      });
    }
    if (length > this.maxMessageSize) {
      return this.fail({
        kind: 'error',
        code: 'oversized_length',
        offset: this.consumed,
        reason: `BMP message length ${length} exceeds the maximum of ${this.maxMessageSize}`,
      });
    }
    if (this.buffered < length) return null;

    let bytes: Buffer;
    if (chunk.length - at >= length) {
      bytes = chunk.subarray(at, at + length);
      this.skip(length);
    } else {
      bytes = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const c = this.chunks[this.head];
        const n = Math.min(c.length - this.headOffset, length - filled);
        c.copy(bytes, filled, this.headOffset, this.headOffset + n);
        filled += n;
        this.skip(n);
      }
    }
    const offset = this.consumed;
    this.consumed += length;
    return { kind: 'message', version, type, length, offset, bytes };
  }

  /**
   * A copy of the octets pushed but not handed out (at most `limit`): after a framing error or at
   * end of stream, the bytes a dead-letter event keeps.
   */
  pendingBytes(limit = this.maxMessageSize): Buffer {
    if (this.unframed !== null) return this.unframed.subarray(0, limit);
    const out: Buffer[] = [];
    let left = Math.min(limit, this.buffered);
    for (let i = this.head; i < this.chunks.length && left > 0; i++) {
      const chunk = i === this.head ? this.chunks[i].subarray(this.headOffset) : this.chunks[i];
      const part = chunk.subarray(0, left);
      out.push(part);
      left -= part.length;
    }
    return Buffer.concat(out);
  }

  /**
   * Call at end of stream, after next() returned null: reports a trailing partial message (or
   * header) as a `truncated` error, or null when the stream ended on a message boundary. The
   * partial octets stay counted in bufferedBytes.
   */
  end(): FramingError | null {
    if (this.failure !== null || this.buffered === 0) return null;
    let reason: string;
    if (this.buffered < HEADER_LENGTH) {
      reason = `stream ended inside a BMP common header (${this.buffered} of 6 octets)`;
    } else {
      const length = ((this.byteAt(1) << 24) | (this.byteAt(2) << 16) | (this.byteAt(3) << 8) | this.byteAt(4)) >>> 0;
      reason = `stream ended inside a BMP message (${this.buffered} of ${length} octets)`;
    }
    this.failure = { kind: 'error', code: 'truncated', offset: this.consumed, reason };
    this.failureReported = true;
    return this.failure;
  }

  private versionError(version: number): FramingError {
    if (version === 1 || version === 2) {
      return {
        kind: 'error',
        code: 'legacy_version',
        offset: this.consumed,
        reason: `BMP version ${version} (pre-RFC draft) has no message length field; framing it is not supported`,
      };
    }
    return { kind: 'error', code: 'bad_version', offset: this.consumed, reason: `BMP version ${version} is not 3 or 4` };
  }

  private fail(error: FramingError): FramingError {
    this.failure = error;
    this.failureReported = true;
    // Nothing after this point can be framed: release the buffered chunks, keeping (bounded) the
    // octets where framing broke, for the dead-letter event.
    this.unframed = this.pendingBytes();
    this.chunks = [];
    this.head = 0;
    this.headOffset = 0;
    this.buffered = 0;
    return error;
  }

  /** Octet `i` positions after the first unconsumed one (caller checked i < buffered). */
  private byteAt(i: number): number {
    let k = this.head;
    let pos = this.headOffset + i;
    while (pos >= this.chunks[k].length) {
      pos -= this.chunks[k].length;
      k++;
    }
    return this.chunks[k][pos];
  }

  /** Consumes n octets (n ≤ buffered). */
  private skip(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const c = this.chunks[this.head];
      const avail = c.length - this.headOffset;
      if (n < avail) {
        this.headOffset += n;
        return;
      }
      n -= avail;
      // A consumed chunk is let go at once. Kept in the array until the next compaction below, a
      // stream cut into chunks with a partial message at the end of each (the usual case: the
      // head never reaches the end) held ~32 consumed chunks: they outlived the young
      // generation, and a decode worker collected its whole heap every few tens of megabytes.
      this.chunks[this.head] = CONSUMED;
      this.head++;
      this.headOffset = 0;
    }
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 32 && this.head * 2 >= this.chunks.length) {
      // Keeps the array from growing with the slots of consumed chunks.
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}

/** Frames a whole in-memory stream (e.g. one extracted from a capture). */
export function frameBmpStream(stream: Buffer, options?: BmpFramerOptions): { messages: FramedMessage[]; error: FramingError | null } {
  const framer = new BmpFramer(options);
  framer.push(stream);
  const messages: FramedMessage[] = [];
  for (;;) {
    const r = framer.next();
    if (r === null) break;
    if (r.kind === 'error') return { messages, error: r };
    messages.push(r);
  }
  return { messages, error: framer.end() };
}
