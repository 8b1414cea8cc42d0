/**
 * OPEN (RFC 4271 §4.2), optional parameters (RFC 5492), RFC 9072 extended parameter lengths, and
 * every capability the codec decodes. Hex written from the RFC layouts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  capabilityName,
  decodeBgpMessage,
  DEFAULT_DECODE_OPTIONS,
  decodeOpen,
  encodeBgpMessage,
  encodeOpen,
  makeOpen,
  openAsn,
  roleName,
  type Capability,
  type OpenMessage,
} from '../../../../services/codec/bgp/index.js';
import { bgp, hex, throwsCodec } from './helpers.js';

function open(fixedHex: string, paramsHex: string, extended = false): Buffer {
  const params = hex(paramsHex);
  const len = extended ? `ff ff ${params.length.toString(16).padStart(4, '0')}` : params.length.toString(16).padStart(2, '0');
  return bgp(1, `${fixedHex} ${len} ${paramsHex}`);
}

/** Version 4, My AS 65000, Hold Time 180, BGP Identifier 192.0.2.1. */
const FIXED = '04 fde8 00b4 c0000201';

function roundTrip(buf: Buffer): OpenMessage {
  const m = decodeBgpMessage(buf, DEFAULT_DECODE_OPTIONS);
  assert.equal(m.type, 'open');
  assert.deepEqual(encodeBgpMessage(m, DEFAULT_DECODE_OPTIONS), buf, 'encode(decode(x)) === x');
  assert.deepEqual(decodeOpen(encodeOpen(m)), m);
  return m;
}

const ALL_CAPS = `
  01 04 0001 00 01                       # multiprotocol IPv4 unicast
  01 04 0002 00 80                       # multiprotocol IPv6 mpls-vpn
  02 00                                  # route refresh
  05 06 0001 0001 0002                   # extended next hop: IPv4 unicast over IPv6
  06 00                                  # extended message
  08 04 0001 04 02                       # multiple labels: 1/4 up to 2
  09 01 03                               # role: customer
  40 06 8078 0001 01 80                  # graceful restart: R, 120 s; 1/1 forwarding preserved
  41 04 fa56ea00                         # 4-octet AS 4200000000
  45 08 0001 01 03 0002 01 01            # ADD-PATH: 1/1 both, 2/1 receive
  46 00                                  # enhanced route refresh
  47 07 0001 01 80 000e10                # LLGR: 1/1, F, 3600 s
  49 13 06 726f75746572 0b 6578616d706c652e636f6d   # FQDN router / example.com
  80 00                                  # Cisco route refresh
  83 02 abcd                             # unknown capability 131`;

const EXPECTED_CAPS: Capability[] = [
  { code: 1, kind: 'multiprotocol', afi: 1, safi: 1, reserved: 0 },
  { code: 1, kind: 'multiprotocol', afi: 2, safi: 128, reserved: 0 },
  { code: 2, kind: 'route_refresh' },
  { code: 5, kind: 'extended_next_hop', families: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
  { code: 6, kind: 'extended_message' },
  { code: 8, kind: 'multiple_labels', families: [{ afi: 1, safi: 4, count: 2 }] },
  { code: 9, kind: 'role', role: 3 },
  { code: 64, kind: 'graceful_restart', flags: 8, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
  { code: 65, kind: 'four_octet_as', asn: 4200000000 },
  {
    code: 69,
    kind: 'add_path',
    families: [
      { afi: 1, safi: 1, sendReceive: 3 },
      { afi: 2, safi: 1, sendReceive: 1 },
    ],
  },
  { code: 70, kind: 'enhanced_route_refresh' },
  { code: 71, kind: 'long_lived_graceful_restart', families: [{ afi: 1, safi: 1, flags: 0x80, staleTime: 3600 }] },
  { code: 73, kind: 'fqdn', hostname: 'router', domain: 'example.com' },
  { code: 128, kind: 'route_refresh_cisco' },
  { code: 131, kind: 'raw', value: hex('abcd'), error: null },
];

describe('OPEN', () => {
  it('fixed fields and no optional parameters', () => {
    const m = roundTrip(open(FIXED, ''));
    assert.deepEqual(m, {
      type: 'open',
      version: 4,
      myAs: 65000,
      holdTime: 180,
      bgpId: '192.0.2.1',
      extendedParameters: false,
      parameters: [],
      capabilities: [],
    });
  });

  it('all capabilities packed in one parameter (one common router style)', () => {
    const caps = hex(ALL_CAPS);
    const m = roundTrip(open(FIXED, `02 ${caps.length.toString(16)} ${ALL_CAPS}`));
    assert.equal(m.parameters.length, 1);
    assert.deepEqual(m.capabilities, EXPECTED_CAPS);
    assert.equal(openAsn(m), 4200000000);
  });

  it('one capability per parameter (the other style) keeps its grouping', () => {
    const m = roundTrip(
      open(
        FIXED,
        `02 06 01 04 0001 00 01
         02 02 02 00
         02 06 41 04 0000fde8`,
      ),
    );
    assert.equal(m.parameters.length, 3);
    assert.deepEqual(
      m.capabilities.map((c) => c.kind),
      ['multiprotocol', 'route_refresh', 'four_octet_as'],
    );
  });

  it('RFC 9072 extended optional parameters (2-octet lengths)', () => {
    const caps = hex(ALL_CAPS);
    const buf = open(FIXED, `02 ${caps.length.toString(16).padStart(4, '0')} ${ALL_CAPS}
      01 0002 0102  # + an Authentication parameter (type 1)`, true);
    const m = roundTrip(buf);
    assert.equal(m.extendedParameters, true);
    assert.deepEqual(m.capabilities, EXPECTED_CAPS);
    assert.deepEqual(m.parameters[1], { kind: 'raw', type: 1, value: hex('0102'), error: null });
  });

  it('RFC 9072 form with no parameters', () => {
    const m = roundTrip(open(FIXED, '', true));
    assert.equal(m.extendedParameters, true);
    assert.deepEqual(m.parameters, []);
  });

  it('the encoder refuses parameters too long for the classic form', () => {
    const big: Capability = { code: 200, kind: 'raw', value: Buffer.alloc(200), error: null };
    const m = makeOpen({ version: 4, myAs: 1, holdTime: 90, bgpId: '192.0.2.1', parameters: [{ kind: 'capabilities', type: 2, capabilities: [big, big] }] });
    throwsCodec(() => encodeOpen(m), /needs the RFC 9072 extended encoding/);
    const ext = makeOpen({ ...m, extendedParameters: true });
    assert.deepEqual(decodeOpen(encodeOpen(ext)), ext);
  });

  it('a known capability with a bad length stays raw with the reason', () => {
    const m = roundTrip(open(FIXED, '02 0a 01 03 000101  41 03 00fde8'));
    assert.deepEqual(
      m.capabilities.map((c) => [c.code, c.kind, c.kind === 'raw' ? c.error : null]),
      [
        [1, 'raw', 'multiprotocol capability length 3, must be 4 (RFC 4760 §8) (at byte 33)'],
        [65, 'raw', 'four_octet_as capability length 3, must be 4 (RFC 6793 §3) (at byte 38)'],
      ],
    );
  });

  it('a capability overrunning its parameter leaves the parameter raw', () => {
    const m = roundTrip(open(FIXED, '02 04 41 04 0000'));
    assert.equal(m.parameters[0].kind, 'raw');
    assert.match(String(m.parameters[0].kind === 'raw' && m.parameters[0].error), /four_octet_as capability length 4 exceeds parameter \(2 bytes left\)/);
    assert.deepEqual(m.capabilities, []);
  });

  it('invalid UTF-8 in FQDN stays raw', () => {
    const m = roundTrip(open(FIXED, '02 06 49 04 02 c328 00'));
    assert.match(String(m.capabilities[0].kind === 'raw' && m.capabilities[0].error), /fqdn hostname is not valid UTF-8/);
  });

  describe('malformed OPENs throw CodecError', () => {
    it('too short', () => {
      throwsCodec(() => decodeOpen(bgp(1, '04 fde8 00b4 c00002')), /OPEN body needs at least 10 bytes, only 8/, 19);
    });
    it('optional parameters length past the message', () => {
      throwsCodec(() => decodeOpen(bgp(1, `${FIXED} 05 02 02 0200`)), /OPEN optional parameters length 5 exceeds message \(4 bytes left\)/, 28);
    });
    it('bytes after the optional parameters', () => {
      throwsCodec(() => decodeOpen(bgp(1, `${FIXED} 00 00`)), /OPEN has 1 bytes after its optional parameters/, 29);
    });
    it('parameter length past the optional parameters', () => {
      throwsCodec(() => decodeOpen(bgp(1, `${FIXED} 04 02 05 0200`)), /OPEN optional parameter 2 length 5 exceeds optional parameters \(2 bytes left\)/, 29);
    });
    it('truncated RFC 9072 header', () => {
      throwsCodec(() => decodeOpen(bgp(1, `${FIXED} ff ff 00`)), /extended optional parameters length needs 3 bytes, only 2 left/, 29);
    });
    it('not an OPEN', () => {
      throwsCodec(() => decodeOpen(bgp(4, '')), /type 4 is not OPEN/, 18);
    });
  });

  it('names', () => {
    assert.equal(capabilityName(69), 'add_path');
    assert.equal(capabilityName(250), 'capability_250');
    assert.equal(roleName(0), 'provider');
    assert.equal(roleName(4), 'peer');
    assert.equal(roleName(9), null);
  });
});
