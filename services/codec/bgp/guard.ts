/**
 * The codec's contract is that decoders throw CodecError and nothing else. Every read is
 * length-checked first, so any other exception is a decoder bug; the public entry points convert
 * it so that one bad message cannot take a BMP session down with it, while the reason still says
 * plainly that it is internal (the property tests assert it never happens).
 */
import { CodecError } from '../errors.js';

export function asCodecError(e: unknown): CodecError {
  if (e instanceof CodecError) return e;
  return new CodecError(`internal BGP decoder error: ${e instanceof Error ? e.message : String(e)}`, 0);
}
