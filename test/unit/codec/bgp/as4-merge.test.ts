/**
 * Reconstructing the AS path from AS_PATH (2-octet, AS_TRANS placeholders) and AS4_PATH,
 * RFC 6793 §4.2.3, and the AGGREGATOR / AS4_AGGREGATOR rule that gates it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AS_TRANS,
  asPathLength,
  decodeBgpMessage,
  encodeBgpMessage,
  makeDecodeOptions,
  mergeAs4Path,
  type AsPathSegment,
  type UpdateMessage,
} from '../../../../services/codec/bgp/index.js';
import { update } from './helpers.js';

const AS2 = makeDecodeOptions(false);
const AS4 = makeDecodeOptions(true);

function dec(attrsHex: string, opts = AS2): UpdateMessage {
  const buf = update('', attrsHex);
  const m = decodeBgpMessage(buf, opts) as UpdateMessage;
  assert.deepEqual(encodeBgpMessage(m, opts), buf, 'original AS_PATH/AS4_PATH re-encode exactly');
  return m;
}

const seq = (...asns: number[]): AsPathSegment => ({ type: 'sequence', asns });
const set = (...asns: number[]): AsPathSegment => ({ type: 'set', asns });
const cseq = (...asns: number[]): AsPathSegment => ({ type: 'confed_sequence', asns });

// 4200000001 = fa56ea01, 4200000002 = fa56ea02; 23456 = 5ba0; 65001 = fde9
describe('RFC 6793 §4.2.3 AS4_PATH merge (2-octet UPDATE)', () => {
  it('replaces the AS_TRANS tail with AS4_PATH', () => {
    const m = dec(
      `40 02 08 02 03 fde9 5ba0 5ba0            # AS_PATH: 65001 23456 23456
       c0 11 0a 02 02 fa56ea01 fa56ea02         # AS4_PATH: 4200000001 4200000002`,
    );
    assert.deepEqual(m.attributes.asPath, [seq(65001, 4200000001, 4200000002)]);
    assert.deepEqual(m.attributes.wireAsPath, [seq(65001, AS_TRANS, AS_TRANS)]);
    assert.deepEqual(m.attributes.as4Path, [seq(4200000001, 4200000002)]);
    assert.equal(m.attributes.as4Status, 'merged');
  });

  it('same length: AS4_PATH is the whole path', () => {
    const m = dec('40 02 06 02 02 5ba0 5ba0  c0 11 0a 02 02 fa56ea01 fa56ea02');
    assert.deepEqual(m.attributes.asPath, [seq(4200000001, 4200000002)]);
  });

  it('AS4_PATH longer than AS_PATH is ignored', () => {
    const m = dec('40 02 04 02 01 5ba0  c0 11 0a 02 02 fa56ea01 fa56ea02');
    assert.deepEqual(m.attributes.asPath, [seq(AS_TRANS)]);
    assert.equal(m.attributes.as4Status, 'ignored_longer');
  });

  it('an AS_SET counts as one ASN', () => {
    // AS_PATH: 65001 {65002,65003} 23456 -> length 3; AS4_PATH: {65002,65003} 4200000001 -> length 2
    const m = dec(
      `40 02 0e 02 01 fde9  01 02 fdea fdeb  02 01 5ba0
       c0 11 10 01 02 0000fdea 0000fdeb  02 01 fa56ea01`,
    );
    assert.deepEqual(m.attributes.asPath, [seq(65001), set(65002, 65003), seq(4200000001)]);
  });

  it('leading confederation segments of AS_PATH are carried over; those in AS4_PATH dropped', () => {
    const m = dec(
      `40 02 0a 03 01 fc00  02 02 fde9 5ba0           # (64512) 65001 23456
       c0 11 0c 03 01 0000fc00  02 01 fa56ea01        # AS4_PATH with a confed segment (invalid there) + 4200000001`,
    );
    assert.deepEqual(m.attributes.asPath, [cseq(64512), seq(65001, 4200000001)]);
  });

  it('AGGREGATOR with a real ASN: AS4_AGGREGATOR and AS4_PATH are ignored', () => {
    const m = dec(
      `40 02 06 02 02 fde9 5ba0
       c0 07 06 fde9 c0000201                  # AGGREGATOR 65001 (not AS_TRANS)
       c0 11 06 02 01 fa56ea01
       c0 12 08 fa56ea01 c0000202              # AS4_AGGREGATOR 4200000001`,
    );
    assert.equal(m.attributes.as4Status, 'ignored_aggregator');
    assert.deepEqual(m.attributes.asPath, [seq(65001, AS_TRANS)]);
    assert.deepEqual(m.attributes.aggregator, { as: 65001, address: '192.0.2.1' });
    assert.deepEqual(m.attributes.as4Aggregator, { as: 4200000001, address: '192.0.2.2' });
  });

  it('AGGREGATOR with AS_TRANS: AS4_AGGREGATOR is the aggregator and AS4_PATH merges', () => {
    const m = dec(
      `40 02 06 02 02 fde9 5ba0
       c0 07 06 5ba0 c0000201
       c0 11 06 02 01 fa56ea01
       c0 12 08 fa56ea01 c0000201`,
    );
    assert.equal(m.attributes.as4Status, 'merged');
    assert.deepEqual(m.attributes.asPath, [seq(65001, 4200000001)]);
    assert.deepEqual(m.attributes.aggregator, { as: 4200000001, address: '192.0.2.1' });
    assert.deepEqual(m.attributes.wireAggregator, { as: AS_TRANS, address: '192.0.2.1' });
  });

  it('a malformed AS4_PATH is kept raw and not merged (RFC 6793 §6)', () => {
    const m = dec('40 02 06 02 02 fde9 5ba0  c0 11 02 02 00');
    assert.equal(m.attributes.as4Path, null);
    assert.equal(m.attributes.as4Status, 'none');
    assert.deepEqual(m.attributes.asPath, [seq(65001, AS_TRANS)]);
    assert.match(String(m.attributes.raw[0].error), /AS4_PATH segment length 0/);
    assert.match(String(dec('40 02 06 02 02 fde9 5ba0  c0 11 00').attributes.raw[0].error), /AS4_PATH is empty/);
  });

  it('4-octet UPDATEs never merge (RFC 6793 §4.1)', () => {
    const m = dec('40 02 0a 02 02 0000fde9 00005ba0  c0 11 06 02 01 fa56ea01', AS4);
    assert.equal(m.attributes.as4Status, 'ignored_four_octet');
    assert.deepEqual(m.attributes.asPath, [seq(65001, AS_TRANS)]);
  });
});

describe('mergeAs4Path / asPathLength', () => {
  it('counts sequences per ASN, sets as one, confederations as zero', () => {
    assert.equal(asPathLength([seq(1, 2, 3), set(4, 5), cseq(6, 7)]), 4);
  });
  it('splits a sequence at the needed count', () => {
    assert.deepEqual(mergeAs4Path([seq(1, 2, AS_TRANS, AS_TRANS)], [seq(100, 200)]), [seq(1, 2, 100, 200)]);
  });
  it('keeps the AS4 segments that do not start with a sequence apart', () => {
    assert.deepEqual(mergeAs4Path([seq(1, AS_TRANS)], [set(100)]), [seq(1), set(100)]);
  });
  it('does not modify its inputs', () => {
    const a = [seq(1, AS_TRANS)];
    const b = [seq(100)];
    mergeAs4Path(a, b);
    assert.deepEqual(a, [seq(1, AS_TRANS)]);
    assert.deepEqual(b, [seq(100)]);
  });
});
