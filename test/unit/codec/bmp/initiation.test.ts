import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import { decodeBmpMessage, encodeBmpMessage, stringTlv, type InitiationMessage } from '../../../../services/codec/bmp/index.js';
import { hex } from './hex.js';

function init(buf: Buffer): InitiationMessage {
  const m = decodeBmpMessage(buf);
  assert.equal(m.type, 'initiation');
  assert.deepEqual(encodeBmpMessage(m), buf, 'round trip');
  return m as InitiationMessage;
}

test('Initiation: sysDescr, sysName, String TLVs, no per-peer header (RFC 7854 §4.3)', () => {
  const m = init(hex`
    03 00000029 04                 // v3, length 41, Initiation
    0001 0008 4672522031302e38     // sysDescr "FrR 10.8"
    0002 0002 7231                 // sysName "r1"
    0000 0003 616263               // String "abc"
    0000 0001 64                   // String "d"
    0004 0001 78                   // type 4: reserved since RFC 9736 (was Admin Label) — kept
  `);
  assert.equal(m.sysDescr, 'FrR 10.8');
  assert.equal(m.sysName, 'r1');
  assert.deepEqual(m.strings, ['abc', 'd']);
  assert.deepEqual(
    m.tlvs.map((t) => t.type),
    [1, 2, 0, 0, 4],
  );
});

test('Initiation without sysDescr/sysName decodes (fields null); an empty one too', () => {
  const m = init(hex`03 0000000b 04  0000 0001 78`);
  assert.deepEqual([m.sysDescr, m.sysName], [null, null]);
  assert.deepEqual(init(hex`03 00000006 04`).tlvs, []);
});

test('Initiation TLV longer than the message is a CodecError', () => {
  assert.throws(() => decodeBmpMessage(hex`03 0000000b 04  0001 0002 78`), CodecError);
  assert.throws(() => decodeBmpMessage(hex`03 00000008 04  0001`), CodecError);
});

test('Initiation built from TLV helpers encodes to the RFC layout', () => {
  const msg: InitiationMessage = { type: 'initiation', version: 3, tlvs: [stringTlv(1, 'FrR 10.8'), stringTlv(2, 'r1')], sysDescr: null, sysName: null, strings: [] };
  assert.deepEqual(encodeBmpMessage(msg), hex`03 00000018 04 0001 0008 4672522031302e38 0002 0002 7231`);
});
