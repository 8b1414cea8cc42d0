import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  decodeBmpMessage,
  encodeBmpMessage,
  makePerPeerHeader,
  statTypeFormat,
  statTypeName,
  type StatisticsReportMessage,
} from '../../../../services/codec/bmp/index.js';
import { hex } from './hex.js';

const PEER = `00 00 0000000000000000 000000000000000000000000 c0000201 0000fde8 c0000201 5f5e1000 00000000`;

function stats(buf: Buffer): StatisticsReportMessage {
  const m = decodeBmpMessage(buf);
  assert.equal(m.type, 'stats');
  return m as StatisticsReportMessage;
}

test('Statistics Report: counters, gauges, per-AFI/SAFI gauges, unknown types (RFC 7854 §4.8)', () => {
  const buf = hex`
    03 0000006d 01                         // v3, length 109, Statistics Report
    ${PEER}
    00000006                               // Stats Count 6
    0000 0004 00000005                     // type 0 (C32) prefixes rejected: 5
    0007 0008 0000000100000000             // type 7 (G64) Adj-RIB-In routes: 2^32
    0009 000b 0001 01 0000000000000010     // type 9 (AFG) AFI 1 SAFI 1: 16
    0008 0004 0000002a                     // type 8 is a G64 but sent in 4 octets: 42
    fffb 0004 00000000                     // type 65531 (experimental, FRR): raw
    0001 0002 abcd                         // type 1 with an unexpected Stat Len 2: raw
  `;
  const m = stats(buf);
  assert.equal(m.statsCount, 6);
  assert.deepEqual(m.stats, [
    { type: 0, name: 'prefixes_rejected_by_inbound_policy', value: 5 },
    { type: 7, name: 'routes_in_adj_rib_in', value: 4294967296n },
    { type: 9, name: 'routes_in_per_afi_safi_adj_rib_in', value: { afi: 1, safi: 1, value: 16n } },
    { type: 8, name: 'routes_in_loc_rib', value: 42 },
    { type: 65531, name: null, value: hex`00000000` },
    { type: 1, name: 'duplicate_prefix_advertisements', value: hex`abcd` },
  ]);
  assert.deepEqual(encodeBmpMessage(m), buf);
});

test('64-bit gauges beyond 2^53 stay exact as bigint', () => {
  const m = stats(hex`03 00000040 01 ${PEER} 00000001 000e 0008 ffffffffffffffff`);
  assert.equal(m.stats[0].value, 0xffffffffffffffffn);
  assert.equal(m.stats[0].name, 'routes_in_pre_policy_adj_rib_out');
});

test('every IANA stat type 0-43 has a name and a nominal format', () => {
  for (let t = 0; t <= 43; t++) {
    assert.ok(statTypeName(t), `type ${t}`);
    assert.ok(statTypeFormat(t), `type ${t}`);
  }
  assert.equal(statTypeName(44), null);
  assert.deepEqual([statTypeFormat(0), statTypeFormat(7), statTypeFormat(10), statTypeFormat(17)], ['counter32', 'gauge64', 'afi_safi_gauge64', 'afi_safi_gauge64']);
});

test('Stats Count disagreeing with the TLVs: the message length wins, the count is kept', () => {
  const buf = hex`03 00000044 01 ${PEER} 00000003  0000 0004 00000001  0002 0004 00000002`;
  const m = stats(buf);
  assert.equal(m.statsCount, 3);
  assert.equal(m.stats.length, 2);
  assert.deepEqual(encodeBmpMessage(m), buf);
});

test('a stat TLV running past the message end is a CodecError', () => {
  assert.throws(() => decodeBmpMessage(hex`03 0000003a 01 ${PEER} 00000001 0007 0008 0000`), CodecError);
  assert.throws(() => decodeBmpMessage(hex`03 00000032 01 ${PEER} 0000`), CodecError);
});

test('Statistics Report built from values encodes each by its JS type', () => {
  const msg: StatisticsReportMessage = {
    type: 'stats',
    version: 3,
    peer: makePerPeerHeader({ peerType: 0, peerAddress: '192.0.2.1', peerAs: 65000, peerBgpId: '192.0.2.1', timestamp: 1_600_000_000_000_000 }),
    statsCount: 3,
    stats: [
      { type: 0, name: null, value: 7 },
      { type: 7, name: null, value: 9n },
      { type: 10, name: null, value: { afi: 2, safi: 128, value: 3n } },
    ],
  };
  assert.deepEqual(
    encodeBmpMessage(msg),
    hex`03 00000057 01 ${PEER} 00000003  0000 0004 00000007  0007 0008 0000000000000009  000a 000b 0002 80 0000000000000003`,
  );
});
