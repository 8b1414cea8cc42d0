import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../services/codec/errors.js';
import { ZERO_ROUTE_DISTINGUISHER, formatRouteDistinguisher, writeRouteDistinguisher } from '../../../services/codec/route-distinguisher.js';

const rd = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

test('text forms: ASN:nn, IPv4:nn, 4-octet ASN:nn, ASN L:nn, 0xTTTT:hex', () => {
  const cases: [string, string][] = [
    ['0000 0000 00000000', '0:0'],
    ['0000 fde8 00000064', '65000:100'],
    ['0000 ffff ffffffff', '65535:4294967295'],
    ['0001 c0000201 0064', '192.0.2.1:100'],
    ['0002 fa56ea00 0064', '4200000000:100'],
    ['0002 0000fde8 0064', '65000L:100'],
    ['0002 00000000 0000', '0L:0'],
    ['0003 010203040506', '0x0003:010203040506'],
    ['ffff abcdefabcdef', '0xffff:abcdefabcdef'],
  ];
  for (const [hex, text] of cases) {
    assert.equal(formatRouteDistinguisher(rd(hex), 0), text);
    const out = Buffer.alloc(10, 0xee);
    writeRouteDistinguisher(text, out, 1);
    assert.deepEqual(out, Buffer.concat([Buffer.from([0xee]), rd(hex), Buffer.from([0xee])]), text);
  }
  assert.equal(formatRouteDistinguisher(rd('ee 0000 0000 00000000'), 1), ZERO_ROUTE_DISTINGUISHER);
  // Upper-case hex and an explicit hex form of an assigned type are accepted on input.
  const out = Buffer.alloc(8);
  writeRouteDistinguisher('0X0000:FDE800000064', out, 0);
  assert.deepEqual(out, rd('0000 fde8 00000064'));
});

test('every 8 octets round-trip through the text (random, types 0-3 favoured)', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const b = Buffer.alloc(8);
  const out = Buffer.alloc(8);
  for (let i = 0; i < 20_000; i++) {
    for (let k = 0; k < 8; k++) b[k] = rand() & 0xff;
    if (i % 4 !== 3) b.writeUInt16BE(i % 4 === 0 ? 0 : i % 4, 0);
    if (i % 8 === 1) b.fill(0, 2, 4 + (rand() % 4)); // small administrators (type 2 "L" case)
    writeRouteDistinguisher(formatRouteDistinguisher(b, 0), out, 0);
    assert.deepEqual(out, b, b.toString('hex'));
  }
});

test('malformed text is a CodecError and nothing is written', () => {
  for (const bad of ['', 'x:1', '0:65000:100', '65000', '1.2.3.4:1:2', '65536L:', '4294967296L:1', '01234567890:1', '0x0001:0203', '1.2.3.4.5:1']) {
    const out = Buffer.alloc(8, 0xaa);
    assert.throws(() => writeRouteDistinguisher(bad, out, 0), CodecError, bad);
    assert.deepEqual(out, Buffer.alloc(8, 0xaa), bad);
  }
  assert.throws(() => writeRouteDistinguisher(undefined as unknown as string, Buffer.alloc(8), 0), CodecError);
});
