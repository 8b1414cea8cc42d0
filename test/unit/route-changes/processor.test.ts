/**
 * The aggregate stage without Kafka: records put back in collector order before the aggregator,
 * and a task restored from a snapshot written mid-stream plus a replay up to the committed offset
 * publishes, with what was committed before the "crash", exactly what an uninterrupted task does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { RecordDecoder } from '../../../services/consumer/decoder.js';
import type { ConsumedRecord, OutputRecord } from '../../../services/consumer/runtime.js';
import {
  AggregateProcessor,
  ORIGIN_HEADER,
  SOURCE_TOPIC_HEADER,
  TICK,
  type AggregateSettings,
  type TaskStateSource,
} from '../../../services/route-changes/processor.js';
import { SnapshotCollector } from '../../../services/route-changes/snapshot-topic.js';
import { announce, peerDown, withdraw } from './fixtures.js';

const settings = (snapshotEveryRecords: number): AggregateSettings => ({
  aggregator: { windowMs: 10_000, allowedLatenessMs: 1_000, topN: 10, flapThreshold: 2 },
  reorderGraceMs: 1_000,
  idleCloseLagMs: 0,
  snapshotEveryRecords,
  snapshotIntervalMs: 3_600_000,
  snapshotChunkBytes: 4096,
  sourcePartitions: { route_monitoring: 1, peer_down: 1, router: 1 },
  topics: { routeChanges: 'rc', prefixFlaps: 'pf', snapshots: 'snap' },
  schemaIds: { routeChanges: 1, prefixFlaps: 2 },
});

/** Decodes the test's records: the value is the index of the event in `events`. */
const events: unknown[] = [];
const decoder = { decode: async (_topic: string, value: Buffer) => structuredClone(events[Number(value.toString())]) } as unknown as RecordDecoder;

function record(offset: number, ts: number, source: string, event: unknown): ConsumedRecord {
  events.push(event);
  return {
    topic: 'in',
    partition: 0,
    offset: String(offset),
    key: null,
    value: Buffer.from(String(events.length - 1)),
    timestamp: ts,
    headers: { [SOURCE_TOPIC_HEADER]: source, [ORIGIN_HEADER]: `${source}|0` },
  };
}

function tick(offset: number, wallMs: number): ConsumedRecord {
  return {
    topic: 'in',
    partition: 0,
    offset: String(offset),
    key: null,
    value: Buffer.from(JSON.stringify({ origins: { 'route_monitoring|0': true, 'peer_down|0': true, 'router|0': true } })),
    timestamp: wallMs,
    headers: { [SOURCE_TOPIC_HEADER]: TICK },
  };
}

/** The input: 4 windows of churn; a Peer Down forwarded ahead of route events stamped before it. */
function input(): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  let seq = 0;
  const rm = (ms: number, e: Parameters<typeof announce>[1] & { prefix?: string }, w = false) =>
    out.push(record(out.length, ms, 'route_monitoring', (w ? withdraw : announce)(e.prefix ?? '10.0.0.0/24', { ...e, sequence: seq++, bmp_timestamp: ms * 1000 })));
  for (let win = 0; win < 4; win++) {
    const t0 = win * 10_000;
    for (let i = 0; i < 6; i++) rm(t0 + 100 + i * 50, { prefix: `10.${win}.${i}.0/24`, med: win });
    for (let i = 0; i < 3; i++) {
      rm(t0 + 1000 + i * 400, { prefix: '10.9.9.0/24' }, true);
      rm(t0 + 1200 + i * 400, { prefix: '10.9.9.0/24' });
    }
    rm(t0 + 3000, { prefix: `10.${win}.0.0/24`, med: win + 100 });
    if (win === 2) {
      // The Peer Down (stamped 6 s) is forwarded before two route events stamped 5 s: they must
      // be applied before it, so they are dropped with the rest.
      out.push(record(out.length, t0 + 6000, 'peer_down', peerDown({ sequence: seq + 5, bmp_timestamp: (t0 + 6000) * 1000 })));
      rm(t0 + 5000, { prefix: '10.200.0.0/24' });
      rm(t0 + 5001, { prefix: '10.200.1.0/24' });
      seq++;
    }
    out.push(tick(out.length, t0 + 8000));
  }
  rm(100_000, { prefix: '10.250.0.0/24' });
  out.push(tick(out.length, 200_000));
  return out;
}

function source(snapshots: OutputRecord[], committed: bigint | null, records: ConsumedRecord[]): TaskStateSource {
  return {
    async snapshots() {
      const c = new SnapshotCollector();
      for (const r of snapshots) c.add({ key: Buffer.from(String(r.key)), value: r.value, headers: r.headers ?? {} } as never);
      const latest = c.latest();
      return latest === null ? new Map() : new Map([[0, { blob: latest.blob, offset: BigInt(latest.manifest.offset) }]]);
    },
    async offsets() {
      return new Map([[0, { committed, start: 0n }]]);
    },
    async replay(ranges, onRecord) {
      let n = 0;
      for (const r of ranges) {
        for (const rec of records.slice(Number(r.from), Number(r.to))) {
          await onRecord(rec);
          n++;
        }
      }
      return n;
    },
  };
}

const logger = pino({ level: 'silent' });
const published = (outs: OutputRecord[]) => outs.filter((o) => o.topic !== 'snap').map((o) => `${o.topic}|${String(o.key)}|${o.value?.toString('hex')}`);

async function run(records: ConsumedRecord[], from: number, processor: AggregateProcessor): Promise<OutputRecord[]> {
  const tasks = await processor.openTasks([0]);
  const task = tasks.get(0);
  assert.ok(task);
  const outs: OutputRecord[] = [];
  for (const r of records.slice(from)) {
    const decoded = await processor.decode(r);
    if (decoded !== null) outs.push(...task.process(r, decoded));
  }
  return outs;
}

describe('AggregateProcessor', () => {
  const records = input();

  it('uninterrupted: windows emitted, the Peer Down applied after the route events stamped before it', async () => {
    const p = new AggregateProcessor(decoder, source([], null, records), settings(1_000_000), logger);
    const outs = await run(records, 0, p);
    assert.ok(published(outs).length >= 5, `${published(outs).length} records`);
    const stats = p.tasks.get(0)?.stats();
    assert.equal(stats?.late, 0);
    // The Peer Down dropped everything, 10.200.x included (applied before it, though forwarded
    // after); what remains is window 3's six loads, 10.9.9.0/24 and the last route.
    assert.equal(stats?.routes, 8);
  });

  for (const crashAt of [9, 23, 40, 57]) {
    it(`crash after ${crashAt} records: snapshot + replay + the rest publishes what the uninterrupted task does`, async () => {
      const whole = published(await run(records, 0, new AggregateProcessor(decoder, source([], null, records), settings(1_000_000), logger)));
      const before = await run(records.slice(0, crashAt), 0, new AggregateProcessor(decoder, source([], null, records), settings(7), logger));
      const snapshots = before.filter((o) => o.topic === 'snap');
      assert.ok(snapshots.length > 0 || crashAt < 7, 'a snapshot was written');
      const restored = new AggregateProcessor(decoder, source(snapshots, BigInt(crashAt), records), settings(7), logger);
      const after = await run(records, crashAt, restored);
      assert.deepEqual([...published(before), ...published(after)], whole);
    });
  }

  it('a tick on an idle partition closes its windows at the wall clock less the lag, and only then', async () => {
    const idle = { ...settings(1_000_000), idleCloseLagMs: 5_000 };
    const p = new AggregateProcessor(decoder, source([], null, []), idle, logger);
    const task = (await p.openTasks([0])).get(0);
    assert.ok(task);
    const feed = async (r: ConsumedRecord) => task.process(r, (await p.decode(r)) as never).filter((o) => o.topic === 'rc');
    const r0 = record(0, 1_000, 'route_monitoring', announce('10.0.0.0/24', { bmp_timestamp: 1_000_000 }));
    assert.deepEqual(await feed(r0), []);
    // Window [0, 10 s) closes at 11 s of event time (1 s lateness): wall 16 s less 5 s.
    assert.deepEqual(await feed(tick(1, 15_000)), [], 'a record came since the previous tick: not idle');
    assert.deepEqual(await feed(tick(2, 15_999)), [], 'idle, but 10.999 s < 11 s');
    assert.equal((await feed(tick(3, 16_000))).length, 1, 'idle, and 11 s reached: the window is emitted');
  });
});
