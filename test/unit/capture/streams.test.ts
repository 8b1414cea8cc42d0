/**
 * Capture → TCP streams → BMP framing, against STREAMS.tsv: for every router→collector session of
 * every capture, the same endpoints, the same number of octets up to the last whole message, the
 * same message counts per version and per type as the independent framing walk, and the trailing
 * partial message where the notes say there is one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractBmpStreams, extractTcpStreams, looksLikeBmpHeader, pickBmpStreams, readCapture } from '../../../services/capture/index.js';
import { BmpFramer } from '../../../services/codec/framer.js';
import { HAVE_TESTDATA, captureFiles, readCaptureFile, readStreamsTsv, type StreamsRow } from './testdata.js';
import { bmpInitiation, ethernet, ipv4, ipv6, pcapFile, sll2 } from '../../helpers/pcap-builder.js';

/** Type labels STREAMS.tsv uses. */
const TYPE_LABELS: Record<number, string> = { 0: 'RM', 1: 'STATS', 2: 'PD', 3: 'PU', 4: 'INIT', 5: 'TERM', 6: 'MIRROR', 100: 'RPAT' };

function frameCounts(payload: Buffer) {
  const framer = new BmpFramer();
  framer.push(payload);
  const types: Record<string, number> = {};
  const versions: Record<string, number> = {};
  let msgs = 0;
  let used = 0;
  for (let r = framer.next(); r !== null; r = framer.next()) {
    assert.equal(r.kind, 'message', r.kind === 'error' ? r.reason : '');
    if (r.kind !== 'message') break;
    msgs++;
    used = r.offset + r.length;
    const label = TYPE_LABELS[r.type] ?? String(r.type);
    types[label] = (types[label] ?? 0) + 1;
    versions[`v${r.version}`] = (versions[`v${r.version}`] ?? 0) + 1;
  }
  return { msgs, used, types, versions, end: framer.end(), buffered: framer.bufferedBytes };
}

describe('capture extraction matches STREAMS.tsv', { skip: !HAVE_TESTDATA && 'shared test data not found' }, () => {
  const rows = HAVE_TESTDATA ? readStreamsTsv() : [];
  const byFile = new Map<string, StreamsRow[]>();
  for (const r of rows) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);

  test('STREAMS.tsv lists 52 sessions in 25 captures', () => {
    assert.equal(rows.length, 52);
    assert.equal(captureFiles().length, 25);
  });

  for (const [file, expected] of byFile) {
    test(`${file}: ${expected.length} session(s)`, () => {
      const result = readCapture(readCaptureFile(file));
      const bmp = pickBmpStreams(result.streams);
      assert.equal(bmp.length, expected.length, 'number of BMP sessions');
      assert.equal(result.fileTruncated, false);
      expected.forEach((row, i) => {
        const s = bmp[i];
        const where = `${file} ${row.sessionFile}`;
        if (s.origin === 'tcp') {
          assert.deepEqual([s.src, s.srcPort, s.dst, s.dstPort], [row.src, row.srcPort, row.dst, row.dstPort], where);
        } else {
          assert.equal(file.endsWith('.bmp'), true); // the raw stream has no endpoints
        }
        assert.deepEqual(s.gaps, [], where);
        assert.equal(row.firstHeader, `OK v${s.payload[0]}`, where);
        const c = frameCounts(s.payload);
        assert.equal(c.used, row.bytes, `${where}: octets up to the last whole message`);
        assert.equal(c.msgs, row.msgs, `${where}: messages`);
        assert.deepEqual(c.types, row.types, `${where}: types`);
        assert.deepEqual(c.versions, row.versions, `${where}: versions`);
        const partial = /trailing partial message \((\d+) of (\d+) bytes\)/.exec(row.notes);
        if (partial) {
          // The framer keeps the partial message buffered and reports it at end of stream.
          assert.equal(c.buffered, Number(partial[1]), where);
          assert.equal(s.payload.length, row.bytes + Number(partial[1]), where);
          assert.ok(c.end !== null && c.end.code === 'truncated' && c.end.offset === row.bytes, where);
          assert.equal(c.end.reason, `stream ended inside a BMP message (${partial[1]} of ${partial[2]} octets)`);
        } else {
          assert.equal(c.end, null, where);
          assert.equal(s.payload.length, row.bytes, where);
        }
      });
    });
  }

  test('the SYN-carries-data convention (data at the ISN itself, next segment at ISN + n) is recognised where used', () => {
    const withConvention = captureFiles().filter((file) => extractBmpStreams(readCaptureFile(file)).some((s) => s.synDataAtIsn));
    // The pmacct-test-automation replays (synthesised by traffic-reproducer) put the first data in the SYN.
    assert.deepEqual(withConvention, [
      'pmacct-6wind-frr801-peerdown-stats.pcap',
      'pmacct-cisco-iosxr2441-locrib-peerdown-vrf-with-ipfix.pcap',
      'pmacct-cisco-iosxr7101-peerdown-ipv6transport.pcap',
      'pmacct-cisco-iosxr7101-srv6-locrib-with-ipfix.pcap',
      'pmacct-cisco-iosxr741-rd-instance.pcap',
      'pmacct-cisco-iosxr754-locrib-mixed-peertypes.pcap',
      'pmacct-huawei-vrp8210-locrib-instance.pcap',
    ]);
  });

  test('captures with IPFIX next to BMP: the UDP packets are skipped as non-TCP', () => {
    const r = readCapture(readCaptureFile('pmacct-cisco-iosxr7101-srv6-locrib-with-ipfix.pcap'));
    assert.ok(r.skipped.not_tcp > 0);
    assert.equal(pickBmpStreams(r.streams).length, 1);
  });
});

test('a raw BMP byte stream (not pcap magic) is one stream', () => {
  const raw = Buffer.concat([bmpInitiation('r1'), bmpInitiation('r2')]);
  const [s] = extractTcpStreams(raw);
  assert.equal(s.origin, 'raw');
  assert.equal(s.payload, raw);
  assert.deepEqual(extractBmpStreams(raw).length, 1);
  assert.equal(readCapture(raw).format, 'raw');
});

test('end to end on a synthetic pcap: SLL2 + IPv6 and Ethernet + IPv4 sessions on arbitrary ports; the non-BMP direction and non-BMP flows are left out', () => {
  const bmp = Buffer.concat([bmpInitiation('router-a'), bmpInitiation('router-b')]);
  const v6 = { src: '2001:db8::a', dst: '2001:db8::c', sport: 51000, dport: 5000 };
  const v4 = { src: '198.51.100.7', dst: '198.51.100.9', sport: 179, dport: 60000 };
  const http = { src: '198.51.100.7', dst: '198.51.100.9', sport: 80, dport: 60001 };
  const packets = [
    sll2(ipv6({ ...v6, seq: 1000, flags: 0x02 }), 0x86dd),
    sll2(ipv6({ ...v6, seq: 1001 + 20, payload: bmp.subarray(20) }), 0x86dd), // out of order
    sll2(ipv6({ ...v6, seq: 1001, payload: bmp.subarray(0, 20) }), 0x86dd),
    sll2(ipv6({ src: v6.dst, dst: v6.src, sport: v6.dport, dport: v6.sport, seq: 5, payload: 'ack?' }), 0x86dd), // collector → router: not BMP
    sll2(ipv4({ ...http, seq: 1, payload: 'GET / HTTP/1.1\r\n' }), 0x0800),
  ];
  const e1 = ethernet(ipv4({ ...v4, seq: 77, payload: bmp }), 0x0800);
  // Mixed link types need pcapng; in pcap each file has one link type, so build two files.
  const sllFile = pcapFile(packets.map((data) => ({ data })), { linkType: 276 });
  const ethFile = pcapFile([{ data: e1 }], { linkType: 1, littleEndian: false, nanos: true });
  const a = readCapture(sllFile);
  assert.equal(a.streams.length, 3);
  const [s] = pickBmpStreams(a.streams);
  assert.deepEqual([s.src, s.srcPort, s.dst, s.dstPort, s.payload.equals(bmp)], ['2001:db8::a', 51000, '2001:db8::c', 5000, true]);
  assert.equal(pickBmpStreams(a.streams).length, 1);
  const [t] = extractBmpStreams(ethFile);
  assert.deepEqual([t.src, t.srcPort, t.payload.equals(bmp)], ['198.51.100.7', 179, true]);
});

test('looksLikeBmpHeader: version 3/4, length 6..1 MiB, type 0-6 or 100', () => {
  const ok = (hexText: string) => looksLikeBmpHeader(Buffer.from(hexText, 'hex'));
  assert.equal(ok('030000000604'), true);
  assert.equal(ok('04000000ff64'), true);
  assert.equal(ok('020000000604'), false);
  assert.equal(ok('030000000504'), false);
  assert.equal(ok('030010000100'), false);
  assert.equal(ok('030000000607'), false);
  assert.equal(ok('0300000006'), false);
});
