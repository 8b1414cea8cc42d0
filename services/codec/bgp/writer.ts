/**
 * Growable big-endian byte writer shared by the BGP encoders.
 *
 * Encoding is not on the collector's hot path (it serves tests, replay tools and fixtures), so this
 * favours checked writes: every integer is range-checked and a bad value raises a CodecError
 * naming the field, instead of being silently truncated by Buffer's typed-array semantics.
 */
import { CodecError } from '../errors.js';

export class ByteWriter {
  private buf: Buffer;
  /** Next write position (= bytes written so far). */
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.alloc(initialSize);
  }

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number, what: string): void {
    checkUint(v, 0xff, what);
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number, what: string): void {
    checkUint(v, 0xffff, what);
    this.ensure(2);
    this.buf[this.pos] = v >>> 8;
    this.buf[this.pos + 1] = v & 0xff;
    this.pos += 2;
  }

  /** 3-octet field (labels, LLGR stale time). */
  u24(v: number, what: string): void {
    checkUint(v, 0xffffff, what);
    this.ensure(3);
    this.buf[this.pos] = v >>> 16;
    this.buf[this.pos + 1] = (v >>> 8) & 0xff;
    this.buf[this.pos + 2] = v & 0xff;
    this.pos += 3;
  }

  u32(v: number, what: string): void {
    checkUint(v, 0xffffffff, what);
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  u64(v: bigint, what: string): void {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new CodecError(`${what}: ${String(v)} is not an unsigned 64-bit integer`, this.pos);
    this.ensure(8);
    this.buf.writeBigUInt64BE(v, this.pos);
    this.pos += 8;
  }

  f32(v: number): void {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Reserves `n` zero bytes (e.g. a length to patch later) and returns their offset. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.buf.fill(0, at, at + n);
    this.pos += n;
    return at;
  }

  /**
   * Reserves `n` bytes and returns the underlying buffer and offset, for the address writers of
   * ../address.ts which write into a Uint8Array at an offset. The returned buffer is only valid
   * until the next write.
   */
  slot(n: number): [Buffer, number] {
    const at = this.reserve(n);
    return [this.buf, at];
  }

  setU8(at: number, v: number, what: string): void {
    checkUint(v, 0xff, what);
    this.buf[at] = v;
  }

  setU16(at: number, v: number, what: string): void {
    checkUint(v, 0xffff, what);
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }

  /** The bytes written so far (a copy, so the writer's slack capacity is not retained). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new CodecError(`${what}: ${String(v)} does not fit in ${max === 0xff ? 'one octet' : max === 0xffff ? 'two octets' : max === 0xffffff ? 'three octets' : 'four octets'}`, 0);
  }
}

/** Throws the encoder's CodecError for a value that cannot be represented on the wire. */
export function encodeError(reason: string): never {
  throw new CodecError(reason, 0);
}
