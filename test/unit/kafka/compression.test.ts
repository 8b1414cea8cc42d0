/**
 * LZ4 frames of Kafka batches (services/kafka/compression.ts): any input comes back whole through
 * lz4-napi's frame decoder, which checks the header checksum; blocks are at most 4 MiB, stored as
 * they are when compression does not shrink them; kafkajs's codec table uses them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import lz4 from 'lz4-napi';
import kafkajs from 'kafkajs';
import { compressLz4Frame, LZ4_MAX_BLOCK } from '../../../services/kafka/compression.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** The block sizes of a frame written by compressLz4Frame (7-octet header, no checksums). */
function blocks(frame: Buffer): Array<{ size: number; stored: boolean }> {
  const out: Array<{ size: number; stored: boolean }> = [];
  let at = 7;
  for (;;) {
    const word = frame.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    out.push({ size, stored: (word & 0x80000000) !== 0 });
    at += size;
  }
  assert.equal(at, frame.length, 'nothing after the end mark');
  return out;
}

test('property: a frame decompresses to its input (lz4-napi checks the header checksum)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 5000, size: 'max' }),
        // Repetitive, as records are.
        fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(300)).map(([unit, n]) => Buffer.concat(Array.from({ length: n }, () => unit))),
      ),
      async (data) => {
        const input = Buffer.from(data);
        const frame = await compressLz4Frame(input);
        assert.deepEqual(frame.subarray(0, 7), Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73]));
        assert.ok((await lz4.decompressFrame(frame)).equals(input));
      },
    ),
    { numRuns: 200 },
  );
});

test('a wrong header checksum is refused by the decoder the tests rely on', async () => {
  const frame = await compressLz4Frame(Buffer.from('route route route route route route'));
  frame[6] ^= 1;
  await assert.rejects(lz4.decompressFrame(frame), /HeaderChecksum/);
});

test('more than 4 MiB: blocks of 4 MiB and the rest; incompressible blocks are stored', async () => {
  const repetitive = Buffer.alloc(LZ4_MAX_BLOCK + 1000, 'announce 192.0.2.0/24 ');
  const frame = await compressLz4Frame(repetitive);
  const b = blocks(frame);
  assert.equal(b.length, 2);
  assert.ok(b.every((x) => !x.stored && x.size < 100_000), JSON.stringify(b));
  assert.ok((await lz4.decompressFrame(frame)).equals(repetitive));

  const random = randomBytes(LZ4_MAX_BLOCK + 10);
  const stored = await compressLz4Frame(random);
  assert.deepEqual(blocks(stored), [
    { size: LZ4_MAX_BLOCK, stored: true },
    { size: 10, stored: true },
  ]);
  assert.ok((await lz4.decompressFrame(stored)).equals(random));
});

test('the empty input is a frame with no block', async () => {
  const frame = await compressLz4Frame(Buffer.alloc(0));
  assert.deepEqual(blocks(frame), []);
  assert.equal((await lz4.decompressFrame(frame)).length, 0);
});

test("kafkajs's LZ4 codec compresses with these frames and reads them back", async () => {
  const codec = CompressionCodecs[CompressionTypes.LZ4]() as { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> };
  const input = Buffer.alloc(300_000, 'peer 203.0.113.1 AS64496 ');
  const frame = await codec.compress({ buffer: input });
  assert.deepEqual(frame, await compressLz4Frame(input));
  assert.ok((await codec.decompress(frame)).equals(input));
});
