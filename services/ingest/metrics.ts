/**
 * Prometheus metrics of the ingest service. Router addresses are labels: a collector serves a
 * bounded set of routers, and per-router rates are what operators alert on.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PublisherMetrics } from '../kafka/publisher.js';

export class IngestMetrics implements PublisherMetrics {
  readonly registry = new Registry();
  readonly sessionsActive = new Gauge({ name: 'bmp_sessions_active', help: 'Router sessions currently open', registers: [this.registry] });
  readonly sessionsPaused = new Gauge({
    name: 'bmp_sessions_paused',
    help: 'Sessions not reading their socket because too many of their events await Kafka acknowledgement',
    registers: [this.registry],
  });
  readonly sessions = new Counter({
    name: 'bmp_sessions_total',
    help: 'Router sessions accepted, by how they ended',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'bmp_connections_rejected_total',
    help: 'Connections closed at once: acl, session limits, bad PROXY header',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly messages = new Counter({
    name: 'bmp_messages_total',
    help: 'BMP messages received, by message type and router',
    labelNames: ['type', 'router'],
    registers: [this.registry],
  });
  readonly bytes = new Counter({ name: 'bmp_bytes_total', help: 'BMP bytes received, by router', labelNames: ['router'], registers: [this.registry] });
  readonly events = new Counter({ name: 'bmp_events_total', help: 'Events published, by topic', labelNames: ['topic'], registers: [this.registry] });
  readonly decodeErrors = new Counter({
    name: 'bmp_decode_errors_total',
    help: 'Messages sent to the errors topic (undecodable, unknown type, lost framing), by router',
    labelNames: ['router'],
    registers: [this.registry],
  });
  readonly drops = new Counter({
    name: 'bmp_dropped_total',
    help: 'Things dropped without reaching Kafka, by reason (each is also logged)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly bytesInFlight = new Gauge({ name: 'bmp_bytes_in_flight', help: 'Bytes held for Kafka: input at the decode workers, records queued or awaiting acknowledgement', registers: [this.registry] });
  readonly produceLatency = new Histogram({
    name: 'bmp_produce_latency_seconds',
    help: 'Time from sending a batch to Kafka to its acknowledgement',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly produceErrors = new Counter({ name: 'bmp_produce_errors_total', help: 'Failed batch sends (retried)', registers: [this.registry] });
  readonly recordsAcknowledged = new Counter({
    name: 'bmp_records_acknowledged_total',
    help: 'Records acknowledged by Kafka',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  onBatch(records: number, _bytes: number, seconds: number): void {
    this.produceLatency.observe(seconds);
    this.recordsAcknowledged.inc(records);
  }

  onSendError(): void {
    this.produceErrors.inc();
  }
}
