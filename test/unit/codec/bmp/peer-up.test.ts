import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import { decodeBmpMessage, encodeBmpMessage, makePerPeerHeader, stringTlv, type PeerUpMessage } from '../../../../services/codec/bmp/index.js';
import { hex, rep } from './hex.js';

const MARKER = rep('ff', 16);
/** OPEN: version 4, AS 65000, hold 180, BGP ID 192.0.2.1, one capability (4-octet AS 65000). 37 octets. */
const OPEN_A = `${MARKER} 0025 01  04 fde8 00b4 c0000201  08  02 06 41 04 0000fde8`;
/**
 * OPEN: version 4, AS_TRANS, hold 90, BGP ID 192.0.2.2, capabilities multiprotocol IPv6 unicast
 * and 4-octet AS 4200000000. 45 octets.
 */
const OPEN_B = `${MARKER} 002d 01  04 5ba0 005a c0000202  10  02 06 01 04 0002 00 01  02 06 41 04 fa56ea00`;

function pu(buf: Buffer): PeerUpMessage {
  const m = decodeBmpMessage(buf);
  assert.equal(m.type, 'peer_up');
  assert.deepEqual(encodeBmpMessage(m), buf, 'round trip');
  return m as PeerUpMessage;
}

test('Peer Up, IPv4 peer: local address/ports, two OPENs of different lengths split by their BGP length (RFC 7854 §4.10)', () => {
  const buf = hex`
    03 0000009a 03                                          // v3, length 154 = 48 + 20 + 37 + 45 + 4, Peer Up
    00 00 0000000000000000 000000000000000000000000 c0000202 fa56ea00 c0000202 5f5e1000 00000000
    000000000000000000000000 c0000201                       // local address 192.0.2.1
    b3c1                                                    // local port 46017
    00b3                                                    // remote port 179
    ${OPEN_A}                                               // sent OPEN (the router's)
    ${OPEN_B}                                               // received OPEN (the peer's)
    0000 0000                                               // empty String TLV
  `;
  const m = pu(buf);
  assert.equal(m.localAddress, '192.0.2.1');
  assert.equal(m.localPort, 46017);
  assert.equal(m.remotePort, 179);
  assert.deepEqual(m.sentOpen, hex`${OPEN_A}`);
  assert.deepEqual(m.receivedOpen, hex`${OPEN_B}`);
  assert.ok(m.sentOpen.buffer === buf.buffer && m.sentOpen.byteOffset === buf.byteOffset + 68, 'OPENs are views');
  assert.deepEqual(m.strings, ['']);
  assert.equal(m.vrfTableName, null);
});

test('Peer Up, IPv6 peer (V flag), information TLVs: String, VRF/Table Name, Admin Label (RFC 9736 §3.3)', () => {
  const m = pu(hex`
    03 000000b9 03                                          // length 185
    00 80 0000000000000000 20010db8000000000000000000000002 fa56ea00 c0000202 5f5e1000 00000000
    20010db8000000000000000000000001 c350 00b3              // local 2001:db8::1, ports 50000 / 179
    ${OPEN_A}
    ${OPEN_B}
    0000 0008 6e6569676862 6f72       // String "neighbor" (FRR/Junos append the description)
    0003 0003 726564                  // VRF/Table Name "red"
    0004 0004 636f7265                // Admin Label "core"
    0004 0004 65646765                // Admin Label "edge" (repeats keep their order)
  `);
  assert.equal(m.peer.peerAddress, '2001:db8::2');
  assert.equal(m.localAddress, '2001:db8::1');
  assert.deepEqual(m.strings, ['neighbor']);
  assert.equal(m.vrfTableName, 'red');
  assert.deepEqual(m.adminLabels, ['core', 'edge']);
  assert.deepEqual(
    m.tlvs.map((t) => t.type),
    [0, 3, 4, 4],
  );
});

test('Peer Up of a Loc-RIB instance: zero local address and ports, identical OPENs, table name "global" (RFC 9069 §5.2)', () => {
  const m = pu(hex`
    03 00000098 03                                          // length 152 = 48 + 20 + 37 + 37 + 10
    03 00 0000000000000000 ${'00'.repeat(16)} 0000fde8 c0000201 5f5e1000 00000000
    ${'00'.repeat(16)} 0000 0000
    ${OPEN_A}
    ${OPEN_A}
    0003 0006 676c6f62616c
  `);
  assert.equal(m.peer.peerTypeName, 'loc_rib');
  assert.equal(m.localAddress, '0.0.0.0');
  assert.deepEqual([m.localPort, m.remotePort], [0, 0]);
  assert.deepEqual(m.sentOpen, m.receivedOpen);
  assert.equal(m.vrfTableName, 'global');
});

test('malformed Peer Up is a CodecError naming the part', () => {
  const peer = `00 00 0000000000000000 000000000000000000000000 c0000202 fa56ea00 c0000202 5f5e1000 00000000`;
  // body shorter than the 20 octets of address and ports
  assert.throws(() => decodeBmpMessage(hex`03 00000034 03 ${peer} 00000000`), CodecError);
  // sent OPEN marker wrong
  assert.throws(() => decodeBmpMessage(hex`03 00000069 03 ${peer} ${'00'.repeat(20)} ${rep('00', 16)} 0025 01 ${'00'.repeat(18)}`), /sent OPEN: BGP marker/);
  // received OPEN missing
  assert.throws(() => decodeBmpMessage(hex`03 00000069 03 ${peer} ${'00'.repeat(20)} ${OPEN_A}`), /received OPEN BGP header/);
  // an UPDATE where the OPEN should be
  assert.throws(() => decodeBmpMessage(hex`03 0000005b 03 ${peer} ${'00'.repeat(20)} ${MARKER} 0017 02 0000 0000`), /type 2, expected 1/);
  // trailing octets that are no whole TLV
  assert.throws(() => decodeBmpMessage(hex`03 00000091 03 ${peer} ${'00'.repeat(20)} ${OPEN_A} ${OPEN_A} 0003 00`), /Peer Up TLV header/);
});

test('Peer Up built from fields encodes to the RFC layout', () => {
  const msg: PeerUpMessage = {
    type: 'peer_up',
    version: 3,
    peer: makePerPeerHeader({ peerType: 3, peerAddress: '0.0.0.0', peerAs: 65000, peerBgpId: '192.0.2.1', timestamp: 1_600_000_000_000_000 }),
    localAddress: '0.0.0.0',
    localPort: 0,
    remotePort: 0,
    sentOpen: hex`${OPEN_A}`,
    receivedOpen: hex`${OPEN_A}`,
    tlvs: [stringTlv(3, 'global')],
    vrfTableName: 'global',
    strings: [],
    adminLabels: [],
  };
  const bytes = encodeBmpMessage(msg);
  assert.equal(bytes.readUInt32BE(1), bytes.length);
  assert.deepEqual(
    bytes,
    hex`03 00000098 03 03 00 0000000000000000 ${'00'.repeat(16)} 0000fde8 c0000201 5f5e1000 00000000 ${'00'.repeat(16)} 0000 0000 ${OPEN_A} ${OPEN_A} 0003 0006 676c6f62616c`,
  );
});
