/**
 * Initiation (message type 4): RFC 7854 §4.3; TLV registry after RFC 9736 §3.1.
 *
 *   common header (no per-peer header), then Information TLVs up to the end of the message:
 *     0 String    UTF-8 free text, may repeat
 *     1 sysDescr  MIB-II sysDescr (RFC 7854 §4.3: must be present)
 *     2 sysName   MIB-II sysName  (must be present)
 *   3 and 4 are reserved since RFC 9736 (they were VRF/Table Name and Admin Label while the
 *   registry was shared with Peer Up) and are kept like any unknown type.
 *
 * A missing sysDescr/sysName is not a decoding error: the fields are then null.
 */
import { BMP_COMMON_HEADER_LENGTH, BmpMessageTypeCode, writeCommonHeader } from './header.js';
import {
  InformationTlvType,
  decodeInformationTlvs,
  firstTlvText,
  informationTlvsLength,
  tlvTexts,
  writeInformationTlvs,
  type InformationTlv,
} from './tlv.js';

export interface InitiationMessage {
  type: 'initiation';
  version: number;
  tlvs: InformationTlv[];
  /** First sysDescr TLV, read from `tlvs`. */
  sysDescr: string | null;
  /** First sysName TLV, read from `tlvs`. */
  sysName: string | null;
  /** String TLVs in order. */
  strings: string[];
}

export function decodeInitiation(buf: Buffer, version: number): InitiationMessage {
  const tlvs = decodeInformationTlvs(buf, BMP_COMMON_HEADER_LENGTH, buf.length, 'Initiation');
  return {
    type: 'initiation',
    version,
    tlvs,
    sysDescr: firstTlvText(tlvs, InformationTlvType.SYS_DESCR),
    sysName: firstTlvText(tlvs, InformationTlvType.SYS_NAME),
    strings: tlvTexts(tlvs, InformationTlvType.STRING),
  };
}

export function encodeInitiation(m: InitiationMessage): Buffer {
  const length = BMP_COMMON_HEADER_LENGTH + informationTlvsLength(m.tlvs);
  const out = Buffer.allocUnsafe(length);
  writeCommonHeader(out, 0, m.version, length, BmpMessageTypeCode.INITIATION);
  writeInformationTlvs(m.tlvs, out, BMP_COMMON_HEADER_LENGTH);
  return out;
}
