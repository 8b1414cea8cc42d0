/**
 * One router connection: bytes in, framed and decoded BMP messages out as Kafka records.
 *
 * The session owns the only state ingest keeps (its framer and its session decoder), so any
 * replica can take any router. It reads its socket only while the publisher holds fewer than the
 * allowed bytes for it (and for everyone): past that it pauses the socket, and TCP pushes back on
 * the router, instead of buffering without bound.
 */
import type { Socket } from 'node:net';
import { BmpFramer } from '../codec/framer.js';
import { bmpMessageTypeName } from '../codec/bmp/index.js';
import { BmpSessionDecoder, type EventSink } from '../events/session-decoder.js';
import type { EventByTopic, EventTopic, PeerFields } from '../events/model.js';
import { PeerKeyCache, RouteMonitoringEncoder, encodeRecord, isPeerKeyed, recordKey, type IngestTopic, type RouterEventType, type RouterRecord } from '../kafka/avro/index.js';

import type { EventPublisher, FlowOwner } from '../kafka/publisher.js';
import type { Logger } from '../runtime/logging.js';
import type { IngestMetrics } from './metrics.js';
import { OpenBmpRawRecordWriter, openBmpCollectorHash, openBmpRouterHash } from './openbmp-raw.js';

export interface SessionEnvironment {
  publisher: EventPublisher;
  metrics: IngestMetrics;
  logger: Logger;
  /** Kafka topic name per logical topic (prefix applied). */
  topicName(topic: IngestTopic | 'raw'): string;
  /** Registry id of each Avro topic's value schema. */
  schemaId(topic: IngestTopic): number;
  collectorId: string;
  maxMessageBytes: number;
  /** Longest a message may take to arrive once its first octet is in (ms). */
  messageTimeoutMs: number;
  /** Publish every message as received to the raw topic (OpenBMP v1.7 framing). */
  raw: boolean;
}

export class RouterSession implements FlowOwner {
  pendingBytes = 0;
  private readonly framer: BmpFramer;
  private readonly decoder: BmpSessionDecoder;
  private readonly sink: EventSink;
  /** Per session: successive route events of a session share peer header and path attributes. */
  private readonly routeEncoder = new RouteMonitoringEncoder();
  private readonly peerKeys = new PeerKeyCache();
  private readonly log: Logger;
  private paused = false;
  private closed = false;
  private reading = true;
  private bytesReceived = 0;
  private messagesReceived = 0;
  private sysName: string | null = null;
  private sysDescr: string | null = null;
  private endReason: string | null = null;
  private readonly ended: Promise<void>;
  /** OpenBMP raw records of this session (header fields computed once, on the first message). */
  private rawWriter: OpenBmpRawRecordWriter | null = null;
  /**
   * Kafka timestamp (ms) of the records of the message being decoded: when the collector read it.
   * Set explicitly, not left to the client, so a session's records carry non-decreasing
   * timestamps in sequence order on every topic (the client stamps each topic of a batch at its
   * own moment); consumers order a router's events across topics by it (services/peer-state).
   */
  private messageTime = 0;
  private resolveEnded!: () => void;
  /**
   * Counts not yet added to the Prometheus counters: labelled counter updates cost a label-set
   * lookup each, too much once per route event, so a chunk's counts are added together when it
   * has been processed (and when the session ends).
   */
  private readonly unflushedEvents = new Map<string, number>();
  private readonly unflushedMessages = new Map<number, number>();
  /**
   * Closes a session whose current message has not completed in time: a router that stalls or
   * trickles inside a message (a slow-loris) would otherwise hold its session and its buffered
   * octets for ever. Armed while the framer holds part of a message, off between messages.
   */
  private messageTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    readonly routerAddress: string,
    readonly routerPort: number,
    private readonly env: SessionEnvironment,
    /** Bytes that arrived before the session started (after a PROXY header). */
    initial: Buffer | null,
  ) {
    this.log = env.logger.child({ router: routerAddress, routerPort });
    this.framer = new BmpFramer({ maxMessageSize: env.maxMessageBytes });
    this.decoder = new BmpSessionDecoder({ routerAddress });
    this.sink = <T extends EventTopic>(topic: T, event: EventByTopic[T]): void => this.publishEvent(topic, event);
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));

    env.metrics.sessionsActive.inc();
    this.routerEvent('connected');
    this.log.info('router connected');
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
    if (this.paused && this.reading && !this.closed && !this.env.publisher.overLimit(this)) {
      this.paused = false;
      this.env.metrics.sessionsPaused.dec();
      this.socket.resume();
      this.watchPartialMessage();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.bytesReceived += chunk.length;
    this.env.metrics.bytes.inc({ router: this.routerAddress }, chunk.length);
    this.framer.push(chunk);
    for (;;) {
      const item = this.framer.next();
      if (item === null) break;
      if (item.kind === 'error') {
        // The length fields can no longer be trusted: nothing after this point can be framed.
        this.log.warn({ code: item.code, offset: item.offset, reason: item.reason }, 'BMP framing lost; closing the session');
        this.decoder.framingError(item, this.framer.pendingBytes(), this.sink);
        this.endReason = `framing lost: ${item.reason}`;
        this.socket.destroy();
        this.finish(this.endReason);
        return;
      }
      this.messagesReceived++;
      this.messageTime = Math.max(Date.now(), this.messageTime);
      const type = item.bytes[5];
      this.unflushedMessages.set(type, (this.unflushedMessages.get(type) ?? 0) + 1);
      if (this.env.raw) this.publishRaw(item.bytes);
      const outcome = this.decoder.decode(item.bytes, item.offset, this.sink);
      if (outcome.topic === 'initiation') this.routerEvent('initiated');
      else if (outcome.topic === 'termination') this.routerEvent('terminated');
    }
    this.flushCounts();
    this.watchPartialMessage();
    if (!this.paused && this.env.publisher.overLimit(this)) {
      this.paused = true;
      this.env.metrics.sessionsPaused.inc();
      this.socket.pause();
    }
  }

  private publishEvent<T extends EventTopic>(topic: T, event: EventByTopic[T]): void {
    if (topic === 'initiation') {
      const init = event as EventByTopic['initiation'];
      this.sysName = init.sys_name;
      this.sysDescr = init.sys_descr;
    }
    if (topic === 'errors') this.env.metrics.decodeErrors.inc({ router: this.routerAddress });
    const value =
      topic === 'route_monitoring'
        ? this.routeEncoder.encode(this.env.schemaId(topic), event as EventByTopic['route_monitoring'])
        : encodeRecord(topic, this.env.schemaId(topic), event as never);
    const key = isPeerKeyed(topic) ? this.peerKeys.keyOf(event as unknown as PeerFields) : recordKey(topic, event as never);
    this.env.publisher.publish({ topic: this.env.topicName(topic), key, value, timestamp: this.messageTime }, this);
    this.unflushedEvents.set(topic, (this.unflushedEvents.get(topic) ?? 0) + 1);
  }

  private watchPartialMessage(): void {
    if (this.framer.bufferedBytes === 0) {
      if (this.messageTimer !== null) {
        clearTimeout(this.messageTimer);
        this.messageTimer = null;
      }
      return;
    }
    // A timer already running keeps its start: the limit is for the whole message, however it trickles.
    if (this.messageTimer !== null || this.paused) return;
    const begunAt = this.framer.streamOffset;
    this.messageTimer = setTimeout(() => {
      this.messageTimer = null;
      // Paused by our backpressure, the router cannot finish its message: not its fault. The
      // timer starts again when the session resumes.
      if (this.paused) return;
      if (this.closed || this.framer.streamOffset !== begunAt || this.framer.bufferedBytes === 0) return this.watchPartialMessage();
      const reason = `BMP message at stream offset ${begunAt} incomplete after ${this.env.messageTimeoutMs} ms (${this.framer.bufferedBytes} octets of it received): sender stalled or too slow`;
      this.log.warn({ offset: begunAt, bufferedBytes: this.framer.bufferedBytes }, reason);
      this.endReason = reason;
      this.socket.destroy();
      this.finish(reason);
    }, this.env.messageTimeoutMs);
    this.messageTimer.unref();
  }

  private flushCounts(): void {
    for (const [topic, n] of this.unflushedEvents) this.env.metrics.events.inc({ topic }, n);
    this.unflushedEvents.clear();
    for (const [type, n] of this.unflushedMessages) this.env.metrics.messages.inc({ type: bmpMessageTypeName(type) ?? `type_${type}`, router: this.routerAddress }, n);
    this.unflushedMessages.clear();
  }

  private publishRaw(bytes: Buffer): void {
    this.rawWriter ??= new OpenBmpRawRecordWriter({
      collectorAdminId: this.env.collectorId,
      collectorHash: openBmpCollectorHash(this.env.collectorId),
      routerHash: openBmpRouterHash(this.routerAddress),
      routerAddress: this.routerAddress,
      routerGroup: '',
    });
    this.env.publisher.publish({ topic: this.env.topicName('raw'), key: this.routerAddress, value: this.rawWriter.record(bytes, Date.now() * 1000) }, this);
  }

  private routerEvent(event: RouterEventType, reason: string | null = null): void {
    // Never earlier than the session's events already published (the clock may step back).
    const now = Math.max(Date.now(), this.messageTime);
    this.messageTime = now;
    const record: RouterRecord = {
      event,
      router_address: this.routerAddress,
      router_port: this.routerPort,
      collector_id: this.env.collectorId,
      sys_name: this.sysName,
      sys_descr: this.sysDescr,
      disconnect_reason: reason,
      bytes_received: this.bytesReceived,
      messages_received: this.messagesReceived,
      timestamp: now * 1000,
    };
    const value = encodeRecord('router', this.env.schemaId('router'), record);
    this.env.publisher.publish({ topic: this.env.topicName('router'), key: this.routerAddress, value, timestamp: now }, this);
    this.env.metrics.events.inc({ topic: 'router' });
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.messageTimer !== null) clearTimeout(this.messageTimer);
    if (this.paused) this.env.metrics.sessionsPaused.dec();
    // A message cut short by the end of the connection is kept as a dead letter.
    const trailing = this.framer.end();
    if (trailing !== null) this.decoder.framingError(trailing, this.framer.pendingBytes(), this.sink);
    this.flushCounts();
    this.env.metrics.sessionsActive.dec();
    this.env.metrics.sessions.inc({ result: this.reading ? 'closed' : 'stopped' });
    this.routerEvent('disconnected', reason);
    this.log.info({ reason, bytes: this.bytesReceived, messages: this.messagesReceived }, 'router disconnected');
    this.resolveEnded();
  }
}
