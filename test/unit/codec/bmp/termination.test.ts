import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeBmpMessage,
  encodeBmpMessage,
  stringTlv,
  terminationReasonName,
  uint16Tlv,
  type TerminationMessage,
} from '../../../../services/codec/bmp/index.js';
import { hex } from './hex.js';

function term(buf: Buffer): TerminationMessage {
  const m = decodeBmpMessage(buf);
  assert.equal(m.type, 'termination');
  assert.deepEqual(encodeBmpMessage(m), buf, 'round trip');
  return m as TerminationMessage;
}

test('Termination: String and Reason TLVs (RFC 7854 §4.5)', () => {
  const m = term(hex`
    03 00000013 05        // v3, length 19, Termination
    0000 0003 627965      // String "bye"
    0001 0002 0004        // Reason 4: permanently administratively closed
  `);
  assert.equal(m.reason, 4);
  assert.equal(m.reasonName, 'permanently_administratively_closed');
  assert.deepEqual(m.strings, ['bye']);
});

test('Termination reasons 0-4 are named; others and a missing reason are null', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map(terminationReasonName),
    ['administratively_closed', 'unspecified', 'out_of_resources', 'redundant_connection', 'permanently_administratively_closed', null],
  );
  const none = term(hex`03 0000000b 05 0000 0001 78`);
  assert.deepEqual([none.reason, none.reasonName], [null, null]);
  const odd = term(hex`03 0000000b 05 0001 0001 01`); // Reason TLV with a 1-octet value: not read
  assert.equal(odd.reason, null);
});

test('Termination built from TLV helpers encodes to the RFC layout', () => {
  const msg: TerminationMessage = { type: 'termination', version: 3, tlvs: [stringTlv(0, 'bye'), uint16Tlv(1, 4)], reason: 4, reasonName: null, strings: [] };
  assert.deepEqual(encodeBmpMessage(msg), hex`03 00000013 05 0000 0003 627965 0001 0002 0004`);
});
