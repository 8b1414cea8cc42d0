/**
 * Statistics Report (message type 1): RFC 7854 §4.8; types 14-17 RFC 8671 §6.2; types 18-43 from
 * draft-ietf-grow-bmp-bgp-rib-stats as implementations name them.
 *
 *   per-peer header, then
 *   Stats Count (4)            number of stat TLVs that follow
 *   Stat Type (2), Stat Len (2), Stat Data (Stat Len) — repeated
 *
 * Stat Data is sized by Stat Len, never by type (RFC 7854 §4.8: skip unknown types, ignore
 * unexpected data). Values are read by length as implementations do: 4 octets → 32-bit number
 * (counters), 8 → 64-bit bigint (gauges may exceed 2^53), 11 → AFI (2) + SAFI (1) + 64-bit gauge
 * (the per-AFI/SAFI gauges), any other length → raw bytes. Types not in the table below (e.g. the
 * experimental 65531 FRR sends) are kept raw whatever their length.
 *
 * The count is kept as received: when it disagrees with the TLVs found before the end of the
 * message the message length wins (the TLVs are all decoded) and `statsCount !== stats.length`
 * shows the mismatch.
 *
 * BMP v4: the Huawei v4 sessions send Statistics Reports as v3 messages; a v4 report is decoded
 * with the v3 body (draft -20's wrapping of the body in a Stats TLV is not seen in any capture).
 */
import { CodecError, ensureBytes } from '../errors.js';
import { BMP_COMMON_HEADER_LENGTH, BmpMessageTypeCode, writeCommonHeader } from './header.js';
import { PER_PEER_HEADER_LENGTH, decodePerPeerHeader, writePerPeerHeader, type PerPeerHeader } from './per-peer-header.js';

export type StatFormat = 'counter32' | 'gauge64' | 'afi_safi_gauge64';

/** Per-AFI/SAFI 64-bit gauge (Stat Len 11). */
export interface AfiSafiGauge {
  afi: number;
  safi: number;
  value: bigint;
}

/** number: 4-octet value; bigint: 8-octet value; AfiSafiGauge: 11 octets; Buffer: anything else. */
export type StatValue = number | bigint | AfiSafiGauge | Buffer;

export interface StatTlv {
  /** Stat Type code. */
  type: number;
  /** Registry name of the type, or null for unassigned/experimental types. */
  name: string | null;
  value: StatValue;
}

export interface StatisticsReportMessage {
  type: 'stats';
  version: number;
  peer: PerPeerHeader;
  /** Stats Count as received (written back as is). */
  statsCount: number;
  stats: StatTlv[];
}

/** [name, nominal format] per stat type 0-43 (RFC 7854 §4.8, RFC 8671 §6.2, rib-stats draft). */
const STAT_TYPES: ReadonlyArray<readonly [string, StatFormat]> = [
  ['prefixes_rejected_by_inbound_policy', 'counter32'], // 0
  ['duplicate_prefix_advertisements', 'counter32'], // 1
  ['duplicate_withdraws', 'counter32'], // 2
  ['updates_invalidated_by_cluster_list_loop', 'counter32'], // 3
  ['updates_invalidated_by_as_path_loop', 'counter32'], // 4
  ['updates_invalidated_by_originator_id', 'counter32'], // 5
  ['updates_invalidated_by_as_confed_loop', 'counter32'], // 6
  ['routes_in_adj_rib_in', 'gauge64'], // 7
  ['routes_in_loc_rib', 'gauge64'], // 8
  ['routes_in_per_afi_safi_adj_rib_in', 'afi_safi_gauge64'], // 9
  ['routes_in_per_afi_safi_loc_rib', 'afi_safi_gauge64'], // 10
  ['updates_treated_as_withdraw', 'counter32'], // 11
  ['prefixes_treated_as_withdraw', 'counter32'], // 12
  ['duplicate_update_messages', 'counter32'], // 13
  ['routes_in_pre_policy_adj_rib_out', 'gauge64'], // 14
  ['routes_in_post_policy_adj_rib_out', 'gauge64'], // 15
  ['routes_in_per_afi_safi_pre_policy_adj_rib_out', 'afi_safi_gauge64'], // 16
  ['routes_in_per_afi_safi_post_policy_adj_rib_out', 'afi_safi_gauge64'], // 17
  ['routes_in_pre_policy_adj_rib_in', 'gauge64'], // 18
  ['routes_in_per_afi_safi_pre_policy_adj_rib_in', 'afi_safi_gauge64'], // 19
  ['routes_in_post_policy_adj_rib_in', 'gauge64'], // 20
  ['routes_in_per_afi_safi_post_policy_adj_rib_in', 'afi_safi_gauge64'], // 21
  ['routes_in_per_afi_safi_pre_policy_adj_rib_in_rejected_by_inbound_policy', 'afi_safi_gauge64'], // 22
  ['routes_in_per_afi_safi_post_policy_adj_rib_in_accepted_by_inbound_policy', 'afi_safi_gauge64'], // 23
  ['routes_in_per_afi_safi_selected_as_primary', 'afi_safi_gauge64'], // 24
  ['routes_in_per_afi_safi_selected_as_backup', 'afi_safi_gauge64'], // 25
  ['routes_in_per_afi_safi_suppressed_by_damping', 'afi_safi_gauge64'], // 26
  ['routes_in_per_afi_safi_stale_by_graceful_restart', 'afi_safi_gauge64'], // 27
  ['routes_in_per_afi_safi_stale_by_long_lived_graceful_restart', 'afi_safi_gauge64'], // 28
  ['routes_left_until_received_route_threshold', 'gauge64'], // 29
  ['routes_in_per_afi_safi_left_until_received_route_threshold', 'afi_safi_gauge64'], // 30
  ['routes_left_until_license_route_limit', 'gauge64'], // 31
  ['routes_in_per_afi_safi_left_until_license_route_limit', 'afi_safi_gauge64'], // 32
  ['routes_rejected_by_max_as_path_length', 'gauge64'], // 33
  ['routes_in_per_afi_safi_rejected_by_max_as_path_length', 'afi_safi_gauge64'], // 34
  ['routes_in_per_afi_safi_post_policy_adj_rib_in_rpki_invalid', 'afi_safi_gauge64'], // 35
  ['routes_in_per_afi_safi_post_policy_adj_rib_in_rpki_valid', 'afi_safi_gauge64'], // 36
  ['routes_in_per_afi_safi_post_policy_adj_rib_in_rpki_not_found', 'afi_safi_gauge64'], // 37
  ['routes_in_per_afi_safi_pre_policy_adj_rib_out_rejected_by_outbound_policy', 'afi_safi_gauge64'], // 38
  ['routes_filtered_by_max_as_path_length_adj_rib_out', 'gauge64'], // 39
  ['routes_in_per_afi_safi_filtered_by_max_as_path_length_adj_rib_out', 'afi_safi_gauge64'], // 40
  ['routes_in_per_afi_safi_post_policy_adj_rib_out_rpki_invalid', 'afi_safi_gauge64'], // 41
  ['routes_in_per_afi_safi_post_policy_adj_rib_out_rpki_valid', 'afi_safi_gauge64'], // 42
  ['routes_in_per_afi_safi_post_policy_adj_rib_out_rpki_not_found', 'afi_safi_gauge64'], // 43
];

/** Registry name of a stat type, or null. */
export function statTypeName(type: number): string | null {
  return type < STAT_TYPES.length ? STAT_TYPES[type][0] : null;
}

/** Nominal value format of a stat type per its registry entry, or null if unassigned. */
export function statTypeFormat(type: number): StatFormat | null {
  return type < STAT_TYPES.length ? STAT_TYPES[type][1] : null;
}

const BODY_OFFSET = BMP_COMMON_HEADER_LENGTH + PER_PEER_HEADER_LENGTH;

export function decodeStatisticsReport(buf: Buffer, version: number): StatisticsReportMessage {
  const peer = decodePerPeerHeader(buf, BMP_COMMON_HEADER_LENGTH);
  const end = buf.length;
  ensureBytes(end, BODY_OFFSET, 4, 'Statistics Report stats count');
  const statsCount = buf.readUInt32BE(BODY_OFFSET);
  const stats: StatTlv[] = [];
  let p = BODY_OFFSET + 4;
  while (p < end) {
    ensureBytes(end, p, 4, 'Statistics Report stat TLV header');
    const type = buf.readUInt16BE(p);
    const length = buf.readUInt16BE(p + 2);
    const start = p + 4;
    ensureBytes(end, start, length, `Statistics Report stat type ${type} data`);
    let value: StatValue;
    if (type >= STAT_TYPES.length) value = buf.subarray(start, start + length);
    else if (length === 4) value = buf.readUInt32BE(start);
    else if (length === 8) value = buf.readBigUInt64BE(start);
    else if (length === 11) value = { afi: buf.readUInt16BE(start), safi: buf[start + 2], value: buf.readBigUInt64BE(start + 3) };
    else value = buf.subarray(start, start + length);
    stats.push({ type, name: type < STAT_TYPES.length ? STAT_TYPES[type][0] : null, value });
    p = start + length;
  }
  return { type: 'stats', version, peer, statsCount, stats };
}

function statValueLength(v: StatValue): number {
  if (typeof v === 'number') return 4;
  if (typeof v === 'bigint') return 8;
  if (Buffer.isBuffer(v)) return v.length;
  return 11;
}

export function statisticsReportLength(m: StatisticsReportMessage): number {
  let n = BODY_OFFSET + 4;
  for (const s of m.stats) n += 4 + statValueLength(s.value);
  return n;
}

export function encodeStatisticsReport(m: StatisticsReportMessage): Buffer {
  const length = statisticsReportLength(m);
  const out = Buffer.allocUnsafe(length);
  writeCommonHeader(out, 0, m.version, length, BmpMessageTypeCode.STATISTICS_REPORT);
  writePerPeerHeader(m.peer, out, BMP_COMMON_HEADER_LENGTH);
  out.writeUInt32BE(m.statsCount >>> 0, BODY_OFFSET);
  let p = BODY_OFFSET + 4;
  for (const s of m.stats) {
    const v = s.value;
    const len = statValueLength(v);
    if (len > 0xffff) throw new CodecError(`stat type ${s.type} data of ${len} octets does not fit`, p);
    out.writeUInt16BE(s.type, p);
    out.writeUInt16BE(len, p + 2);
    p += 4;
    if (typeof v === 'number') out.writeUInt32BE(v >>> 0, p);
    else if (typeof v === 'bigint') out.writeBigUInt64BE(v, p);
    else if (Buffer.isBuffer(v)) v.copy(out, p);
    else {
      out.writeUInt16BE(v.afi, p);
      out[p + 2] = v.safi;
      out.writeBigUInt64BE(v.value, p + 3);
    }
    p += len;
  }
  return out;
}
