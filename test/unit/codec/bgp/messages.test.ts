/**
 * Header (RFC 4271 §4.1), dispatch, KEEPALIVE (§4.4), NOTIFICATION (§4.5) with code/subcode names
 * and RFC 9003 shutdown communication, ROUTE-REFRESH (RFC 2918, RFC 7313).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bgpMessageLength,
  decodeBgpMessage,
  decodeHeader,
  decodeNotification,
  DEFAULT_DECODE_OPTIONS,
  describeNotification,
  encodeBgpMessage,
  encodeKeepalive,
  encodeNotification,
  makeNotification,
  messageTypeName,
  notificationCodeName,
  notificationSubcodeName,
  shutdownCommunication,
  type BgpMessage,
} from '../../../../services/codec/bgp/index.js';
import { bgp, hex, throwsCodec } from './helpers.js';

const O = DEFAULT_DECODE_OPTIONS;

function roundTrip(buf: Buffer): BgpMessage {
  const m = decodeBgpMessage(buf, O);
  assert.deepEqual(encodeBgpMessage(m, O), buf);
  assert.deepEqual(decodeBgpMessage(encodeBgpMessage(m, O), O), m);
  return m;
}

describe('header', () => {
  it('reads length and type; bgpMessageLength for framers', () => {
    const buf = bgp(4, '');
    assert.deepEqual(decodeHeader(buf), { length: 19, type: 4 });
    assert.equal(bgpMessageLength(buf), 19);
    assert.equal(bgpMessageLength(buf.subarray(0, 18)), null);
    assert.equal(messageTypeName(2), 'UPDATE');
    assert.equal(messageTypeName(9), 'type 9');
  });

  it('rejects a marker that is not all ones', () => {
    const buf = bgp(4, '');
    buf[7] = 0;
    throwsCodec(() => decodeBgpMessage(buf, O), /BGP marker is not all ones/, 0);
  });

  it('rejects short buffers and bad lengths', () => {
    throwsCodec(() => decodeBgpMessage(Buffer.alloc(5, 0xff), O), /BGP header needs 19 bytes, only 5 left/, 0);
    const small = bgp(4, '');
    small.writeUInt16BE(18, 16);
    throwsCodec(() => decodeBgpMessage(small, O), /BGP message length 18 is below the 19-octet header/, 16);
    const big = bgp(4, '');
    big.writeUInt16BE(20, 16);
    throwsCodec(() => decodeBgpMessage(big, O), /BGP message length 20 exceeds the 19 bytes available/, 16);
  });

  it('rejects unknown message types', () => {
    throwsCodec(() => decodeBgpMessage(bgp(7, ''), O), /unknown BGP message type 7/, 18);
  });
});

describe('KEEPALIVE', () => {
  it('is the bare header', () => {
    assert.deepEqual(roundTrip(bgp(4, '')), { type: 'keepalive' });
    assert.deepEqual(encodeKeepalive(), hex('ffffffffffffffffffffffffffffffff 0013 04'));
  });
  it('must be exactly 19 bytes', () => {
    throwsCodec(() => decodeBgpMessage(bgp(4, '00'), O), /KEEPALIVE has a 1-byte body/, 19);
  });
});

describe('NOTIFICATION', () => {
  it('names code and subcode', () => {
    const m = roundTrip(bgp(3, '03 0b   # UPDATE Message Error / Malformed AS_PATH'));
    assert.deepEqual(m, {
      type: 'notification',
      code: 3,
      subcode: 11,
      data: Buffer.alloc(0),
      codeName: 'update_message_error',
      subcodeName: 'malformed_as_path',
      shutdownMessage: null,
    });
  });

  it('keeps the data', () => {
    const m = roundTrip(bgp(3, '02 02 fde8   # OPEN Message Error / Bad Peer AS, data = the AS'));
    assert.equal(m.type === 'notification' && m.data.toString('hex'), 'fde8');
    assert.equal(m.type === 'notification' && m.subcodeName, 'bad_peer_as');
  });

  it('Cease / Administrative Shutdown with an RFC 9003 shutdown communication', () => {
    const m = roundTrip(bgp(3, `06 02 0b ${Buffer.from('maintenance').toString('hex')}`));
    assert.equal(m.type === 'notification' && m.shutdownMessage, 'maintenance');
    assert.equal(m.type === 'notification' && m.subcodeName, 'administrative_shutdown');
    assert.deepEqual(shutdownCommunication('maintenance'), hex(`0b ${Buffer.from('maintenance').toString('hex')}`));
  });

  it('a shutdown length past the data is not a message', () => {
    const m = decodeNotification(bgp(3, '06 04 09 6869'));
    assert.equal(m.shutdownMessage, null);
    assert.equal(m.subcodeName, 'administrative_reset');
  });

  it('name tables', () => {
    const cases: [number, number, string | null, string | null][] = [
      [1, 1, 'message_header_error', 'connection_not_synchronized'],
      [1, 2, 'message_header_error', 'bad_message_length'],
      [1, 3, 'message_header_error', 'bad_message_type'],
      [2, 1, 'open_message_error', 'unsupported_version_number'],
      [2, 4, 'open_message_error', 'unsupported_optional_parameter'],
      [2, 6, 'open_message_error', 'unacceptable_hold_time'],
      [2, 7, 'open_message_error', 'unsupported_capability'],
      [2, 11, 'open_message_error', 'role_mismatch'],
      [3, 1, 'update_message_error', 'malformed_attribute_list'],
      [3, 10, 'update_message_error', 'invalid_network_field'],
      [4, 0, 'hold_timer_expired', 'unspecific'],
      [5, 3, 'fsm_error', 'unexpected_message_in_established'],
      [6, 1, 'cease', 'maximum_number_of_prefixes_reached'],
      [6, 4, 'cease', 'administrative_reset'],
      [6, 7, 'cease', 'connection_collision_resolution'],
      [6, 9, 'cease', 'hard_reset'],
      [7, 1, 'route_refresh_message_error', 'invalid_message_length'],
      [6, 99, 'cease', null],
      [42, 1, null, null],
    ];
    for (const [code, sub, cn, sn] of cases) {
      assert.equal(notificationCodeName(code), cn, `code ${code}`);
      assert.equal(notificationSubcodeName(code, sub), sn, `code ${code} subcode ${sub}`);
    }
    assert.equal(describeNotification(6, 2), 'cease/administrative_shutdown');
    assert.equal(describeNotification(42, 1), 'code_42/subcode_1');
  });

  it('makeNotification builds what the decoder builds', () => {
    const m = makeNotification(6, 2, shutdownCommunication('bye'));
    assert.deepEqual(decodeNotification(encodeNotification(m)), m);
  });

  it('needs code and subcode', () => {
    throwsCodec(() => decodeBgpMessage(bgp(3, '06'), O), /NOTIFICATION body needs at least 2 bytes, only 1/, 19);
  });
});

describe('ROUTE-REFRESH', () => {
  it('plain request, BoRR and EoRR (RFC 7313 §3)', () => {
    assert.deepEqual(roundTrip(bgp(5, '0001 00 01')), { type: 'route_refresh', afi: 1, safi: 1, subtype: 0, data: Buffer.alloc(0) });
    assert.deepEqual(roundTrip(bgp(5, '0002 01 80')), { type: 'route_refresh', afi: 2, safi: 128, subtype: 1, data: Buffer.alloc(0) });
    assert.deepEqual(roundTrip(bgp(5, '0002 02 01')), { type: 'route_refresh', afi: 2, safi: 1, subtype: 2, data: Buffer.alloc(0) });
  });
  it('keeps ORF entries (RFC 5291) as data', () => {
    const m = roundTrip(bgp(5, '0001 00 01 01 0040 ffff'));
    assert.equal(m.type === 'route_refresh' && m.data.toString('hex'), '010040ffff');
  });
  it('too short', () => {
    throwsCodec(() => decodeBgpMessage(bgp(5, '0001 00'), O), /ROUTE-REFRESH body needs 4 bytes, only 3/, 19);
  });
});
