/**
 * Messages built from objects: the encoder's bytes are checked against hex written from the RFC
 * layouts (independently of the decoder), and encoder-side errors are CodecErrors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AttrFlag,
  decodeUpdate,
  defaultAttributeFlags,
  encodeBgpMessage,
  encodeOpen,
  encodeUpdate,
  makeDecodeOptions,
  makeNotification,
  makeOpen,
  makeUpdate,
  parseCommunity,
  parseExtendedCommunity,
  type PathAttribute,
} from '../../../../services/codec/bgp/index.js';
import { bgp, throwsCodec, update } from './helpers.js';

const AS4 = makeDecodeOptions(true);
const AS2 = makeDecodeOptions(false);

describe('encoder output matches the RFC layouts', () => {
  it('VPN-IPv4 UPDATE with communities of all three kinds', () => {
    const attributeList: PathAttribute[] = [
      { code: 1, kind: 'origin', flags: defaultAttributeFlags(1), value: 'igp' },
      { code: 2, kind: 'as_path', flags: 0x40, value: [{ type: 'sequence', asns: [65000, 4200000000] }] },
      {
        code: 14,
        kind: 'mp_reach',
        flags: AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH,
        value: {
          afi: 1,
          safi: 128,
          nextHop: { address: '192.0.2.1', linkLocal: null, rd: '0:0', linkLocalRd: null, raw: null },
          reserved: 0,
          routes: [{ kind: 'prefix', afi: 1, safi: 128, prefix: '10.0.0.0/24', pathId: null, labels: [16], rd: '65000:100' }],
        },
      },
      { code: 8, kind: 'communities', flags: 0xc0, value: [parseCommunity('65000:100'), parseCommunity('NO_EXPORT')] },
      { code: 16, kind: 'extended_communities', flags: 0xc0, value: [parseExtendedCommunity('rt:65000:100')] },
      { code: 32, kind: 'large_communities', flags: 0xc0, value: ['65000:1:2'] },
    ];
    const msg = makeUpdate({ attributeList }, AS4);
    const expected = update(
      '',
      `40 01 01 00
       40 02 0a 02 02 0000fde8 fa56ea00
       90 0e 0020 0001 80 0c 0000000000000000 c0000201 00
                  70 000101 0000fde800000064 0a0000
       c0 08 08 fde80064 ffffff01
       c0 10 08 0002 fde8 00000064
       c0 20 0c 0000fde8 00000001 00000002`,
    );
    assert.deepEqual(encodeUpdate(msg, AS4), expected);
    assert.deepEqual(decodeUpdate(expected, AS4), msg);
  });

  it('labeled withdrawal without labels gets the 0x800000 compatibility field (RFC 8277 §2.4)', () => {
    const msg = makeUpdate(
      { attributeList: [{ code: 15, kind: 'mp_unreach', flags: 0x90, value: { afi: 1, safi: 4, routes: [{ kind: 'prefix', afi: 1, safi: 4, prefix: '10.0.0.0/24', pathId: null }] } }] },
      AS4,
    );
    assert.deepEqual(encodeUpdate(msg, AS4), update('', '90 0f 000a 0001 04 30 800000 0a0000'));
  });

  it('IPv4 unicast with ADD-PATH in the body fields', () => {
    const opts = makeDecodeOptions(true, [{ afi: 1, safi: 1 }]);
    const msg = makeUpdate(
      {
        withdrawn: [{ kind: 'prefix', afi: 1, safi: 1, prefix: '192.0.2.0/24', pathId: 9 }],
        attributeList: [{ code: 1, kind: 'origin', flags: 0x40, value: 'egp' }],
        nlri: [{ kind: 'prefix', afi: 1, safi: 1, prefix: '10.0.0.0/8', pathId: 1 }],
      },
      opts,
    );
    assert.deepEqual(encodeUpdate(msg, opts), update('00000009 18 c00002', '40 01 01 01', '00000001 08 0a'));
  });

  it('OPEN', () => {
    const msg = makeOpen({
      version: 4,
      myAs: 23456,
      holdTime: 90,
      bgpId: '192.0.2.1',
      parameters: [
        {
          kind: 'capabilities',
          type: 2,
          capabilities: [
            { code: 1, kind: 'multiprotocol', afi: 2, safi: 1, reserved: 0 },
            { code: 65, kind: 'four_octet_as', asn: 4200000000 },
          ],
        },
      ],
    });
    assert.deepEqual(encodeOpen(msg), bgp(1, '04 5ba0 005a c0000201 0e 02 0c 01 04 0002 00 01 41 04 fa56ea00'));
  });

  it('NOTIFICATION', () => {
    assert.deepEqual(encodeBgpMessage(makeNotification(6, 2), AS4), bgp(3, '06 02'));
  });
});

describe('encoder errors are CodecErrors', () => {
  it('a 4-octet ASN in a 2-octet AS_PATH', () => {
    const msg = makeUpdate({ attributeList: [{ code: 2, kind: 'as_path', flags: 0x40, value: [{ type: 'sequence', asns: [4200000000] }] }] }, AS2);
    throwsCodec(() => encodeUpdate(msg, AS2), /ASN 4200000000 does not fit in 2 octets/);
  });

  it('a long value without the Extended Length flag', () => {
    const msg = makeUpdate({ attributeList: [{ code: 8, kind: 'communities', flags: 0xc0, value: new Array<number>(70).fill(1) }] }, AS4);
    throwsCodec(() => encodeUpdate(msg, AS4), /COMMUNITIES value of 280 bytes needs the Extended Length flag/);
  });

  it('kind and code that disagree', () => {
    const msg = makeUpdate({ attributeList: [{ code: 3, kind: 'origin', flags: 0x40, value: 'igp' }] }, AS4);
    throwsCodec(() => encodeUpdate(msg, AS4), /attribute kind "origin" does not match type code 3/);
  });

  it('a route of another family in the NLRI field', () => {
    const msg = makeUpdate({ nlri: [{ kind: 'prefix', afi: 2, safi: 1, prefix: '2001:db8::/32', pathId: null }] }, AS4);
    throwsCodec(() => encodeUpdate(msg, AS4), /NLRI field holds IPv4 unicast only/);
  });

  it('bad prefix and RD text', () => {
    const bad = makeUpdate({ nlri: [{ kind: 'prefix', afi: 1, safi: 1, prefix: '10.0.0.0/33', pathId: null }] }, AS4);
    throwsCodec(() => encodeUpdate(bad, AS4), /length must be 0\.\.32/);
    const badRd = makeUpdate(
      {
        attributeList: [
          {
            code: 15,
            kind: 'mp_unreach',
            flags: 0x90,
            value: { afi: 1, safi: 128, routes: [{ kind: 'prefix', afi: 1, safi: 128, prefix: '10.0.0.0/8', pathId: null, labels: [1], rd: 'x:1' }] },
          },
        ],
      },
      AS4,
    );
    throwsCodec(() => encodeUpdate(badRd, AS4), /route distinguisher "x:1"/);
  });
});
