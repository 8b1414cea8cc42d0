/**
 * Public API of the BMP codec: BMP messages (RFC 7854 and updates, BMP v4 drafts, Huawei ROFT)
 * as typed objects, decoded from and encoded to bytes. BGP PDUs inside stay Buffer views; the BGP
 * codec decodes them with per-session context.
 */
export {
  BMP_COMMON_HEADER_LENGTH,
  BMP_VERSION_3,
  BMP_VERSION_4,
  BmpMessageTypeCode,
  bmpMessageTypeName,
  decodeCommonHeader,
  hasPerPeerHeader,
  type BmpCommonHeader,
  type BmpMessageTypeName,
} from './header.js';
export {
  PER_PEER_HEADER_LENGTH,
  PEER_FLAG_A,
  PEER_FLAG_F,
  PEER_FLAG_L,
  PEER_FLAG_O,
  PEER_FLAG_V,
  PeerTypeCode,
  decodePerPeerHeader,
  makePerPeerHeader,
  peerFlags,
  peerTypeName,
  type PeerTypeName,
  type PerPeerHeader,
  type PerPeerHeaderInit,
} from './per-peer-header.js';
export { ROUTE_DISTINGUISHER_LENGTH, ZERO_ROUTE_DISTINGUISHER, formatRouteDistinguisher, writeRouteDistinguisher } from '../route-distinguisher.js';
export { BGP_HEADER_LENGTH, BgpMessageTypeCode } from './bgp-header.js';
export {
  DRAFT20_V4_CODE_POINTS,
  HUAWEI_V4_CODE_POINTS,
  InformationTlvType,
  V4_TLV_E_BIT,
  V4_TLV_G_BIT,
  firstTlvText,
  groupTlvValue,
  makeEnterpriseV4Tlv,
  makeV4Tlv,
  pathMarkingReasonName,
  pathMarkingTlvValue,
  pathStatusNames,
  stringTlv,
  tlvText,
  tlvTexts,
  uint16Tlv,
  type BmpV4CodePoints,
  type BmpV4Tlv,
  type BmpV4TlvKind,
  type InformationTlv,
} from './tlv.js';
export { ROUTE_MONITORING_PDU_OFFSET, isPlainRouteMonitoring, type RouteMonitoringMessage, type RouteMonitoringV4Layout } from './route-monitoring.js';
export {
  statTypeFormat,
  statTypeName,
  type AfiSafiGauge,
  type StatFormat,
  type StatTlv,
  type StatValue,
  type StatisticsReportMessage,
} from './statistics-report.js';
export { PeerDownReasonCode, fsmEventName, peerDownReasonName, type PeerDownMessage, type PeerDownReasonName } from './peer-down.js';
export { type PeerUpMessage } from './peer-up.js';
export { type InitiationMessage } from './initiation.js';
export { terminationReasonName, type TerminationMessage, type TerminationReasonName } from './termination.js';
export {
  RouteMirroringInformationCode,
  RouteMirroringTlvType,
  routeMirroringInformationName,
  type RouteMirroringInformation,
  type RouteMirroringInformationName,
  type RouteMirroringMessage,
} from './route-mirroring.js';
export {
  RoftTlvType,
  makeRoftTlv,
  roftPolicyClassName,
  roftPolicyValue,
  roftVrfTableValue,
  type RoftEvent,
  type RoftMessage,
  type RoftPolicyClassName,
  type RoftPolicyEntry,
  type RoftPolicyInit,
  type RoftTlv,
} from './roft.js';
export {
  decodeBmpMessage,
  encodeBmpMessage,
  tryDecodeBmpMessage,
  type BmpDecodeError,
  type BmpDecodeOptions,
  type BmpDecodeResult,
  type BmpMessage,
  type UnknownBmpMessage,
} from './message.js';
