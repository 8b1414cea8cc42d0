import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  decodeBmpMessage,
  encodeBmpMessage,
  fsmEventName,
  makePerPeerHeader,
  peerDownReasonName,
  stringTlv,
  type PeerDownMessage,
} from '../../../../services/codec/bmp/index.js';
import { hex, rep } from './hex.js';

const PEER = `00 00 0000000000000000 000000000000000000000000 cb00712c 0000fbf0 cb00712c 65a95fe7 0007c24a`;
const LOCRIB_PEER = `03 00 0000000000000000 ${'00'.repeat(16)} 00000064 02020202 6913674c 000f1360`;
/** NOTIFICATION Cease (6) / Administrative Shutdown (2) with an RFC 9003 message "hello". */
const NOTIF_SHUTDOWN = `${rep('ff', 16)} 001b 03  06 02  05 68656c6c6f`;
/** NOTIFICATION Cease (6) / Administrative Reset (4), as in the FRR capture. */
const NOTIF_RESET = `${rep('ff', 16)} 0015 03  06 04`;

function pd(buf: Buffer): PeerDownMessage {
  const m = decodeBmpMessage(buf);
  assert.equal(m.type, 'peer_down');
  assert.deepEqual(encodeBmpMessage(m), buf, 'round trip');
  return m as PeerDownMessage;
}

test('reason 1: local close, NOTIFICATION follows (RFC 7854 §4.9)', () => {
  const m = pd(hex`
    03 0000004c 02      // v3, length 76 = 48 + 1 + 27, Peer Down
    ${PEER}
    01                  // reason 1
    ${NOTIF_SHUTDOWN}   // the NOTIFICATION the router sent
  `);
  assert.equal(m.reason, 1);
  assert.equal(m.reasonName, 'local_notification');
  assert.deepEqual(m.notification, hex`${NOTIF_SHUTDOWN}`);
  assert.deepEqual([m.fsmEventCode, m.data, m.vrfTableName], [null, null, null]);
  assert.deepEqual(m.tlvs, []);
});

test('reason 2: local close without NOTIFICATION, FSM event code (RFC 4271 §8.1)', () => {
  const m = pd(hex`03 00000033 02 ${PEER}  02  000a    // FSM event 10`);
  assert.equal(m.reasonName, 'local_no_notification');
  assert.equal(m.fsmEventCode, 10);
  assert.equal(fsmEventName(10), 'HoldTimer_Expires');
  assert.equal(fsmEventName(0), 'none');
  assert.equal(fsmEventName(99), null);
  assert.equal(m.notification, null);
});

test('reason 3: remote close with NOTIFICATION', () => {
  const m = pd(hex`03 00000046 02 ${PEER}  03  ${NOTIF_RESET}`);
  assert.equal(m.reasonName, 'remote_notification');
  assert.deepEqual(m.notification, hex`${NOTIF_RESET}`);
});

test('reasons 4 and 5: no data', () => {
  assert.equal(pd(hex`03 00000031 02 ${PEER} 04`).reasonName, 'remote_no_notification');
  const m5 = pd(hex`03 00000031 02 ${PEER} 05`);
  assert.equal(m5.reasonName, 'peer_deconfigured');
  assert.deepEqual([m5.notification, m5.fsmEventCode, m5.data], [null, null, null]);
});

test('reason 6: local close, TLV data follows — VRF/Table Name (RFC 9069 §5.3)', () => {
  const m = pd(hex`
    03 0000003b 02 ${LOCRIB_PEER}
    06                          // reason 6
    0003 0006 676c6f62616c      // VRF/Table Name "global"
  `);
  assert.equal(m.reasonName, 'local_tlv');
  assert.equal(m.vrfTableName, 'global');
  assert.deepEqual(m.tlvs, [{ type: 3, value: Buffer.from('global') }]);
});

test('v4: TLVs after the NOTIFICATION (draft-ietf-grow-bmp-tlv)', () => {
  const m = pd(hex`04 0000004b 02 ${PEER}  01  ${NOTIF_RESET}  0000 0001 78   // String TLV "x"`);
  assert.equal(m.version, 4);
  assert.deepEqual(m.notification, hex`${NOTIF_RESET}`);
  assert.deepEqual(m.tlvs, [{ type: 0, value: Buffer.from('x') }]);
  assert.equal(m.data, null);
});

test('v3: octets after the reason data are kept raw; unassigned reasons keep their data raw', () => {
  const trailing = pd(hex`03 00000033 02 ${PEER}  04  beef`);
  assert.deepEqual(trailing.data, hex`beef`);
  for (const reason of ['07', 'fb']) {
    const m = pd(hex`03 00000034 02 ${PEER}  ${reason}  010203`);
    assert.equal(m.reasonName, null);
    assert.deepEqual(m.data, hex`010203`);
  }
  assert.equal(peerDownReasonName(0), null);
});

test('malformed reason data is a CodecError', () => {
  // reason 1 with a NOTIFICATION whose marker is not all ones
  assert.throws(() => decodeBmpMessage(hex`03 00000046 02 ${PEER} 01 ${rep('fe', 16)} 0015 03 06 04`), /marker/);
  // reason 3 carrying an OPEN instead of a NOTIFICATION
  assert.throws(() => decodeBmpMessage(hex`03 00000046 02 ${PEER} 03 ${rep('ff', 16)} 0015 01 06 04`), /type 1, expected 3/);
  // reason 1 with a BGP length beyond the message
  assert.throws(() => decodeBmpMessage(hex`03 00000046 02 ${PEER} 01 ${rep('ff', 16)} 0016 03 06 04`), CodecError);
  // reason 2 without the FSM event code
  assert.throws(() => decodeBmpMessage(hex`03 00000032 02 ${PEER} 02 00`), CodecError);
  // reason 6 with a broken TLV
  assert.throws(() => decodeBmpMessage(hex`03 00000034 02 ${PEER} 06 0003 00`), CodecError);
  // no reason at all
  assert.throws(() => decodeBmpMessage(hex`03 00000030 02 ${PEER}`), CodecError);
});

test('Peer Down built from fields encodes to the RFC layout', () => {
  const peer = makePerPeerHeader({ peerType: 3, peerAddress: '0.0.0.0', peerAs: 100, peerBgpId: '2.2.2.2', timestamp: 0x6913674c * 1e6 + 0x000f1360 });
  const msg: PeerDownMessage = {
    type: 'peer_down',
    version: 3,
    peer,
    reason: 6,
    reasonName: 'local_tlv',
    notification: null,
    fsmEventCode: null,
    tlvs: [stringTlv(3, 'global')],
    vrfTableName: 'global',
    data: null,
  };
  assert.deepEqual(encodeBmpMessage(msg), hex`03 0000003b 02 ${LOCRIB_PEER} 06 0003 0006 676c6f62616c`);
  const fsm: PeerDownMessage = { ...msg, peer: makePerPeerHeader({ peerType: 0, peerAddress: '203.0.113.44', peerAs: 64496, peerBgpId: '203.0.113.44', timestamp: 0x65a95fe7 * 1e6 + 0x0007c24a }), reason: 2, fsmEventCode: 10, tlvs: [] };
  assert.deepEqual(encodeBmpMessage(fsm), hex`03 00000033 02 ${PEER} 02 000a`);
});
