/**
 * Guessing AS width and ADD-PATH when the session context is unknown or wrong
 * (docs/bmp-protocol.md §5.1, §5.3), and deriving the context from Peer Up OPENs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBgpMessageHeuristic,
  decodeOpen,
  decodeOptionsFromOpens,
  guessDecodeOptions,
  makeDecodeOptions,
  type UpdateMessage,
} from '../../../../services/codec/bgp/index.js';
import { bgp, hex, throwsCodec, update } from './helpers.js';

function updateOf(m: { message: unknown }): UpdateMessage {
  const u = m.message as UpdateMessage;
  assert.equal(u.type, 'update');
  return u;
}

describe('AS number width guess', () => {
  it('4-octet AS_PATH is recognised (2-octet parse does not consume exactly)', () => {
    const g = guessDecodeOptions(update('', '40 02 0a 02 02 0000fde8 0000fde9'));
    assert.equal(g.heuristic, true);
    assert.deepEqual([g.guess.fourOctetAs, g.guess.fourOctetAsBasis], [true, 'unambiguous']);
  });

  it('2-octet AS_PATH is recognised', () => {
    const g = guessDecodeOptions(update('', '40 02 06 02 02 fde8 fde9'));
    assert.deepEqual([g.guess.fourOctetAs, g.guess.fourOctetAsBasis], [false, 'unambiguous']);
  });

  // Valid both ways: 4-octet = one segment [65000, 33685993]; 2-octet = [0, 65000] then [65001].
  const AMBIGUOUS = '40 02 0a 02 02 0000fde8 0201fde9';

  it('when both widths parse, AGGREGATOR size decides', () => {
    const g8 = guessDecodeOptions(update('', `${AMBIGUOUS}  c0 07 08 0000fde8 c0000201`));
    assert.deepEqual([g8.guess.fourOctetAs, g8.guess.fourOctetAsBasis], [true, 'aggregator']);
    const g6 = guessDecodeOptions(update('', `${AMBIGUOUS}  c0 07 06 fde8 c0000201`));
    assert.deepEqual([g6.guess.fourOctetAs, g6.guess.fourOctetAsBasis], [false, 'aggregator']);
  });

  it('then an AS4_PATH means 2-octet, else 4-octet by default', () => {
    const g = guessDecodeOptions(update('', `${AMBIGUOUS}  c0 11 06 02 01 fa56ea01`));
    assert.deepEqual([g.guess.fourOctetAs, g.guess.fourOctetAsBasis], [false, 'as4_path']);
    const d = guessDecodeOptions(update('', AMBIGUOUS));
    assert.deepEqual([d.guess.fourOctetAs, d.guess.fourOctetAsBasis], [true, 'default']);
  });

  it('an empty AS_PATH with an AGGREGATOR is decided by the AGGREGATOR', () => {
    const g = guessDecodeOptions(update('', '40 02 00  c0 07 06 fde8 c0000201'));
    assert.deepEqual([g.guess.fourOctetAs, g.guess.fourOctetAsBasis], [false, 'aggregator']);
  });

  it('nothing AS-dependent: not reported as guessed', () => {
    const g = guessDecodeOptions(update('', '40 01 01 00'));
    assert.equal(g.guess.fourOctetAsBasis, null);
    assert.equal(g.heuristic, false);
  });

  it('non-UPDATE messages get the defaults, heuristic false', () => {
    const g = guessDecodeOptions(bgp(4, ''));
    assert.equal(g.heuristic, false);
    assert.equal(g.options.fourOctetAs, true);
  });
});

describe('ADD-PATH guess', () => {
  it('IPv4 NLRI with path identifiers', () => {
    // Path identifiers 100 and 200: read without ADD-PATH, 0x64 is an impossible prefix length.
    const buf = update('', '40 01 01 00', '00000064 18 0a0001  000000c8 18 0a0001');
    const r = decodeBgpMessageHeuristic(buf);
    assert.equal(r.heuristic, true);
    assert.deepEqual(r.guess?.addPath, [{ afi: 1, safi: 1, addPath: true, basis: 'unambiguous' }]);
    assert.deepEqual(
      updateOf(r).nlri.map((x) => x.kind === 'prefix' && x.pathId),
      [100, 200],
    );
  });

  it('IPv4 NLRI without path identifiers', () => {
    // With ADD-PATH this would be path 0x180a0001 + 11.1.0.0/16, then 2 bytes too few for a path id.
    const r = decodeBgpMessageHeuristic(update('', '40 01 01 00', '18 0a0001  10 0b01  08 0c'));
    assert.deepEqual(r.guess?.addPath, [{ afi: 1, safi: 1, addPath: false, basis: 'unambiguous' }]);
  });

  it('both parses valid: duplicates in the plain reading point to ADD-PATH', () => {
    // 00000001 08 0a: with ADD-PATH = path 1, 10.0.0.0/8. Without: /0, /0, /0, /1 (0x08), /10 (0x0a..)?
    // -> "0a" needs 2 bytes: invalid. Use 00000001 00: with = path 1, 0/0; without = /0 x4 then /1.. no:
    // 00 00 00 01 00 -> /0 /0 /0 /1 taking 0x00 -> valid, duplicates (three /0).
    const r = decodeBgpMessageHeuristic(update('', '40 01 01 00', '00000001 00'));
    assert.deepEqual(r.guess?.addPath, [{ afi: 1, safi: 1, addPath: true, basis: 'plausibility' }]);
    assert.deepEqual(updateOf(r).nlri, [{ kind: 'prefix', afi: 1, safi: 1, prefix: '0.0.0.0/0', pathId: 1 }]);
  });

  it('both parses valid and plausible: prefer no ADD-PATH', () => {
    // Without: 0.0.0.0/0 and 10.0.0.0/24. With: path 0x00180a00, 0.0.0.0/0.
    const r = decodeBgpMessageHeuristic(update('', '40 01 01 00', '00 18 0a0000'));
    assert.deepEqual(r.guess?.addPath, [{ afi: 1, safi: 1, addPath: false, basis: 'default' }]);
    assert.equal(updateOf(r).nlri.length, 2);
  });

  it('per family: MP_REACH IPv6 with ADD-PATH next to plain IPv4 NLRI', () => {
    const buf = update(
      '',
      `40 01 01 00
       90 0e 0027 0002 01 10 20010db8000000000000000000000001 00
                  00000001 20 20010db8 00000002 20 20010db8`,
      '18 0a0001',
    );
    const r = decodeBgpMessageHeuristic(buf);
    assert.deepEqual(r.guess?.addPath, [
      { afi: 1, safi: 1, addPath: false, basis: 'unambiguous' },
      { afi: 2, safi: 1, addPath: true, basis: 'unambiguous' },
    ]);
    assert.equal(r.options.addPath(2, 1), true);
    assert.equal(r.options.addPath(1, 1), false);
    assert.equal(updateOf(r).attributes.mpReach?.routes.length, 2);
  });
});

describe('fallback from known options', () => {
  const twoOctet = update('', '40 02 06 02 02 fde8 fde9', '18 0a0001');

  it('known options that decode cleanly are used as they are', () => {
    const r = decodeBgpMessageHeuristic(twoOctet, makeDecodeOptions(false));
    assert.equal(r.heuristic, false);
    assert.equal(r.guess, null);
  });

  it('a 2-octet AS_PATH announced as 4-octet (A flag clear, docs §5.1) falls back to the guess', () => {
    const r = decodeBgpMessageHeuristic(twoOctet, makeDecodeOptions(true));
    assert.equal(r.heuristic, true);
    assert.equal(r.options.fourOctetAs, false);
    assert.deepEqual(updateOf(r).attributes.asPath, [{ type: 'sequence', asns: [65000, 65001] }]);
  });

  it('ADD-PATH expected but absent (regenerated PDUs, docs §5.3) falls back', () => {
    const buf = update('', '40 01 01 00', '18 0a0001  10 0b01  08 0c');
    const r = decodeBgpMessageHeuristic(buf, makeDecodeOptions(true, [{ afi: 1, safi: 1 }]));
    assert.equal(r.heuristic, true);
    assert.deepEqual(
      updateOf(r).nlri.map((x) => x.kind === 'prefix' && x.prefix),
      ['10.0.1.0/24', '11.1.0.0/16', '12.0.0.0/8'],
    );
  });

  it('garbage still throws CodecError', () => {
    throwsCodec(() => decodeBgpMessageHeuristic(hex('00'), makeDecodeOptions(true)), /BGP header needs 19 bytes/);
    throwsCodec(() => decodeBgpMessageHeuristic(hex('00')), /BGP header needs 19 bytes/);
  });
});

describe('decodeOptionsFromOpens (Peer Up, docs §5.1, §5.3)', () => {
  // Router (sent): 4-octet AS, ADD-PATH 1/1 receive(1), 2/1 both(3).
  const sent = decodeOpen(bgp(1, '04 fde8 00b4 c0000201 12  02 10 41 04 0000fde8 45 08 0001 01 01 0002 01 03'));
  // Peer (received): 4-octet AS, ADD-PATH 1/1 send(2), 2/1 receive(1).
  const received = decodeOpen(bgp(1, '04 fde9 00b4 c0000202 12  02 10 41 04 0000fde9 45 08 0001 01 02 0002 01 01'));
  const noAs4 = decodeOpen(bgp(1, '04 fde9 00b4 c0000202 00'));

  it('Adj-RIB-In: the peer sends and the router receives', () => {
    const o = decodeOptionsFromOpens(sent, received, 'adj_rib_in');
    assert.equal(o.fourOctetAs, true);
    assert.equal(o.addPath(1, 1), true);
    assert.equal(o.addPath(2, 1), false);
  });

  it('Adj-RIB-Out: the router sends and the peer receives', () => {
    const o = decodeOptionsFromOpens(sent, received, 'adj_rib_out');
    assert.equal(o.addPath(1, 1), false);
    assert.equal(o.addPath(2, 1), true);
  });

  it('Loc-RIB: presence is enough and ASNs are 4 octets (RFC 9069 §5.2, §5.4.1)', () => {
    const o = decodeOptionsFromOpens(sent, sent, 'loc_rib');
    assert.equal(o.fourOctetAs, true);
    assert.equal(o.addPath(1, 1), true);
    assert.equal(o.addPath(2, 1), true);
    assert.equal(o.addPath(2, 128), false);
  });

  it('4-octet AS needs capability 65 on both sides', () => {
    assert.equal(decodeOptionsFromOpens(sent, noAs4, 'adj_rib_in').fourOctetAs, false);
  });
});
