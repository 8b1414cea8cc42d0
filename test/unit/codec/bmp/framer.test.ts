import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BmpFramer, DEFAULT_MAX_MESSAGE_SIZE, frameBmpStream, type FramedMessage, type FramingError } from '../../../../services/codec/framer.js';
import { HAVE_TESTDATA, readCaptureFile } from '../../capture/testdata.js';
import { hex } from './hex.js';

/** A syntactically framed BMP message: version, type, body. */
function message(version: number, type: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(6 + body.length);
  out[0] = version;
  out.writeUInt32BE(out.length, 1);
  out[5] = type;
  out.set(body, 6);
  return out;
}

/** Whether two buffers share memory (small buffers come from one pool, so .buffer alone says little). */
function overlaps(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

/** Pushes `stream` cut at `cuts` and drains the framer after every push. */
function frameInChunks(stream: Buffer, cuts: number[], framer = new BmpFramer()): { messages: FramedMessage[]; error: FramingError | null; framer: BmpFramer } {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const messages: FramedMessage[] = [];
  let error: FramingError | null = null;
  let prev = 0;
  for (const p of [...points, stream.length]) {
    framer.push(stream.subarray(prev, p));
    prev = p;
    for (let r = framer.next(); r !== null; r = framer.next()) {
      if (r.kind === 'error') error = r;
      else messages.push(r);
    }
  }
  return { messages, error: error ?? framer.end(), framer };
}

const messageArb = fc
  .record({ version: fc.constantFrom(3, 4), type: fc.integer({ min: 0, max: 255 }), body: fc.uint8Array({ maxLength: 300 }) })
  .map(({ version, type, body }) => message(version, type, body));

test('property: any chunking of a stream yields the same messages, offsets and bytes', () => {
  fc.assert(
    fc.property(fc.array(messageArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
      const stream = Buffer.concat(msgs);
      const { messages, error, framer } = frameInChunks(stream, cuts);
      assert.equal(error, null);
      assert.equal(messages.length, msgs.length);
      let offset = 0;
      messages.forEach((m, i) => {
        assert.deepEqual(m.bytes, msgs[i]);
        assert.equal(m.offset, offset);
        assert.deepEqual([m.version, m.type, m.length], [msgs[i][0], msgs[i][5], msgs[i].length]);
        offset += m.length;
      });
      assert.equal(framer.bufferedBytes, 0);
      assert.equal(framer.streamOffset, stream.length);
    }),
    { numRuns: 300 },
  );
});

test('property: a trailing partial message stays buffered and is reported by end()', () => {
  fc.assert(
    fc.property(fc.array(messageArb, { maxLength: 8 }), messageArb, fc.nat(), fc.array(fc.nat(), { maxLength: 10 }), (msgs, last, cut, cuts) => {
      const keep = 1 + (cut % (last.length - 1)); // 1 .. length-1 octets of the last message
      const whole = Buffer.concat(msgs);
      const stream = Buffer.concat([whole, last.subarray(0, keep)]);
      const { messages, error, framer } = frameInChunks(stream, cuts);
      assert.equal(messages.length, msgs.length);
      assert.ok(error !== null && error.code === 'truncated');
      assert.equal(error.offset, whole.length);
      assert.equal(framer.bufferedBytes, keep);
      assert.match(error.reason, keep < 6 ? new RegExp(`\\(${keep} of 6 octets\\)`) : new RegExp(`\\(${keep} of ${last.length} octets\\)`));
    }),
    { numRuns: 200 },
  );
});

test('property: a real capture stream frames identically under random chunking', { skip: !HAVE_TESTDATA && 'shared test data not found' }, () => {
  const stream = readCaptureFile('bmpplay-huawei-vrp-bmpv4-raw.bmp');
  const reference = frameBmpStream(stream);
  assert.equal(reference.error, null);
  assert.equal(reference.messages.length, 1275);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 400 }), (cuts) => {
      const { messages, error } = frameInChunks(stream, cuts);
      assert.equal(error, null);
      assert.equal(messages.length, reference.messages.length);
      for (let i = 0; i < messages.length; i++) {
        assert.equal(messages[i].offset, reference.messages[i].offset);
        assert.ok(messages[i].bytes.equals(reference.messages[i].bytes));
      }
    }),
    { numRuns: 50 },
  );
});

test('a message inside one chunk is a view of it; a message spanning chunks is one copy', () => {
  const a = message(3, 4, Buffer.from('abc'));
  const b = message(3, 5, Buffer.from('defgh'));
  const chunk = Buffer.concat([a, b.subarray(0, 4)]);
  const framer = new BmpFramer();
  framer.push(chunk);
  const first = framer.next();
  assert.ok(first !== null && first.kind === 'message');
  assert.ok(overlaps(first.bytes, chunk) && first.bytes.byteOffset === chunk.byteOffset, 'a view, not a copy');
  assert.equal(framer.next(), null);
  assert.equal(framer.bufferedBytes, 4);
  framer.push(b.subarray(4));
  const second = framer.next();
  assert.ok(second !== null && second.kind === 'message');
  assert.deepEqual(second.bytes, b);
  assert.equal(second.offset, a.length);
  assert.ok(!overlaps(second.bytes, chunk) && !overlaps(second.bytes, b), 'copied');
  assert.equal(framer.bufferedBytes, 0);
  assert.equal(framer.end(), null);
});

test('header split one octet per chunk', () => {
  const m = message(4, 0, Buffer.alloc(100, 7));
  const framer = new BmpFramer();
  for (let i = 0; i < m.length - 1; i++) {
    framer.push(m.subarray(i, i + 1));
    assert.equal(framer.next(), null);
  }
  framer.push(m.subarray(m.length - 1));
  const r = framer.next();
  assert.ok(r !== null && r.kind === 'message');
  assert.deepEqual(r.bytes, m);
});

test('framing errors name the reason and the stream offset, are reported once, and stop the framer', () => {
  const good = message(3, 4, Buffer.alloc(4));
  const cases: Array<[Buffer, FramingError['code'], RegExp]> = [
    [hex`07 00000010 00`, 'bad_version', /version 7 is not 3 or 4/],
    [hex`02 00 ${'00'.repeat(42)}`, 'legacy_version', /version 2 \(pre-RFC draft\) has no message length/],
    [hex`01 00 ${'00'.repeat(42)}`, 'legacy_version', /version 1/],
    [hex`03 00000005 04`, 'short_length', /length 5 is below the 6-octet common header/],
    [hex`03 00000000 04`, 'short_length', /length 0/],
    [hex`03 00100001 00`, 'oversized_length', /length 1048577 exceeds the maximum of 1048576/],
    [hex`04 ffffffff 00`, 'oversized_length', /4294967295/],
  ];
  for (const [bad, code, reason] of cases) {
    const { messages, error, framer } = frameInChunks(Buffer.concat([good, good, bad, good]), [3, 20]);
    assert.equal(messages.length, 2);
    assert.ok(error !== null);
    assert.equal(error.code, code);
    assert.equal(error.offset, 2 * good.length);
    assert.match(error.reason, reason);
    assert.equal(framer.next(), null, 'reported once');
    assert.deepEqual(framer.error, error);
    framer.push(good);
    assert.equal(framer.next(), null, 'no framing after the error');
    assert.equal(framer.bufferedBytes, 0, 'buffers released');
    assert.equal(framer.end(), null);
  }
});

test('maxMessageSize is configurable; the default is 1 MiB', () => {
  assert.equal(DEFAULT_MAX_MESSAGE_SIZE, 1 << 20);
  const m = message(3, 0, Buffer.alloc(100));
  assert.equal(frameBmpStream(m, { maxMessageSize: 106 }).messages.length, 1);
  const r = frameBmpStream(m, { maxMessageSize: 105 });
  assert.equal(r.error?.code, 'oversized_length');
  const big = message(3, 0, Buffer.alloc(DEFAULT_MAX_MESSAGE_SIZE - 6));
  assert.equal(frameBmpStream(big).messages.length, 1);
  assert.throws(() => new BmpFramer({ maxMessageSize: 5 }), RangeError);
  assert.throws(() => new BmpFramer({ maxMessageSize: 1.5 }), RangeError);
});

test('bufferedBytes lets a caller bound memory while a large message arrives', () => {
  const framer = new BmpFramer();
  const m = message(3, 0, Buffer.alloc(5000));
  for (let i = 0; i < 5; i++) {
    framer.push(m.subarray(i * 1000, (i + 1) * 1000));
    assert.equal(framer.next(), null);
    assert.equal(framer.bufferedBytes, (i + 1) * 1000);
  }
  framer.push(m.subarray(5000));
  assert.equal(framer.next()?.kind, 'message');
  assert.equal(framer.bufferedBytes, 0);
});

test('many small chunks (one octet each) frame every message', () => {
  const msgs = Array.from({ length: 200 }, (_, i) => message(3, i % 7, Buffer.alloc(i % 13, i)));
  const stream = Buffer.concat(msgs);
  const cuts = Array.from({ length: stream.length }, (_, i) => i); // one octet per chunk
  const { messages, error } = frameInChunks(stream, cuts);
  assert.equal(error, null);
  assert.equal(messages.length, 200);
  assert.ok(messages.every((m, i) => m.bytes.equals(msgs[i])));
});

test('a consumed chunk is let go at once, also while every chunk ends inside a message', async () => {
  // A full collection on demand: --expose-gc set at run time, gc() taken from a fresh context.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const framer = new BmpFramer();
  const refs: WeakRef<Buffer>[] = [];
  // In a function of its own, so that nothing here holds a chunk or a message afterwards.
  (() => {
    // 40 messages of 106 octets cut every 150 octets, the last cut left out: every chunk pushed
    // ends inside a message, so the framer's oldest chunk is never its newest (the usual shape of
    // a TCP stream read in pieces).
    const stream = Buffer.concat(Array.from({ length: 40 }, (_, i) => message(3, 0, Buffer.alloc(100, i))));
    let messages = 0;
    for (let at = 0; at + 150 < stream.length; at += 150) {
      const chunk = Buffer.from(stream.subarray(at, at + 150));
      refs.push(new WeakRef(chunk));
      framer.push(chunk);
      for (let r = framer.next(); r !== null; r = framer.next()) {
        assert.equal(r.kind, 'message');
        messages++;
      }
      assert.ok(framer.bufferedBytes > 0, 'the chunk ends inside a message');
    }
    assert.equal(messages, 39);
  })();
  // WeakRef targets are kept until the end of the job that made them.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  // What may stay: the chunks holding the partial message (106 octets: one or two chunks).
  const held = refs.filter((r) => r.deref() !== undefined).length;
  assert.ok(held <= 2, `${held} of ${refs.length} chunks still held by the framer`);
  assert.ok(framer.bufferedBytes > 0);
});

test('empty pushes are ignored; end() on an empty framer is null', () => {
  const framer = new BmpFramer();
  framer.push(Buffer.alloc(0));
  assert.equal(framer.next(), null);
  assert.equal(framer.end(), null);
  assert.equal(frameBmpStream(Buffer.alloc(0)).error, null);
});

test('after a framing error the unframed octets stay available for the dead letter', () => {
  const framer = new BmpFramer();
  const good = Buffer.from([3, 0, 0, 0, 6, 4]);
  const bad = Buffer.from([9, 0, 0, 0, 6, 0, 0xaa, 0xbb]);
  framer.push(Buffer.concat([good, bad]));
  assert.equal(framer.next()?.kind, 'message');
  const err = framer.next();
  assert.equal(err?.kind, 'error');
  assert.equal(framer.bufferedBytes, 0, 'buffers released');
  assert.deepEqual(framer.pendingBytes(), bad);
  assert.deepEqual(framer.pendingBytes(3), bad.subarray(0, 3));
});
