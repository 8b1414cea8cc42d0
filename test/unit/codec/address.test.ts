/**
 * IP address text: formatIPv6 against a plain reference implementation of RFC 5952 (and against
 * the WHATWG URL serializer, which uses the same compression rule), writeIPv6/writeIPv4 round
 * trips and rejection of malformed text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../services/codec/errors.js';
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6 } from '../../../services/codec/address.js';

/** RFC 5952 written the obvious way: groups, every run of zero groups, the first longest (>= 2) one compressed. */
function referenceIPv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b[i] * 256 + b[i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length >= 2 && length > best.length) best = { start, length };
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (best.start < 0) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

/** The URL parser's canonical IPv6 host (no mixed notation, so only for non-mapped addresses). */
function urlIPv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

function bytesOf(groups: number[]): Buffer {
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
  return b;
}

/** Deterministic xorshift32, so a failure names an address that reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function checkAddress(b: Buffer): void {
  const text = formatIPv6(b, 0);
  assert.equal(text, referenceIPv6(b), b.toString('hex'));
  const mapped = b.readUInt32BE(0) === 0 && b.readUInt32BE(4) === 0 && b.readUInt16BE(8) === 0 && b.readUInt16BE(10) === 0xffff;
  if (!mapped) assert.equal(text, urlIPv6(text), b.toString('hex'));
  const back = Buffer.alloc(16);
  writeIPv6(text, back, 0);
  assert.deepEqual(back, b, text);
}

test('formatIPv6 edge cases', () => {
  const cases: [number[], string][] = [
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    [[0x2001, 0xdb8, 0, 1, 0, 0, 0, 1], '2001:db8:0:1::1'], // single zero group not compressed, the longer run is
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'], // tie: the first run
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'], // longer run wins over an earlier one
    [[0, 0, 1, 0, 0, 0, 0, 0], '0:0:1::'],
    [[1, 0, 1, 0, 1, 0, 1, 0], '1:0:1:0:1:0:1:0'],
    [[0, 1, 2, 3, 4, 5, 6, 0], '0:1:2:3:4:5:6:0'],
    [[0, 0, 1, 2, 3, 4, 5, 6], '::1:2:3:4:5:6'],
    [[1, 2, 3, 4, 5, 6, 0, 0], '1:2:3:4:5:6::'],
    [[0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    [[0xabcd, 0xef01, 0x10, 0x100, 0x1000, 0xa, 0xab, 0xabc], 'abcd:ef01:10:100:1000:a:ab:abc'],
    [[0xfe80, 0, 0, 0, 0x21e, 0x67ff, 0xfe0c, 0xa1b2], 'fe80::21e:67ff:fe0c:a1b2'],
    [[0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201], '::ffff:192.0.2.1'], // IPv4-mapped: mixed notation
    [[0, 0, 0, 0, 0, 0xffff, 0, 0], '::ffff:0.0.0.0'],
    [[0, 0, 0, 0, 0, 0, 0xc000, 0x0201], '::c000:201'], // IPv4-compatible (deprecated): plain hex
    [[0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201], '::1:ffff:c000:201'],
    [[0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0201], '64:ff9b::c000:201'],
  ];
  for (const [groups, text] of cases) {
    const b = bytesOf(groups);
    assert.equal(formatIPv6(b, 0), text);
    checkAddress(b);
    // At an offset inside a larger buffer, with non-zero neighbours.
    const wide = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), b, Buffer.from([0xff])]);
    assert.equal(formatIPv6(wide, 3), text);
  }
});

test('formatIPv6: every zero/non-zero group pattern, with several non-zero values', () => {
  const values = [1, 0xf, 0x10, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0xabcd];
  for (let pattern = 0; pattern < 256; pattern++) {
    for (const v of values) {
      const groups = [];
      for (let i = 0; i < 8; i++) groups.push(pattern & (1 << i) ? v ^ (i * 0x1111 & 0xffff) || 1 : 0);
      checkAddress(bytesOf(groups));
    }
  }
});

test('formatIPv6 against the reference on many random addresses', () => {
  const rand = prng(0x5952);
  const b = Buffer.alloc(16);
  for (let n = 0; n < 50_000; n++) {
    const mode = n % 4;
    for (let i = 0; i < 8; i++) {
      const r = rand();
      let g: number;
      if (mode === 0) g = r & 0xffff; // uniform
      else if (mode === 1) g = r % 3 === 0 ? 0 : (r >>> 8) & 0xffff; // many zero groups
      else if (mode === 2) g = r % 2 === 0 ? 0 : (r >>> 8) & (0xf << (4 * (r % 4))); // zeros and short groups
      else g = i < 5 ? 0 : i === 5 ? (r % 2 === 0 ? 0xffff : r & 0xffff) : r & 0xffff; // mapped and near-mapped
      b.writeUInt16BE(g, 2 * i);
    }
    checkAddress(b);
  }
});

test('writeIPv6 accepts the RFC 4291 text forms', () => {
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:DB8::A', '2001:db8::a'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::192.0.2.1', '::c000:201'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['1:2:3:4:5:6:192.0.2.1', '1:2:3:4:5:6:c000:201'],
  ];
  for (const [input, canonical] of cases) {
    const out = Buffer.alloc(18, 0xee);
    writeIPv6(input, out, 1);
    assert.equal(out[0], 0xee);
    assert.equal(out[17], 0xee);
    assert.equal(formatIPv6(out, 1), canonical, input);
  }
});

test('writeIPv6 rejects malformed text with a CodecError and writes nothing', () => {
  const bad = [
    '',
    ':',
    ':::',
    '1',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2:3:4:5:6:7:8',
    '1::2::3',
    ':1::',
    '1:',
    ':1:2:3:4:5:6:7:8',
    '12345::',
    'g::',
    '::-1',
    '::+1',
    ' ::1',
    '::1 ',
    'fe80::1%eth0',
    '::1.2.3',
    '::1.2.3.256',
    '::1.2.3.4.5',
    '::01.2.3.4',
    '1.2.3.4',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4',
    '2001:db8::/32',
  ];
  for (const text of bad) {
    const out = Buffer.alloc(16, 0xaa);
    assert.throws(() => writeIPv6(text, out, 0), CodecError, text);
    assert.deepEqual(out, Buffer.alloc(16, 0xaa), text);
  }
  assert.throws(() => writeIPv6(undefined as unknown as string, Buffer.alloc(16), 0), CodecError);
});

test('writeIPv4/formatIPv4 round trip and rejection of malformed text', () => {
  const rand = prng(4);
  const b = Buffer.alloc(4);
  const out = Buffer.alloc(6, 0xee);
  for (let n = 0; n < 10_000; n++) {
    b.writeUInt32BE(n < 4 ? [0, 0xffffffff, 0x7f000001, 0xc0000201][n] : rand(), 0);
    const text = formatIPv4(b, 0);
    writeIPv4(text, out, 1);
    assert.deepEqual(out.subarray(1, 5), b, text);
    assert.deepEqual([out[0], out[5]], [0xee, 0xee]);
  }
  for (const text of ['', '1.2.3', '1.2.3.4.5', '256.0.0.0', '1.2.3.-1', '01.2.3.4', '1.2.3.00', ' 1.2.3.4', '1.2.3.4 ', '1e2.0.0.0', '0x1.0.0.0', '+1.2.3.4', '1..3.4', '1.2.3.', '.1.2.3', '1.2.3.4/32', '::1']) {
    const o = Buffer.alloc(4, 0xaa);
    assert.throws(() => writeIPv4(text, o, 0), CodecError, text);
    assert.deepEqual(o, Buffer.alloc(4, 0xaa), text);
  }
  assert.throws(() => writeIPv4(null as unknown as string, Buffer.alloc(4), 0), CodecError);
});
