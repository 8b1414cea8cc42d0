/**
 * LZ4 for Kafka record batches. kafkajs implements gzip only and looks other codecs up in a
 * process-wide table; lz4-napi compresses and decompresses. Every Kafka client of the project
 * imports this (through client.ts), so producers can write LZ4 batches and consumers — ours and
 * those in tests — can read them.
 *
 * Kafka's LZ4 is the LZ4 frame format (KIP-57: with a correct header checksum). A producer's
 * batch is framed here around lz4-napi's block compression, one block for up to 4 MiB of records
 * (a batch is at most producer.maxBatchBytes, 1 MiB by default), rather than by its frame
 * encoder, which cuts the input into 64 KiB blocks: on bench:ingest's batches the frame encoder
 * cost ~14% more CPU for the same ratio. Every reader of Kafka's LZ4 takes blocks up to 4 MiB
 * (the frame format's largest; Kafka's own KafkaLZ4BlockInputStream accepts 64 KiB to 4 MiB).
 */
import kafkajs from 'kafkajs';
import lz4 from 'lz4-napi';

// CommonJS: kafkajs's codec table is not among its statically detectable named exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

/** Largest block of the frames written: the frame format's 4 MiB. */
export const LZ4_MAX_BLOCK = 4 * 1024 * 1024;

/**
 * The frame header: magic number 0x184D2204 (little-endian); FLG 0x60 (version 01, blocks
 * independent, no block checksums, no content size, no content checksum, no dictionary); BD 0x70
 * (blocks of at most 4 MiB); HC 0x73, the second octet of xxHash32 (seed 0) of FLG and BD.
 */
const FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73]);
/** A block size of zero ends the frame. */
const END_MARK = Buffer.alloc(4);
/** Set in a block's size: the block is stored uncompressed. */
const UNCOMPRESSED = 0x80000000;

/** `data` as one LZ4 frame (see above). */
export async function compressLz4Frame(data: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [FRAME_HEADER];
  for (let at = 0; at < data.length; at += LZ4_MAX_BLOCK) {
    const block = data.subarray(at, Math.min(at + LZ4_MAX_BLOCK, data.length));
    // lz4-napi's block: the input's length (4 octets, little-endian), then the compressed block.
    const out = await lz4.compress(block);
    const compressed = out.length - 4;
    if (compressed < block.length) {
      // The length prefix becomes the frame's block size.
      out.writeUInt32LE(compressed, 0);
      parts.push(out);
    } else {
      // Incompressible: stored as it is, which also keeps a block within the 4 MiB it announces.
      const size = Buffer.allocUnsafe(4);
      size.writeUInt32LE((block.length | UNCOMPRESSED) >>> 0, 0);
      parts.push(size, block);
    }
  }
  parts.push(END_MARK);
  return Buffer.concat(parts);
}

CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => compressLz4Frame(encoder.buffer),
  decompress: async (buffer: Buffer) => lz4.decompressFrame(buffer),
});

export { CompressionTypes };
