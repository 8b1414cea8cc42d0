import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  decodeBmpMessage,
  encodeBmpMessage,
  makePerPeerHeader,
  routeMirroringInformationName,
  uint16Tlv,
  type RouteMirroringMessage,
} from '../../../../services/codec/bmp/index.js';
import { hex, rep } from './hex.js';

const PEER = `00 10 0000000000000000 000000000000000000000000 c0000202 0000fde8 c0000202 5f5e1000 00000000`; // O flag: Adj-RIB-Out mirroring
const KEEPALIVE = `${rep('ff', 16)} 0013 04`;

function mirror(buf: Buffer): RouteMirroringMessage {
  const m = decodeBmpMessage(buf);
  assert.equal(m.type, 'route_mirroring');
  assert.deepEqual(encodeBmpMessage(m), buf, 'round trip');
  return m as RouteMirroringMessage;
}

test('Route Mirroring: Information TLV then BGP Message TLV with a verbatim PDU of any type (RFC 7854 §4.7)', () => {
  const m = mirror(hex`
    03 0000004d 06                 // v3, length 77 = 48 + 6 + 4 + 19, Route Mirroring
    ${PEER}
    0001 0002 0000                 // Information: 0 Errored PDU
    0000 0013 ${KEEPALIVE}         // BGP Message: a KEEPALIVE
  `);
  assert.equal(m.peer.adjRibOut, true);
  assert.deepEqual(m.information, [{ code: 0, name: 'errored_pdu' }]);
  assert.deepEqual(m.bgpMessage, hex`${KEEPALIVE}`);
});

test('Route Mirroring: Messages Lost without a BGP message; unknown TLVs and codes kept', () => {
  const m = mirror(hex`03 00000043 06 ${PEER}  0001 0002 0001  0001 0002 fffb  fffc 0003 010203`);
  assert.equal(m.bgpMessage, null);
  assert.deepEqual(m.information, [
    { code: 1, name: 'messages_lost' },
    { code: 0xfffb, name: null },
  ]);
  assert.equal(m.tlvs.length, 3);
  assert.equal(routeMirroringInformationName(2), null);
});

test('Route Mirroring TLV past the end is a CodecError', () => {
  assert.throws(() => decodeBmpMessage(hex`03 00000036 06 ${PEER} 0000 0013 ffff`), CodecError);
});

test('Route Mirroring built from fields encodes to the RFC layout', () => {
  const msg: RouteMirroringMessage = {
    type: 'route_mirroring',
    version: 3,
    peer: makePerPeerHeader({ peerType: 0, flags: 0x10, peerAddress: '192.0.2.2', peerAs: 65000, peerBgpId: '192.0.2.2', timestamp: 1_600_000_000_000_000 }),
    tlvs: [uint16Tlv(1, 0), { type: 0, value: hex`${KEEPALIVE}` }],
    bgpMessage: null,
    information: [],
  };
  assert.deepEqual(encodeBmpMessage(msg), hex`03 0000004d 06 ${PEER} 0001 0002 0000 0000 0013 ${KEEPALIVE}`);
});
