/**
 * EventPublisher's queue and accounting, against a fake kafkajs producer (pure logic: the real
 * broker is in test/integration/ingest*.test.ts): records go out in publishing order, one batch at
 * a time, each within maxBatchBytes; a batch that fails is sent again whole, before anything
 * after it; owners' pending bytes and the total come back to zero, and each owner is told; a
 * backlog far larger than a batch drains in order (the sent part of the queue is dropped in
 * steps, not copied away per batch); runs of records are split across batches where the bound
 * falls, and each record is read from its run once, when its batch is formed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import { EventPublisher, recordSize, type FlowOwner, type OutboundRecord, type RecordRun } from '../../../services/kafka/publisher.js';

interface SentBatch {
  records: Array<{ topic: string; key: string; value: string }>;
}

/** A producer whose sendBatch records what it is given and fails the first `failures` calls. */
function fakeProducer(failures = 0): { producer: Producer; sent: SentBatch[]; calls: () => number } {
  const sent: SentBatch[] = [];
  let calls = 0;
  let inFlight = false;
  const producer = {
    async sendBatch({ topicMessages }: { topicMessages: Array<{ topic: string; messages: OutboundRecord[] }> }) {
      assert.equal(inFlight, false, 'one batch in flight at a time');
      inFlight = true;
      calls++;
      await new Promise((r) => setImmediate(r));
      inFlight = false;
      if (calls <= failures) throw new Error('broker unreachable (fake)');
      sent.push({ records: topicMessages.flatMap(({ topic, messages }) => messages.map((m) => ({ topic, key: String(m.key), value: m.value.toString() }))) });
    },
  } as unknown as Producer;
  return { producer, sent, calls: () => calls };
}

function owner(): FlowOwner & { acknowledgements: number } {
  const o = {
    pendingBytes: 0,
    acknowledgements: 0,
    onAcknowledged() {
      o.acknowledgements++;
    },
  };
  return o;
}

const silent = pino({ level: 'silent' });

/** `n` records of owner `o`'s key, value "<label>-<i>" padded to 100 octets. */
function publishMany(p: EventPublisher, o: FlowOwner, label: string, n: number): string[] {
  const values: string[] = [];
  for (let i = 0; i < n; i++) {
    const value = `${label}-${i}`.padEnd(100, '.');
    values.push(value);
    p.publish({ topic: 'bmp.route_monitoring', key: label, value: Buffer.from(value) }, o);
  }
  return values;
}

test('a backlog far larger than a batch goes out in order, in batches within maxBatchBytes, and is all acknowledged', async () => {
  const { producer, sent } = fakeProducer();
  const maxBatchBytes = 64 * 1024;
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const [a, b] = [owner(), owner()];
  // Interleaved owners, 30,000 records each: the queue holds ~6 MB while the first batch is out.
  const expected: string[] = [];
  for (let round = 0; round < 30; round++) {
    expected.push(...publishMany(p, a, `a${round}`, 1000));
    expected.push(...publishMany(p, b, `b${round}`, 1000));
  }
  assert.ok(p.pendingBytes > 5_000_000, `${p.pendingBytes} bytes pending`);
  await p.flush();
  const values = sent.flatMap((batch) => batch.records.map((r) => r.value));
  assert.equal(values.length, expected.length);
  assert.deepEqual(values, expected, 'publishing order');
  for (const batch of sent) {
    const bytes = batch.records.reduce((n, r) => n + r.key.length + r.value.length, 0);
    assert.ok(bytes <= maxBatchBytes, `a batch of ${bytes} bytes`);
  }
  assert.ok(sent.length > 90, `${sent.length} batches`);
  assert.equal(p.acknowledged, expected.length);
  assert.equal(p.pendingBytes, 0);
  assert.deepEqual([a.pendingBytes, b.pendingBytes], [0, 0]);
  assert.ok(a.acknowledgements > 0 && b.acknowledgements > 0);
});

test('a failed batch is sent again whole before the records after it', async () => {
  const { producer, sent, calls } = fakeProducer(2);
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes: 2000, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const o = owner();
  const expected = publishMany(p, o, 'k', 50);
  await p.flush();
  assert.equal(calls(), sent.length + 2, 'two failed attempts, then every batch once');
  assert.deepEqual(
    sent.flatMap((batch) => batch.records.map((r) => r.value)),
    expected,
  );
  assert.equal(o.pendingBytes, 0);
});

test('records published while a batch is in flight join the queue behind it', async () => {
  const { producer, sent } = fakeProducer();
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes: 1000, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const o = owner();
  const expected = publishMany(p, o, 'first', 20);
  // The first batch is in flight now (sendBatch awaits a turn of the event loop).
  expected.push(...publishMany(p, o, 'second', 20));
  await p.flush();
  expected.push(...publishMany(p, o, 'third', 5));
  await p.flush();
  assert.deepEqual(
    sent.flatMap((batch) => batch.records.map((r) => r.value)),
    expected,
  );
  assert.equal(p.pendingBytes, 0);
});

/** A run over `records` that counts how often each record is read. */
function arrayRun(records: OutboundRecord[]): RecordRun & { reads: number[] } {
  const reads = records.map(() => 0);
  return {
    length: records.length,
    bytes: records.reduce((n, r) => n + recordSize(r), 0),
    reads,
    sizeOf: (i) => recordSize(records[i]),
    record: (i) => {
      reads[i]++;
      return records[i];
    },
  };
}

test('runs are split across batches where maxBatchBytes falls, in order with single records, each record read once', async () => {
  const { producer, sent } = fakeProducer(1);
  const maxBatchBytes = 3000;
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const [a, b] = [owner(), owner()];
  const expected: string[] = [];
  const runs: Array<ReturnType<typeof arrayRun>> = [];
  // Records of several topics: a batch groups them by topic, so order is kept within a topic.
  const makeRun = (label: string, n: number, size: number): RecordRun => {
    const records = Array.from({ length: n }, (_, i) => ({ topic: `t${i % 3}`, key: label, value: Buffer.from(`${label}-${i}`.padEnd(size, '.')) }));
    expected.push(...records.map((r) => `${r.topic} ${r.value.toString()}`));
    const run = arrayRun(records);
    runs.push(run);
    return run;
  };
  // Runs larger than a batch, smaller ones, one record larger than the bound (a batch of its
  // own), an empty run, and single records between them; owners interleaved.
  p.publishRun(makeRun('a0', 100, 90), a);
  p.publishRun(makeRun('b0', 3, 200), b);
  expected.push(...publishMany(p, a, 'single', 2).map((v) => `bmp.route_monitoring ${v}`));
  p.publishRun(makeRun('b1', 1, 5000), b);
  p.publishRun(arrayRun([]), a);
  p.publishRun(makeRun('a1', 250, 40), a);
  assert.equal(p.pendingBytes, a.pendingBytes + b.pendingBytes);
  await p.flush();
  const values = sent.flatMap((batch) => batch.records.map((r) => `${r.topic} ${r.value}`));
  const byTopic = (list: string[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const v of list) {
      const topic = v.split(' ')[0];
      m.set(topic, [...(m.get(topic) ?? []), v]);
    }
    return m;
  };
  assert.deepEqual(byTopic(values), byTopic(expected), 'publishing order within each topic');
  assert.equal(values.length, expected.length);
  for (const batch of sent) {
    const bytes = batch.records.reduce((n, r) => n + r.key.length + r.value.length, 0);
    assert.ok(bytes <= maxBatchBytes || batch.records.length === 1, `a batch of ${batch.records.length} records, ${bytes} bytes`);
  }
  assert.ok(sent.some((batch) => new Set(batch.records.map((r) => r.key)).size > 1), 'a batch ends one run and starts the next');
  // The failed first batch was sent again from the records already read.
  for (const run of runs) assert.ok(run.reads.every((n) => n === 1), 'each record read once');
  assert.equal(p.acknowledged, expected.length);
  assert.equal(p.pendingBytes, 0);
  assert.deepEqual([a.pendingBytes, b.pendingBytes], [0, 0]);
  assert.ok(a.acknowledgements > 0 && b.acknowledgements > 0);
});

test('runs already sent are let go while the queue never empties', async () => {
  const { producer } = fakeProducer();
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes: 1000, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const o = owner();
  const held = (): number => (p as unknown as { queue: unknown[] }).queue.length;
  let most = 0;
  // A steady stream: three runs (a batch and a half) published per batch sent, so the queue is
  // never empty until the end.
  for (let step = 0; step < 300; step++) {
    for (let r = 0; r < 3; r++) {
      const records = Array.from({ length: 5 }, (_, i) => ({ topic: 't', key: 'k', value: Buffer.alloc(99, i) }));
      p.publishRun(arrayRun(records), o);
    }
    await new Promise((resolve) => setImmediate(resolve));
    most = Math.max(most, held());
  }
  assert.ok(held() > 0, 'a backlog is still queued');
  // Unsent runs grow by about one per step here (~300 at the end); a queue that kept the
  // sent runs would hold all 900.
  assert.ok(most < 700, `${most} runs held`);
  await p.flush();
  assert.equal(held(), 0);
  assert.equal(o.pendingBytes, 0);
});

test('the next batch is made into messages while the one before it is in flight, and sent only after it', async () => {
  let release: (() => void) | null = null;
  const order: string[] = [];
  const producer = {
    async sendBatch({ topicMessages }: { topicMessages: Array<{ topic: string; messages: OutboundRecord[] }> }) {
      assert.equal(release, null, 'one batch in flight at a time');
      const first = String(topicMessages[0].messages[0].value).split('.')[0];
      order.push(`send ${first}`);
      await new Promise<void>((r) => (release = r));
      release = null;
      order.push(`acked ${first}`);
    },
  } as unknown as Producer;
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes: 1000, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const records = Array.from({ length: 25 }, (_, i) => ({ topic: 'bmp.route_monitoring', key: 'k', value: Buffer.from(`r${i}.`.padEnd(99, '.')) }));
  const run = arrayRun(records);
  p.publishRun(run, owner());
  const flushed = p.flush();
  // Batches of 10 records (1,000 octets): the first in flight, the second made into messages meanwhile.
  for (let turn = 0; turn < 5 && release === null; turn++) await new Promise((r) => setImmediate(r));
  for (let turn = 0; turn < 5; turn++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['send r0']);
  assert.deepEqual(run.reads.slice(0, 20), new Array(20).fill(1), 'the second batch read while the first is in flight');
  assert.deepEqual(run.reads.slice(20), new Array(5).fill(0), 'the third not yet');
  for (let n = 0; n < 3; n++) {
    while (release === null) await new Promise((r) => setImmediate(r));
    (release as () => void)();
    await new Promise((r) => setImmediate(r));
  }
  await flushed;
  assert.deepEqual(order, ['send r0', 'acked r0', 'send r10', 'acked r10', 'send r20', 'acked r20']);
  assert.deepEqual(run.reads, new Array(25).fill(1), 'each record read once');
  assert.equal(p.pendingBytes, 0);
});

/** A producer whose every sendBatch waits for `ack()`; `sent` holds each batch's values. */
function gatedProducer(): { producer: Producer; sent: string[][]; inFlight: () => boolean; ack: () => void } {
  const sent: string[][] = [];
  let release: (() => void) | null = null;
  const producer = {
    async sendBatch({ topicMessages }: { topicMessages: Array<{ topic: string; messages: OutboundRecord[] }> }) {
      assert.equal(release, null, 'one batch in flight at a time');
      sent.push(topicMessages.flatMap(({ messages }) => messages.map((m) => String(m.value).replace(/\.+$/, ''))));
      await new Promise<void>((r) => (release = r));
      release = null;
    },
  } as unknown as Producer;
  return {
    producer,
    sent,
    inFlight: () => release !== null,
    ack: () => {
      assert.notEqual(release, null, 'a batch in flight to acknowledge');
      (release as () => void)();
    },
  };
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Records of 100 octets (key "k", value "<label>-<i>" padded with dots): ten fill a batch of 1,000. */
function publishPadded(p: EventPublisher, o: FlowOwner, label: string, n: number): void {
  for (let i = 0; i < n; i++) p.publish({ topic: 'bmp.route_monitoring', key: 'k', value: Buffer.from(`${label}-${i}`.padEnd(99, '.')) }, o);
}

test('a batch smaller than maxBatchBytes is not taken while one is in flight: what is published meanwhile joins it', async () => {
  const { producer, sent, inFlight, ack } = gatedProducer();
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes: 1000, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const o = owner();
  // Without linger the first record goes at once; the next two wait for it.
  publishPadded(p, o, 'a', 3);
  await turns(3);
  assert.ok(inFlight());
  // Two records, turns of the event loop (the request is out), two more: all in one batch after the ack.
  publishPadded(p, o, 'b', 2);
  await turns(5);
  publishPadded(p, o, 'c', 2);
  await turns(3);
  ack();
  await turns(5);
  assert.ok(inFlight());
  ack();
  await p.flush();
  assert.deepEqual(sent, [['a-0'], ['a-1', 'a-2', 'b-0', 'b-1', 'c-0', 'c-1']]);
  assert.equal(p.pendingBytes, 0);
});

test('after an acknowledgement a small batch waits up to lingerMs to fill; it goes at once when full or when flushed', async () => {
  const { producer, sent, inFlight, ack } = gatedProducer();
  // A linger far longer than the test: the batch goes because it fills, or because of flush.
  const p = new EventPublisher(producer, { lingerMs: 600_000, maxBatchBytes: 1000, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const o = owner();
  publishPadded(p, o, 'a', 10); // full: sent at once, linger or not
  await turns(3);
  assert.ok(inFlight());
  publishPadded(p, o, 'b', 2);
  ack();
  await turns(10);
  assert.equal(inFlight(), false, 'two records wait to fill a batch');
  assert.equal(sent.length, 1);
  publishPadded(p, o, 'c', 8);
  await turns(3);
  assert.ok(inFlight(), 'full: sent');
  publishPadded(p, o, 'd', 1);
  ack();
  await turns(10);
  assert.equal(inFlight(), false, 'one record waits to fill a batch');
  const flushed = p.flush();
  await turns(3);
  assert.ok(inFlight(), 'flush sends what waits');
  ack();
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('flush did not resolve')), 5_000).unref());
  await Promise.race([flushed, timeout]);
  assert.deepEqual(sent, [['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6', 'a-7', 'a-8', 'a-9'], ['b-0', 'b-1', 'c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6', 'c-7'], ['d-0']]);
  assert.equal(p.pendingBytes, 0);
  assert.equal(o.pendingBytes, 0);
});

test('a run is told of its acknowledged records after each batch that held some, never before, the counts adding up to its length', async () => {
  const { producer, sent, inFlight, ack } = gatedProducer();
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes: 1000, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const o = owner();
  // 25 records of 100 octets: three batches (10, 10, 5), the last shared with a single record.
  const records = Array.from({ length: 25 }, (_, i) => ({ topic: 't', key: 'k', value: Buffer.from(`r-${i}`.padEnd(99, '.')) }));
  const told: number[] = [];
  const run: RecordRun = { ...arrayRun(records), acknowledged: (count: number) => told.push(count) };
  p.publishRun(run, o);
  publishPadded(p, o, 'single', 1);
  await turns(3);
  assert.ok(inFlight());
  assert.deepEqual(told, [], 'nothing is acknowledged while the first batch is in flight (its values may be sent again)');
  ack();
  await turns(5);
  assert.deepEqual(told, [10]);
  ack();
  await turns(5);
  assert.deepEqual(told, [10, 10]);
  ack();
  await p.flush();
  assert.deepEqual(told, [10, 10, 5], 'the run\'s share of the batch it shares with a single record');
  assert.equal(sent.length, 3);
});

test('a run whose batch fails is told nothing until the batch is sent again and acknowledged', async () => {
  // Two failed sends, then one that goes through.
  const { producer, calls } = fakeProducer(2);
  const p = new EventPublisher(producer, { lingerMs: 0, maxBatchBytes: 1 << 20, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'none' }, silent);
  const told: Array<[count: number, sends: number]> = [];
  const records = Array.from({ length: 3 }, (_, i) => ({ topic: 't', key: 'k', value: Buffer.from(`r-${i}`) }));
  p.publishRun({ ...arrayRun(records), acknowledged: (count: number) => told.push([count, calls()]) }, owner());
  await p.flush();
  assert.deepEqual(told, [[3, 3]], 'told once, after the third send');
});
