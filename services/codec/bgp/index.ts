/**
 * Public API of the pure BGP codec: bytes in, typed objects out, and back. No I/O.
 *
 * Entry points: decodeBgpMessage / encodeBgpMessage (any message, header included), and per
 * message type decodeUpdate / encodeUpdate, decodeOpen / encodeOpen,
 * decodeNotification / encodeNotification. Decoders throw CodecError (../errors.ts) and nothing
 * else on malformed input.
 */
export type { BgpDecodeOptions, Family } from './options.js';
export { DEFAULT_DECODE_OPTIONS, familyKey, makeDecodeOptions } from './options.js';

export type { BgpMessage, BgpMessageType } from './message.js';
export { decodeBgpMessage, encodeBgpMessage, messageTypeName } from './message.js';

export type { BgpHeader } from './header.js';
export { BGP_CLASSIC_MAX_LENGTH, BGP_EXTENDED_MAX_LENGTH, BGP_HEADER_LENGTH, bgpMessageLength, decodeHeader, MessageType } from './header.js';

export type { UpdateMessage, UpdateRoutes } from './update.js';
export { decodeUpdate, decodeUpdateBody, decodeUpdateRoutes, encodeUpdate, endOfRibOf, makeUpdate } from './update.js';

export type { CapabilitiesParameter, OpenMessage, OptionalParameter, RawParameter } from './open.js';
export { decodeOpen, decodeOpenBody, encodeOpen, makeOpen, openAsn } from './open.js';

export type {
  AddPathCapability,
  Capability,
  ExtendedNextHopCapability,
  FourOctetAsCapability,
  FqdnCapability,
  GracefulRestartCapability,
  LongLivedGracefulRestartCapability,
  MultipleLabelsCapability,
  MultiprotocolCapability,
  RawCapability,
  RoleCapability,
} from './capabilities.js';
export { CapabilityCode, capabilityName, decodeCapabilities, roleName } from './capabilities.js';

export type { NotificationMessage } from './notification.js';
export {
  decodeNotification,
  decodeNotificationBody,
  describeNotification,
  encodeNotification,
  makeNotification,
  NotificationCode,
  notificationCodeName,
  notificationSubcodeName,
  shutdownCommunication,
} from './notification.js';

export type { KeepaliveMessage } from './keepalive.js';
export { encodeKeepalive } from './keepalive.js';

export type { RouteRefreshMessage } from './route-refresh.js';
export { encodeRouteRefresh, RouteRefreshSubtype } from './route-refresh.js';

export type {
  AigpTlv,
  Aggregator,
  As4Status,
  AsPathSegment,
  AsPathSegmentType,
  Attributes,
  DecodedAttribute,
  ExtendedCommunity,
  Ipv6ExtendedCommunity,
  MpNextHop,
  MpReach,
  MpUnreach,
  Origin,
  PathAttribute,
  PathAttributeKind,
  RawAttribute,
} from './attributes/index.js';
export { attributeCode, collectAttributes, decodeAttributes } from './attributes/index.js';
export { AttrFlag, AttrType, attributeName, defaultAttributeFlags } from './attributes/codes.js';
export { AS_TRANS, asPathLength, formatAsPath, mergeAs4Path } from './attributes/as-path.js';
export { communityName, describeCommunity, formatCommunity, parseCommunity, WellKnownCommunity } from './attributes/communities.js';
export { extendedCommunityFromBytes, parseExtendedCommunity } from './attributes/extended-communities.js';
export { makeIpv6ExtendedCommunity } from './attributes/ipv6-extended-communities.js';
export { aigpMetric, aigpMetricTlv } from './attributes/aigp.js';

export type { BgpLsRoute, EvpnRoute, FlowspecComponent, FlowspecItem, FlowspecRoute, MvpnRoute, PrefixRoute, RawRoute, Route, RtConstraintRoute, SrPolicyRoute, VplsRoute } from './nlri/route.js';
export { decodeNlri, encodeNlri } from './nlri/index.js';
export { evpnRouteText } from './nlri/evpn.js';
export { vplsRouteText } from './nlri/vpls.js';
export { mvpnRouteText } from './nlri/mvpn.js';
export { rtConstraintRouteText } from './nlri/rt-constraint.js';
export { bitmaskOperator, flowspecComponentName, flowspecOperatorName, flowspecRoute, flowspecRuleText, flowspecValueLength, FlowspecOp, FlowspecType, isBitmaskComponent, numericOperator } from './nlri/flowspec.js';
export type { LsTlv } from './nlri/bgp-ls/tlv.js';
export type { PrefixSidTlv } from './attributes/prefix-sid.js';
export type { TunnelTlv } from './attributes/tunnel-encapsulation.js';
export type { NlriEncoding } from './nlri/families.js';
export { AFI, afiName, familyName, nlriEncoding, SAFI, safiName } from './nlri/families.js';
export { WITHDRAW_COMPAT_LABEL } from './nlri/labeled.js';
export { maskPrefix } from './nlri/prefix.js';

export type { RibView } from './session-options.js';
export { decodeOptionsFromOpens } from './session-options.js';

export type { AddPathGuess, DecodeGuess, GuessBasis, GuessResult, HeuristicDecodeResult } from './heuristics.js';
export { decodeBgpMessageHeuristic, decodeUpdateWithKnownOptions, guessDecodeOptions, isUpdateMessage } from './heuristics.js';

export type { PrefixBlock, ScanConverters, ScanPlaceholders, UpdateScan } from './update-scan.js';
export { scanUpdate } from './update-scan.js';
