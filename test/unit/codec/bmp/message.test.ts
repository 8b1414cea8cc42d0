import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import { decodeBmpMessage, encodeBmpMessage, tryDecodeBmpMessage } from '../../../../services/codec/bmp/index.js';
import { hex } from './hex.js';

test('unknown message types are skipped, not fatal: kept raw and re-encoded (RFC 7854 §4.1)', () => {
  for (const type of ['07', '2a', 'fc', 'ff']) {
    const buf = hex`03 00000009 ${type} 010203`;
    const m = decodeBmpMessage(buf);
    assert.ok(m.type === 'unknown');
    assert.equal(m.messageType, parseInt(type, 16));
    assert.deepEqual(m.body, hex`010203`);
    assert.deepEqual(encodeBmpMessage(m), buf);
  }
});

test('versions other than 3 and 4 are refused; v1/v2 with their own reason', () => {
  assert.throws(() => decodeBmpMessage(hex`02 00000006 04`), (e: unknown) => e instanceof CodecError && /pre-RFC draft/.test(e.reason) && e.offset === 0);
  assert.throws(() => decodeBmpMessage(hex`05 00000006 04`), /unsupported BMP version 5/);
  assert.throws(() => decodeBmpMessage(hex`00 00000006 04`), /unsupported BMP version 0/);
});

test('the buffer must be exactly one message', () => {
  assert.throws(() => decodeBmpMessage(hex`03 00000007 04`), /length 7 does not match the 6 octets/);
  assert.throws(() => decodeBmpMessage(hex`03 00000006 04 00`), /does not match/);
  assert.throws(() => decodeBmpMessage(hex`03 0000`), CodecError);
});

test('v4 messages of every type share the v3 bodies except Route Monitoring and Peer Down', () => {
  const m = decodeBmpMessage(hex`04 0000000b 04 0002 0001 78`);
  assert.ok(m.type === 'initiation' && m.version === 4 && m.sysName === 'x');
  assert.deepEqual(encodeBmpMessage(m), hex`04 0000000b 04 0002 0001 78`);
});

test('tryDecodeBmpMessage: ok result, or {type, offset, reason} instead of an exception', () => {
  const ok = tryDecodeBmpMessage(hex`03 0000000b 04 0002 0001 78`);
  assert.ok(ok.ok && ok.message.type === 'initiation');
  const bad = tryDecodeBmpMessage(hex`03 0000000b 04 0002 0002 78`);
  assert.deepEqual(bad, { ok: false, error: { type: 'initiation', offset: 10, reason: 'Initiation TLV type 2 value: needs 2 bytes, only 1 left' } });
  const short = tryDecodeBmpMessage(hex`03`);
  assert.ok(!short.ok && short.error.type === null && short.error.offset === 0);
  const roft = tryDecodeBmpMessage(hex`03 00000007 64 00`);
  assert.ok(!roft.ok && roft.error.type === 'roft');
  const unknown = tryDecodeBmpMessage(hex`03 00000007 64 00`, { roftMessageType: null });
  assert.ok(unknown.ok && unknown.message.type === 'unknown');
});
