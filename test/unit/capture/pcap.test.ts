import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureError, detectCaptureFormat, readPacketFile } from '../../../services/capture/index.js';
import { HAVE_TESTDATA, readCaptureFile } from './testdata.js';
import { pcapFile, pcapngFile } from '../../helpers/pcap-builder.js';

const A = Buffer.from('aaaa');
const B = Buffer.from('bbbbbb');

test('pcap, both byte orders, microsecond and nanosecond resolution', () => {
  for (const littleEndian of [true, false]) {
    for (const nanos of [false, true]) {
      const file = pcapFile(
        [
          { data: A, ts: 1_700_000_000_123_456 },
          { data: B, ts: 1_700_000_001_000_001, orig: 1500 },
        ],
        { linkType: 1, littleEndian, nanos },
      );
      assert.equal(detectCaptureFormat(file), 'pcap');
      const r = readPacketFile(file);
      assert.equal(r.format, 'pcap');
      assert.equal(r.truncated, false);
      assert.deepEqual(
        r.packets.map((p) => [p.linkType, p.timestamp, p.data.toString(), p.originalLength, p.interfaceId]),
        [
          [1, 1_700_000_000_123_456, 'aaaa', 4, 0],
          [1, 1_700_000_001_000_001, 'bbbbbb', 1500, 0],
        ],
        `le=${littleEndian} ns=${nanos}`,
      );
    }
  }
});

test('pcap: FCS bits above the link type are ignored; packets are views into the file', () => {
  const file = pcapFile([{ data: A }], { linkType: 113, linkTypeHighBits: 0x14000000 });
  const r = readPacketFile(file);
  assert.equal(r.packets[0].linkType, 113);
  assert.equal(r.packets[0].data.buffer, file.buffer);
  assert.equal(r.packets[0].data.byteOffset, file.byteOffset + 40);
});

test('pcap cut short: the packets before, truncated flag and a warning', () => {
  const file = pcapFile([{ data: A }, { data: B }], { linkType: 1 });
  const inPacket = readPacketFile(file.subarray(0, file.length - 2));
  assert.deepEqual([inPacket.packets.length, inPacket.truncated], [1, true]);
  assert.match(inPacket.warnings[0], /inside a packet/);
  const inHeader = readPacketFile(file.subarray(0, 24 + 16 + 4 + 8));
  assert.deepEqual([inHeader.packets.length, inHeader.truncated], [1, true]);
  assert.throws(() => readPacketFile(file.subarray(0, 10)), CaptureError);
});

test('not a capture: raw format; readPacketFile refuses it', () => {
  assert.equal(detectCaptureFormat(Buffer.from([3, 0, 0, 0, 6, 4])), 'raw');
  assert.equal(detectCaptureFormat(Buffer.alloc(2)), 'raw');
  assert.throws(() => readPacketFile(Buffer.from('hello world')), CaptureError);
});

test('pcapng: SHB/IDB/EPB in both byte orders, several interfaces with their own link types', () => {
  for (const littleEndian of [true, false]) {
    const file = pcapngFile([
      {
        littleEndian,
        interfaces: [{ linkType: 1 }, { linkType: 276 }],
        blocks: [
          { kind: 'epb', iface: 1, ts: 1_700_000_000_123_456n, data: A },
          { kind: 'other', type: 5, body: Buffer.alloc(8) }, // Interface Statistics Block: skipped
          { kind: 'epb', iface: 0, ts: 1_700_000_000_200_000n, data: B, orig: 9000 },
        ],
      },
    ]);
    assert.equal(detectCaptureFormat(file), 'pcapng');
    const r = readPacketFile(file);
    assert.equal(r.format, 'pcapng');
    assert.deepEqual(
      r.packets.map((p) => [p.linkType, p.interfaceId, p.timestamp, p.data.toString(), p.originalLength]),
      [
        [276, 1, 1_700_000_000_123_456, 'aaaa', 4],
        [1, 0, 1_700_000_000_200_000, 'bbbbbb', 9000],
      ],
    );
    assert.deepEqual(r.warnings, []);
  }
});

test('pcapng: if_tsresol in powers of ten and of two', () => {
  const file = pcapngFile([
    {
      littleEndian: true,
      interfaces: [
        { linkType: 101, tsresol: 9 }, // nanoseconds
        { linkType: 101, tsresol: 0x80 | 10 }, // 1/1024 s
      ],
      blocks: [
        { kind: 'epb', iface: 0, ts: 1_700_000_000_123_456_789n, data: A },
        { kind: 'epb', iface: 1, ts: 3n * 1024n + 512n, data: A },
      ],
    },
  ]);
  assert.deepEqual(
    readPacketFile(file).packets.map((p) => p.timestamp),
    [1_700_000_000_123_456, 3_500_000],
  );
});

test('pcapng: Simple Packet Blocks (interface 0, no timestamp) and obsolete Packet Blocks', () => {
  const file = pcapngFile([
    {
      littleEndian: false,
      interfaces: [{ linkType: 228 }],
      blocks: [
        { kind: 'spb', data: B },
        { kind: 'pb', iface: 0, ts: 5_000_000n, data: A },
      ],
    },
  ]);
  assert.deepEqual(
    readPacketFile(file).packets.map((p) => [p.linkType, p.timestamp, p.data.toString()]),
    [
      [228, 0, 'bbbbbb'],
      [228, 5_000_000, 'aaaa'],
    ],
  );
});

test('pcapng: a second section with the other byte order resets the interfaces', () => {
  const file = pcapngFile([
    { littleEndian: true, interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', iface: 0, ts: 1n, data: A }] },
    {
      littleEndian: false,
      interfaces: [{ linkType: 113 }],
      blocks: [
        { kind: 'epb', iface: 0, ts: 2n, data: B },
        { kind: 'epb', iface: 1, ts: 3n, data: B }, // interface 1 exists only in section 1
      ],
    },
  ]);
  const r = readPacketFile(file);
  assert.deepEqual(
    r.packets.map((p) => [p.linkType, p.data.toString()]),
    [
      [1, 'aaaa'],
      [113, 'bbbbbb'],
    ],
  );
  assert.match(r.warnings[0], /unknown interface 1/);
});

test('pcapng cut short or with an impossible block length: packets before it, truncated', () => {
  const file = pcapngFile([{ littleEndian: true, interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', iface: 0, ts: 1n, data: A }, { kind: 'epb', iface: 0, ts: 2n, data: B }] }]);
  const cut = readPacketFile(file.subarray(0, file.length - 4));
  assert.deepEqual([cut.packets.length, cut.truncated], [1, true]);
  const broken = Buffer.from(file);
  broken.writeUInt32LE(13, file.length - 40 + 4); // second EPB: length not a multiple of 4
  const r = readPacketFile(broken);
  assert.equal(r.truncated, true);
  assert.equal(r.packets.length, 1);
  const noBom = Buffer.from(file);
  noBom.writeUInt32LE(0, 8);
  assert.throws(() => readPacketFile(noBom), /byte-order magic/);
});

test('the real pcapng capture (NetGauze, Cisco IOS XR) reads completely', { skip: !HAVE_TESTDATA && 'shared test data not found' }, () => {
  const r = readPacketFile(readCaptureFile('netgauze-cisco-iosxr741-small.pcapng'));
  assert.equal(r.format, 'pcapng');
  assert.equal(r.truncated, false);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.packets.length, 9);
  assert.ok(r.packets.every((p) => p.linkType === 1));
  assert.equal(new Date(r.packets[0].timestamp / 1000).toISOString(), '2022-10-03T18:29:05.954Z');
});
