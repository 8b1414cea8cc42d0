import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  HUAWEI_V4_CODE_POINTS,
  decodeInformationTlvs,
  decodeV4Tlvs,
  informationTlvsLength,
  makeV4Tlv,
  pathMarkingReasonName,
  pathStatusNames,
  v4TlvsLength,
  writeInformationTlvs,
  writeV4Tlvs,
} from '../../../../services/codec/bmp/tlv.js';
import { hex } from './hex.js';

test('Information TLVs: Type (2) + Length (2, value only) + Value, views into the buffer (RFC 7854 §4.4)', () => {
  const buf = hex`0000 0002 6869   0003 0000   fffe 0001 7a`;
  const tlvs = decodeInformationTlvs(buf, 0, buf.length, 'test');
  assert.deepEqual(tlvs, [
    { type: 0, value: hex`6869` },
    { type: 3, value: Buffer.alloc(0) },
    { type: 0xfffe, value: hex`7a` },
  ]);
  assert.ok(tlvs[0].value.buffer === buf.buffer && tlvs[0].value.byteOffset === buf.byteOffset + 4, 'values are views');
  const out = Buffer.alloc(informationTlvsLength(tlvs));
  assert.equal(writeInformationTlvs(tlvs, out, 0), buf.length);
  assert.deepEqual(out, buf);
});

test('Information TLVs must fill the range exactly', () => {
  assert.throws(() => decodeInformationTlvs(hex`0000 0003 6869`, 0, 6, 'x'), CodecError);
  assert.throws(() => decodeInformationTlvs(hex`0000 00`, 0, 3, 'x'), /x TLV header/);
  // The end bound is respected even when the buffer goes on.
  assert.throws(() => decodeInformationTlvs(hex`0000 0002 6869`, 0, 5, 'x'), CodecError);
});

test('a TLV value over 65535 octets cannot be encoded', () => {
  assert.throws(() => writeInformationTlvs([{ type: 0, value: Buffer.alloc(65536) }], Buffer.alloc(65540), 0), CodecError);
});

test('v4 indexed TLVs: Length excludes the 2-octet Index; E bit strips a PEN (draft-ietf-grow-bmp-tlv, -ebit)', () => {
  const buf = hex`
    0003 0003 0000 616263          // VRF/Table Name "abc", index 0
    8010 0006 0005 00000009 beef   // E bit, type 16, index 5, PEN 9, value beef
    8011 0002 0000 cafe            // E bit but too short for a PEN: value kept whole
    0002 0003 8002 000100          // Group TLV with an odd length: not a member list → unknown
    0005 0003 0001 000000          // Path Marking of length 3: not 4 or 6 → unknown
    0001 0003 0000 450401          // Stateless Parsing whose capability length disagrees → unknown
  `;
  const tlvs = decodeV4Tlvs(buf, 0, buf.length, true, HUAWEI_V4_CODE_POINTS, 'test');
  assert.deepEqual(
    tlvs.map((t) => [t.kind, t.type, t.enterprise, t.pen, t.index, t.value.toString('hex')]),
    [
      ['vrf_table_name', 3, false, null, 0, '616263'],
      ['unknown', 16, true, 9, 5, 'beef'],
      ['unknown', 17, true, null, 0, 'cafe'],
      ['unknown', 2, false, null, 0x8002, '000100'],
      ['unknown', 5, false, null, 1, '000000'],
      ['unknown', 1, false, null, 0, '450401'],
    ],
  );
  const out = Buffer.alloc(v4TlvsLength(tlvs, true));
  writeV4Tlvs(tlvs, out, 0, true);
  assert.deepEqual(out, buf);
});

test('v4 non-indexed TLVs (Peer Down, "PDU first" Route Monitoring)', () => {
  const buf = hex`0003 0002 6869`;
  const [t] = decodeV4Tlvs(buf, 0, buf.length, false, HUAWEI_V4_CODE_POINTS, 'test');
  assert.ok(t.kind === 'vrf_table_name' && t.name === 'hi' && t.index === null);
  assert.throws(() => decodeV4Tlvs(hex`0003 0002 0000 68`, 0, 7, true, HUAWEI_V4_CODE_POINTS, 'test'), CodecError);
});

test('makeV4Tlv reads the value as the decoder would', () => {
  const g = makeV4Tlv(2, hex`0001 0003`, 0x8007);
  assert.ok(g.kind === 'group' && g.group === 7);
  assert.deepEqual(g.kind === 'group' && g.members, [1, 3]);
});

test('path status names: agreed bits named, the disputed upper bits reported as bit_0x…', () => {
  assert.deepEqual(pathStatusNames(0), []);
  assert.deepEqual(pathStatusNames(0x3ff), [
    'invalid',
    'best',
    'non_selected',
    'primary',
    'backup',
    'non_installed',
    'best_external',
    'add_path',
    'filtered_inbound',
    'filtered_outbound',
  ]);
  assert.deepEqual(pathStatusNames(0x80000c00), ['bit_0x400', 'bit_0x800', 'bit_0x80000000']);
  assert.equal(pathMarkingReasonName(3), 'not_preferred_local_pref');
  assert.equal(pathMarkingReasonName(0), null);
  assert.equal(pathMarkingReasonName(12), null);
});
