/** ATOMIC_AGGREGATE, type 6 (RFC 4271 §4.3 f, §5.1.6): no value; its presence is the information. */
import { CodecError } from '../../errors.js';

export function decodeAtomicAggregate(_buf: Buffer, start: number, end: number): true {
  if (end !== start) throw new CodecError(`ATOMIC_AGGREGATE length ${end - start}, must be 0 (RFC 4271 §4.3)`, start);
  return true;
}
