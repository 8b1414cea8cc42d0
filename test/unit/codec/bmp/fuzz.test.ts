/**
 * Robustness: arbitrary bytes into the decoder and the framer produce typed results or CodecError,
 * never another exception; whatever decodes re-encodes to something that decodes the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError } from '../../../../services/codec/errors.js';
import { BmpFramer } from '../../../../services/codec/framer.js';
import { decodeBmpMessage, encodeBmpMessage, tryDecodeBmpMessage, type BmpMessage } from '../../../../services/codec/bmp/index.js';
import { frameBmpStream } from '../../../../services/codec/framer.js';
import { extractBmpStreams } from '../../../../services/capture/index.js';
import { HAVE_TESTDATA, readCaptureFile } from '../../capture/testdata.js';

/** Decodes; on success checks decode(encode(m)) equals m. Any non-CodecError fails the test. */
function decodeChecked(buf: Buffer): void {
  let m: BmpMessage;
  try {
    m = decodeBmpMessage(buf);
  } catch (e) {
    if (e instanceof CodecError) return;
    throw e;
  }
  const again = decodeBmpMessage(encodeBmpMessage(m));
  assert.deepEqual(again, m);
  assert.doesNotThrow(() => tryDecodeBmpMessage(buf));
}

/** A header announcing exactly `body`, so decoding reaches the per-type code. */
function withHeader(version: number, type: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(6 + body.length);
  out[0] = version;
  out.writeUInt32BE(out.length, 1);
  out[5] = type;
  out.set(body, 6);
  return out;
}

test('fuzz: raw random bytes into decodeBmpMessage', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodeChecked(Buffer.from(bytes))),
    { numRuns: 2000 },
  );
});

test('fuzz: random bodies behind a valid header, every message type', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(3, 4),
      fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 100, 7, 251),
      fc.uint8Array({ maxLength: 400 }),
      (version, type, body) => decodeChecked(withHeader(version, type, body)),
    ),
    { numRuns: 5000 },
  );
});

test('fuzz: a valid per-peer header then random octets (reaches the body decoders)', () => {
  const peerHeader = Buffer.from('0080000000000000000020010db8000000000000000000000001000000fdc0000201000000010000000a', 'hex');
  fc.assert(
    fc.property(
      fc.constantFrom(3, 4),
      fc.constantFrom(0, 1, 2, 3, 6),
      fc.constantFrom(0x00, 0x80, 0x40, 0x10, 0xff),
      fc.constantFrom(0, 1, 2, 3, 9),
      fc.uint8Array({ maxLength: 300 }),
      (version, type, flags, peerType, rest) => {
        const body = Buffer.concat([peerHeader, rest]);
        body[0] = peerType;
        body[1] = flags;
        decodeChecked(withHeader(version, type, body));
      },
    ),
    { numRuns: 5000 },
  );
});

test('fuzz: random bytes and random chunking into the framer yield only messages or typed errors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      const stream = Buffer.from(bytes);
      const framer = new BmpFramer({ maxMessageSize: 4096 });
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      let prev = 0;
      let errors = 0;
      for (const p of [...points, stream.length]) {
        framer.push(stream.subarray(prev, p));
        prev = p;
        for (let r = framer.next(); r !== null; r = framer.next()) {
          if (r.kind === 'error') errors++;
          else {
            assert.ok(r.bytes.length >= 6 && r.bytes.length <= 4096);
            decodeChecked(r.bytes);
          }
        }
      }
      const end = framer.end();
      assert.ok(errors + (end ? 1 : 0) <= 1, 'at most one framing error');
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: mutated real messages (byte flips, truncation with a fixed length field)', { skip: !HAVE_TESTDATA && 'shared test data not found' }, () => {
  const samples: Buffer[] = [];
  for (const file of ['bmpplay-huawei-vrp-bmpv4-raw.bmp', 'trafficrepro-huawei-vrp8210-route-policy-trace.pcap', 'networklab-juniper-vmx-full-session.pcap', 'netgauze-huawei-bmpv4-locrib-path-marking.pcap', 'pmacct-6wind-frr801-peerdown-stats.pcap']) {
    for (const stream of extractBmpStreams(readCaptureFile(file))) {
      const seen = new Set<string>();
      for (const m of frameBmpStream(stream.payload).messages) {
        const key = `${m.version}/${m.type}`;
        if (seen.has(key) && samples.length % 3 !== 0) continue;
        seen.add(key);
        samples.push(m.bytes);
      }
    }
  }
  assert.ok(samples.length > 20);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: samples.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat()),
      (i, flips, cut) => {
        const buf = Buffer.from(samples[i]);
        for (const [at, value] of flips) buf[6 + (at % Math.max(1, buf.length - 6))] = value;
        let msg = buf;
        if (cut !== null) {
          msg = buf.subarray(0, Math.max(6, cut % buf.length));
          msg.writeUInt32BE(msg.length, 1);
        }
        decodeChecked(msg);
      },
    ),
    { numRuns: 5000 },
  );
});
