/**
 * OpenBMP raw BMP binary header v1.7: golden byte layouts written by hand from the field list (see
 * the comment at the top of services/ingest/openbmp-raw.ts for the sources), the hash inputs,
 * encode -> decode round trips over random inputs (fast-check), and refusal of malformed headers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIPv4, formatIPv6 } from '../../../services/codec/address.js';
import {
  decodeOpenBmpRawHeader,
  encodeOpenBmpRawHeader,
  encodeOpenBmpRawMessage,
  OpenBmpRawRecordWriter,
  openBmpCollectorHash,
  openBmpRouterHash,
  splitOpenBmpRawMessage,
  type OpenBmpDecodeResult,
  type OpenBmpRawHeader,
} from '../../../services/ingest/openbmp-raw.js';

const RUNS = Number(process.env.OPENBMP_PROPERTY_RUNS ?? 300);

/** Hex with whitespace and `--` comments removed. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/--[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

function decoded(r: OpenBmpDecodeResult): OpenBmpRawHeader {
  assert.equal(r.kind, 'ok', r.kind === 'error' ? r.reason : '');
  return (r as { header: OpenBmpRawHeader }).header;
}

function refused(r: { kind: 'ok' } | { kind: 'error'; reason: string }, pattern: RegExp): void {
  assert.equal(r.kind, 'error');
  if (r.kind === 'error') assert.match(r.reason, pattern);
}

/** A BMP Initiation message (version 3, length 6, type 4, no TLVs). */
const BMP_INIT = Buffer.from([0x03, 0x00, 0x00, 0x00, 0x06, 0x04]);

// IPv4 router 198.51.100.7, admin id "collector-1", group "lab", received 1700000000.123456 s.
const GOLDEN_V4 = hex(`
  4f 42 4d 50                                       -- magic "OBMP"
  01                                                -- major version 1
  07                                                -- minor version 7
  00 5c                                             -- header length 92 = 78 + 11 (admin id) + 3 (group)
  00 00 00 06                                       -- BMP message length 6
  80                                                -- flags: router message; IPv6 bit clear
  0c                                                -- object type 12 = BMP_RAW
  65 53 f1 00                                       -- timestamp seconds 1700000000
  00 01 e2 40                                       -- timestamp microseconds 123456
  84 d7 0d d2 9f b3 e7 13 90 57 de ca 4f d1 6b d0   -- collector hash = MD5("collector-1")
  00 0b                                             -- admin id length 11
  63 6f 6c 6c 65 63 74 6f 72 2d 31                  -- "collector-1"
  37 93 e7 d9 5c 91 79 8f 56 89 fb 7f 0f 8b 46 d0   -- router hash = MD5(c6 33 64 07)
  c6 33 64 07                                       -- router IP 198.51.100.7 in the first 4 bytes ...
  00 00 00 00 00 00 00 00 00 00 00 00               -- ... then 12 zero bytes
  00 03                                             -- router group length 3
  6c 61 62                                          -- "lab"
  00 00 00 01                                       -- row count 1
`);

// IPv6 router 2001:db8::1, same collector, no group, received at 0.5 s after the epoch.
const GOLDEN_V6 = hex(`
  4f 42 4d 50  01  07  00 59                        -- magic, 1.7, header length 89 = 78 + 11 + 0
  00 00 00 06                                       -- BMP message length 6
  c0                                                -- flags: router message | router IPv6
  0c                                                -- BMP_RAW
  00 00 00 00                                       -- seconds 0
  00 07 a1 20                                       -- microseconds 500000
  84 d7 0d d2 9f b3 e7 13 90 57 de ca 4f d1 6b d0   -- MD5("collector-1")
  00 0b  63 6f 6c 6c 65 63 74 6f 72 2d 31           -- "collector-1"
  39 ab 9b 37 49 62 9b 8f 2c 7c cf 39 22 6f 68 0c   -- router hash = MD5 of the 16 address bytes
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   -- router IP 2001:db8::1
  00 00                                             -- router group length 0
  00 00 00 01                                       -- row count 1
`);

describe('OpenBMP raw header: golden layouts', () => {
  it('encodes an IPv4 router byte for byte', () => {
    const header = encodeOpenBmpRawHeader({
      collectorAdminId: 'collector-1',
      routerAddress: '198.51.100.7',
      routerGroup: 'lab',
      timestampMicros: 1_700_000_000_123_456,
      bmpLength: BMP_INIT.length,
    });
    assert.equal(header.toString('hex'), GOLDEN_V4.toString('hex'));
  });

  it('encodes an IPv6 router byte for byte', () => {
    const header = encodeOpenBmpRawHeader({ collectorAdminId: 'collector-1', routerAddress: '2001:db8::1', routerGroup: '', timestampMicros: 500_000, bmpLength: 6 });
    assert.equal(header.toString('hex'), GOLDEN_V6.toString('hex'));
  });

  it('decodes the golden layouts', () => {
    assert.deepEqual(decoded(decodeOpenBmpRawHeader(GOLDEN_V4)), {
      versionMajor: 1,
      versionMinor: 7,
      headerLength: 92,
      bmpLength: 6,
      flags: 0x80,
      objectType: 12,
      timestampSeconds: 1_700_000_000,
      timestampMicroseconds: 123_456,
      timestampMicros: 1_700_000_000_123_456,
      collectorHash: hex('84d70dd29fb3e7139057deca4fd16bd0'),
      collectorAdminId: 'collector-1',
      routerHash: hex('3793e7d95c91798f5689fb7f0f8b46d0'),
      routerAddress: '198.51.100.7',
      routerGroup: 'lab',
      rowCount: 1,
    });
    const v6 = decoded(decodeOpenBmpRawHeader(GOLDEN_V6));
    assert.deepEqual([v6.flags, v6.routerAddress, v6.routerGroup, v6.timestampMicros, v6.headerLength], [0xc0, '2001:db8::1', '', 500_000, 89]);
  });

  it('writes an IPv4-mapped router address (a dual-stack socket peer) as IPv4', () => {
    const mapped = encodeOpenBmpRawHeader({ collectorAdminId: 'collector-1', routerAddress: '::ffff:198.51.100.7', routerGroup: 'lab', timestampMicros: 1_700_000_000_123_456, bmpLength: 6 });
    assert.deepEqual(mapped, GOLDEN_V4);
  });

  it('uses given hashes instead of computing them', () => {
    const header = encodeOpenBmpRawHeader({
      collectorAdminId: 'c',
      collectorHash: Buffer.alloc(16, 0x11),
      routerAddress: '192.0.2.1',
      routerHash: Buffer.alloc(16, 0x22),
      routerGroup: '',
      timestampMicros: 0,
      bmpLength: 0,
    });
    const h = decoded(decodeOpenBmpRawHeader(header));
    assert.deepEqual([h.collectorHash, h.routerHash], [Buffer.alloc(16, 0x11), Buffer.alloc(16, 0x22)]);
  });
});

describe('OpenBMP raw header: hashes', () => {
  it('collector hash is MD5 of the admin id', () => {
    assert.equal(openBmpCollectorHash('collector-1').toString('hex'), '84d70dd29fb3e7139057deca4fd16bd0');
    // From a RouteViews bmp_raw record (collector "is-cc-bmp1"): its header carries this hash.
    assert.equal(openBmpCollectorHash('is-cc-bmp1').toString('hex'), 'bf4f072f3ae149d23486024bc3dadfc4');
  });

  it('router hash is MD5 of the address bytes', () => {
    // Same RouteViews record: router 128.223.51.105, router hash c677060b...
    assert.equal(openBmpRouterHash('128.223.51.105').toString('hex'), 'c677060bdd020a9e92be000200de2e31');
    assert.equal(openBmpRouterHash('198.51.100.7').toString('hex'), '3793e7d95c91798f5689fb7f0f8b46d0');
    assert.equal(openBmpRouterHash('::ffff:198.51.100.7').toString('hex'), '3793e7d95c91798f5689fb7f0f8b46d0');
    assert.equal(openBmpRouterHash('2001:db8::1').toString('hex'), '39ab9b3749629b8f2c7ccf39226f680c');
    // All four bytes, also past a zero byte (OpenBMP's strlen() would stop at it; see the module).
    assert.notDeepEqual(openBmpRouterHash('10.0.0.1'), openBmpRouterHash('10.0.0.2'));
  });
});

describe('OpenBMP raw messages', () => {
  it('splits a record into header and BMP message, and builds one', () => {
    const record = Buffer.concat([GOLDEN_V4, BMP_INIT]);
    const r = splitOpenBmpRawMessage(record);
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    assert.deepEqual(r.bmp, BMP_INIT);
    assert.equal(r.header.routerAddress, '198.51.100.7');
    const built = encodeOpenBmpRawMessage({ collectorAdminId: 'collector-1', routerAddress: '198.51.100.7', routerGroup: 'lab', timestampMicros: 1_700_000_000_123_456 }, BMP_INIT);
    assert.deepEqual(built, record);
  });

  it('refuses a record whose length disagrees with the header', () => {
    refused(splitOpenBmpRawMessage(Buffer.concat([GOLDEN_V4, BMP_INIT.subarray(0, 5)])), /record is 97 bytes, header \(92\) \+ BMP message \(6\) make 98/);
    refused(splitOpenBmpRawMessage(Buffer.concat([GOLDEN_V4, BMP_INIT, BMP_INIT])), /record is 104 bytes/);
  });

  it("a session's record writer gives the golden records, for any message and time the same octets as header + message", () => {
    const v4 = new OpenBmpRawRecordWriter({ collectorAdminId: 'collector-1', routerAddress: '198.51.100.7', routerGroup: 'lab' });
    assert.deepEqual(v4.record(BMP_INIT, 1_700_000_000_123_456), Buffer.concat([GOLDEN_V4, BMP_INIT]));
    const v6 = new OpenBmpRawRecordWriter({ collectorAdminId: 'collector-1', routerAddress: '2001:db8::1', routerGroup: '' });
    assert.deepEqual(v6.record(BMP_INIT, 500_000), Buffer.concat([GOLDEN_V6, BMP_INIT]));
    assert.throws(() => v6.record(BMP_INIT, -1), RangeError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 0xffffffff * 1e6 }), fc.string(), (bmp, micros, admin) => {
        const writer = new OpenBmpRawRecordWriter({ collectorAdminId: admin, routerAddress: '192.0.2.9', routerGroup: 'g' });
        const first = writer.record(bmp, micros);
        const header = encodeOpenBmpRawHeader({ collectorAdminId: admin, routerAddress: '192.0.2.9', routerGroup: 'g', timestampMicros: micros, bmpLength: bmp.length });
        assert.deepEqual(first, Buffer.concat([header, bmp]));
        assert.deepEqual(writer.record(bmp, micros), first, 'the template is not changed by a record');
        // The lent record: the same octets, for short messages and long ones after them (its buffer grows).
        assert.deepEqual(writer.recordBorrowed(bmp, micros), first);
        const long = Buffer.concat([Buffer.from(bmp), Buffer.alloc(600, 7)]);
        assert.deepEqual(writer.recordBorrowed(long, micros), writer.record(long, micros));
        assert.deepEqual(writer.recordBorrowed(bmp, micros), first);
        // Written in place: at an offset, nothing outside the record, or nothing at all without room.
        const into = Buffer.alloc(7 + first.length + 3, 0xee);
        assert.equal(writer.writeAt(into, 7, bmp, micros), 7 + first.length);
        assert.deepEqual(into, Buffer.concat([Buffer.alloc(7, 0xee), first, Buffer.alloc(3, 0xee)]));
        const short = Buffer.alloc(7 + first.length - 1, 0xee);
        assert.equal(writer.writeAt(short, 7, bmp, micros), -1);
        assert.ok(short.every((b) => b === 0xee), 'nothing written without room');
      }),
      { numRuns: RUNS },
    );
  });

  it('decodes a header followed by its BMP message (decode looks at the header only)', () => {
    assert.equal(decoded(decodeOpenBmpRawHeader(Buffer.concat([GOLDEN_V4, BMP_INIT]))).headerLength, 92);
  });
});

describe('OpenBMP raw header: malformed input', () => {
  function patched(at: number, bytes: number[]): Buffer {
    const b = Buffer.from(GOLDEN_V4);
    b.set(bytes, at);
    return b;
  }

  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /0 bytes, too short for the magic/],
    ['wrong magic', patched(0, [0x4f, 0x42, 0x4d, 0x51]), /magic is 0x4f424d51, not "OBMP"/],
    ['the older text header', Buffer.from('V: 1.7\nC_HASH_ID: abc\n\n'), /older text header/],
    ['a bare BMP message', BMP_INIT, /magic is 0x03000000/],
    ['shorter than the fixed part', GOLDEN_V4.subarray(0, 60), /60 bytes, shorter than the 78-byte minimum/],
    ['version 1.6', patched(5, [6]), /version 1\.6, only 1\.7/],
    ['version 2.7', patched(4, [2]), /version 2\.7/],
    ['header length below the minimum', patched(6, [0, 50]), /header length 50 is below/],
    ['header length past the buffer', patched(6, [0, 200]), /header length 200 but only 92 bytes/],
    ['header length disagreeing with the fields', Buffer.concat([patched(6, [0, 93]), Buffer.alloc(1)]), /header length 93 does not match its fields/],
    ['router-message bit clear', patched(12, [0x00]), /lack the router-message bit/],
    ['object type 11', patched(13, [11]), /object type 11, not BMP_RAW \(12\)/],
    ['microseconds of a second or more', patched(18, [0x00, 0x0f, 0x42, 0x40]), /microseconds 1000000 exceed 999999/],
    ['admin id length past the header', patched(38, [0x00, 0x40]), /admin id length 64 runs past the 92-byte header/],
    ['group length past the header', patched(83, [0x00, 0x09]), /router group length 9/],
  ];
  for (const [name, input, pattern] of cases) {
    it(`refuses: ${name}`, () => refused(decodeOpenBmpRawHeader(input), pattern));
  }

  it('never throws on truncated or mutated headers', () => {
    fc.assert(
      fc.property(fc.nat({ max: GOLDEN_V6.length }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, edits) => {
        const b = Buffer.from(GOLDEN_V6.subarray(0, cut));
        for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
        const r = decodeOpenBmpRawHeader(b);
        if (r.kind === 'ok') assert.ok(r.header.headerLength <= b.length);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('OpenBMP raw header: encoder input checks', () => {
  const base = { collectorAdminId: 'c', routerAddress: '192.0.2.1', routerGroup: '', timestampMicros: 0, bmpLength: 0 };
  it('refuses what cannot be written', () => {
    assert.throws(() => encodeOpenBmpRawHeader({ ...base, routerAddress: 'router.example' }), /router address "router.example"/);
    assert.throws(() => encodeOpenBmpRawHeader({ ...base, collectorHash: Buffer.alloc(15) }), /collectorHash must be 16 bytes, got 15/);
    assert.throws(() => encodeOpenBmpRawHeader({ ...base, routerHash: Buffer.alloc(17) }), /routerHash must be 16 bytes, got 17/);
    assert.throws(() => encodeOpenBmpRawHeader({ ...base, timestampMicros: -1 }), /timestampMicros -1/);
    assert.throws(() => encodeOpenBmpRawHeader({ ...base, timestampMicros: 1.5 }), /timestampMicros 1.5/);
    assert.throws(() => encodeOpenBmpRawHeader({ ...base, timestampMicros: 2 ** 32 * 1e6 }), /within 32-bit seconds/);
    assert.throws(() => encodeOpenBmpRawHeader({ ...base, bmpLength: 2 ** 32 }), /bmpLength 4294967296/);
    assert.throws(() => encodeOpenBmpRawHeader({ ...base, collectorAdminId: 'x'.repeat(40_000), routerGroup: 'y'.repeat(30_000) }), /longer than 65535 bytes/);
  });

  it('accepts the largest values that fit', () => {
    const h = encodeOpenBmpRawHeader({ ...base, collectorAdminId: 'x'.repeat(65535 - 78), timestampMicros: (2 ** 32 - 1) * 1e6 + 999_999, bmpLength: 2 ** 32 - 1 });
    const d = decoded(decodeOpenBmpRawHeader(h));
    assert.deepEqual([d.headerLength, d.timestampSeconds, d.timestampMicroseconds, d.bmpLength], [65535, 2 ** 32 - 1, 999_999, 2 ** 32 - 1]);
  });
});

describe('OpenBMP raw header: properties', () => {
  const router = fc.oneof(
    fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ({ text: formatIPv4(b, 0), canonical: formatIPv4(b, 0) })),
    fc
      .uint8Array({ minLength: 16, maxLength: 16 })
      // Mapped addresses are written as IPv4; that case has its own example test.
      .filter((b) => !(b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff))
      .map((b) => ({ text: formatIPv6(b, 0), canonical: formatIPv6(b, 0) })),
  );
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  const hash = fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }).map((u) => Buffer.from(u)), { nil: undefined });

  it('decode(encode(x)) gives x back', () => {
    fc.assert(
      fc.property(
        text,
        text,
        router,
        hash,
        hash,
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (adminId, group, r, cHash, rHash, seconds, micros, bmpLength) => {
          const header = encodeOpenBmpRawHeader({
            collectorAdminId: adminId,
            collectorHash: cHash,
            routerAddress: r.text,
            routerHash: rHash,
            routerGroup: group,
            timestampMicros: seconds * 1e6 + micros,
            bmpLength,
          });
          const d = decoded(decodeOpenBmpRawHeader(header));
          assert.equal(d.headerLength, header.length);
          assert.equal(d.collectorAdminId, adminId);
          assert.equal(d.routerGroup, group);
          assert.equal(d.routerAddress, r.canonical);
          assert.equal(d.flags, r.canonical.includes(':') ? 0xc0 : 0x80);
          assert.deepEqual(d.collectorHash, cHash ?? openBmpCollectorHash(adminId));
          assert.deepEqual(d.routerHash, rHash ?? openBmpRouterHash(r.text));
          assert.deepEqual([d.timestampSeconds, d.timestampMicroseconds, d.timestampMicros], [seconds, micros, seconds * 1e6 + micros]);
          assert.equal(d.bmpLength, bmpLength);
          assert.equal(d.rowCount, 1);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
