/**
 * LZ4 for Kafka record batches. kafkajs implements gzip only and looks other codecs up in a
 * process-wide table; lz4-napi provides the LZ4 frame format Kafka uses. Every Kafka client of
 * the project imports this (through client.ts), so producers can write LZ4 batches and consumers
 * — ours and those in tests — can read them.
 */
import kafkajs from 'kafkajs';
import lz4 from 'lz4-napi';

// CommonJS: kafkajs's codec table is not among its statically detectable named exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => lz4.compressFrame(encoder.buffer),
  decompress: async (buffer: Buffer) => lz4.decompressFrame(buffer),
});

export { CompressionTypes };
