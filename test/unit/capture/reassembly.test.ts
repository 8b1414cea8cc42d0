import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TcpReassembler, type TcpSegment, type TcpStream } from '../../../services/capture/index.js';

const ROUTER = { src: '192.0.2.1', srcPort: 40000, dst: '192.0.2.2', dstPort: 1790 };
const COLLECTOR = { src: '192.0.2.2', srcPort: 1790, dst: '192.0.2.1', dstPort: 40000 };

function seg(seq: number, payload: string, flags = TCP_ACK, ends = ROUTER): TcpSegment {
  return { kind: 'tcp', ipVersion: 4, ...ends, seq: seq >>> 0, flags, payload: Buffer.from(payload), truncated: false };
}

function streams(segments: TcpSegment[]): TcpStream[] {
  const r = new TcpReassembler();
  segments.forEach((s, i) => r.add(s, 1000 + i));
  return r.streams();
}

function only(segments: TcpSegment[]): TcpStream {
  const all = streams(segments);
  assert.equal(all.length, 1);
  return all[0];
}

test('in-order segments after a SYN: data starts at ISN + 1', () => {
  const s = only([seg(100, '', TCP_SYN), seg(101, 'abc'), seg(104, 'def')]);
  assert.equal(s.payload.toString(), 'abcdef');
  assert.deepEqual([s.gaps, s.synSeen, s.duplicateBytes, s.segments, s.firstTimestamp, s.lastTimestamp], [[], true, 0, 2, 1000, 1002]);
});

test('out-of-order segments are put in place', () => {
  assert.equal(only([seg(100, '', TCP_SYN), seg(107, 'ghi'), seg(101, 'abc'), seg(104, 'def')]).payload.toString(), 'abcdefghi');
});

test('retransmissions and overlaps: each octet once, duplicates counted', () => {
  const s = only([seg(100, '', TCP_SYN), seg(101, 'abcd'), seg(101, 'abcd'), seg(103, 'cdEF'), seg(105, 'EFgh'), seg(102, 'b')]);
  assert.equal(s.payload.toString(), 'abcdEFgh');
  assert.equal(s.duplicateBytes, 4 + 2 + 2 + 1);
});

test('a gap stops the payload and is reported with its stream offset; later gaps too', () => {
  const s = only([seg(100, '', TCP_SYN), seg(101, 'abc'), seg(110, 'xyz'), seg(120, 'q')]);
  assert.equal(s.payload.toString(), 'abc');
  assert.deepEqual(s.gaps, [
    { offset: 3, length: 6 },
    { offset: 12, length: 7 },
  ]);
  assert.equal(s.bytesAfterGap, 4);
});

test('sequence numbers wrap around 2^32', () => {
  const isn = 0xfffffffd;
  const s = only([seg(isn, '', TCP_SYN), seg(isn + 1, 'ab'), seg(isn + 3, 'cd'), seg(isn + 5, 'ef')]);
  assert.equal(s.payload.toString(), 'abcdef');
  // Without a SYN, starting just below the wrap and arriving out of order.
  const t = only([seg(2, 'ef'), seg(0xfffffffe, 'ab'), seg(0, 'cd')]);
  assert.equal(t.payload.toString(), 'abcdef');
  assert.equal(t.synSeen, false);
});

test('capture started mid-session (no SYN): the stream starts at the lowest sequence number', () => {
  assert.equal(only([seg(5004, 'def'), seg(5001, 'abc')]).payload.toString(), 'abcdef');
});

test('SYN carrying data, RFC 9293 layout: data at ISN + 1, next segment after it', () => {
  const s = only([seg(100, 'abc', TCP_SYN), seg(104, 'def')]);
  assert.equal(s.payload.toString(), 'abcdef');
  assert.equal(s.synDataAtIsn, false);
  assert.deepEqual(s.gaps, []);
});

test('SYN carrying data, traffic-reproducer layout: data at the ISN itself, next segment at ISN + n', () => {
  const s = only([seg(100, 'abc', TCP_SYN), seg(103, 'def'), seg(106, 'ghi')]);
  assert.equal(s.payload.toString(), 'abcdefghi');
  assert.equal(s.synDataAtIsn, true);
  assert.deepEqual(s.gaps, []);
});

test('the two directions are separate streams; the router may be the side that answers with SYN-ACK', () => {
  const all = streams([
    seg(500, '', TCP_SYN, COLLECTOR), // the station connects to the router
    seg(100, '', TCP_SYN | TCP_ACK),
    seg(501, '', TCP_ACK, COLLECTOR),
    seg(101, 'bmp'),
    seg(501, 'x', TCP_ACK, COLLECTOR),
    seg(104, '!'),
  ]);
  assert.deepEqual(
    all.map((s) => [s.src, s.payload.toString(), s.synSeen]),
    [
      ['192.0.2.2', 'x', true],
      ['192.0.2.1', 'bmp!', true],
    ],
  );
});

test('same 4-tuple reused: a new SYN after data, or new data after FIN/RST, starts a new stream', () => {
  const all = streams([
    seg(100, '', TCP_SYN),
    seg(101, 'one'),
    seg(104, '', TCP_FIN | TCP_ACK),
    seg(900, '', TCP_SYN),
    seg(901, 'two'),
    seg(904, '', TCP_RST),
    seg(7000, 'three'), // after RST, outside the previous stream: a capture joined mid-session
  ]);
  assert.deepEqual(
    all.map((s) => [s.payload.toString(), s.closed]),
    [
      ['one', true],
      ['two', true],
      ['three', false],
    ],
  );
});

test('a retransmission after FIN stays in its stream', () => {
  const s = only([seg(100, '', TCP_SYN), seg(101, 'abc'), seg(104, 'def', TCP_FIN | TCP_ACK), seg(104, 'def')]);
  assert.equal(s.payload.toString(), 'abcdef');
  assert.equal(s.duplicateBytes, 3);
});

test('a retransmitted SYN before any data does not split the stream; connections without payload are not streams', () => {
  const s = only([seg(100, '', TCP_SYN), seg(100, '', TCP_SYN), seg(101, 'abc')]);
  assert.equal(s.payload.toString(), 'abc');
  assert.deepEqual(streams([seg(1, '', TCP_SYN), seg(2, '', TCP_RST)]), []);
});
