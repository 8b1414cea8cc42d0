/**
 * The capture the interop tests hand tshark: the router's BMP stream reassembled from a loopback
 * capture with out-of-order segments and a retransmission coalesced with new data (what made
 * tshark lose messages), written again as in-order segments on message boundaries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractTcpStreams, looksLikeBmpHeader, readPacketFile } from '../../../services/capture/index.js';
import { bmpInitiation, ipv4, pcapFile } from '../../helpers/pcap-builder.js';
import { messageAlignedChunks, writeCleanCapture } from '../../interop/lib/clean-capture.js';

const ROUTER = { src: '127.0.0.2', dst: '127.0.0.1', sport: 40000, dport: 11019 };
const LINKTYPE_RAW = 101;

/** 3,000 Initiation messages of 20-1,000 octets: about 1.5 MB. */
function bmpStream(): Buffer {
  return Buffer.concat(Array.from({ length: 3000 }, (_, i) => bmpInitiation(`r${i}-${'x'.repeat((i * 37) % 980)}`)));
}

test('chunks start on message boundaries and stay under 60,000 octets; a longer message is cut', () => {
  const stream = bmpStream();
  const chunks = messageAlignedChunks(stream);
  assert.deepEqual(Buffer.concat(chunks), stream);
  chunks.forEach((c, i) => {
    assert.ok(c.length <= 60_000, `chunk of ${c.length}`);
    if (i < chunks.length - 1) assert.ok(c.length > 59_000, `chunk ${i} closed early at ${c.length} (messages are at most ~1,000 octets)`);
    assert.ok(looksLikeBmpHeader(c), 'a chunk starts with a BMP header');
  });
  // A Route Mirroring message of 150,006 octets (longer than any one frame).
  const long = Buffer.alloc(150_006);
  long.writeUInt8(3, 0);
  long.writeUInt32BE(long.length, 1);
  long.writeUInt8(6, 5);
  const cut = messageAlignedChunks(Buffer.concat([bmpInitiation('a'), long, bmpInitiation('b')]));
  assert.deepEqual(
    cut.map((c) => c.length),
    [bmpInitiation('a').length, 60_000, 60_000, long.length - 120_000 + bmpInitiation('b').length],
  );
});

test('a capture with reordering and a retransmission carrying new octets becomes the whole stream, in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clean-capture-'));
  try {
    const stream = bmpStream();
    // Segments of 7,000 octets; #3 comes after #4; #6 is retransmitted together with #7's octets.
    const isn = 1000;
    const segs: Array<{ seq: number; payload: Buffer }> = [];
    for (let at = 0; at < stream.length; at += 7000) segs.push({ seq: isn + 1 + at, payload: stream.subarray(at, at + 7000) });
    const order = [segs[0], segs[1], segs[2], segs[4], segs[3], segs[5], segs[6], { seq: segs[6].seq, payload: stream.subarray(6 * 7000, 8 * 7000) }, ...segs.slice(8)];
    const packets = [
      { data: ipv4({ ...ROUTER, seq: isn, flags: 0x02 }), ts: 1 },
      ...order.map((s, i) => ({ data: ipv4({ ...ROUTER, seq: s.seq, payload: s.payload }), ts: 2 + i })),
      // The collector's ACKs (other direction) are left out of the clean capture.
      { data: ipv4({ src: ROUTER.dst, dst: ROUTER.src, sport: ROUTER.dport, dport: ROUTER.sport, seq: 1 }), ts: 9999 },
    ];
    const original = join(dir, 'loopback.pcap');
    writeFileSync(original, pcapFile(packets, { linkType: LINKTYPE_RAW }));

    const out = join(dir, 'clean.pcap');
    const clean = writeCleanCapture(original, ROUTER.dport, out);
    assert.equal(clean.streams.length, 1);
    assert.equal(clean.bytes, stream.length);
    assert.equal(clean.duplicateBytes, 7000, 'segment 6 was captured twice');
    assert.equal(clean.missingBytes, 0);

    const rewritten = extractTcpStreams(readFileSync(out));
    assert.equal(rewritten.length, 1);
    assert.deepEqual(rewritten[0].payload, stream);
    assert.equal(rewritten[0].duplicateBytes, 0);
    assert.equal(readPacketFile(readFileSync(out)).packets.length, 1 + messageAlignedChunks(stream).length, 'a SYN, then a frame per chunk');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('octets missing from the capture are reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clean-capture-'));
  try {
    const stream = bmpStream();
    const packets = [
      { data: ipv4({ ...ROUTER, seq: 0, flags: 0x02 }), ts: 1 },
      { data: ipv4({ ...ROUTER, seq: 1, payload: stream.subarray(0, 5000) }), ts: 2 },
      { data: ipv4({ ...ROUTER, seq: 1 + 6000, payload: stream.subarray(6000, 9000) }), ts: 3 },
    ];
    const original = join(dir, 'loopback.pcap');
    writeFileSync(original, pcapFile(packets, { linkType: LINKTYPE_RAW }));
    const clean = writeCleanCapture(original, ROUTER.dport, join(dir, 'clean.pcap'));
    assert.equal(clean.missingBytes, 1000);
    assert.equal(clean.bytes, 5000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
