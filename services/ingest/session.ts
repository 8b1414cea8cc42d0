/**
 * One router connection on the event loop: its socket, its backpressure, its timers and its
 * metrics. What is made of its bytes (framing, decoding, Avro, keys) is the SessionPipeline's
 * job, run by a SessionProcessor: in a decode worker thread, or on the event loop.
 *
 * The session holds no state shared with other sessions, so any replica can take any router. It
 * reads its socket only while the publisher holds fewer than the allowed bytes for it (and for
 * everyone): past that it pauses the socket, and TCP pushes back on the router, instead of
 * buffering without bound. Octets handed to the processor count against the same bound until
 * their records are published.
 */
import type { Socket } from 'node:net';
import { bmpMessageTypeName } from '../codec/bmp/index.js';
import type { IngestTopic } from '../kafka/avro/index.js';
import type { EventPublisher, FlowOwner } from '../kafka/publisher.js';
import type { Logger } from '../runtime/logging.js';
import type { IngestMetrics } from './metrics.js';
import { KeyOctets, PackedRecords, SESSION_TOPICS } from './decode-worker-protocol.js';
import type { SessionTopic } from './session-pipeline.js';
import type { ProcessedReport, ProcessorHandler, SessionProcessor, SessionProcessorFactory } from './session-processor.js';

export interface SessionEnvironment {
  publisher: EventPublisher;
  metrics: IngestMetrics;
  logger: Logger;
  /** Kafka topic name per logical topic (prefix applied). */
  topicNames: Readonly<Record<SessionTopic, string>>;
  /** Registry id of each Avro topic's value schema. */
  schemaIds: Readonly<Record<IngestTopic, number>>;
  /** Where a session's bytes are processed (decode workers, or the event loop). */
  processors: SessionProcessorFactory;
  collectorId: string;
  maxMessageBytes: number;
  /** Longest a message may take to arrive once its first octet is in (ms). */
  messageTimeoutMs: number;
  /** Publish every message as received to the raw topic (OpenBMP v1.7 framing). */
  raw: boolean;
}

/**
 * Input octets a session may have at its processor, as a share of its bound on pending bytes.
 * Their records come back several times larger (five to eight times: Avro events per prefix,
 * raw records) and are published whatever the bound, since they cannot be refused; an eighth
 * keeps that overshoot near the bound itself, as one socket read's records were when decoding
 * ran on the event loop. With the default bound (8 MiB) that is 1 MiB, a few socket reads: enough
 * to keep a worker busy.
 */
const HELD_SHARE_OF_BOUND = 1 / 8;
const MIN_HELD_BYTES = 64 * 1024;

export class RouterSession implements FlowOwner, ProcessorHandler {
  pendingBytes = 0;
  private readonly processor: SessionProcessor;
  private readonly log: Logger;
  private paused = false;
  /** The socket is closed and the processor told; its last records may still be on their way. */
  private closed = false;
  private reading = true;
  private framingLogged = false;
  private bytesReceived = 0;
  /** Octets handed to the processor whose records are not yet published. */
  private heldBytes = 0;
  private readonly maxHeldBytes: number;
  private messagesReceived = 0;
  private endReason: string | null = null;
  private readonly ended: Promise<void>;
  private resolveEnded!: () => void;
  /** Where the stream stood at the processor's last report. */
  private bufferedBytes = 0;
  private streamOffset = 0;
  /**
   * Closes a session whose current message has not completed in time: a router that stalls or
   * trickles inside a message (a slow-loris) would otherwise hold its session and its buffered
   * octets for ever. Armed while the framer holds part of a message, off between messages.
   */
  private messageTimer: NodeJS.Timeout | null = null;
  /** Kafka topic name by packed topic index. */
  private readonly topicNames: readonly string[];
  /** The session's record keys as octets, for kafkajs. */
  private readonly keyOctets = new KeyOctets();

  constructor(
    private readonly socket: Socket,
    readonly routerAddress: string,
    readonly routerPort: number,
    private readonly env: SessionEnvironment,
    /** Bytes that arrived before the session started (after a PROXY header). */
    initial: Buffer | null,
  ) {
    this.log = env.logger.child({ router: routerAddress, routerPort });
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.topicNames = SESSION_TOPICS.map((t) => env.topicNames[t]);
    this.maxHeldBytes = Math.max(MIN_HELD_BYTES, Math.floor(env.publisher.maxPendingBytesPerOwner * HELD_SHARE_OF_BOUND));
    env.metrics.sessionsActive.inc();
    this.log.info('router connected');
    this.processor = env.processors(
      {
        routerAddress,
        routerPort,
        collectorId: env.collectorId,
        maxMessageBytes: env.maxMessageBytes,
        raw: env.raw,
        schemaIds: env.schemaIds,
      },
      this,
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.finish('router closed the session'));
    socket.on('close', () => this.finish(this.endReason ?? 'connection closed'));
    socket.on('error', (err) => {
      this.endReason ??= `socket error: ${err.message}`;
    });
    if (initial && initial.length > 0) this.onData(initial);
  }

  /** Resolves when the session has ended and its end has been published. */
  get done(): Promise<void> {
    return this.ended;
  }

  /** Stops reading (shutdown): what the router sends from now on stays unread. */
  stopReading(reason: string): void {
    if (this.closed) return;
    this.reading = false;
    this.endReason = reason;
    this.socket.pause();
  }

  /** Closes the connection after a stop; publishes the session's end. */
  close(reason: string): void {
    this.endReason ??= reason;
    this.socket.destroy();
    this.finish(this.endReason);
  }

  onAcknowledged(): void {
    this.maybeResume();
  }

  /** Re-checks the bounds (called when the total in flight fell). */
  maybeResume(): void {
    if (this.paused && this.reading && !this.closed && !this.overLimit()) {
      this.paused = false;
      this.env.metrics.sessionsPaused.dec();
      this.socket.resume();
      this.watchPartialMessage();
    }
  }

  /** ProcessorHandler: a step's records, in publishing order. */
  records(packed: Uint8Array, keys: readonly string[], release: (() => void) | null): void {
    this.env.publisher.publishRun(new PackedRecords(packed, this.keyOctets.of(keys), this.topicNames, release), this);
  }

  /** ProcessorHandler: a chunk (or the end) has been processed and its records published. */
  processed(report: ProcessedReport): void {
    this.env.publisher.unreserve(this, report.inputBytes);
    this.heldBytes -= report.inputBytes;
    this.countUp(report);
    this.bufferedBytes = report.bufferedBytes;
    this.streamOffset = report.streamOffset;
    if (report.finished) return this.end();
    if (report.fault !== null && !this.closed) {
      // A fault in our code, not bad input: this session ends, the others carry on.
      this.env.metrics.drops.inc({ reason: 'processing_fault' });
      this.log.error({ fault: report.fault }, 'fault while processing this router\'s data; closing the session (its unprocessed octets are dropped)');
      return this.abandon(`internal error while decoding: ${report.fault.split('\n')[0]}`);
    }
    if (report.framingLost !== null && !this.framingLogged) {
      // Once: a worker reports it with every later step (of a session that may already be closing).
      this.framingLogged = true;
      this.endReason = report.framingLost;
      this.log.warn({ offset: report.streamOffset, reason: report.framingLost }, 'BMP framing lost; closing the session');
      if (!this.closed) {
        this.socket.destroy();
        this.finish(report.framingLost);
        return;
      }
    }
    if (this.closed) return;
    this.watchPartialMessage();
    if (this.paused) this.maybeResume();
    else this.pauseIfOverLimit();
  }

  /** ProcessorHandler: the processor (its worker) is gone; nothing more comes for this session. */
  lost(error: Error): void {
    this.env.publisher.unreserve(this, this.heldBytes);
    this.heldBytes = 0;
    this.env.metrics.drops.inc({ reason: 'decode_worker_lost' });
    this.log.error({ err: error }, 'decode worker lost; closing the session without its end record');
    this.endReason ??= `decode worker lost: ${error.message}`;
    if (!this.closed) {
      this.socket.destroy();
      this.closed = true;
    }
    this.end();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.bytesReceived += chunk.length;
    this.env.metrics.bytes.inc({ router: this.routerAddress }, chunk.length);
    this.env.publisher.reserve(this, chunk.length);
    this.heldBytes += chunk.length;
    this.processor.push(chunk);
    this.pauseIfOverLimit();
  }

  private overLimit(): boolean {
    return this.heldBytes >= this.maxHeldBytes || this.env.publisher.overLimit(this);
  }

  private pauseIfOverLimit(): void {
    if (!this.paused && !this.closed && this.overLimit()) {
      this.paused = true;
      this.env.metrics.sessionsPaused.inc();
      this.socket.pause();
    }
  }

  /** Closes the socket now and ends the session (its processor publishes the end). */
  private abandon(reason: string): void {
    this.endReason = reason;
    this.socket.destroy();
    this.finish(reason);
  }

  private countUp(report: ProcessedReport): void {
    const m = this.env.metrics;
    for (const [topic, n] of report.counts.events) m.events.inc({ topic }, n);
    for (const [type, n] of report.counts.messages) {
      this.messagesReceived += n;
      m.messages.inc({ type: bmpMessageTypeName(type) ?? `type_${type}`, router: this.routerAddress }, n);
    }
    if (report.counts.decodeErrors > 0) m.decodeErrors.inc({ router: this.routerAddress }, report.counts.decodeErrors);
  }

  private watchPartialMessage(): void {
    if (this.bufferedBytes === 0) {
      if (this.messageTimer !== null) {
        clearTimeout(this.messageTimer);
        this.messageTimer = null;
      }
      return;
    }
    // A timer already running keeps its start: the limit is for the whole message, however it trickles.
    if (this.messageTimer !== null || this.paused) return;
    const begunAt = this.streamOffset;
    this.messageTimer = setTimeout(() => {
      this.messageTimer = null;
      // Paused by our backpressure, the router cannot finish its message: not its fault. The
      // timer starts again when the session resumes.
      if (this.paused) return;
      if (this.closed || this.streamOffset !== begunAt || this.bufferedBytes === 0) return this.watchPartialMessage();
      const reason = `BMP message at stream offset ${begunAt} incomplete after ${this.env.messageTimeoutMs} ms (${this.bufferedBytes} octets of it received): sender stalled or too slow`;
      this.log.warn({ offset: begunAt, bufferedBytes: this.bufferedBytes }, reason);
      this.abandon(reason);
    }, this.env.messageTimeoutMs);
    this.messageTimer.unref();
  }

  /** The connection is over: the processor publishes the trailing dead letter, if any, and the end. */
  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.endReason = reason;
    if (this.messageTimer !== null) clearTimeout(this.messageTimer);
    if (this.paused) {
      this.paused = false;
      this.env.metrics.sessionsPaused.dec();
    }
    this.processor.finish(reason);
  }

  /** The session's last records are published (or lost with the worker). */
  private end(): void {
    if (this.messageTimer !== null) clearTimeout(this.messageTimer);
    this.env.metrics.sessionsActive.dec();
    this.env.metrics.sessions.inc({ result: this.reading ? 'closed' : 'stopped' });
    this.log.info({ reason: this.endReason, bytes: this.bytesReceived, messages: this.messagesReceived }, 'router disconnected');
    this.resolveEnded();
  }
}
