import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTcpSegment, type TcpSegment } from '../../../services/capture/index.js';
import { authHeader, ethernet, ext8, fragmentHeader, ipv4, ipv6, nullLoop, sll, sll2, type TcpSpec } from '../../helpers/pcap-builder.js';

const V4: TcpSpec = { src: '192.0.2.1', dst: '192.0.2.2', sport: 40000, dport: 1790, seq: 0xfffffff0, payload: 'hello' };
const V6: TcpSpec = { src: '2001:db8::1', dst: '2001:db8::2', sport: 40001, dport: 11019, seq: 7, payload: 'world!' };

function tcp(linkType: number, frame: Buffer): TcpSegment {
  const r = decodeTcpSegment(linkType, frame);
  assert.equal(r.kind, 'tcp', JSON.stringify(r));
  return r as TcpSegment;
}

test('Ethernet + IPv4 + TCP: addresses, ports, sequence number, flags, payload view', () => {
  const frame = ethernet(ipv4({ ...V4, flags: 0x18 }), 0x0800);
  const s = tcp(1, frame);
  assert.deepEqual(
    [s.ipVersion, s.src, s.dst, s.srcPort, s.dstPort, s.seq, s.flags, s.payload.toString(), s.truncated],
    [4, '192.0.2.1', '192.0.2.2', 40000, 1790, 0xfffffff0, 0x18, 'hello', false],
  );
  assert.equal(s.payload.buffer, frame.buffer);
});

test('Ethernet padding after a short IPv4 packet is cut by Total Length', () => {
  const s = tcp(1, ethernet(ipv4({ ...V4, payload: 'x' }), 0x0800, [], 5));
  assert.equal(s.payload.toString(), 'x');
});

test('802.1Q, 802.1ad and QinQ tags are stepped over', () => {
  for (const vlans of [[[0x8100, 10]], [[0x88a8, 100], [0x8100, 10]], [[0x9100, 1], [0x9100, 2], [0x8100, 3]]] as Array<Array<[number, number]>>) {
    assert.equal(tcp(1, ethernet(ipv4(V4), 0x0800, vlans)).payload.toString(), 'hello');
    assert.equal(tcp(1, ethernet(ipv6(V6), 0x86dd, vlans)).payload.toString(), 'world!');
  }
});

test('Linux cooked capture v1 (113) and v2 (276)', () => {
  assert.equal(tcp(113, sll(ipv4(V4), 0x0800)).src, '192.0.2.1');
  assert.equal(tcp(113, sll(ipv6(V6), 0x86dd)).src, '2001:db8::1');
  assert.equal(tcp(276, sll2(ipv4(V4), 0x0800)).dstPort, 1790);
  assert.equal(tcp(276, sll2(ipv6(V6), 0x86dd)).dstPort, 11019);
});

test('raw IP link types (101, 12, 14, 228, 229) and BSD null / OpenBSD loopback (0, 108)', () => {
  for (const lt of [101, 12, 14]) {
    assert.equal(tcp(lt, ipv4(V4)).ipVersion, 4);
    assert.equal(tcp(lt, ipv6(V6)).ipVersion, 6);
  }
  assert.equal(tcp(228, ipv4(V4)).payload.toString(), 'hello');
  assert.equal(tcp(229, ipv6(V6)).payload.toString(), 'world!');
  assert.equal(tcp(0, nullLoop(ipv4(V4), 2, true)).src, '192.0.2.1');
  assert.equal(tcp(0, nullLoop(ipv6(V6), 30, true)).src, '2001:db8::1');
  assert.equal(tcp(108, nullLoop(ipv6(V6), 24, false)).src, '2001:db8::1');
});

test('IPv4 options (IHL > 5), TCP options, Total Length 0 (segmentation offload)', () => {
  const s = tcp(101, ipv4({ ...V4, options: Buffer.from('0101080a0000000100000002', 'hex') }, { options: Buffer.from('01010100', 'hex') }));
  assert.equal(s.payload.toString(), 'hello');
  assert.equal(tcp(101, ipv4(V4, { totalLength: 0 })).payload.toString(), 'hello');
});

test('IPv6 extension headers: hop-by-hop, routing, destination options, AH, atomic fragment', () => {
  const s = tcp(101, ipv6(V6, [ext8(0), ext8(43, 1), ext8(60), authHeader(), fragmentHeader(0, false)]));
  assert.equal(s.payload.toString(), 'world!');
});

test('fragments are skipped (not reassembled): IPv4 MF / offset, IPv6 fragment header', () => {
  assert.deepEqual(decodeTcpSegment(101, ipv4(V4, { fragment: 0x2000 })), { kind: 'skip', reason: 'fragment' });
  assert.deepEqual(decodeTcpSegment(101, ipv4(V4, { fragment: 0x0010 })), { kind: 'skip', reason: 'fragment' });
  assert.deepEqual(decodeTcpSegment(101, ipv6(V6, [fragmentHeader(0, true)])), { kind: 'skip', reason: 'fragment' });
  assert.deepEqual(decodeTcpSegment(101, ipv6(V6, [fragmentHeader(8, false)])), { kind: 'skip', reason: 'fragment' });
});

test('non-TCP, non-IP, unknown link types and malformed frames are skipped with a reason', () => {
  assert.deepEqual(decodeTcpSegment(101, ipv4(V4, { protocol: 17 })), { kind: 'skip', reason: 'not_tcp' });
  assert.deepEqual(decodeTcpSegment(101, ipv6(V6, [], 17)), { kind: 'skip', reason: 'not_tcp' });
  assert.deepEqual(decodeTcpSegment(101, ipv6(V6, [ext8(0)], 58)), { kind: 'skip', reason: 'not_tcp' });
  assert.deepEqual(decodeTcpSegment(1, ethernet(Buffer.alloc(30), 0x0806)), { kind: 'skip', reason: 'not_ip' });
  assert.deepEqual(decodeTcpSegment(147, ipv4(V4)), { kind: 'skip', reason: 'link_type' });
  assert.deepEqual(decodeTcpSegment(1, Buffer.alloc(10)), { kind: 'skip', reason: 'malformed' });
  assert.deepEqual(decodeTcpSegment(101, ipv4(V4).subarray(0, 30)), { kind: 'skip', reason: 'malformed' });
  assert.deepEqual(decodeTcpSegment(101, Buffer.from([0x45])), { kind: 'skip', reason: 'malformed' });
  assert.deepEqual(decodeTcpSegment(101, Buffer.alloc(0)), { kind: 'skip', reason: 'malformed' });
  assert.deepEqual(decodeTcpSegment(0, Buffer.from([2, 0, 0, 0, 0x10])), { kind: 'skip', reason: 'not_ip' });
  const badOffset = ipv4(V4);
  badOffset[20 + 12] = 0x40; // TCP data offset 16 < 20
  assert.deepEqual(decodeTcpSegment(101, badOffset), { kind: 'skip', reason: 'malformed' });
});

test('a frame cut by the snaplen is flagged; its payload is what was captured', () => {
  const full = ipv4({ ...V4, payload: 'hello world' });
  const s = tcp(101, full.subarray(0, full.length - 6));
  assert.equal(s.truncated, true);
  assert.equal(s.payload.toString(), 'hello');
  const full6 = ipv6({ ...V6, payload: 'hello world' });
  assert.equal(tcp(101, full6.subarray(0, full6.length - 6)).truncated, true);
});
