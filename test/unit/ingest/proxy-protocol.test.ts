/**
 * PROXY protocol v1/v2: headers written by hand from the specification (haproxy
 * doc/proxy-protocol.txt), incremental feeding, the header followed by BMP bytes, malformed and
 * oversized input, and encode -> parse round trips over random endpoints (fast-check).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIPv6 } from '../../../services/codec/address.js';
import {
  crc32c,
  encodeProxyHeaderV1,
  encodeProxyHeaderV2,
  parseProxyHeader,
  PP2_TYPE_CRC32C,
  PP2_TYPE_NOOP,
  PROXY_V1_MAX_LENGTH,
  type ProxyEndpoint,
  type ProxyHeaderResult,
} from '../../../services/ingest/proxy-protocol.js';

const RUNS = Number(process.env.PROXY_PROPERTY_RUNS ?? 300);

/** A BMP Initiation message (version 3, length 6, type 4, no TLVs): what follows the header. */
const BMP_INIT = Buffer.from([0x03, 0x00, 0x00, 0x00, 0x06, 0x04]);

const SIG = '0d0a0d0a000d0a515549540a';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function ok(result: ProxyHeaderResult): Extract<ProxyHeaderResult, { kind: 'ok' }> {
  assert.equal(result.kind, 'ok', result.kind === 'error' ? result.reason : 'need_more');
  return result as Extract<ProxyHeaderResult, { kind: 'ok' }>;
}

function error(result: ProxyHeaderResult, pattern: RegExp): void {
  assert.equal(result.kind, 'error', `expected an error, got ${result.kind}`);
  assert.match((result as { reason: string }).reason, pattern);
}

/** Feeds `bytes` one more byte at a time: need_more until `headerLength`, then the same ok. */
function feedByteByByte(bytes: Buffer, headerLength: number): void {
  const whole = ok(parseProxyHeader(bytes));
  assert.equal(whole.headerLength, headerLength);
  for (let n = 0; n <= bytes.length; n++) {
    const r = parseProxyHeader(bytes.subarray(0, n));
    if (n < headerLength) assert.deepEqual(r, { kind: 'need_more' }, `prefix of ${n} bytes`);
    else assert.deepEqual(r, whole, `prefix of ${n} bytes`);
  }
}

describe('PROXY v1', () => {
  it('parses TCP4', () => {
    const line = 'PROXY TCP4 192.0.2.1 198.51.100.7 56324 1790\r\n';
    const r = ok(parseProxyHeader(ascii(line)));
    assert.deepEqual(r, {
      kind: 'ok',
      version: 1,
      headerLength: line.length,
      command: 'proxy',
      transport: 'TCP4',
      source: { address: '192.0.2.1', port: 56324 },
      destination: { address: '198.51.100.7', port: 1790 },
      tlvs: [],
    });
  });

  it('parses TCP6 and canonicalises the addresses (RFC 5952)', () => {
    const line = 'PROXY TCP6 2001:DB8:0:0:0:0:0:1 2001:0db8:0000:0000:0001:0000:0000:0002 0 65535\r\n';
    const r = ok(parseProxyHeader(ascii(line)));
    assert.equal(r.transport, 'TCP6');
    assert.deepEqual(r.source, { address: '2001:db8::1', port: 0 });
    assert.deepEqual(r.destination, { address: '2001:db8::1:0:0:2', port: 65535 }); // first of two equal zero runs
  });

  it('keeps an IPv4-mapped TCP6 address in mixed notation', () => {
    const r = ok(parseProxyHeader(ascii('PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n')));
    assert.equal(r.source?.address, '::ffff:192.0.2.1');
    assert.equal(r.destination?.address, '::1');
  });

  it('parses UNKNOWN, short form and with ignored fields', () => {
    for (const line of ['PROXY UNKNOWN\r\n', 'PROXY UNKNOWN ffff:f::f:ffff ffff::ffff 65535 65535\r\n', 'PROXY UNKNOWN anything at all\r\n']) {
      assert.deepEqual(parseProxyHeader(ascii(line)), {
        kind: 'ok',
        version: 1,
        headerLength: line.length,
        command: 'proxy',
        transport: 'UNKNOWN',
        source: null,
        destination: null,
        tlvs: [],
      });
    }
  });

  it('accepts the 104-byte worst-case TCP6 line and the 107-byte worst-case UNKNOWN line', () => {
    const f = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    const tcp6 = `PROXY TCP6 ${f} ${f} 65535 65535\r\n`;
    assert.equal(tcp6.length, 104);
    assert.equal(ok(parseProxyHeader(ascii(tcp6))).headerLength, 104);
    const unknown = `PROXY UNKNOWN ${f} ${f} 65535 65535\r\n`;
    assert.equal(unknown.length, PROXY_V1_MAX_LENGTH);
    assert.equal(ok(parseProxyHeader(ascii(unknown))).headerLength, 107);
  });

  it('returns the header length when BMP bytes follow in the same buffer', () => {
    const line = 'PROXY TCP4 10.1.2.3 10.0.0.1 40000 1790\r\n';
    const buf = Buffer.concat([ascii(line), BMP_INIT, BMP_INIT]);
    const r = ok(parseProxyHeader(buf));
    assert.equal(r.headerLength, line.length);
    assert.deepEqual(buf.subarray(r.headerLength), Buffer.concat([BMP_INIT, BMP_INIT]));
  });

  it('answers need_more byte by byte, then ok', () => {
    feedByteByByte(Buffer.concat([ascii('PROXY TCP4 192.0.2.1 198.51.100.7 56324 1790\r\n'), BMP_INIT]), 46);
    feedByteByByte(Buffer.concat([ascii('PROXY UNKNOWN\r\n'), BMP_INIT]), 15);
    feedByteByByte(ascii('PROXY TCP6 2001:db8::1 2001:db8::2 179 1790\r\n'), 45);
  });

  it('waits on a CR at the end of the buffer, refuses a CR followed by anything but LF', () => {
    assert.deepEqual(parseProxyHeader(ascii('PROXY UNKNOWN\r')), { kind: 'need_more' });
    error(parseProxyHeader(ascii('PROXY UNKNOWN\rX')), /CR at byte 13 is not followed by LF/);
  });

  const malformed: Array<[string, string | Buffer, RegExp]> = [
    ['bare LF', 'PROXY UNKNOWN\n', /bare LF/],
    ['lower-case keyword', 'proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n', /starts with byte 0x70/],
    ['no space after PROXY', 'PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n', /expected "PROXY "/],
    ['PROXY alone', 'PROXY\r\n', /ends before the protocol field/],
    ['unknown protocol', 'PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n', /unsupported protocol field "TCP5"/],
    ['UDP4 is not a v1 protocol', 'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n', /unsupported protocol field "UDP4"/],
    ['two spaces', 'PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n', /single spaces/],
    ['missing port', 'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', /single spaces/],
    ['extra field', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n', /single spaces/],
    ['trailing space', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n', /single spaces/],
    ['leading zero in an octet', 'PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n', /source address "1\.2\.3\.04" is not an IPv4 address/],
    ['octet over 255', 'PROXY TCP4 1.2.3.4 5.6.7.256 1 2\r\n', /destination address "5\.6\.7\.256"/],
    ['IPv6 under TCP4', 'PROXY TCP4 ::1 ::2 1 2\r\n', /source address "::1" is not an IPv4 address/],
    ['IPv4 under TCP6', 'PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n', /source address "1\.2\.3\.4" is not an IPv6 address/],
    ['bad IPv6', 'PROXY TCP6 1::2::3 ::1 1 2\r\n', /not an IPv6 address/],
    ['port over 65535', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n', /source port "65536"/],
    ['port with a leading zero', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 080\r\n', /destination port "080"/],
    ['signed port', 'PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n', /unexpected character "\+"|source port/],
    ['control character', Buffer.concat([ascii('PROXY UNKNOWN'), Buffer.from([0x00]), ascii('\r\n')]), /not printable US-ASCII/],
    ['non-ASCII byte', Buffer.concat([ascii('PROXY UNKNOWN '), Buffer.from([0xc3, 0xa9]), ascii('\r\n')]), /not printable US-ASCII/],
  ];
  for (const [name, input, pattern] of malformed) {
    it(`refuses: ${name}`, () => {
      error(parseProxyHeader(typeof input === 'string' ? ascii(input) : input), pattern);
    });
  }

  it('refuses a line without CRLF in the first 107 bytes, without waiting for more', () => {
    const long = ascii('PROXY UNKNOWN ' + 'a'.repeat(200));
    error(parseProxyHeader(long.subarray(0, 107)), /no CRLF within the first 107 bytes/);
    error(parseProxyHeader(long), /no CRLF within the first 107 bytes/);
    assert.deepEqual(parseProxyHeader(long.subarray(0, 106)), { kind: 'need_more' });
    // A CRLF whose LF would be byte 108 is too late as well.
    error(parseProxyHeader(ascii('PROXY UNKNOWN ' + 'a'.repeat(92) + '\r\n')), /no CRLF within the first 107 bytes/);
  });

  it('refuses garbage early, before the CRLF arrives', () => {
    error(parseProxyHeader(ascii('PROXY FOO')), /unsupported protocol field "FOO"/);
    error(parseProxyHeader(ascii('PROXY TCP4 1.2.3.4 x')), /unexpected character "x"/);
    error(parseProxyHeader(ascii('PROXY TCP6 fe80::1%eth0')), /unexpected character "%"/);
    assert.deepEqual(parseProxyHeader(ascii('PROXY TC')), { kind: 'need_more' });
    assert.deepEqual(parseProxyHeader(ascii('PROXY UNKN')), { kind: 'need_more' });
    assert.deepEqual(parseProxyHeader(ascii('PROXY TCP6 2001:db8::1 ')), { kind: 'need_more' });
  });
});

describe('PROXY v2', () => {
  it('parses TCP over IPv4 (0x11)', () => {
    const bytes = hex(`${SIG}
      21            -- version 2, command PROXY
      11            -- AF_INET, STREAM
      000c          -- 12 bytes follow
      c0000201      -- source 192.0.2.1
      c6336407      -- destination 198.51.100.7
      dc04          -- source port 56324
      06fe          -- destination port 1790
    `.replace(/--[^\n]*/g, ''));
    assert.deepEqual(parseProxyHeader(bytes), {
      kind: 'ok',
      version: 2,
      headerLength: 28,
      command: 'proxy',
      transport: 'TCP4',
      source: { address: '192.0.2.1', port: 56324 },
      destination: { address: '198.51.100.7', port: 1790 },
      tlvs: [],
    });
  });

  it('parses TCP over IPv6 (0x21)', () => {
    const bytes = hex(`${SIG} 21 21 0024
      20010db8000000000000000000000001
      20010db8000000000000000000000002
      00b3 06fe`);
    const r = ok(parseProxyHeader(bytes));
    assert.equal(r.headerLength, 52);
    assert.equal(r.transport, 'TCP6');
    assert.deepEqual(r.source, { address: '2001:db8::1', port: 179 });
    assert.deepEqual(r.destination, { address: '2001:db8::2', port: 1790 });
  });

  it('formats an IPv4-mapped IPv6 source as ::ffff:a.b.c.d', () => {
    const bytes = hex(`${SIG} 21 21 0024 00000000000000000000ffffc0000201 00000000000000000000000000000001 0001 0002`);
    assert.equal(ok(parseProxyHeader(bytes)).source?.address, '::ffff:192.0.2.1');
  });

  it('parses LOCAL with no address block, and LOCAL with an ignored one', () => {
    const bare = hex(`${SIG} 20 00 0000`);
    assert.deepEqual(parseProxyHeader(bare), { kind: 'ok', version: 2, headerLength: 16, command: 'local', transport: 'UNSPEC', source: null, destination: null, tlvs: [] });
    // LOCAL with a TCP4 block and a byte that would not even be a valid TLV: all skipped by length.
    const withBlock = hex(`${SIG} 20 11 000d c0000201 c6336407 dc04 06fe ff`);
    const r = ok(parseProxyHeader(withBlock));
    assert.equal(r.command, 'local');
    assert.equal(r.headerLength, 29);
    assert.equal(r.source, null);
    // LOCAL ignores the family byte altogether, even an undefined one.
    assert.equal(ok(parseProxyHeader(hex(`${SIG} 20 ff 0000`))).command, 'local');
  });

  it('gives null endpoints for PROXY with UNSPEC, UDP and AF_UNIX', () => {
    const unspec = ok(parseProxyHeader(hex(`${SIG} 21 00 0003 010203`)));
    assert.deepEqual([unspec.transport, unspec.source, unspec.headerLength], ['UNSPEC', null, 19]);
    const udp4 = ok(parseProxyHeader(hex(`${SIG} 21 12 000c c0000201 c6336407 0035 0035`)));
    assert.deepEqual([udp4.transport, udp4.source, udp4.destination], ['UDP4', null, null]);
    const udp6 = ok(parseProxyHeader(hex(`${SIG} 21 22 0024 ${'00'.repeat(32)} 0035 0035`)));
    assert.equal(udp6.transport, 'UDP6');
    const unix = ok(parseProxyHeader(Buffer.concat([hex(`${SIG} 21 31 00d8`), Buffer.alloc(216)])));
    assert.deepEqual([unix.transport, unix.source, unix.headerLength], ['UNIX_STREAM', null, 232]);
  });

  it('returns TLVs after the address block', () => {
    const bytes = hex(`${SIG} 21 11 0022
      c0000201 c6336407 dc04 06fe   -- 12-byte TCP4 block
      04 0002 0000                  -- NOOP, 2 bytes
      e0 0003 616263                -- custom type 0xE0, "abc"
      05 0000                       -- UNIQUE_ID, empty
      20 0005 0100000000            -- SSL: client 0x01, verify 0
    `.replace(/--[^\n]*/g, ''));
    const r = ok(parseProxyHeader(Buffer.concat([bytes, BMP_INIT])));
    assert.equal(r.headerLength, 16 + 34);
    assert.deepEqual(r.source, { address: '192.0.2.1', port: 56324 });
    assert.deepEqual(
      r.tlvs.map((t) => [t.type, t.value.toString('hex')]),
      [
        [PP2_TYPE_NOOP, '0000'],
        [0xe0, '616263'],
        [0x05, ''],
        [0x20, '0100000000'],
      ],
    );
  });

  it('answers need_more byte by byte, then ok', () => {
    feedByteByByte(Buffer.concat([hex(`${SIG} 21 11 000c c0000201 c6336407 dc04 06fe`), BMP_INIT]), 28);
    feedByteByByte(Buffer.concat([hex(`${SIG} 20 00 0000`), BMP_INIT]), 16);
    feedByteByByte(encodeProxyHeaderV2({ address: '2001:db8::1', port: 1 }, { address: '2001:db8::2', port: 2 }, { tlvs: [{ type: 0xe1, value: Buffer.from('x') }], crc32c: true }), 16 + 36 + 4 + 7);
  });

  it('verifies a CRC32C TLV', () => {
    const good = encodeProxyHeaderV2({ address: '192.0.2.1', port: 1 }, { address: '192.0.2.2', port: 2 }, { crc32c: true });
    const r = ok(parseProxyHeader(good));
    assert.equal(r.tlvs.length, 1);
    assert.equal(r.tlvs[0].type, PP2_TYPE_CRC32C);
    const bad = Buffer.from(good);
    bad[19] ^= 0x01; // flip a bit of the source address
    error(parseProxyHeader(bad), /CRC32C mismatch/);
    error(parseProxyHeader(hex(`${SIG} 21 11 0011 c0000201 c6336407 dc04 06fe 03 0002 0000`)), /CRC32C TLV at byte 28 has length 2, must be 4/);
  });

  it('computes CRC32C as RFC 4960 does (check value of "123456789")', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['signature mismatch', '0d0a0d0a000d0a515549540b 21 11 000c', /byte 11 is 0x0b/],
    ['version 1 nibble', `${SIG} 11 11 000c`, /version 1 in byte 12/],
    ['version 3 nibble', `${SIG} 31 11 000c`, /version 3 in byte 12/],
    ['command 2', `${SIG} 22 11 000c`, /unknown command 2/],
    ['command 15', `${SIG} 2f 11 000c`, /unknown command 15/],
    ['family 4', `${SIG} 21 41 000c`, /unknown address family 4/],
    ['protocol 3', `${SIG} 21 13 000c`, /unknown transport protocol 3/],
    ['TCP4 block too short', `${SIG} 21 11 0008 c0000201 c6336407`, /length 8 is shorter than the 12-byte address block TCP4 needs/],
    ['TCP6 block too short', `${SIG} 21 21 000c ${'00'.repeat(12)}`, /length 12 is shorter than the 36-byte/],
    ['UNIX block too short', `${SIG} 21 31 000c ${'00'.repeat(12)}`, /216-byte/],
    ['TLV overruns the header', `${SIG} 21 11 0010 c0000201 c6336407 dc04 06fe e0 0005 00`, /TLV type 0xe0 at byte 28 claims 5 bytes, only 1 remain/],
    ['stray bytes after the TLVs', `${SIG} 21 11 000e c0000201 c6336407 dc04 06fe 0000`, /2 stray byte\(s\)/],
    ['two CRC32C TLVs', `${SIG} 21 11 001a c0000201 c6336407 dc04 06fe 03 0004 00000000 03 0004 00000000`, /more than one CRC32C/],
  ];
  for (const [name, text, pattern] of malformed) {
    it(`refuses: ${name}`, () => error(parseProxyHeader(hex(text)), pattern));
  }

  it('refuses a bad version, command or family as soon as the byte arrives', () => {
    error(parseProxyHeader(hex(`${SIG} 11`)), /version 1/);
    error(parseProxyHeader(hex(`${SIG} 21 51`)), /unknown address family 5/);
    error(parseProxyHeader(hex('0d0a0d0a01')), /byte 4 is 0x01/);
  });

  it('bounds the bytes it waits for: the length field is capped (default 4096)', () => {
    const at4096 = Buffer.concat([hex(`${SIG} 21 00 1000`), Buffer.alloc(4096)]);
    assert.deepEqual(parseProxyHeader(at4096.subarray(0, 4000)), { kind: 'need_more' });
    assert.equal(ok(parseProxyHeader(at4096)).headerLength, 4112);
    error(parseProxyHeader(hex(`${SIG} 21 00 1001`)), /announces 4097 bytes after the fixed part, more than the 4096 accepted/);
    error(parseProxyHeader(hex(`${SIG} 21 11 ffff`)), /65535 bytes/);
    error(parseProxyHeader(hex(`${SIG} 21 11 0100`), { maxV2Length: 64 }), /more than the 64 accepted/);
    assert.deepEqual(parseProxyHeader(hex(`${SIG} 21 11 0100`), { maxV2Length: 65535 }), { kind: 'need_more' });
  });
});

describe('no PROXY header', () => {
  it('refuses plain BMP bytes, pointing at the likely cause', () => {
    error(parseProxyHeader(BMP_INIT), /starts with byte 0x03.*looks like a BMP message.*directly/);
    error(parseProxyHeader(BMP_INIT.subarray(0, 1)), /looks like a BMP message/);
  });

  it('refuses other protocols', () => {
    error(parseProxyHeader(ascii('GET / HTTP/1.1\r\n')), /starts with byte 0x47/);
    error(parseProxyHeader(hex('16030100')), /starts with byte 0x16/); // a TLS ClientHello
    error(parseProxyHeader(ascii('PUT / HTTP/1.1\r\n')), /byte 1 is 0x55/);
  });

  it('waits on an empty buffer', () => {
    assert.deepEqual(parseProxyHeader(Buffer.alloc(0)), { kind: 'need_more' });
  });
});

describe('encoders', () => {
  it('writes v1 lines as the specification shows them', () => {
    assert.equal(encodeProxyHeaderV1({ address: '192.168.0.1', port: 56324 }, { address: '192.168.0.11', port: 443 }).toString('latin1'), 'PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n');
    assert.equal(encodeProxyHeaderV1({ address: '2001:DB8:0:0::1', port: 1 }, { address: '::1', port: 2 }).toString('latin1'), 'PROXY TCP6 2001:db8::1 ::1 1 2\r\n');
    assert.equal(encodeProxyHeaderV1(null, null).toString('latin1'), 'PROXY UNKNOWN\r\n');
    // Mixed families: the IPv4 side is mapped.
    assert.equal(encodeProxyHeaderV1({ address: '192.0.2.1', port: 1 }, { address: '2001:db8::2', port: 2 }).toString('latin1'), 'PROXY TCP6 ::ffff:192.0.2.1 2001:db8::2 1 2\r\n');
  });

  it('writes v2 headers byte for byte', () => {
    assert.equal(
      encodeProxyHeaderV2({ address: '192.0.2.1', port: 56324 }, { address: '198.51.100.7', port: 1790 }).toString('hex'),
      `${SIG}2111000cc0000201c6336407dc0406fe`,
    );
    assert.equal(encodeProxyHeaderV2(null, null).toString('hex'), `${SIG}20000000`);
    assert.equal(encodeProxyHeaderV2(null, null, { command: 'proxy' }).toString('hex'), `${SIG}21000000`);
    assert.equal(
      encodeProxyHeaderV2({ address: '192.0.2.1', port: 1 }, { address: '192.0.2.2', port: 2 }, { tlvs: [{ type: PP2_TYPE_NOOP, value: Buffer.alloc(1) }] }).toString('hex'),
      `${SIG}21110010c0000201c000020200010002040001` + '00',
    );
  });

  it('refuses what cannot be encoded', () => {
    assert.throws(() => encodeProxyHeaderV1({ address: '192.0.2.1', port: 1 }, null), /both be given, or both be null/);
    assert.throws(() => encodeProxyHeaderV2({ address: 'example.org', port: 1 }, { address: '192.0.2.1', port: 2 }), /source address "example.org"/);
    assert.throws(() => encodeProxyHeaderV2({ address: '192.0.2.1', port: 65536 }, { address: '192.0.2.1', port: 2 }), /source port 65536/);
    assert.throws(() => encodeProxyHeaderV1({ address: '192.0.2.1', port: 1.5 }, { address: '192.0.2.1', port: 2 }), /source port 1.5/);
    assert.throws(() => encodeProxyHeaderV2(null, null, { tlvs: [{ type: 256, value: Buffer.alloc(0) }] }), /TLV type 256/);
    assert.throws(() => encodeProxyHeaderV2(null, null, { tlvs: [{ type: 1, value: Buffer.alloc(65536) }] }), /exceeds 65535/);
  });
});

// ---------------------------------------------------------------- properties

const ipv4Bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });
const ipv6Bytes = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  // Addresses with zero runs, so compression is exercised.
  fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8), { minLength: 8, maxLength: 8 }).map((groups) => {
    const b = new Uint8Array(16);
    groups.forEach((g, i) => {
      b[2 * i] = g >> 8;
      b[2 * i + 1] = g & 0xff;
    });
    return b;
  }),
);
const port = fc.integer({ min: 0, max: 65535 });

/** Uncompressed, upper-case, zero-padded text: a valid but non-canonical v1 spelling. */
function longIPv6(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16).toUpperCase().padStart(4, '0'));
  return groups.join(':');
}

const endpoints = fc.oneof(
  fc.record({ src: ipv4Bytes, dst: ipv4Bytes, sport: port, dport: port }).map(({ src, dst, sport, dport }) => ({
    v4: true,
    src: { address: Array.from(src).join('.'), port: sport },
    dst: { address: Array.from(dst).join('.'), port: dport },
    srcText: Array.from(src).join('.'),
    dstText: Array.from(dst).join('.'),
  })),
  fc.record({ src: ipv6Bytes, dst: ipv6Bytes, sport: port, dport: port }).map(({ src, dst, sport, dport }) => ({
    v4: false,
    src: { address: formatIPv6(src, 0), port: sport },
    dst: { address: formatIPv6(dst, 0), port: dport },
    srcText: longIPv6(src),
    dstText: longIPv6(dst),
  })),
);

/** Splits `bytes` at the given cut points and feeds the growing prefix, as a socket would. */
function feedInChunks(bytes: Buffer, cuts: number[]): ProxyHeaderResult {
  let result: ProxyHeaderResult = { kind: 'need_more' };
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b).concat(bytes.length)) {
    result = parseProxyHeader(bytes.subarray(0, cut));
    if (result.kind !== 'need_more') return result;
  }
  return result;
}

describe('properties', () => {
  it('v1: encode -> parse gives the canonical endpoints back, however the bytes arrive', () => {
    fc.assert(
      fc.property(endpoints, fc.array(fc.nat(), { maxLength: 6 }), fc.uint8Array({ maxLength: 20 }), (e, cuts, tail) => {
        const header = encodeProxyHeaderV1(e.src as ProxyEndpoint, e.dst as ProxyEndpoint);
        const r = ok(feedInChunks(Buffer.concat([header, tail]), cuts));
        assert.equal(r.headerLength, header.length);
        assert.deepEqual(r.source, e.src);
        assert.deepEqual(r.destination, e.dst);
        assert.equal(r.transport, e.v4 ? 'TCP4' : 'TCP6');
      }),
      { numRuns: RUNS },
    );
  });

  it('v1: non-canonical IPv6 spellings parse to the canonical text', () => {
    fc.assert(
      fc.property(endpoints, (e) => {
        const line = `PROXY ${e.v4 ? 'TCP4' : 'TCP6'} ${e.srcText} ${e.dstText} ${e.src.port} ${e.dst.port}\r\n`;
        const r = ok(parseProxyHeader(ascii(line)));
        assert.deepEqual([r.source, r.destination], [e.src, e.dst]);
      }),
      { numRuns: RUNS },
    );
  });

  it('v2: encode -> parse gives the endpoints and TLVs back, however the bytes arrive', () => {
    const tlv = fc.record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => t !== PP2_TYPE_CRC32C), value: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)) });
    fc.assert(
      fc.property(endpoints, fc.array(tlv, { maxLength: 4 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), fc.uint8Array({ maxLength: 20 }), (e, tlvs, crc, cuts, tail) => {
        const header = encodeProxyHeaderV2(e.src as ProxyEndpoint, e.dst as ProxyEndpoint, { tlvs, crc32c: crc });
        const r = ok(feedInChunks(Buffer.concat([header, tail]), cuts));
        assert.equal(r.headerLength, header.length);
        assert.deepEqual(r.source, e.src);
        assert.deepEqual(r.destination, e.dst);
        const expected = tlvs.map((t) => [t.type, Buffer.from(t.value).toString('hex')]);
        if (crc) expected.push([PP2_TYPE_CRC32C, header.subarray(header.length - 4).toString('hex')]);
        assert.deepEqual(
          r.tlvs.map((t) => [t.type, t.value.toString('hex')]),
          expected,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws, and never answers need_more past the bounds, on arbitrary or mutated bytes', () => {
    const valid = fc.oneof(
      endpoints.map((e) => encodeProxyHeaderV1(e.src as ProxyEndpoint, e.dst as ProxyEndpoint)),
      endpoints.map((e) => encodeProxyHeaderV2(e.src as ProxyEndpoint, e.dst as ProxyEndpoint, { crc32c: true })),
    );
    const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([bytes, edits]) => {
      const b = Buffer.from(bytes);
      for (const [at, value] of edits) b[at % b.length] = value;
      return b;
    });
    const prefixed = fc.tuple(fc.constantFrom(ascii('PROXY '), hex(SIG + '21')), fc.uint8Array({ maxLength: 300 })).map(([p, rest]) => Buffer.concat([p, rest]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)), mutated, prefixed), (bytes) => {
        const r = parseProxyHeader(bytes);
        if (r.kind === 'need_more') {
          assert.ok(bytes.length < PROXY_V1_MAX_LENGTH || (bytes[0] === 0x0d && bytes.length < 16 + 4096), `need_more on ${bytes.length} bytes`);
        } else if (r.kind === 'ok') {
          assert.ok(r.headerLength <= bytes.length);
        } else {
          assert.ok(r.reason.length > 0);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
