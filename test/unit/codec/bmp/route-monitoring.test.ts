import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  DRAFT20_V4_CODE_POINTS,
  decodeBmpMessage,
  encodeBmpMessage,
  groupTlvValue,
  makeEnterpriseV4Tlv,
  makePerPeerHeader,
  makeV4Tlv,
  pathMarkingTlvValue,
  pathStatusNames,
  type RouteMonitoringMessage,
} from '../../../../services/codec/bmp/index.js';
import { hex, rep } from './hex.js';

const MARKER = rep('ff', 16);

/** BGP UPDATE withdrawing 192.0.2.0/24 (protocol notes, Appendix A.1). */
const WITHDRAW_UPDATE = `${MARKER} 001b 02   0004 18c00002   0000`;

/** BGP UPDATE announcing 112.1.1.1/32 (taken from the Huawei Loc-RIB capture). */
const ANNOUNCE_UPDATE = `
  ${MARKER} 0031 02       // marker, length 49, UPDATE
  0000                    // withdrawn routes length 0
  0015                    // path attribute length 21
  40 01 01 02             // ORIGIN incomplete
  40 02 00                // AS_PATH empty
  40 03 04 00000000       // NEXT_HOP 0.0.0.0
  80 04 04 00000000       // MED 0
  20 70010101             // NLRI 112.1.1.1/32
`;

function rm(buf: Buffer): RouteMonitoringMessage {
  const m = decodeBmpMessage(buf);
  assert.equal(m.type, 'route_monitoring');
  return m as RouteMonitoringMessage;
}

test('v3 Route Monitoring: per-peer header + one UPDATE as a view (RFC 7854 §4.6, Appendix A.1 of the notes)', () => {
  const buf = hex`
    03 0000004b 00                                   // v3, length 75 = 6 + 42 + 27, Route Monitoring
    00 00 0000000000000000                           // global peer, no flags, PD 0
    000000000000000000000000 c6336401                // peer 198.51.100.1
    0000fbf4 c6336401 5f5e1000 00000000              // AS 64500, BGP ID, timestamp
    ${WITHDRAW_UPDATE}
  `;
  const m = rm(buf);
  assert.equal(m.version, 3);
  assert.equal(m.v4Layout, null);
  assert.deepEqual(m.tlvs, []);
  assert.equal(m.peer.peerAddress, '198.51.100.1');
  assert.deepEqual(m.pdu, hex`${WITHDRAW_UPDATE}`);
  // Zero copy: the PDU is a view into the message buffer.
  assert.equal(m.pdu.buffer, buf.buffer);
  assert.equal(m.pdu.byteOffset, buf.byteOffset + 48);
  assert.deepEqual(encodeBmpMessage(m), buf);
});

test('v3 Route Monitoring built from fields encodes to the RFC layout', () => {
  const msg: RouteMonitoringMessage = {
    type: 'route_monitoring',
    version: 3,
    peer: makePerPeerHeader({ peerType: 0, peerAddress: '198.51.100.1', peerAs: 64500, peerBgpId: '198.51.100.1', timestamp: 1_600_000_000_000_000 }),
    pdu: hex`${WITHDRAW_UPDATE}`,
    v4Layout: null,
    tlvs: [],
  };
  assert.deepEqual(
    encodeBmpMessage(msg),
    hex`03 0000004b 00  00 00 0000000000000000 000000000000000000000000 c6336401 0000fbf4 c6336401 5f5e1000 00000000 ${WITHDRAW_UPDATE}`,
  );
});

test('v3 Route Monitoring with TLVs after the UPDATE (Huawei VRP 8.230 Loc-RIB): the UPDATE by its BGP length, the TLVs kept', () => {
  // The shape of 200 Loc-RIB messages from Huawei NE40E VRP 8.230 (203.0.113.23 in the
  // traffic-reproducer multivendor capture): after the UPDATE, one TLV of private type 0xea62
  // (E bit set) with a 4-octet value (a path status bitmap: best | primary); RFC 7854 §4.6 has
  // nothing after the UPDATE. The octets follow the per-peer header exactly as in v3.
  const buf = hex`
    03 00000069 00                                   // v3, length 105 = 48 + 49 + 8, Route Monitoring
    03 80 0000000000000000 ${'00'.repeat(16)}        // Loc-RIB peer, F flag, PD 0, address 0
    fbf00017 c6336411 6735bb3d 00059907              // AS, BGP ID 198.51.100.17, timestamp
    ${ANNOUNCE_UPDATE}
    ea62 0004 0000000a                               // trailing TLV: type 0xea62, 4 octets
  `;
  const m = rm(buf);
  assert.equal(m.version, 3);
  assert.equal(m.v4Layout, 'pdu_first');
  assert.deepEqual(m.pdu, hex`${ANNOUNCE_UPDATE}`);
  assert.deepEqual(
    m.tlvs.map((t) => [t.kind, t.type, t.enterprise, t.pen, t.index, t.value.length]),
    [['unknown', 0x6a62, true, 10, null, 0]],
  );
  assert.deepEqual(encodeBmpMessage(m), buf);
  // The 6-octet variant (status + reason code) is one TLV as well.
  const six = rm(hex`03 0000006b 00 ${buf.subarray(6, 48).toString('hex')} ${ANNOUNCE_UPDATE} ea62 0006 00000001 0007`);
  assert.deepEqual([six.tlvs.length, six.pdu.length], [1, 49]);
});

test('v3 Route Monitoring: octets after the UPDATE that are not whole TLVs are a CodecError; a BGP length past the end is left to the BGP codec', () => {
  const head = `00 00 ${'00'.repeat(40)}`;
  // 3 octets: no room for a TLV header.
  assert.throws(
    () => decodeBmpMessage(hex`03 00000064 00 ${head} ${ANNOUNCE_UPDATE} 0000ff`),
    (e: unknown) => e instanceof CodecError && /3 octets after the UPDATE/.test(e.reason),
  );
  // A second UPDATE after the first is no TLV either (type 0xffff, length 0xffff).
  assert.throws(
    () => decodeBmpMessage(hex`03 00000092 00 ${head} ${ANNOUNCE_UPDATE} ${ANNOUNCE_UPDATE}`),
    (e: unknown) => e instanceof CodecError && /49 octets after the UPDATE\) TLV type 65535 value/.test(e.reason),
  );
  // BGP length larger than what the message holds: the body is handed on whole, as before.
  const long = rm(hex`03 00000045 00 ${head} ${MARKER} 0040 02 00 00`);
  assert.deepEqual([long.v4Layout, long.pdu.length], [null, 21]);
});

/** v4 Route Monitoring in the TLV layout with every TLV kind the Huawei code points define. */
const V4_TLV_MESSAGE = hex`
  04 000000a1 00                                     // v4, length 161, Route Monitoring
  03 80 0000000000000000 ${'00'.repeat(16)}          // Loc-RIB peer, F flag, PD 0, address 0
  00000064 02020202 69135b83 000f2276                // AS 100, BGP ID 2.2.2.2, timestamp
  // type  length index  value
  0001   0006   0000   45 04 0001 01 01              // Stateless Parsing: ADD-PATH cap (69), AFI 1 SAFI 1 receive
  0002   0004   8001   0001 0002                     // Group 1 (G bit): NLRI 1 and 2
  0003   0006   0000   676c6f62616c                  // VRF/Table Name "global"
  0004   0031   0000   ${ANNOUNCE_UPDATE}            // BGP PDU (index 0: whole UPDATE)
  0005   0004   0001   0000008a                      // Path Marking for NLRI 1: best | primary | add-path
  8005   0008   0002   00000007 000000ff             // E bit: enterprise TLV 5, PEN 7, 4 value octets
`;

test('v4 Route Monitoring, TLV layout (draft-ietf-grow-bmp-tlv, Huawei code points): every TLV kept and read', () => {
  const m = rm(V4_TLV_MESSAGE);
  assert.equal(m.version, 4);
  assert.equal(m.v4Layout, 'tlv');
  assert.equal(m.peer.filtered, true);
  assert.deepEqual(m.pdu, hex`${ANNOUNCE_UPDATE}`);
  assert.deepEqual(
    m.tlvs.map((t) => [t.kind, t.type, t.index]),
    [
      ['stateless_parsing', 1, 0],
      ['group', 2, 0x8001],
      ['vrf_table_name', 3, 0],
      ['bgp_pdu', 4, 0],
      ['path_marking', 5, 1],
      ['unknown', 5, 2],
    ],
  );
  const [sp, group, vrf, pdu, pm, ent] = m.tlvs;
  assert.ok(sp.kind === 'stateless_parsing' && sp.capabilityCode === 69);
  assert.deepEqual(sp.kind === 'stateless_parsing' && sp.capabilityValue, hex`0001 01 01`);
  assert.ok(group.kind === 'group' && group.group === 1);
  assert.deepEqual(group.kind === 'group' && group.members, [1, 2]);
  assert.ok(vrf.kind === 'vrf_table_name' && vrf.name === 'global');
  assert.equal(pdu.value, m.pdu);
  assert.ok(pm.kind === 'path_marking' && pm.pathStatus === 0x8a && pm.reasonCode === null);
  assert.deepEqual(pathStatusNames(0x8a), ['best', 'primary', 'add_path']);
  assert.deepEqual([ent.enterprise, ent.pen, ent.value], [true, 7, hex`000000ff`]);
  assert.deepEqual(encodeBmpMessage(m), V4_TLV_MESSAGE);
});

test('v4 Route Monitoring built from TLV helpers encodes to the same bytes; `pdu` is what gets written', () => {
  const peer = makePerPeerHeader({ peerType: 3, flags: 0x80, peerAddress: '0.0.0.0', peerAs: 100, peerBgpId: '2.2.2.2', timestamp: 0x69135b83 * 1e6 + 0x000f2276 });
  const pdu = hex`${ANNOUNCE_UPDATE}`;
  const msg: RouteMonitoringMessage = {
    type: 'route_monitoring',
    version: 4,
    peer,
    pdu,
    v4Layout: 'tlv',
    tlvs: [
      makeV4Tlv(1, hex`45 04 0001 01 01`, 0),
      makeV4Tlv(2, groupTlvValue([1, 2]), 0x8001),
      makeV4Tlv(3, Buffer.from('global'), 0),
      makeV4Tlv(4, pdu, 0),
      makeV4Tlv(5, pathMarkingTlvValue(0x8a), 1),
      makeEnterpriseV4Tlv(5, 7, hex`000000ff`, 2),
    ],
  };
  assert.deepEqual(encodeBmpMessage(msg), V4_TLV_MESSAGE);
  // Replacing the PDU re-sizes the message and the BGP PDU TLV.
  const withdraw = hex`${WITHDRAW_UPDATE}`;
  const again = rm(encodeBmpMessage({ ...msg, pdu: withdraw }));
  assert.deepEqual(again.pdu, withdraw);
  assert.equal(again.tlvs.length, 6);
});

test('v4 path marking with a reason code (6-octet value)', () => {
  const t = makeV4Tlv(5, pathMarkingTlvValue(0x04, 0x0003), 1);
  assert.ok(t.kind === 'path_marking' && t.pathStatus === 4 && t.reasonCode === 3);
});

test('v4 Route Monitoring, "PDU first" layout (earlier draft; bmp_play Huawei recording): UPDATE, then non-indexed TLVs', () => {
  const buf = hex`
    04 00000073 00                                   // v4, length 115 = 48 + 49 + 18
    00 00 0000000000000000 000000000000000000000000 8abb3903
    0000ecd9 8abb3903 600f0296 00000000              // AS 60633, BGP ID
    ${ANNOUNCE_UPDATE}                               // the UPDATE straight after the per-peer header
    0000 000e  0001 0001 0008 00000001 00000004      // TLV type 0, 14 octets, no index (kept raw)
  `;
  const m = rm(buf);
  assert.equal(m.v4Layout, 'pdu_first');
  assert.deepEqual(m.pdu, hex`${ANNOUNCE_UPDATE}`);
  assert.equal(m.tlvs.length, 1);
  assert.deepEqual([m.tlvs[0].kind, m.tlvs[0].type, m.tlvs[0].index, m.tlvs[0].value.length], ['unknown', 0, null, 14]);
  assert.deepEqual(encodeBmpMessage(m), buf);
});

test('v4 Route Monitoring without a BGP PDU TLV is a CodecError naming the expected type', () => {
  const buf = hex`04 0000003c 00  03 00 ${'00'.repeat(40)}  0003 0006 0000 676c6f62616c`;
  assert.throws(() => decodeBmpMessage(buf), (e: unknown) => e instanceof CodecError && /BGP PDU TLV \(type 4\)/.test(e.reason) && e.offset === 48);
});

test('v4 TLV running past the message end is a CodecError', () => {
  const buf = hex`04 00000038 00  03 00 ${'00'.repeat(40)}  0004 0031 0000 ffff`;
  assert.throws(() => decodeBmpMessage(buf), CodecError);
});

test('v4 "PDU first" with a BGP length beyond the message is a CodecError', () => {
  const buf = hex`04 00000044 00  00 00 ${'00'.repeat(40)}  ${MARKER} 0040 02 00`;
  assert.throws(() => decodeBmpMessage(buf), CodecError);
});

test('v4 code points are configurable: draft -20 puts the BGP PDU in type 7', () => {
  const buf = hex`
    04 0000005d 00  00 00 ${'00'.repeat(40)}
    0005 0006 0000 676c6f62616c       // -20: VRF/Table Name is 5
    0007 001b 0000 ${WITHDRAW_UPDATE} // -20: BGP PDU is 7
  `;
  assert.throws(() => decodeBmpMessage(buf), /without a BGP PDU TLV/); // Huawei code points: no type-4 TLV
  const m = decodeBmpMessage(buf, { v4CodePoints: DRAFT20_V4_CODE_POINTS }) as RouteMonitoringMessage;
  assert.deepEqual(m.pdu, hex`${WITHDRAW_UPDATE}`);
  assert.ok(m.tlvs[0].kind === 'vrf_table_name' && m.tlvs[0].name === 'global');
  assert.deepEqual(encodeBmpMessage(m), buf);
});

test('Route Monitoring shorter than the per-peer header is a CodecError', () => {
  assert.throws(() => decodeBmpMessage(hex`03 00000010 00 ${'00'.repeat(10)}`), CodecError);
});
