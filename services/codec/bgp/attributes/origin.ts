/** ORIGIN, type 1 (RFC 4271 §4.3 a, §5.1.1): one octet, 0 IGP, 1 EGP, 2 INCOMPLETE. */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

export type Origin = 'igp' | 'egp' | 'incomplete';

const ORIGINS: readonly Origin[] = ['igp', 'egp', 'incomplete'];

export function decodeOrigin(buf: Buffer, start: number, end: number): Origin {
  if (end - start !== 1) throw new CodecError(`ORIGIN length ${end - start}, must be 1 (RFC 4271 §5.1.1)`, start);
  const v = buf[start];
  if (v > 2) throw new CodecError(`ORIGIN value ${v} is not 0 (IGP), 1 (EGP) or 2 (INCOMPLETE) (RFC 4271 §4.3)`, start);
  return ORIGINS[v];
}

export function encodeOrigin(w: ByteWriter, value: Origin): void {
  const i = ORIGINS.indexOf(value);
  if (i < 0) encodeError(`ORIGIN "${String(value)}" is not igp, egp or incomplete`);
  w.u8(i, 'ORIGIN');
}
