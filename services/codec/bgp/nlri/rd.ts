/**
 * Route Distinguisher (RFC 4364 §4.2): Type (2 octets) + Value (6 octets).
 *
 * Text forms (chosen so the text alone re-encodes to the same 8 octets):
 * - type 0, 2-octet ASN admin + 4-octet number:   "65000:100"
 * - type 1, IPv4 admin + 2-octet number:          "192.0.2.1:100"
 * - type 2, 4-octet ASN admin + 2-octet number:   "4200000000:100"; when the ASN would fit in two
 *   octets the text gets Junos' "L" suffix ("65000L:100") so it cannot be mistaken for type 0;
 * - any other type: "0x" + 4 hex digits of the type + ":" + 12 hex digits of the value.
 */
import { CodecError } from '../../errors.js';
import { formatIPv4, writeIPv4 } from '../../address.js';
import type { ByteWriter } from '../writer.js';
import { u16, u32 } from '../bytes.js';

export const RD_LENGTH = 8;

/** Text of the RD at `pos` (8 octets must be available; the caller checks). */
export function formatRd(buf: Buffer, pos: number): string {
  const type = (buf[pos] << 8) | buf[pos + 1];
  switch (type) {
    case 0:
      return `${u16(buf, pos + 2)}:${u32(buf, pos + 4)}`;
    case 1:
      return `${formatIPv4(buf, pos + 2)}:${(buf[pos + 6] << 8) | buf[pos + 7]}`;
    case 2: {
      const asn = u32(buf, pos + 2);
      return `${asn}${asn <= 0xffff ? 'L' : ''}:${(buf[pos + 6] << 8) | buf[pos + 7]}`;
    }
    default:
      return `0x${buf.toString('hex', pos, pos + 2)}:${buf.toString('hex', pos + 2, pos + 8)}`;
  }
}

const DEC = /^\d+$/;
const HEX_RD = /^0x([0-9a-fA-F]{4}):([0-9a-fA-F]{12})$/;

/** Writes the 8 octets of an RD given in one of the text forms above. */
export function writeRd(w: ByteWriter, text: string): void {
  const bad = (): never => {
    throw new CodecError(`route distinguisher "${String(text)}" is not ASN:nn, IPv4:nn, ASN(L):nn or 0xTTTT:12 hex digits`, 0);
  };
  if (typeof text !== 'string') bad();
  const hex = HEX_RD.exec(text);
  if (hex) {
    w.bytes(Buffer.from(hex[1] + hex[2], 'hex'));
    return;
  }
  const colon = text.lastIndexOf(':');
  if (colon <= 0) bad();
  let admin = text.slice(0, colon);
  const assignedText = text.slice(colon + 1);
  if (!DEC.test(assignedText)) bad();
  const assigned = Number(assignedText);
  if (admin.includes('.')) {
    if (assigned > 0xffff) bad();
    w.u16(1, 'RD type');
    const [buf, at] = w.slot(4);
    writeIPv4(admin, buf, at);
    w.u16(assigned, 'RD assigned number');
    return;
  }
  const long = admin.endsWith('L');
  if (long) admin = admin.slice(0, -1);
  if (!DEC.test(admin)) bad();
  const asn = Number(admin);
  if (!long && asn <= 0xffff) {
    if (assigned > 0xffffffff) bad();
    w.u16(0, 'RD type');
    w.u16(asn, 'RD administrator');
    w.u32(assigned, 'RD assigned number');
    return;
  }
  if (asn > 0xffffffff || assigned > 0xffff) bad();
  w.u16(2, 'RD type');
  w.u32(asn, 'RD administrator');
  w.u16(assigned, 'RD assigned number');
}
