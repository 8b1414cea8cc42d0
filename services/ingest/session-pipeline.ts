/**
 * What ingest makes of one router's byte stream: BMP framing, decoding to events, Avro encoding,
 * keys, the raw topic's OpenBMP records and the session's router records, as Kafka records
 * (logical topic, key, value, timestamp) in publishing order.
 *
 * Pure of sockets, Kafka and threads, so the same code runs on the event loop or in a decode
 * worker (decode-workers.ts), and the benchmark uses it to know what the service publishes.
 * Counts for the metrics are kept here and taken by the caller, which owns the Prometheus
 * registry.
 */
import { BmpFramer } from '../codec/framer.js';
import { BmpSessionDecoder, type EventSink } from '../events/session-decoder.js';
import type { EventByTopic, EventTopic, PeerFields, RouteEvent } from '../events/model.js';
import {
  PeerKeyCache,
  RouteMonitoringEncoder,
  encodeRecord,
  isPeerKeyed,
  recordKey,
  type IngestTopic,
  type RouterEventType,
  type RouterRecord,
  type WireAttributes,
} from '../kafka/avro/index.js';
import { OpenBmpRawRecordWriter, openBmpCollectorHash, openBmpRouterHash } from './openbmp-raw.js';

/** Logical topics a session publishes to (the Kafka names add the configured prefix). */
export type SessionTopic = IngestTopic | 'raw';

export interface SessionPipelineOptions {
  routerAddress: string;
  routerPort: number;
  collectorId: string;
  maxMessageBytes: number;
  /** Publish every message as received to the raw topic (OpenBMP v1.7 framing). */
  raw: boolean;
  /** Registry id of each Avro topic's value schema. */
  schemaIds: Readonly<Record<IngestTopic, number>>;
}

/**
 * Receives the session's records in publishing order. `timestamp`: Kafka CreateTime, ms.
 * `value` is lent for the call only (a route record is a view of the encoder's scratch buffer,
 * overwritten by the next one): a sink that keeps it must copy it.
 */
export type SessionRecordSink = (topic: SessionTopic, key: string, value: Buffer, timestamp: number) => void;

/** A record's value that writes itself into the sink's buffer (PlacedRecordSink). */
export interface PlacedValue {
  /**
   * Writes the value at `buf[at]`; returns its end, or -1 when it needs more room than `buf`
   * has after `at` (the sink makes room and calls again).
   */
  writeAt(buf: Buffer, at: number): number;
}

/**
 * Receives records whose value writes itself where the sink keeps records (ingest's RecordPacker),
 * instead of being encoded elsewhere and copied: route events and raw records, the bulk of a
 * session's. `value` is valid during the call.
 */
export type PlacedRecordSink = (topic: SessionTopic, key: string, value: PlacedValue, timestamp: number) => void;

/** A BMP message's raw record, written by the session's OpenBMP writer where the sink asks. */
class RawRecordValue implements PlacedValue {
  bytes: Buffer | null = null;
  timestampMicros = 0;

  constructor(private readonly writer: OpenBmpRawRecordWriter) {}

  writeAt(buf: Buffer, at: number): number {
    return this.writer.writeAt(buf, at, this.bytes as Buffer, this.timestampMicros);
  }
}

/** A route event's record, written by the session's encoder where the sink asks. */
class RouteRecordValue implements PlacedValue {
  event: RouteEvent | null = null;
  wire: WireAttributes | null = null;
  prefixAt = -1;

  constructor(
    private readonly encoder: RouteMonitoringEncoder,
    private readonly schemaId: number,
  ) {}

  writeAt(buf: Buffer, at: number): number {
    return this.encoder.encodeAt(this.schemaId, this.event as RouteEvent, this.wire, this.prefixAt, buf, at);
  }
}

/** Counts since they were last taken: events by topic, BMP messages by type, dead letters. */
export interface SessionCounts {
  events: Array<[string, number]>;
  messages: Array<[number, number]>;
  decodeErrors: number;
}

export class SessionPipeline {
  private readonly framer: BmpFramer;
  private readonly decoder: BmpSessionDecoder;
  private readonly sink: EventSink;
  /** Per session: successive route events of a session share peer header and path attributes. */
  private readonly routeEncoder = new RouteMonitoringEncoder();
  private readonly peerKeys = new PeerKeyCache();
  /**
   * The route_monitoring schema id, read once: a lookup in schemaIds by a topic that varies is a
   * megamorphic keyed load, paid per route event otherwise.
   */
  private readonly routeSchemaId: number;
  /** Set when the sink takes placed records (the constructor's `place`). */
  private readonly routeValue: RouteRecordValue | null;
  /** OpenBMP raw records of this session (header fields computed once, on the first message). */
  private rawWriter: OpenBmpRawRecordWriter | null = null;
  /** Set with rawWriter when the sink takes placed records. */
  private rawValue: RawRecordValue | null = null;
  private bytesReceived = 0;
  private messagesReceived = 0;
  private sysName: string | null = null;
  private sysDescr: string | null = null;
  /**
   * Kafka timestamp (ms) of the records of the message being decoded: when the collector read it,
   * that is, the chunk that completed it (one clock reading per chunk: per message, the clock was
   * ~1.5% of a decode worker's time on a table, and a chunk's messages were all read at once).
   * Set explicitly, not left to the client, so a session's records carry non-decreasing
   * timestamps in sequence order on every topic (the client stamps each topic of a batch at its
   * own moment); consumers order a router's events across topics by it (services/peer-state).
   */
  private messageTime = 0;
  private events = new Map<string, number>();
  private messages = new Map<number, number>();
  /**
   * The current run of events of one topic and of messages of one type, not yet in the maps
   * above: a table is long runs of route events from Route Monitoring messages, so a count is
   * one addition rather than two map operations per event and per message.
   */
  private eventRunTopic: string | null = null;
  private eventRun = 0;
  private messageRunType = -1;
  private messageRun = 0;
  private decodeErrors = 0;
  private finished = false;
  /** Why framing was lost (the stream cannot be cut into messages any more), or null. */
  framingLost: string | null = null;

  /** `place`: where route and raw records go instead of `emit`, written in place, when the sink can take them so. */
  constructor(
    private readonly options: SessionPipelineOptions,
    private readonly emit: SessionRecordSink,
    private readonly place: PlacedRecordSink | null = null,
  ) {
    this.framer = new BmpFramer({ maxMessageSize: options.maxMessageBytes });
    this.routeSchemaId = options.schemaIds.route_monitoring;
    this.routeValue = place === null ? null : new RouteRecordValue(this.routeEncoder, this.routeSchemaId);
    // Each event is encoded as it comes, so the decoder may hand out one event per prefix block,
    // and leave the texts of announced IPv4 prefixes to the encoder, which writes them from the
    // UPDATE's octets (publishEvent gives it their place).
    this.decoder = new BmpSessionDecoder({ routerAddress: options.routerAddress, borrowedRouteEvents: true, deferredPrefixTexts: true });
    this.sink = <T extends EventTopic>(topic: T, event: EventByTopic[T]): void => this.publishEvent(topic, event);
    this.routerEvent('connected');
  }

  /** Octets held for a message not yet complete. */
  get bufferedBytes(): number {
    return this.framer.bufferedBytes;
  }

  /** Stream offset of the next message. */
  get streamOffset(): number {
    return this.framer.streamOffset;
  }

  /** Stream octets received so far. */
  get bytes(): number {
    return this.bytesReceived;
  }

  /**
   * Frames and decodes what arrived. Returns false once framing is lost (`framingLost` says why;
   * the stream's remaining octets became a dead letter): the session must then be closed, and
   * anything pushed later is ignored.
   */
  push(chunk: Buffer): boolean {
    if (this.finished || this.framingLost !== null) return false;
    this.bytesReceived += chunk.length;
    this.framer.push(chunk);
    // Never earlier than the session's records already published (the clock may step back).
    this.messageTime = Math.max(Date.now(), this.messageTime);
    for (;;) {
      const item = this.framer.next();
      if (item === null) return true;
      if (item.kind === 'error') {
        // The length fields can no longer be trusted: nothing after this point can be framed.
        this.decoder.framingError(item, this.framer.pendingBytes(), this.sink);
        this.framingLost = `framing lost: ${item.reason}`;
        return false;
      }
      this.messagesReceived++;
      const type = item.bytes[5];
      if (type === this.messageRunType) this.messageRun++;
      else {
        this.endMessageRun();
        this.messageRunType = type;
        this.messageRun = 1;
      }
      if (this.options.raw) this.publishRaw(item.bytes);
      const outcome = this.decoder.decode(item.bytes, item.offset, this.sink);
      if (outcome.topic === 'initiation') this.routerEvent('initiated');
      else if (outcome.topic === 'termination') this.routerEvent('terminated');
    }
  }

  /** The session ended: a message cut short becomes a dead letter, then the `disconnected` record. */
  finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    try {
      if (this.framingLost === null) {
        const trailing = this.framer.end();
        if (trailing !== null) this.decoder.framingError(trailing, this.framer.pendingBytes(), this.sink);
      }
    } finally {
      // The session's end is published even when the last step faulted. Framing lost in what
      // arrived before the end is why the session ended, whatever the connection did next (the
      // router may have closed it before its last octets were decoded).
      this.routerEvent('disconnected', this.framingLost ?? reason);
    }
  }

  /** Counts since the last call. */
  takeCounts(): SessionCounts {
    this.endEventRun();
    this.endMessageRun();
    const counts: SessionCounts = { events: [...this.events], messages: [...this.messages], decodeErrors: this.decodeErrors };
    this.events.clear();
    this.messages.clear();
    this.decodeErrors = 0;
    return counts;
  }

  private publishEvent<T extends EventTopic>(topic: T, event: EventByTopic[T]): void {
    if (topic === 'initiation') {
      const init = event as EventByTopic['initiation'];
      this.sysName = init.sys_name;
      this.sysDescr = init.sys_descr;
    }
    if (topic === 'errors') this.decodeErrors++;
    const routeValue = this.routeValue;
    if (topic === 'route_monitoring' && routeValue !== null) {
      const route = event as EventByTopic['route_monitoring'];
      routeValue.event = route;
      routeValue.wire = this.decoder.attributeSource(route);
      routeValue.prefixAt = this.decoder.prefixSource(route);
      (this.place as PlacedRecordSink)(topic, this.peerKeys.keyOf(route), routeValue, this.messageTime);
      // The event is lent: not kept past its record.
      routeValue.event = null;
      routeValue.wire = null;
      this.countEvent(topic);
      return;
    }
    const route = event as EventByTopic['route_monitoring'];
    const value =
      topic === 'route_monitoring'
        ? this.routeEncoder.encodeBorrowed(this.routeSchemaId, route, this.decoder.attributeSource(route), this.decoder.prefixSource(route))
        : encodeRecord(topic, this.options.schemaIds[topic], event as never);
    const key = isPeerKeyed(topic) ? this.peerKeys.keyOf(event as unknown as PeerFields) : recordKey(topic, event as never);
    this.emit(topic, key, value, this.messageTime);
    this.countEvent(topic);
  }

  private countEvent(topic: string): void {
    if (topic === this.eventRunTopic) this.eventRun++;
    else {
      this.endEventRun();
      this.eventRunTopic = topic;
      this.eventRun = 1;
    }
  }

  private endEventRun(): void {
    const topic = this.eventRunTopic;
    if (topic === null) return;
    this.events.set(topic, (this.events.get(topic) ?? 0) + this.eventRun);
    this.eventRunTopic = null;
    this.eventRun = 0;
  }

  private endMessageRun(): void {
    const type = this.messageRunType;
    if (type < 0) return;
    this.messages.set(type, (this.messages.get(type) ?? 0) + this.messageRun);
    this.messageRunType = -1;
    this.messageRun = 0;
  }

  private publishRaw(bytes: Buffer): void {
    const o = this.options;
    this.rawWriter ??= new OpenBmpRawRecordWriter({
      collectorAdminId: o.collectorId,
      collectorHash: openBmpCollectorHash(o.collectorId),
      routerHash: openBmpRouterHash(o.routerAddress),
      routerAddress: o.routerAddress,
      routerGroup: '',
    });
    // The OpenBMP header's collection time: when the collector read the message, as the records'.
    const timestampMicros = this.messageTime * 1000;
    if (this.place === null) {
      this.emit('raw', o.routerAddress, this.rawWriter.recordBorrowed(bytes, timestampMicros), this.messageTime);
      return;
    }
    const value = (this.rawValue ??= new RawRecordValue(this.rawWriter));
    value.bytes = bytes;
    value.timestampMicros = timestampMicros;
    this.place('raw', o.routerAddress, value, this.messageTime);
    value.bytes = null;
  }

  private routerEvent(event: RouterEventType, reason: string | null = null): void {
    // Never earlier than the session's events already published (the clock may step back).
    const now = Math.max(Date.now(), this.messageTime);
    this.messageTime = now;
    const record: RouterRecord = {
      event,
      router_address: this.options.routerAddress,
      router_port: this.options.routerPort,
      collector_id: this.options.collectorId,
      sys_name: this.sysName,
      sys_descr: this.sysDescr,
      disconnect_reason: reason,
      bytes_received: this.bytesReceived,
      messages_received: this.messagesReceived,
      timestamp: now * 1000,
    };
    this.emit('router', this.options.routerAddress, encodeRecord('router', this.options.schemaIds.router, record), now);
    this.countEvent('router');
  }
}
