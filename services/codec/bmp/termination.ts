/**
 * Termination (message type 5): RFC 7854 §4.5, §10.6-§10.7.
 *
 *   common header (no per-peer header), then Information TLVs:
 *     0 String  UTF-8 free text, optional, may repeat
 *     1 Reason  2-octet reason code (required by the RFC; a missing one decodes as null):
 *               0 administratively closed, 1 unspecified, 2 out of resources,
 *               3 redundant connection, 4 permanently administratively closed
 */
import { BMP_COMMON_HEADER_LENGTH, BmpMessageTypeCode, writeCommonHeader } from './header.js';
import { InformationTlvType, decodeInformationTlvs, informationTlvsLength, tlvTexts, writeInformationTlvs, type InformationTlv } from './tlv.js';

export type TerminationReasonName =
  | 'administratively_closed'
  | 'unspecified'
  | 'out_of_resources'
  | 'redundant_connection'
  | 'permanently_administratively_closed';

const REASON_NAMES: readonly TerminationReasonName[] = [
  'administratively_closed',
  'unspecified',
  'out_of_resources',
  'redundant_connection',
  'permanently_administratively_closed',
];

export function terminationReasonName(code: number): TerminationReasonName | null {
  return code < REASON_NAMES.length ? REASON_NAMES[code] : null;
}

export interface TerminationMessage {
  type: 'termination';
  version: number;
  tlvs: InformationTlv[];
  /** Code of the first Reason TLV with a 2-octet value, read from `tlvs`. */
  reason: number | null;
  reasonName: TerminationReasonName | null;
  /** String TLVs in order. */
  strings: string[];
}

export function decodeTermination(buf: Buffer, version: number): TerminationMessage {
  const tlvs = decodeInformationTlvs(buf, BMP_COMMON_HEADER_LENGTH, buf.length, 'Termination');
  let reason: number | null = null;
  for (const t of tlvs) {
    if (t.type === InformationTlvType.TERMINATION_REASON && t.value.length === 2) {
      reason = t.value.readUInt16BE(0);
      break;
    }
  }
  return {
    type: 'termination',
    version,
    tlvs,
    reason,
    reasonName: reason === null ? null : terminationReasonName(reason),
    strings: tlvTexts(tlvs, InformationTlvType.STRING),
  };
}

export function encodeTermination(m: TerminationMessage): Buffer {
  const length = BMP_COMMON_HEADER_LENGTH + informationTlvsLength(m.tlvs);
  const out = Buffer.allocUnsafe(length);
  writeCommonHeader(out, 0, m.version, length, BmpMessageTypeCode.TERMINATION);
  writeInformationTlvs(m.tlvs, out, BMP_COMMON_HEADER_LENGTH);
  return out;
}
