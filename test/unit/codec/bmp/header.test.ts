import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import { decodeCommonHeader, writeCommonHeader, bmpMessageTypeName, hasPerPeerHeader } from '../../../../services/codec/bmp/header.js';
import { hex } from './hex.js';

test('common header: version, 4-octet length, type (RFC 7854 §4.1)', () => {
  const buf = hex`
    03          // version 3
    0000004b    // message length 75
    00          // type 0 Route Monitoring
  `;
  assert.deepEqual(decodeCommonHeader(buf), { version: 3, length: 75, type: 0 });
  const out = Buffer.alloc(6);
  writeCommonHeader(out, 0, 3, 75, 0);
  assert.deepEqual(out, buf);
});

test('common header: lengths above 2^31 stay unsigned', () => {
  assert.equal(decodeCommonHeader(hex`04 fffffffe 01`).length, 0xfffffffe);
});

test('common header: fewer than 6 octets is a CodecError', () => {
  assert.throws(() => decodeCommonHeader(hex`03 0000`), CodecError);
});

test('common header: a length below 6 cannot be encoded', () => {
  assert.throws(() => writeCommonHeader(Buffer.alloc(6), 0, 3, 5, 0), CodecError);
});

test('message type names and which types have a per-peer header', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 100, 7, 252].map((t) => bmpMessageTypeName(t)),
    ['route_monitoring', 'stats', 'peer_down', 'peer_up', 'initiation', 'termination', 'route_mirroring', 'roft', 'unknown', 'unknown'],
  );
  assert.equal(bmpMessageTypeName(100, null), 'unknown');
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 100].map((t) => hasPerPeerHeader(t)),
    [true, true, true, true, false, false, true, false],
  );
});
