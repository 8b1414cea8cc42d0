/**
 * RouterSession's side of the processor seam, with a stand-in socket and publisher (pure logic):
 * a fault or a lost worker closes that session, counts the drop and still ends it; input octets
 * at the processor count against the session's bound, so it stops reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { pino } from 'pino';
import { IngestMetrics } from '../../../services/ingest/metrics.js';
import { SESSION_TOPICS } from '../../../services/ingest/decode-worker-protocol.js';
import { RouterSession, type SessionEnvironment } from '../../../services/ingest/session.js';
import type { ProcessedReport, ProcessorHandler, SessionProcessorFactory } from '../../../services/ingest/session-processor.js';
import { INGEST_TOPICS } from '../../../services/kafka/avro/index.js';
import { EventPublisher, type FlowOwner } from '../../../services/kafka/publisher.js';
import type { Producer } from 'kafkajs';

class StandInSocket extends EventEmitter {
  paused = false;
  destroyed = false;
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      setImmediate(() => this.emit('close'));
    }
    return this;
  }
}

/** A processor the test drives by hand: it keeps what it was given and reports when told. */
function manualProcessors(): { factory: SessionProcessorFactory; handler: () => ProcessorHandler; pushed: Buffer[]; finished: string[] } {
  let h: ProcessorHandler | null = null;
  const pushed: Buffer[] = [];
  const finished: string[] = [];
  return {
    factory: (_options, handler) => {
      h = handler;
      return { push: (chunk) => pushed.push(chunk), finish: (reason) => finished.push(reason) };
    },
    handler: () => h as ProcessorHandler,
    pushed,
    finished,
  };
}

function report(over: Partial<ProcessedReport>): ProcessedReport {
  return { inputBytes: 0, counts: { events: [], messages: [], decodeErrors: 0 }, bufferedBytes: 0, streamOffset: 0, framingLost: null, finished: false, fault: null, ...over };
}

function environment(processors: SessionProcessorFactory, perSession = 1 << 20): { env: SessionEnvironment; metrics: IngestMetrics; publisher: EventPublisher } {
  const metrics = new IngestMetrics();
  // Never sends: nothing here reaches the linger timer's end before the test does.
  const publisher = new EventPublisher({} as Producer, { lingerMs: 60_000, maxBatchBytes: 1 << 30, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: perSession, compression: 'none' }, pino({ level: 'silent' }));
  const env: SessionEnvironment = {
    publisher,
    metrics,
    logger: pino({ level: 'silent' }),
    topicNames: Object.fromEntries(SESSION_TOPICS.map((t) => [t, `t.${t}`])) as SessionEnvironment['topicNames'],
    schemaIds: Object.fromEntries(INGEST_TOPICS.map((t) => [t, 1])) as SessionEnvironment['schemaIds'],
    processors,
    collectorId: 'unit',
    maxMessageBytes: 1 << 20,
    messageTimeoutMs: 60_000,
    raw: true,
  };
  return { env, metrics, publisher };
}

async function metric(metrics: IngestMetrics, name: string): Promise<string> {
  return (await metrics.registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#')).join('\n');
}

test('a fault while processing closes that session, counts the drop, and its end still comes', async () => {
  const p = manualProcessors();
  const { env, metrics } = environment(p.factory);
  const socket = new StandInSocket();
  const session = new RouterSession(socket as unknown as Socket, '192.0.2.1', 1, env, null);
  socket.emit('data', Buffer.alloc(100));
  p.handler().processed(report({ inputBytes: 100, fault: 'Error: boom\n    at decodeSomething' }));
  assert.equal(socket.destroyed, true);
  assert.deepEqual(p.finished, ['internal error while decoding: Error: boom']);
  assert.match(await metric(metrics, 'bmp_dropped_total'), /reason="processing_fault"} 1/);
  p.handler().processed(report({ finished: true }));
  await session.done;
  assert.equal(session.pendingBytes, 0);
});

test('a lost worker ends the session at once, releases what it held and counts the drop', async () => {
  const p = manualProcessors();
  const { env, metrics, publisher } = environment(p.factory);
  const socket = new StandInSocket();
  const session = new RouterSession(socket as unknown as Socket, '192.0.2.2', 1, env, null);
  socket.emit('data', Buffer.alloc(300));
  assert.equal(publisher.pendingBytes, 300, 'octets at the processor count against the bounds');
  p.handler().lost(new Error('decode worker exited with code 1'));
  await session.done;
  assert.equal(socket.destroyed, true);
  assert.equal(publisher.pendingBytes, 0);
  assert.equal(session.pendingBytes, 0);
  assert.match(await metric(metrics, 'bmp_dropped_total'), /reason="decode_worker_lost"} 1/);
  assert.match(await metric(metrics, 'bmp_sessions_active'), / 0$/);
});

test('octets at the processor stop the session reading at its bound; their report lets it read again', () => {
  const p = manualProcessors();
  const { env } = environment(p.factory, 1000);
  const socket = new StandInSocket();
  const session: FlowOwner = new RouterSession(socket as unknown as Socket, '192.0.2.3', 1, env, null);
  socket.emit('data', Buffer.alloc(600));
  assert.equal(socket.paused, false);
  socket.emit('data', Buffer.alloc(600));
  assert.equal(socket.paused, true, 'paused with 1,200 octets held against a bound of 1,000');
  p.handler().processed(report({ inputBytes: 600 }));
  p.handler().processed(report({ inputBytes: 600 }));
  assert.equal(session.pendingBytes, 0);
  assert.equal(socket.paused, false, 'reading again once processed');
});
