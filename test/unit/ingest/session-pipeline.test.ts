/**
 * SessionPipeline's counts for the metrics: events by topic and BMP messages by type, taken at
 * any points of a stream, add up to what the pipeline emitted and what the stream holds. Route
 * records written in place into a RecordPacker are the records emitted otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fullTableDump } from '../../../bench/full-table.js';
import { BmpFramer } from '../../../services/codec/framer.js';
import { PackedRecords, RecordPacker, SESSION_TOPICS, SessionKeys, packingSinks } from '../../../services/ingest/decode-worker-protocol.js';
import { SessionPipeline, type SessionCounts } from '../../../services/ingest/session-pipeline.js';
import { INGEST_TOPICS, type IngestTopic } from '../../../services/kafka/avro/index.js';

const schemaIds = Object.fromEntries(INGEST_TOPICS.map((t, i) => [t, i + 1])) as Record<IngestTopic, number>;

/** A small table (with Initiation, Peer Ups, End-of-RIBs and Termination) and garbage after it. */
function stream(): Buffer {
  const parts: Buffer[] = [];
  const gen = fullTableDump({ prefixesV4: 300, prefixesV6: 100, peers: 2, chunkSize: 4096 });
  for (let r = gen.next(); !r.done; r = gen.next()) parts.push(Buffer.from(r.value));
  return Buffer.concat(parts);
}

const STREAM = stream();

function add(into: Map<string | number, number>, pairs: Array<[string | number, number]>): void {
  for (const [k, n] of pairs) into.set(k, (into.get(k) ?? 0) + n);
}

test('counts taken at any points add up to the events emitted and the messages by type', () => {
  const messagesByType = new Map<number, number>();
  const framer = new BmpFramer();
  framer.push(STREAM);
  for (let item = framer.next(); item !== null; item = framer.next()) {
    assert.equal(item.kind, 'message');
    if (item.kind === 'message') messagesByType.set(item.bytes[5], (messagesByType.get(item.bytes[5]) ?? 0) + 1);
  }
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 12 }), (cuts) => {
      const emitted = new Map<string | number, number>();
      const pipeline = new SessionPipeline(
        { routerAddress: '192.0.2.254', routerPort: 179, collectorId: 'unit', maxMessageBytes: 1 << 20, raw: true, schemaIds },
        (topic) => {
          if (topic !== 'raw') emitted.set(topic, (emitted.get(topic) ?? 0) + 1);
        },
      );
      const events = new Map<string | number, number>();
      const messages = new Map<string | number, number>();
      const take = (): void => {
        const c: SessionCounts = pipeline.takeCounts();
        for (const [topic, n] of c.events) assert.ok(n > 0, `a zero count for ${topic}`);
        assert.equal(new Set(c.events.map(([t]) => t)).size, c.events.length, 'a topic once per take');
        assert.equal(new Set(c.messages.map(([t]) => t)).size, c.messages.length, 'a type once per take');
        add(events, c.events);
        add(messages, c.messages);
      };
      let at = 0;
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        assert.equal(pipeline.push(STREAM.subarray(at, cut)), true);
        at = cut;
        take();
      }
      pipeline.push(STREAM.subarray(at));
      pipeline.finish('router closed the session');
      take();
      assert.deepEqual(events, emitted);
      assert.deepEqual(messages, messagesByType);
      assert.equal(pipeline.takeCounts().events.length, 0, 'nothing left once taken');
    }),
    { numRuns: 40 },
  );
});

test('route and raw records written in place (RecordPacker.addPlaced) are the records the pipeline emits otherwise, in order', () => {
  const options = { routerAddress: '192.0.2.254', routerPort: 179, collectorId: 'unit', maxMessageBytes: 1 << 20, raw: true, schemaIds };
  // Values without the time they were made: router records are compared by topic and key only,
  // raw records without their OpenBMP header's timestamp (octets 14-21).
  const timeless = (topic: string, value: Buffer): string =>
    topic === 'router' ? '' : topic === 'raw' ? Buffer.concat([value.subarray(0, 14), value.subarray(22)]).toString('hex') : value.toString('hex');
  const emitted: string[] = [];
  const plain = new SessionPipeline(options, (topic, key, value) => emitted.push(`${topic} ${key} ${timeless(topic, value)}`));
  plain.push(STREAM);
  plain.finish('router closed the session');
  const plainCounts = plain.takeCounts();
  assert.ok(emitted.filter((r) => r.startsWith('route_monitoring ')).length > 400);

  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 8 }), (cuts) => {
      const packer = new RecordPacker();
      const keys = new SessionKeys();
      const placed: string[] = [];
      const take = (): void => {
        const packed = packer.take();
        if (packed === null) return;
        const run = new PackedRecords(packed, keys.keys, SESSION_TOPICS);
        for (let i = 0; i < run.length; i++) {
          const r = run.record(i);
          placed.push(`${r.topic} ${String(r.key)} ${timeless(r.topic, r.value)}`);
        }
      };
      const pipeline = new SessionPipeline(options, ...packingSinks(packer, keys));
      take();
      let at = 0;
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        pipeline.push(STREAM.subarray(at, cut));
        at = cut;
        take();
      }
      pipeline.push(STREAM.subarray(at));
      pipeline.finish('router closed the session');
      take();
      assert.deepEqual(placed, emitted);
      const counts = pipeline.takeCounts();
      assert.deepEqual(new Map(counts.events), new Map(plainCounts.events), 'route events counted when placed too');
    }),
    { numRuns: 20 },
  );
});
