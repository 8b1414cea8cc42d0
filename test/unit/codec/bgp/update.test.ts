/**
 * UPDATE framing, the per-UPDATE attribute view, IPv4 NLRI/withdrawn fields, End-of-RIB, ADD-PATH
 * and the error policy. Hex is written from the RFC 4271 §4.3 layout.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBgpMessage,
  decodeUpdate,
  encodeBgpMessage,
  encodeUpdate,
  makeDecodeOptions,
  makeUpdate,
  type UpdateMessage,
} from '../../../../services/codec/bgp/index.js';
import { hex, throwsCodec, update } from './helpers.js';

const AS4 = makeDecodeOptions(true);
const AS2 = makeDecodeOptions(false);
const ADDPATH_V4 = makeDecodeOptions(true, [{ afi: 1, safi: 1 }]);

function dec(buf: Buffer, opts = AS4): UpdateMessage {
  const m = decodeBgpMessage(buf, opts);
  assert.equal(m.type, 'update');
  return m as UpdateMessage;
}

function roundTrip(buf: Buffer, opts = AS4): UpdateMessage {
  const m = dec(buf, opts);
  assert.deepEqual(encodeBgpMessage(m, opts), buf, 'encode(decode(x)) must equal x');
  assert.deepEqual(decodeUpdate(encodeUpdate(m, opts), opts), m, 'decode(encode(m)) must equal m');
  return m;
}

describe('UPDATE', () => {
  const typical = update(
    '',
    `40 01 01 00                          # ORIGIN (well-known transitive) IGP
     40 02 0e 02 03 0000fde8 0000fde9 00010000  # AS_PATH: AS_SEQUENCE 65000 65001 65536
     40 03 04 c0 00 02 01                 # NEXT_HOP 192.0.2.1
     80 04 04 00 00 00 64                 # MED 100
     40 05 04 00 00 00 c8                 # LOCAL_PREF 200
     c0 08 08 fde8 0064 ffff ff01         # COMMUNITIES 65000:100 NO_EXPORT`,
    `18 0a 00 01    # 10.0.1.0/24
     10 0b 01       # 11.1.0.0/16
     00             # 0.0.0.0/0
     20 c0 a8 01 01 # 192.168.1.1/32`,
  );

  it('decodes a typical announcement and re-encodes it byte for byte', () => {
    const m = roundTrip(typical);
    assert.deepEqual(
      m.nlri.map((r) => r.kind === 'prefix' && r.prefix),
      ['10.0.1.0/24', '11.1.0.0/16', '0.0.0.0/0', '192.168.1.1/32'],
    );
    assert.deepEqual(m.nlri[0], { kind: 'prefix', afi: 1, safi: 1, prefix: '10.0.1.0/24', pathId: null });
    const a = m.attributes;
    assert.equal(a.origin, 'igp');
    assert.deepEqual(a.asPath, [{ type: 'sequence', asns: [65000, 65001, 65536] }]);
    assert.equal(a.nextHop, '192.0.2.1');
    assert.equal(a.med, 100);
    assert.equal(a.localPref, 200);
    assert.deepEqual(a.communities, [0xfde80064, 0xffffff01]);
    assert.equal(a.atomicAggregate, false);
    assert.equal(a.aggregator, null);
    assert.equal(a.mpReach, null);
    assert.deepEqual(a.raw, []);
    assert.equal(a.as4Status, 'none');
    assert.equal(m.endOfRib, null);
    assert.deepEqual(m.withdrawn, []);
    assert.deepEqual(
      m.attributeList.map((x) => [x.code, x.kind, x.flags]),
      [
        [1, 'origin', 0x40],
        [2, 'as_path', 0x40],
        [3, 'next_hop', 0x40],
        [4, 'med', 0x80],
        [5, 'local_pref', 0x40],
        [8, 'communities', 0xc0],
      ],
    );
  });

  it('shares one attribute object between all routes (values are the list values)', () => {
    const m = dec(typical);
    const asPathAttr = m.attributeList.find((x) => x.kind === 'as_path');
    assert.ok(asPathAttr);
    assert.equal(m.attributes.asPath, asPathAttr.value);
  });

  it('decodes the Withdrawn Routes field', () => {
    const m = roundTrip(update('18 c0 00 02  08 0a', ''));
    assert.deepEqual(
      m.withdrawn.map((r) => r.kind === 'prefix' && r.prefix),
      ['192.0.2.0/24', '10.0.0.0/8'],
    );
    assert.equal(m.endOfRib, null);
    assert.equal(m.attributeList.length, 0);
  });

  it('keeps attribute order, flags incl. Extended Length and unused low flag bits', () => {
    const buf = update(
      '',
      `50 05 0004 00000064      # LOCAL_PREF with Extended Length flag (0x10), 2-octet length
       47 01 01 02              # ORIGIN INCOMPLETE, low flag bits 0x07 set
       40 02 00                 # empty AS_PATH (iBGP)`,
    );
    const m = roundTrip(buf);
    assert.deepEqual(
      m.attributeList.map((x) => [x.code, x.flags]),
      [
        [5, 0x50],
        [1, 0x47],
        [2, 0x40],
      ],
    );
    assert.deepEqual(m.attributes.asPath, []);
    assert.equal(m.attributes.origin, 'incomplete');
  });

  describe('End-of-RIB (RFC 4724 §2)', () => {
    it('the empty UPDATE is the IPv4 unicast marker', () => {
      const buf = update('', '');
      assert.equal(buf.length, 23);
      const m = roundTrip(buf);
      assert.deepEqual(m.endOfRib, { afi: 1, safi: 1 });
    });

    it('MP_UNREACH_NLRI with only AFI/SAFI is the marker of that family', () => {
      const m = roundTrip(update('', '80 0f 03 0002 01  # MP_UNREACH_NLRI IPv6 unicast, no routes'));
      assert.deepEqual(m.endOfRib, { afi: 2, safi: 1 });
      assert.deepEqual(m.attributes.mpUnreach, { afi: 2, safi: 1, routes: [] });
    });

    it('MP_UNREACH_NLRI with routes is not a marker', () => {
      const m = roundTrip(update('', '80 0f 06 0002 01 10 2001'));
      assert.equal(m.endOfRib, null);
    });

    it('a withdrawal with attributes is not a marker', () => {
      assert.equal(dec(update('08 0a', '')).endOfRib, null);
    });
  });

  describe('ADD-PATH on the IPv4 fields (RFC 7911 §3)', () => {
    const buf = update(
      '00000001 18 c0 00 02          # path id 1, 192.0.2.0/24',
      '40 01 01 00',
      `00000001 18 0a 00 01          # path id 1, 10.0.1.0/24
       00000002 18 0a 00 01          # path id 2, 10.0.1.0/24`,
    );

    it('reads path identifiers when the family has ADD-PATH', () => {
      const m = roundTrip(buf, ADDPATH_V4);
      assert.deepEqual(m.withdrawn, [{ kind: 'prefix', afi: 1, safi: 1, prefix: '192.0.2.0/24', pathId: 1 }]);
      assert.deepEqual(
        m.nlri.map((r) => r.kind === 'prefix' && [r.pathId, r.prefix]),
        [
          [1, '10.0.1.0/24'],
          [2, '10.0.1.0/24'],
        ],
      );
    });

    it('the same bytes without ADD-PATH are malformed here', () => {
      // 00 00 00 01 read as prefixes: /0, /0, /0, then /1 taking 0x18, then a length of 0xc0.
      throwsCodec(() => dec(buf, AS4), /IPv4 prefix length 192 exceeds 32/, 26);
    });

    it('an ADD-PATH encoder insists on path identifiers', () => {
      const m = dec(update('', '', '08 0a'), AS4);
      throwsCodec(() => encodeUpdate(m, ADDPATH_V4), /has no path identifier/);
    });
  });

  describe('malformed framing throws CodecError with an offset', () => {
    it('body shorter than the two length fields', () => {
      throwsCodec(() => dec(hex('ffffffffffffffffffffffffffffffff 0016 02 000000')), /UPDATE body needs at least 4 bytes/, 19);
    });

    it('withdrawn routes length past the message', () => {
      const buf = update('', '');
      buf.writeUInt16BE(9, 19);
      throwsCodec(() => dec(buf), /withdrawn routes length 9 exceeds message/, 19);
    });

    it('total path attribute length past the message', () => {
      const buf = update('', '40 01 01 00');
      buf.writeUInt16BE(5, 21);
      throwsCodec(() => dec(buf), /total path attribute length 5 exceeds message \(4 bytes left\)/, 21);
    });

    it('attribute length past the attributes', () => {
      const buf = update('', '40 01 05 00 00');
      throwsCodec(() => dec(buf), /ORIGIN length 5 exceeds path attributes \(2 bytes left\)/, 23);
    });

    it('truncated attribute header', () => {
      throwsCodec(() => dec(update('', '40 01'), AS4), /path attribute header needs at least 3 bytes, only 2 left/, 23);
      throwsCodec(() => dec(update('', '50 01 00'), AS4), /ORIGIN header with Extended Length needs 4 bytes, only 3 left/, 23);
    });

    it('IPv4 prefix length over 32 and truncated prefixes', () => {
      throwsCodec(() => dec(update('', '', '21 0a000000 00')), /IPv4 prefix length 33 exceeds 32/, 23);
      throwsCodec(() => dec(update('', '', '18 0a00')), /IPv4 prefix \/24 needs 3 bytes, only 2 left/, 23);
      throwsCodec(() => dec(update('', '', '00000001 18'), ADDPATH_V4), /IPv4 prefix \/24 needs 3 bytes, only 0 left/, 27);
      throwsCodec(() => dec(update('', '', '000000'), ADDPATH_V4), /needs a 4-byte path identifier and a length, only 3 bytes left/, 23);
    });
  });

  describe('malformed attribute values are kept raw with an error (RFC 7606 spirit)', () => {
    it('bad ORIGIN value, AS_PATH overrun inside a sound length, bad NEXT_HOP length', () => {
      const buf = update(
        '',
        `40 01 01 07                     # ORIGIN 7: invalid
         40 02 06 02 05 0000fde8         # AS_PATH segment says 5 ASNs, only 4 bytes follow
         40 03 03 c00002                 # NEXT_HOP of 3 bytes
         80 04 04 00000001               # MED is fine`,
        '08 0a',
      );
      const m = roundTrip(buf);
      assert.equal(m.attributes.origin, null);
      assert.equal(m.attributes.asPath, null);
      assert.equal(m.attributes.nextHop, null);
      assert.equal(m.attributes.med, 1);
      assert.equal(m.nlri.length, 1);
      const errors = m.attributes.raw.map((r) => [r.code, r.error]);
      assert.equal(errors.length, 3);
      assert.match(String(errors[0][1]), /ORIGIN value 7 is not 0 \(IGP\), 1 \(EGP\) or 2 \(INCOMPLETE\)/);
      assert.match(String(errors[1][1]), /^AS_PATH segment length 5 exceeds attribute \(4 bytes left\) \(at byte 30\)$/);
      assert.match(String(errors[2][1]), /NEXT_HOP length 3, must be 4/);
      assert.deepEqual(m.attributes.raw[1].value, hex('02 05 0000fde8'));
    });

    it('repeated attributes: the first wins, later ones are raw with an error', () => {
      const m = roundTrip(update('', '40 01 01 00  40 01 01 01'));
      assert.equal(m.attributes.origin, 'igp');
      assert.equal(m.attributes.raw.length, 1);
      assert.match(String(m.attributes.raw[0].error), /repeated ORIGIN/);
    });

    it('unknown attributes are kept raw without error', () => {
      const m = roundTrip(update('', 'c0 63 03 010203  # type 99, optional transitive'));
      assert.deepEqual(m.attributes.raw, [{ code: 99, kind: 'raw', flags: 0xc0, value: hex('010203'), error: null }]);
    });
  });

  it('makeUpdate derives the same view the decoder builds', () => {
    const m = dec(typical);
    const built = makeUpdate({ withdrawn: m.withdrawn, attributeList: m.attributeList, nlri: m.nlri }, AS4);
    assert.deepEqual(built, m);
    assert.deepEqual(encodeUpdate(built, AS4), typical);
  });

  it('2-octet AS_PATH decodes with fourOctetAs false', () => {
    const m = roundTrip(update('', '40 02 06 02 02 fde8 fde9'), AS2);
    assert.deepEqual(m.attributes.asPath, [{ type: 'sequence', asns: [65000, 65001] }]);
  });

  it('rejects a buffer whose length field disagrees with its size', () => {
    const buf = Buffer.concat([update('', ''), Buffer.from([0])]);
    throwsCodec(() => dec(buf), /BGP length 23 does not match the 24-byte buffer/, 16);
  });
});
