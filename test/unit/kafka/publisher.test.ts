/**
 * EventPublisher's queue and accounting, against a fake kafkajs producer (pure logic: the real
 * broker is in test/integration/ingest*.test.ts): records go out in publishing order, one batch at
 * a time, each within maxBatchBytes; a batch that fails is sent again whole, before anything
 * after it; owners' pending bytes and the total come back to zero, and each owner is told; a
 * backlog far larger than a batch drains in order (the sent part of the queue is dropped in
 * steps, not copied away per batch).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import { EventPublisher, type FlowOwner, type OutboundRecord } from '../../../services/kafka/publisher.js';

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
