/** CLUSTER_LIST, type 10 (RFC 4456 §8): CLUSTER_IDs (4 octets each) the route passed through. */
import { CodecError } from '../../errors.js';
import { formatIPv4, writeIPv4 } from '../../address.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

export function decodeClusterList(buf: Buffer, start: number, end: number): string[] {
  const len = end - start;
  if (len === 0 || len % 4 !== 0) throw new CodecError(`CLUSTER_LIST length ${len} is not a non-zero multiple of 4 (RFC 7606 §7.10)`, start);
  const out: string[] = [];
  for (let pos = start; pos < end; pos += 4) out.push(formatIPv4(buf, pos));
  return out;
}

export function encodeClusterList(w: ByteWriter, values: readonly string[]): void {
  if (values.length === 0) encodeError('CLUSTER_LIST must not be empty (RFC 7606 §7.10)');
  for (const v of values) {
    const [buf, at] = w.slot(4);
    writeIPv4(v, buf, at);
  }
}
