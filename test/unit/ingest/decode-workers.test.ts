/**
 * Decode workers: the records a session's bytes become are the same whether its pipeline runs in
 * a worker thread or on the event loop, in the same order, whatever the chunking; the packed
 * transfer format round-trips; faults and a dying worker end only the sessions concerned.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { fullTableDump } from '../../../bench/full-table.js';
import { extractBmpStreams } from '../../../services/capture/index.js';
import { DecodeWorkers } from '../../../services/ingest/decode-workers.js';
import type { OutboundRecord } from '../../../services/kafka/publisher.js';
import { KeyOctets, PackedRecords, RecordPacker, SESSION_TOPICS, SessionKeys } from '../../../services/ingest/decode-worker-protocol.js';
import { splitOpenBmpRawMessage } from '../../../services/ingest/openbmp-raw.js';
import { SessionPipeline, type PlacedValue, type SessionPipelineOptions, type SessionTopic } from '../../../services/ingest/session-pipeline.js';
import { LocalSessionProcessor, runPipeline, type ProcessedReport, type ProcessorHandler, type SessionProcessor } from '../../../services/ingest/session-processor.js';
import { INGEST_TOPICS, decodeRecord, type IngestTopic } from '../../../services/kafka/avro/index.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../capture/testdata.js';

const logger = pino({ level: 'silent' });
const workers = new DecodeWorkers(2, logger);
after(() => workers.stop());

const schemaIds = Object.fromEntries(INGEST_TOPICS.map((t, i) => [t, i + 1])) as Record<IngestTopic, number>;
const options = (routerAddress: string): SessionPipelineOptions => ({ routerAddress, routerPort: 179, collectorId: 'unit', maxMessageBytes: 1 << 20, raw: true, schemaIds });

type LogicalRecord = { topic: SessionTopic; key: string; value: Buffer; timestamp: number };

/** A step's packed records, with their logical topics (the packed topic indexes' names). */
function unpack(packed: Uint8Array, keys: readonly string[]): LogicalRecord[] {
  const run = new PackedRecords(packed, keys, SESSION_TOPICS);
  return Array.from({ length: run.length }, (_, i) => {
    const r = run.record(i);
    return { topic: r.topic as SessionTopic, key: String(r.key), value: r.value, timestamp: r.timestamp! };
  });
}

interface Collected {
  collected: LogicalRecord[];
  /** Steps whose octets were lent (a worker's slab), copied and released at once. */
  lent: number;
  reports: ProcessedReport[];
  lostWith: Error | null;
  done: Promise<void>;
}

function collector(): Collected & ProcessorHandler {
  let finished!: () => void;
  const c: Collected & ProcessorHandler = {
    collected: [],
    lent: 0,
    reports: [],
    lostWith: null,
    done: new Promise((resolve) => (finished = resolve)),
    records(packed, keys, release) {
      if (release === null) c.collected.push(...unpack(packed, keys));
      else {
        // Lent octets: copied, then given back, so the worker packs over them from now on.
        c.collected.push(...unpack(packed, keys).map((r) => ({ ...r, value: Buffer.from(r.value) })));
        c.lent++;
        release();
      }
    },
    processed(report) {
      c.reports.push(report);
      if (report.finished) finished();
    },
    lost(error) {
      c.lostWith = error;
      finished();
    },
  };
  return c;
}

/**
 * What may differ between two runs of the same bytes: the collector's clock (router records and
 * the raw topic's OpenBMP header carry it) and, in router records, the octets received so far,
 * which depend on how the stream was cut into reads. The comparison keeps everything else.
 */
function comparable(r: LogicalRecord): string {
  if (r.topic === 'raw') {
    const split = splitOpenBmpRawMessage(r.value);
    assert.equal(split.kind, 'ok');
    return `raw ${r.key} ${split.kind === 'ok' ? split.bmp.toString('hex') : ''}`;
  }
  if (r.topic === 'router') {
    const { timestamp: _t, bytes_received: _b, ...rest } = decodeRecord('router', r.value).value as unknown as Record<string, unknown>;
    return `router ${r.key} ${JSON.stringify(rest)}`;
  }
  return `${r.topic} ${r.key} ${r.value.toString('hex')}`;
}

function run(processor: SessionProcessor, chunks: Buffer[]): void {
  for (const c of chunks) processor.push(c);
  processor.finish('router closed the session');
}

function chunked(stream: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, stream.length]) {
    if (c > from) out.push(stream.subarray(from, c));
    from = Math.max(from, c);
  }
  return out;
}

const captures = HAVE_TESTDATA ? readdirSync(BMP_CAPTURE_DIR).filter((f) => /\.(pcap|pcapng|bmp)$/.test(f)) : [];

test('a worker publishes what the event loop publishes, record for record, in order', { skip: captures.length === 0 && 'test data not found' }, async () => {
  await workers.start();
  let compared = 0;
  let lent = 0;
  for (const file of captures) {
    for (const [i, { payload: stream }] of extractBmpStreams(readFileSync(join(BMP_CAPTURE_DIR, file))).entries()) {
      const what = `${file} stream ${i}`;
      const local = collector();
      run(new LocalSessionProcessor(options('192.0.2.1'), local), [stream]);
      const remote = collector();
      // Socket-sized chunks, cut anywhere (mid-header too).
      run(workers.open(options('192.0.2.1'), remote), chunked(stream, Array.from({ length: Math.ceil(stream.length / 1499) }, (_, k) => k * 1499 + 7)));
      await remote.done;
      assert.deepEqual(remote.collected.map(comparable), local.collected.map(comparable), what);
      assert.equal(remote.reports.at(-1)?.finished, true, what);
      const end = decodeRecord('router', remote.collected.at(-1)!.value).value;
      assert.equal(end.bytes_received, stream.length, what);
      assert.equal(
        remote.reports.reduce((n, r) => n + r.inputBytes, 0),
        stream.length,
        `${what}: every input octet is accounted for by a report`,
      );
      const messages = (c: Collected): number => c.reports.flatMap((r) => r.counts.messages).reduce((n, [, k]) => n + k, 0);
      assert.equal(messages(remote), messages(local), what);
      compared += local.collected.length;
      lent += remote.lent;
    }
  }
  assert.ok(compared > 10_000, `${compared} records compared`);
  assert.ok(lent > 0, 'steps came in the workers\' slabs');
});

test('sessions of one worker do not mix, and timestamps never go back within a session', { skip: captures.length === 0 && 'test data not found' }, async () => {
  const stream = extractBmpStreams(readFileSync(join(BMP_CAPTURE_DIR, 'pmacct-cisco-iosxr7101-srv6-locrib-with-ipfix.pcap')))[0].payload;
  const sessions = ['192.0.2.10', '192.0.2.11', '2001:db8::12', '192.0.2.13'].map((address) => ({ address, c: collector() }));
  const processors = sessions.map((s) => workers.open(options(s.address), s.c));
  // Interleaved: each session's chunks alternate with the others'.
  for (let at = 0; at < stream.length; at += 997) for (const p of processors) p.push(stream.subarray(at, at + 997));
  for (const p of processors) p.finish('done');
  await Promise.all(sessions.map((s) => s.c.done));
  const reference = collector();
  run(new LocalSessionProcessor(options('192.0.2.10'), reference), [stream]);
  for (const s of sessions) {
    assert.equal(s.c.collected.length, reference.collected.length, s.address);
    for (const r of s.c.collected) assert.ok(r.key.startsWith(s.address), `${s.address} got a record keyed ${r.key}`);
    for (let i = 1; i < s.c.collected.length; i++) assert.ok(s.c.collected[i].timestamp >= s.c.collected[i - 1].timestamp);
  }
  assert.deepEqual(workers.load, [0, 0], 'finished sessions are forgotten');
});

test('framing lost: the dead letter, then the end with that reason, even when the router closed first', async () => {
  await workers.start();
  // An Initiation with no information TLVs, then a header of version 9.
  const initiation = Buffer.from([3, 0, 0, 0, 6, 4]);
  const garbage = Buffer.concat([initiation, Buffer.from([9, 0, 0, 0, 6, 0]), Buffer.from('not BMP')]);
  const c = collector();
  run(workers.open(options('192.0.2.20'), c), [garbage]);
  await c.done;
  const topics = c.collected.map((r) => r.topic);
  assert.deepEqual(topics, ['router', 'raw', 'initiation', 'router', 'errors', 'router']);
  assert.match(c.reports.find((r) => r.framingLost !== null)?.framingLost ?? '', /version 9/);
  const end = decodeRecord('router', c.collected.at(-1)!.value).value as { event: string; disconnect_reason: string };
  assert.equal(end.event, 'disconnected');
  assert.match(end.disconnect_reason, /framing lost.*version 9/);
});

test('a fault in the pipeline is reported with where it happened, and the step still reports', () => {
  const pipeline = new SessionPipeline(options('192.0.2.30'), () => undefined);
  let faulted = false;
  const report = runPipeline(pipeline, 42, false, () => {
    throw new Error('boom in a decoder');
  }, () => (faulted = true));
  assert.equal(faulted, true);
  assert.equal(report.inputBytes, 42);
  assert.match(report.fault ?? '', /boom in a decoder/);
  assert.equal(report.finished, false);
});

test('a worker that dies tells each of its sessions; a new session gets a fresh worker', async () => {
  const dying = new DecodeWorkers(1, logger);
  await dying.start();
  try {
    const a = collector();
    const b = collector();
    dying.open(options('192.0.2.40'), a);
    dying.open(options('192.0.2.41'), b);
    const slots = (dying as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots;
    await slots[0].worker.terminate();
    await Promise.all([a.done, b.done]);
    assert.match(a.lostWith?.message ?? '', /exited/);
    assert.match(b.lostWith?.message ?? '', /exited/);
    const c = collector();
    run(dying.open(options('192.0.2.42'), c), [Buffer.from([3, 0, 0, 0, 6, 4])]);
    await c.done;
    assert.equal(c.lostWith, null);
    assert.deepEqual(c.collected.map((r) => r.topic), ['router', 'raw', 'initiation', 'router', 'router']);
  } finally {
    await dying.stop();
  }
});

test('a worker that stops answering is stopped, and its sessions are told', async () => {
  // A stall limit far below what a large chunk takes to decode stands in for a worker that loops.
  const slow = new DecodeWorkers(1, logger, { stallMs: 20, stallCheckMs: 10 });
  await slow.start();
  try {
    const table = Buffer.concat([...fullTableDump({ prefixesV4: 150_000, prefixesV6: 0, peers: 1, seed: 3 })]);
    const c = collector();
    const processor = slow.open(options('192.0.2.50'), c);
    processor.push(table);
    await c.done;
    assert.match(c.lostWith?.message ?? '', /decode worker stuck: no answer for \d+ ms/);
  } finally {
    await slow.stop();
  }
});

test('packed records round-trip: topics, keys, timestamps, values and charged sizes, across buffer growth', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          topic: fc.constantFrom(...SESSION_TOPICS),
          key: fc.integer({ min: 0, max: 5 }),
          value: fc.uint8Array({ maxLength: 200_000 }),
          timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
        }),
        { maxLength: 12 },
      ),
      (records) => {
        const keys = ['a', 'b|0|0:0|192.0.2.1|loc_rib', 'é', '', 'x'.repeat(300), '2001:db8::1'];
        const packer = new RecordPacker();
        for (const r of records) packer.add(r.topic, r.key, Buffer.from(r.value), r.timestamp);
        const packed = packer.take();
        if (records.length === 0) return assert.equal(packed, null);
        const out = unpack(packed!, keys).map((r) => ({ ...r, key: keys.indexOf(r.key), value: new Uint8Array(r.value) }));
        assert.deepEqual(out, records.map((r) => ({ ...r, value: new Uint8Array(r.value) })));
        // What the publisher charges: each record's key (text length) and value, and their sum.
        const run = new PackedRecords(packed!, keys, SESSION_TOPICS);
        const sizes = records.map((r) => keys[r.key].length + r.value.length);
        assert.deepEqual(Array.from({ length: run.length }, (_, i) => run.sizeOf(i)), sizes);
        assert.equal(run.bytes, sizes.reduce((a, b) => a + b, 0));
        // collect: any range, appended by topic to lists already there, as record(i) gives them.
        const from = Math.floor(run.length / 3);
        const to = run.length - Math.floor(run.length / 4);
        const byTopic = new Map<string, OutboundRecord[]>([[SESSION_TOPICS[0], [run.record(0)]]]);
        const expected = new Map(byTopic);
        for (let i = from; i < to; i++) {
          const r = run.record(i);
          expected.set(r.topic, [...(expected.get(r.topic) ?? []), r]);
        }
        run.collect(from, to, byTopic);
        assert.deepEqual(byTopic, expected);
        assert.equal(packer.take(), null, 'take() empties the packer');
      },
    ),
    { numRuns: 60 },
  );
});

test('records placed (addPlaced) and added (add) in any mix are packed alike, the buffer growing as a placed value asks (property)', () => {
  /** A placed value of `bytes` that asks for room as an encoder does: -1 until all of it fits. */
  const placed = (bytes: Uint8Array): PlacedValue & { asked: number } => ({
    asked: 0,
    writeAt(buf: Buffer, at: number): number {
      if (at + bytes.length > buf.length) {
        this.asked++;
        return -1;
      }
      buf.set(bytes, at);
      return at + bytes.length;
    },
  });
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          topic: fc.constantFrom(...SESSION_TOPICS),
          key: fc.integer({ min: 0, max: 2 }),
          value: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 200_000, maxLength: 700_000 })),
          timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
          place: fc.boolean(),
        }),
        { minLength: 1, maxLength: 10 },
      ),
      (records) => {
        const keys = ['a', 'b', 'c'];
        const packer = new RecordPacker();
        for (const r of records) {
          if (!r.place) packer.add(r.topic, r.key, Buffer.from(r.value), r.timestamp);
          else {
            const value = placed(r.value);
            packer.addPlaced(r.topic, r.key, value, r.timestamp);
            assert.ok(value.asked <= 3, 'the buffer at least doubles each time');
          }
        }
        const out = unpack(packer.take()!, keys).map((r) => ({ ...r, key: keys.indexOf(r.key), value: new Uint8Array(r.value) }));
        assert.deepEqual(
          out,
          records.map(({ place: _, ...r }) => ({ ...r, value: new Uint8Array(r.value) })),
        );
      },
    ),
    { numRuns: 40 },
  );
});

test('a taken buffer is the caller\'s: later records, small steps or large, do not change it', () => {
  const packer = new RecordPacker();
  const keys = ['k'];
  const heads = (packed: Uint8Array | null): number[][] => unpack(packed!, keys).map((r) => [...r.value.subarray(0, 3)]);
  // Large steps (the buffer handed over, 17 + 100 KiB records fill half of it) and small ones (copied), in turn.
  const sizes = [100_000, 10, 150_000, 300_000, 5, 5, 120_000];
  const taken = sizes.map((size, i) => {
    for (let r = 0; r < (size > 1000 ? 2 : 1); r++) packer.add('raw', 0, Buffer.alloc(size, i + 1), i);
    return packer.take();
  });
  taken.forEach((packed, i) => {
    for (const head of heads(packed)) assert.deepEqual(head, [i + 1, i + 1, i + 1].slice(0, Math.min(3, sizes[i])), `step ${i}`);
  });
});

test('a corrupt packed buffer is refused, not misread', () => {
  const packer = new RecordPacker();
  packer.add('route_monitoring', 0, Buffer.from('value'), 1);
  const packed = packer.take()!;
  assert.equal(new PackedRecords(packed, ['k'], SESSION_TOPICS).length, 1);
  assert.throws(() => new PackedRecords(packed, [], SESSION_TOPICS), /corrupt packed record at 0/, 'a key id with no key');
  const view = new DataView(packed.buffer, packed.byteOffset);
  view.setUint8(0, SESSION_TOPICS.length);
  assert.throws(() => new PackedRecords(packed, ['k'], SESSION_TOPICS), /corrupt packed record at 0/, 'a topic index out of range');
  view.setUint8(0, 0);
  view.setUint32(13, 1000, true);
  assert.throws(() => new PackedRecords(packed, ['k'], SESSION_TOPICS), /corrupt packed record at 0/, 'a value past the end');
  assert.throws(() => new PackedRecords(packed.subarray(0, 10), ['k'], SESSION_TOPICS), /corrupt packed record at 0/, 'a header cut short');
});

test('a session key is made into octets once and read back as them', () => {
  const keyOctets = new KeyOctets();
  const keys = ['192.0.2.1|global|0:0|2001:db8::1|pre|in', 'é|router'];
  const first = keyOctets.of(keys.slice(0, 1));
  assert.deepEqual(first.map(String), keys.slice(0, 1));
  const both = keyOctets.of(keys);
  assert.equal(both[0], first[0], 'the same Buffer for a key already made');
  assert.deepEqual(both[1], Buffer.from('é|router', 'utf8'), 'UTF-8, not one octet per UTF-16 unit');

  const packer = new RecordPacker();
  packer.add('route_monitoring', 1, Buffer.from('value'), 7);
  packer.add('raw', 0, Buffer.from('raw'), 8);
  const run = new PackedRecords(packer.take()!, both, SESSION_TOPICS);
  assert.equal(run.record(0).key, both[1]);
  assert.equal(run.record(1).key, both[0]);
  assert.equal(run.sizeOf(0), Buffer.byteLength('é|router') + 5, 'charged by octets');
  assert.equal(run.bytes, Buffer.byteLength('é|router') + 5 + Buffer.byteLength(keys[0]) + 3);
});

test('a session key keeps the id it was first given, whatever the order of lookups', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 4 }), (picks, takeAt) => {
      // Texts equal to another's but a different string object are the same key.
      const texts = ['', 'a', '192.0.2.1|pre', 'é', `${'192.0.2.'}${1}|pre`, 'b'];
      const keys = new SessionKeys();
      const firstSeen: string[] = [];
      const taken: string[] = [];
      picks.forEach((p, i) => {
        const key = texts[p];
        if (!firstSeen.includes(key)) firstSeen.push(key);
        assert.equal(keys.idOf(key), firstSeen.indexOf(key), `lookup ${i} of ${JSON.stringify(key)}`);
        if (takeAt.includes(i)) taken.push(...keys.takeNew());
      });
      taken.push(...keys.takeNew());
      assert.deepEqual(taken, firstSeen, 'newKeys: each key once, in id order');
      assert.deepEqual(keys.keys, firstSeen);
    }),
    { numRuns: 300 },
  );
});

test('a record for a name that is not a session topic is refused, inherited object names too', () => {
  const packer = new RecordPacker();
  for (const name of ['nope', 'constructor', 'toString', '__proto__']) {
    assert.throws(() => packer.add(name as SessionTopic, 0, Buffer.from('v'), 1), /no topic index/, name);
  }
  assert.equal(packer.take(), null, 'nothing packed');
  // Also right after a record of a real topic (the packer remembers the last one).
  packer.add('raw', 0, Buffer.from('v'), 1);
  assert.throws(() => packer.add('nope' as SessionTopic, 0, Buffer.from('v'), 1), /no topic index/);
  packer.add('raw', 0, Buffer.from('w'), 2);
  assert.equal(new PackedRecords(packer.take()!, ['k'], SESSION_TOPICS).length, 2);
});
