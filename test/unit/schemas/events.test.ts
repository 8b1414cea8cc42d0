/**
 * The real events: every capture of the shared BMP test data (BMP_TESTDATA_DIR, default
 * /work/shared/testdata) decoded by `bmp decode`'s own path (openInput + decodeStream), every event
 * of every topic checked against its topic's schema as emitted (no renaming, no undeclared field,
 * mismatches reported by path), then encoded to the Confluent wire format and decoded back to the
 * same values, and given its record key.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeStream, openInput } from '../../../services/cli/decode.js';
import type { EventTopic } from '../../../services/events/model.js';
import { decodeRecord, encodeRecord, recordKey, recordMismatches, typeFor } from '../../../services/kafka/avro/index.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA, captureFiles } from '../capture/testdata.js';
import { plain } from './fixtures.js';

const SCHEMA_ID = 0x00abcdef;

describe('events decoded from the real captures', { skip: !HAVE_TESTDATA && 'shared test data not found' }, () => {
  const files = HAVE_TESTDATA ? captureFiles() : [];
  const seen = new Map<EventTopic, number>();

  for (const file of files) {
    test(file, async () => {
      const problems: string[] = [];
      let events = 0;
      for (const input of await openInput(join(BMP_CAPTURE_DIR, file), '192.0.2.254')) {
        const collected: Array<{ topic: EventTopic; event: object }> = [];
        await decodeStream(input, (topic, event) => collected.push({ topic, event }));
        for (const { topic, event } of collected) {
          events++;
          seen.set(topic, (seen.get(topic) ?? 0) + 1);
          const mismatches = recordMismatches(typeFor(topic), event);
          if (mismatches.length > 0) {
            if (problems.length < 10) {
              problems.push(`${topic} #${(event as { sequence: number }).sequence}: ${mismatches.map((m) => `${m.path} = ${String(m.value)} (expected ${m.expected})`).join('; ')}`);
            }
            continue;
          }
          const wire = encodeRecord(topic, SCHEMA_ID, event as never);
          assert.deepEqual([...wire.subarray(0, 5)], [0, 0x00, 0xab, 0xcd, 0xef]);
          const decoded = decodeRecord(topic, wire);
          assert.equal(decoded.schemaId, SCHEMA_ID);
          assert.deepStrictEqual(plain(decoded.value), plain(event), `${topic} #${(event as { sequence: number }).sequence} round trip`);
          const key = recordKey(topic, event as never);
          assert.ok(key.startsWith(input.routerAddress), key);
        }
      }
      assert.deepEqual(problems, [], 'events that do not match their schema');
      assert.ok(events > 0, 'the capture yields events');
    });
  }

  test('the captures exercise the main topics', () => {
    for (const topic of ['initiation', 'peer_up', 'peer_down', 'route_monitoring', 'stats', 'roft', 'termination', 'errors'] as const) {
      assert.ok((seen.get(topic) ?? 0) > 0, `no ${topic} event in the captures`);
    }
  });
});
