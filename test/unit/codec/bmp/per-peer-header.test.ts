import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  decodePerPeerHeader,
  makePerPeerHeader,
  peerFlags,
  writePerPeerHeader,
  PER_PEER_HEADER_LENGTH,
} from '../../../../services/codec/bmp/per-peer-header.js';
import { formatRouteDistinguisher, writeRouteDistinguisher } from '../../../../services/codec/route-distinguisher.js';
import { hex } from './hex.js';

/** A per-peer header alone (RFC 7854 §4.2 layout), decoded at offset 0. */
function header(type: string, flags: string, pd: string, address: string, as: string, id: string, sec: string, usec: string): Buffer {
  return hex`${type} ${flags} ${pd} ${address} ${as} ${id} ${sec} ${usec}`;
}

const ZERO_PD = '0000000000000000';
const V4_ADDR = '000000000000000000000000 c6336401'; // 198.51.100.1 in the last 4 octets
const V6_ADDR = '20010db8000000000000000000000001'; // 2001:db8::1

function roundTrip(buf: Buffer): void {
  const out = Buffer.alloc(PER_PEER_HEADER_LENGTH);
  writePerPeerHeader(decodePerPeerHeader(buf, 0), out, 0);
  assert.deepEqual(out, buf);
}

test('peer type 0, IPv4, no flags: fields and microsecond timestamp', () => {
  const buf = header('00', '00', ZERO_PD, V4_ADDR, '0000fbf4', 'c6336401', '5f5e1000', '0001e240');
  const h = decodePerPeerHeader(buf, 0);
  assert.deepEqual(h, {
    peerType: 0,
    peerTypeName: 'global',
    flags: 0,
    ipv6: false,
    postPolicy: false,
    twoOctetAs: false,
    adjRibOut: false,
    filtered: false,
    peerDistinguisher: '0:0',
    peerAddress: '198.51.100.1',
    peerAs: 64500,
    peerBgpId: '198.51.100.1',
    timestamp: 1_600_000_000_123_456, // 1600000000 s + 123456 µs
  });
  roundTrip(buf);
});

test('peer types 0-2: V (0x80) IPv6, L (0x40) post-policy, A (0x20) 2-octet AS, O (0x10) Adj-RIB-Out', () => {
  const v = decodePerPeerHeader(header('00', '80', ZERO_PD, V6_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'), 0);
  assert.equal(v.ipv6, true);
  assert.equal(v.peerAddress, '2001:db8::1');
  const l = decodePerPeerHeader(header('01', '40', ZERO_PD, V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'), 0);
  assert.deepEqual([l.ipv6, l.postPolicy, l.twoOctetAs, l.adjRibOut, l.filtered], [false, true, false, false, false]);
  const a = decodePerPeerHeader(header('02', '20', ZERO_PD, V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'), 0);
  assert.deepEqual([a.ipv6, a.postPolicy, a.twoOctetAs, a.adjRibOut], [false, false, true, false]);
  const o = decodePerPeerHeader(header('00', 'd0', ZERO_PD, V6_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'), 0);
  assert.deepEqual([o.ipv6, o.postPolicy, o.twoOctetAs, o.adjRibOut, o.filtered], [true, true, false, true, false]);
  assert.equal(o.flags, 0xd0);
  for (const buf of [
    header('00', '80', ZERO_PD, V6_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'),
    header('00', 'f0', ZERO_PD, V6_ADDR, '0000fbf4', 'c6336401', '00000001', '000f423f'),
  ]) {
    roundTrip(buf);
  }
});

test('reserved flag bits are kept in `flags` and re-encoded', () => {
  const buf = header('00', '0f', ZERO_PD, V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000');
  const h = decodePerPeerHeader(buf, 0);
  assert.equal(h.flags, 0x0f);
  assert.deepEqual([h.ipv6, h.postPolicy, h.twoOctetAs, h.adjRibOut], [false, false, false, false]);
  roundTrip(buf);
});

test('peer type 1 (RD instance): distinguisher as RD text, all three RD types', () => {
  const rd0 = decodePerPeerHeader(header('01', '00', '0000 fbf4 00000064', V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'), 0);
  assert.equal(rd0.peerTypeName, 'rd_instance');
  assert.equal(rd0.peerDistinguisher, '64500:100');
  const rd1 = decodePerPeerHeader(header('01', '00', '0001 c0000201 0007', V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'), 0);
  assert.equal(rd1.peerDistinguisher, '192.0.2.1:7');
  const rd2 = decodePerPeerHeader(header('01', '00', '0002 fa56ea00 0005', V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'), 0);
  assert.equal(rd2.peerDistinguisher, '4200000000:5');
  const rd2Small = decodePerPeerHeader(header('01', '00', '0002 0000fbf4 0005', V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'), 0);
  assert.equal(rd2Small.peerDistinguisher, '64500L:5');
  for (const pd of ['0000 fbf4 00000064', '0001 c0000201 0007', '0002 fa56ea00 0005', '0002 0000fbf4 0005']) {
    roundTrip(header('01', '00', pd, V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000'));
  }
});

test('peer type 2 (local instance): a router-chosen distinguisher that is no RD type', () => {
  const buf = header('02', '00', '0005 010203040506', V4_ADDR, '0000fbf4', 'c6336401', '00000000', '00000000');
  const h = decodePerPeerHeader(buf, 0);
  assert.equal(h.peerTypeName, 'local_instance');
  assert.equal(h.peerDistinguisher, '0x0005:010203040506');
  roundTrip(buf);
});

test('peer type 3 (Loc-RIB): 0x80 is F (filtered), not V; address all zero (RFC 9069 §4)', () => {
  const buf = header('03', '80', ZERO_PD, '00'.repeat(16), '0000fde8', 'c0000201', '00000000', '00000000');
  const h = decodePerPeerHeader(buf, 0);
  assert.equal(h.peerTypeName, 'loc_rib');
  assert.deepEqual([h.filtered, h.ipv6, h.postPolicy, h.twoOctetAs, h.adjRibOut], [true, false, false, false, false]);
  assert.equal(h.peerAddress, '0.0.0.0');
  roundTrip(buf);
  // The V/L/A/O bit positions mean nothing for type 3.
  const other = decodePerPeerHeader(header('03', '70', ZERO_PD, '00'.repeat(16), '0000fde8', 'c0000201', '00000000', '00000000'), 0);
  assert.deepEqual([other.filtered, other.postPolicy, other.twoOctetAs, other.adjRibOut], [false, false, false, false]);
});

test('unassigned peer type: raw flags only, address by content', () => {
  const buf = header('09', 'f0', ZERO_PD, V6_ADDR, '00000001', '01020304', '00000000', '00000000');
  const h = decodePerPeerHeader(buf, 0);
  assert.equal(h.peerTypeName, 'unknown');
  assert.deepEqual([h.ipv6, h.postPolicy, h.twoOctetAs, h.adjRibOut, h.filtered], [false, false, false, false, false]);
  assert.equal(h.peerAddress, '2001:db8::1');
  roundTrip(buf);
});

test('V=0 with ::ffff: padding: IPv4 from the last 4 octets; re-encoding writes the zero padding RFC 7854 §4.2 asks for', () => {
  const buf = header('00', '00', ZERO_PD, '00000000000000000000ffff c6336401', '0000fbf4', 'c6336401', '00000000', '00000000');
  const h = decodePerPeerHeader(buf, 0);
  assert.equal(h.peerAddress, '198.51.100.1');
  const out = Buffer.alloc(PER_PEER_HEADER_LENGTH);
  writePerPeerHeader(h, out, 0);
  assert.deepEqual(out.subarray(10, 26), hex`${V4_ADDR}`);
});

test('4-octet AS numbers above 2^31 and timestamp 0 (not available)', () => {
  const h = decodePerPeerHeader(header('00', '00', ZERO_PD, V4_ADDR, 'fbf0003a', 'c6336401', '00000000', '00000000'), 0);
  assert.equal(h.peerAs, 4226809914);
  assert.equal(h.timestamp, 0);
});

test('truncated per-peer header is a CodecError', () => {
  assert.throws(() => decodePerPeerHeader(Buffer.alloc(41), 0), CodecError);
  assert.throws(() => decodePerPeerHeader(Buffer.alloc(48), 7), CodecError);
});

test('makePerPeerHeader derives the booleans from flags; encoder bytes match the hand-written layout', () => {
  const h = makePerPeerHeader({
    peerType: 0,
    flags: peerFlags({ ipv6: true, postPolicy: true, adjRibOut: true }),
    peerAddress: '2001:db8::1',
    peerAs: 64500,
    peerBgpId: '198.51.100.1',
    timestamp: 1_600_000_000_123_456,
  });
  assert.deepEqual([h.ipv6, h.postPolicy, h.twoOctetAs, h.adjRibOut], [true, true, false, true]);
  const out = Buffer.alloc(PER_PEER_HEADER_LENGTH);
  writePerPeerHeader(h, out, 0);
  assert.deepEqual(out, header('00', 'd0', ZERO_PD, V6_ADDR, '0000fbf4', 'c6336401', '5f5e1000', '0001e240'));
  assert.equal(makePerPeerHeader({ peerType: 3, flags: 0x80, peerAddress: '0.0.0.0', peerAs: 1, peerBgpId: '1.1.1.1' }).filtered, true);
});

test('RD text converts back to the same 8 octets and rejects malformed text', () => {
  for (const rd of [
    '0000 fbf4 00000064',
    '0000 ffff ffffffff',
    '0001 c0000201 0007',
    '0002 fa56ea00 0005',
    '0002 0000ffff ffff',
    '0002 00000000 0000',
    '0000 0000 00000000',
    '0000 0000 00000001',
    'ffff 0102030405ff',
    '0003 abcdef012345',
  ]) {
    const bytes = hex`${rd}`;
    const out = Buffer.alloc(8);
    writeRouteDistinguisher(formatRouteDistinguisher(bytes, 0), out, 0);
    assert.deepEqual(out, bytes);
  }
  for (const bad of [
    '',
    '65000',
    ':1',
    '1:',
    '0:65000:100', // the old type-prefixed form
    '65000:4294967296',
    '70000:65536',
    '4294967296:1',
    '65000L:65536',
    'L:1',
    '300.0.0.1:1',
    '192.0.2.1:65536',
    '192.0.2:1',
    '192.0.2.1L:1',
    '-1:1',
    '1e3:1',
    ' 1:1',
    '1:0x10',
    '0x0005:0102030405',
    '0x05:010203040506',
    '0x0005:01020304050g',
    'x:1',
  ]) {
    assert.throws(() => writeRouteDistinguisher(bad, Buffer.alloc(8), 0), CodecError, bad);
  }
});

test('the text memo never returns the strings of another header (many peers, interleaved, colliding slots)', () => {
  const headers: Buffer[] = [];
  for (let i = 0; i < 300; i++) {
    const v6 = i % 3 === 0;
    headers.push(
      header(
        (i % 4).toString(16).padStart(2, '0'),
        v6 ? '80' : '00',
        `0001 c00002${(i % 256).toString(16).padStart(2, '0')} 00${(i % 7).toString(16).padStart(2, '0')}`,
        v6 ? `20010db8${i.toString(16).padStart(8, '0')}0000000000000001` : `000000000000000000000000 c633${i.toString(16).padStart(4, '0')}`,
        '0000fbf4',
        `0a00${i.toString(16).padStart(4, '0')}`,
        '00000000',
        '00000000',
      ),
    );
  }
  const expected = headers.map((h) => {
    const d = decodePerPeerHeader(h, 0);
    return [d.peerDistinguisher, d.peerAddress, d.peerBgpId];
  });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < headers.length; i++) {
      const j = (i * 37 + round * 11) % headers.length;
      const d = decodePerPeerHeader(headers[j], 0);
      assert.deepEqual([d.peerDistinguisher, d.peerAddress, d.peerBgpId], expected[j]);
      const out = Buffer.alloc(PER_PEER_HEADER_LENGTH);
      writePerPeerHeader(d, out, 0);
      assert.deepEqual(out, headers[j]);
    }
  }
});
