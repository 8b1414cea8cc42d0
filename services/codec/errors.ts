/**
 * The one error type the codec raises. Decoders throw it on malformed input; the message-level
 * entry points (the BMP decoder, the framer) catch it at the message boundary and turn it into a
 * typed error result, so callers of the codec never see an exception.
 *
 * `offset` is relative to the start of the buffer the failing decoder was given, unless a caller
 * rebases it (see `rebase`), so that an error event can point at the byte in the BMP message.
 */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(
    /** Human-readable reason, naming the structure and the rule that failed. */
    readonly reason: string,
    /** Byte offset of the failing structure, relative to the buffer being decoded. */
    readonly offset: number,
  ) {
    super(`${reason} (at byte ${offset})`);
  }

  /** The same error with its offset moved by `base` bytes (when a sub-buffer was decoded). */
  rebase(base: number): CodecError {
    return new CodecError(this.reason, this.offset + base);
  }
}

/** Throws a CodecError unless `need` bytes remain between `offset` and `end`. */
export function ensureBytes(end: number, offset: number, need: number, what: string): void {
  if (offset + need > end) {
    throw new CodecError(`${what}: needs ${need} bytes, only ${Math.max(0, end - offset)} left`, offset);
  }
}
