/**
 * `bmp tail`: follows one pipeline topic on Kafka, decodes each record through the schema registry
 * and prints it as JSON Lines (default) or as a readable table, with filters.
 *
 * Model:
 *  - Topic: the logical name (route_monitoring, peer_up, ..., errors, router); the Kafka topic is
 *    the configured prefix plus it. Connection settings come from the same config sections,
 *    environment variables and config file as the services' (kafka, registry, topics); flags
 *    override them. Sections of other services in a shared config file are accepted and ignored.
 *  - Consumer group: kafkajs needs one. Without `groupId`, a throwaway `bmp-tail-<random>` group
 *    that never commits (an empty group without offsets disappears from the broker once the
 *    consumer leaves). With `groupId`, offsets are committed up to the last record processed
 *    (shown or filtered out; never past it when --limit stops mid-batch), so the next run with
 *    the same group goes on from there, and `fromBeginning` applies only to a group without
 *    committed offsets (Kafka's rule). Start: the latest offsets (new records only), or the
 *    earliest with `fromBeginning`.
 *  - Decoding: each value is decoded with its *writer* schema: the schema id of the Confluent
 *    wire header is looked up in the registry (once per id, cached), and the schema is parsed the
 *    way the pipeline parses its own (services/kafka/avro: unwrapped unions, and the wide `long`
 *    that reads 64-bit values above 2^53 as the nearest double, where the registry client's avsc
 *    `long` throws "potential precision loss" on such a stats gauge). Reading with the writer
 *    schema shows exactly what was published, whatever schema version wrote it, including fields
 *    this checkout's .avsc files do not know yet; no reader-schema resolution is involved.
 *    A record that cannot be decoded is reported on the log (stderr) and counted, never fatal.
 *  - Filters: `router` / `peer` match router_address / peer_address (as addresses: 2001:DB8::1
 *    equals 2001:db8::1); `prefixMatch` keeps records whose `prefix` (route_monitoring, roft)
 *    equals the text, or lies inside the given CIDR (same family, at least as long, same leading
 *    bits); a bare address is its host route (/32, /128). Filters combine with AND.
 *    Records filtered out are skipped silently and counted.
 *  - End: `limit` records shown, or `signal` aborted (SIGINT in the CLI): the consumer leaves its
 *    group and tail() resolves with the counts; the CLI prints "N records shown, M filtered out".
 *  - Failures: Kafka or the registry not answering within `connectTimeoutMs` at start is an error
 *    naming what failed (both, when both did), as is a missing topic. Later, the Kafka client
 *    retries; a consumer crash it does not restart from ends tail() with the error.
 *  - Kafka client: the project's client settings (services/kafka/client.ts, whose import registers
 *    the LZ4 codec the ingest producer compresses with) but with bounded retries: the services'
 *    retry-forever policy would keep an unreachable broker's connect loop alive after tail() gave up.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Kafka, type Admin, type Consumer, type KafkaMessage, type RetryOptions } from 'kafkajs';
import { pino } from 'pino';
import type { Type } from 'avsc';
import { writeIPv4, writeIPv6 } from '../codec/address.js';
import { kafkaClientConfig, type KafkaSettings } from '../kafka/client.js';
import { createRegistry, registryAuthHeaders, valueSubject, type RegistrySettings } from '../kafka/registry.js';
import { AVRO_TOPICS, decodeRecord, parseSchema, readWireSchemaId, schemaFor, type AvroTopic } from '../kafka/avro/index.js';
import { kafkaSchema, loadConfig, registrySchema, topicsSchema } from '../runtime/config.js';
import { createLogger, type Logger } from '../runtime/logging.js';

/** A decoded record: the Avro record's fields by name. */
export type TailRecord = Readonly<Record<string, unknown>>;

export type TailFormat = 'json' | 'table';

/** The topics `bmp tail` reads: every Avro topic (`raw` carries OpenBMP binary messages). */
export const TAIL_TOPICS: readonly AvroTopic[] = AVRO_TOPICS;

/** A usage error: bad topic, filter or option (exit code 1 in the CLI, like every failure). */
export class TailUsageError extends Error {
  override readonly name = 'TailUsageError';
}

/** The topic name if it is one `bmp tail` reads; throws TailUsageError otherwise. */
export function checkTailTopic(topic: string): AvroTopic {
  if ((TAIL_TOPICS as readonly string[]).includes(topic)) return topic as AvroTopic;
  const hint = topic === 'raw' ? ' (raw carries OpenBMP binary messages, not Avro records)' : '';
  throw new TailUsageError(`unknown topic "${topic}"${hint}; expected one of: ${TAIL_TOPICS.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Filters (pure)

/** Address text as bytes (4 or 16), or null when it is not an IPv4/IPv6 address. */
function addressBytes(text: string): Buffer | null {
  const family = isIP(text);
  if (family === 0) return null;
  const out = Buffer.alloc(family === 6 ? 16 : 4);
  try {
    if (family === 6) writeIPv6(text, out, 0);
    else writeIPv4(text, out, 0);
  } catch {
    return null; // forms Node accepts and the codec does not (a zone index, leading zeros)
  }
  return out;
}

/** True when both texts are the same address (any spelling), or the same text. */
export function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const x = addressBytes(a);
  const y = addressBytes(b);
  return x !== null && y !== null && x.equals(y);
}

/** True when the records of `topic` (its current schema) have a `prefix` field. */
export function hasPrefixField(topic: AvroTopic): boolean {
  const fields = schemaFor(topic).fields;
  return Array.isArray(fields) && fields.some((f: { name?: unknown }) => f.name === 'prefix');
}

/** A parsed CIDR prefix: network bytes (4 or 16) and length. */
export interface Cidr {
  bytes: Buffer;
  length: number;
}

/** "a.b.c.d/n" or "x:y::/n" as a Cidr; null when the text is not one (a bad length included). */
export function parseCidr(text: string): Cidr | null {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return null;
  const bytes = addressBytes(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (bytes === null || !/^\d{1,3}$/.test(lengthText)) return null;
  const length = Number(lengthText);
  return length <= bytes.length * 8 ? { bytes, length } : null;
}

/** True when `inner` lies inside `outer`: same family, at least as long, the same first outer.length bits. */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  if (outer.bytes.length !== inner.bytes.length || inner.length < outer.length) return false;
  const whole = outer.length >> 3;
  for (let i = 0; i < whole; i++) if (outer.bytes[i] !== inner.bytes[i]) return false;
  const bits = outer.length & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (outer.bytes[whole] & mask) === (inner.bytes[whole] & mask);
}

/** What --prefix-match matches: a CIDR (containment) or any other text (equality). */
export type PrefixMatcher = { kind: 'cidr'; cidr: Cidr } | { kind: 'text'; text: string };

/**
 * Parses --prefix-match: a CIDR, a bare address (its host route), or other text (matched as is).
 * Throws TailUsageError on an address with a bad prefix length ("10.0.0.0/33").
 */
export function parsePrefixMatch(text: string): PrefixMatcher {
  const cidr = parseCidr(text);
  if (cidr !== null) return { kind: 'cidr', cidr };
  const host = addressBytes(text);
  if (host !== null) return { kind: 'cidr', cidr: { bytes: host, length: host.length * 8 } };
  const slash = text.lastIndexOf('/');
  if (slash >= 0 && addressBytes(text.slice(0, slash)) !== null) {
    throw new TailUsageError(`--prefix-match ${text}: bad prefix length (0-32 for IPv4, 0-128 for IPv6)`);
  }
  return { kind: 'text', text };
}

/** True when the prefix text of a record equals the matcher's text or lies inside its CIDR. */
export function prefixMatches(matcher: PrefixMatcher, prefix: unknown): boolean {
  if (typeof prefix !== 'string') return false;
  if (matcher.kind === 'text') return prefix === matcher.text;
  const inner = parseCidr(prefix);
  return inner !== null && cidrCovers(matcher.cidr, inner);
}

export interface TailFilterSpec {
  /** Keep records whose router_address is this address. */
  router?: string;
  /** Keep records whose peer_address is this address (records without one are filtered out). */
  peer?: string;
  /** Keep records whose prefix equals this text or lies inside this CIDR. */
  prefixMatch?: string;
}

/** The filter of a spec as a predicate (true: show the record). Throws TailUsageError on a bad spec. */
export function compileFilter(spec: TailFilterSpec): (record: TailRecord) => boolean {
  const tests: Array<(record: TailRecord) => boolean> = [];
  const { router, peer, prefixMatch } = spec;
  if (router !== undefined) tests.push((r) => typeof r.router_address === 'string' && sameAddress(r.router_address, router));
  if (peer !== undefined) tests.push((r) => typeof r.peer_address === 'string' && sameAddress(r.peer_address, peer));
  if (prefixMatch !== undefined) {
    const matcher = parsePrefixMatch(prefixMatch);
    tests.push((r) => prefixMatches(matcher, r.prefix));
  }
  return (record) => tests.every((t) => t(record));
}

// ---------------------------------------------------------------------------------------------
// Output formats (pure)

/** Where a record came from. */
export interface RecordMeta {
  /** Logical topic name (without the prefix), as `bmp decode` prints it. */
  topic: string;
  partition: number;
  /** Kafka offset (kafkajs gives it as text). */
  offset: string;
  /** Record key as UTF-8 text, null when absent. */
  key: string | null;
  /** Kafka record timestamp, milliseconds since the epoch as text; the table's fallback time. */
  timestamp?: string;
}

function isSerialisedBuffer(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data);
}

function offsetValue(offset: string): number | string {
  const n = Number(offset);
  return Number.isSafeInteger(n) ? n : offset;
}

/** One JSON line (without newline): topic, partition, offset and key, then the record's fields; bytes as hex. */
export function jsonLine(meta: RecordMeta, record: TailRecord): string {
  const line = { topic: meta.topic, partition: meta.partition, offset: offsetValue(meta.offset), key: meta.key, ...record };
  return JSON.stringify(line, (_key, value: unknown) => (isSerialisedBuffer(value) ? Buffer.from(value.data).toString('hex') : value));
}

const ELLIPSIS = '…';

/** `text` in exactly `width` characters: padded, or cut with an ellipsis. */
export function fit(text: string, width: number): string {
  if (text.length > width) return width <= 1 ? text.slice(0, width) : text.slice(0, width - 1) + ELLIPSIS;
  return text.padEnd(width);
}

/** Microseconds since the epoch as "YYYY-MM-DD HH:MM:SS.mmm" (UTC). */
export function formatMicros(micros: number): string {
  const date = new Date(Math.floor(micros / 1000));
  return Number.isNaN(date.getTime()) ? String(micros) : date.toISOString().replace('T', ' ').replace('Z', '');
}

/** The record's own time (bmp_timestamp, or the router topic's timestamp), else the Kafka record time. */
function recordTime(meta: RecordMeta, record: TailRecord): string {
  const own = typeof record.bmp_timestamp === 'number' ? record.bmp_timestamp : typeof record.timestamp === 'number' ? record.timestamp : null;
  if (own !== null) return formatMicros(own);
  const kafkaMs = meta.timestamp === undefined ? NaN : Number(meta.timestamp);
  return Number.isFinite(kafkaMs) && kafkaMs > 0 ? formatMicros(kafkaMs * 1000) : '-';
}

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value);
}

interface Column {
  title: string;
  width: number;
  value(meta: RecordMeta, record: TailRecord): string;
}

const TIME: Column = { title: 'TIME (UTC)', width: 23, value: recordTime };
const ROUTER: Column = { title: 'ROUTER', width: 18, value: (_m, r) => text(r.router_address) };
const PEER: Column = { title: 'PEER', width: 18, value: (_m, r) => text(r.peer_address) };
const PEER_AS: Column = { title: 'AS', width: 10, value: (_m, r) => text(r.peer_as) };

function routePrefix(r: TailRecord): string {
  if (typeof r.prefix !== 'string') return `[${text(r.family)}]`; // End-of-RIB, raw NLRI
  return typeof r.rd === 'string' ? `${r.rd} ${r.prefix}` : r.prefix;
}

function peerDownReason(r: TailRecord): string {
  const reason = text(r.reason);
  return typeof r.notification === 'string' ? `${reason} (${r.notification})` : reason;
}

function listText(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.join(',') : '-';
}

/** A few telling fields of a record of a topic without its own layout. */
function details(topic: string, r: TailRecord): string {
  switch (topic) {
    case 'stats': {
      const stats = Array.isArray(r.stats) ? (r.stats as Array<{ name?: unknown; value?: unknown }>) : [];
      return stats.map((s) => `${text(s.name)}=${text(s.value)}`).join(' ') || '-';
    }
    case 'errors':
      return `${r.fatal === true ? 'FATAL ' : ''}${text(r.reason)}`;
    case 'router':
      return `${text(r.event)} collector=${text(r.collector_id)}${typeof r.disconnect_reason === 'string' ? ` (${r.disconnect_reason})` : ''}`;
    case 'initiation':
      return `${text(r.sys_name)} ${typeof r.sys_descr === 'string' ? r.sys_descr.replace(/\s+/g, ' ') : ''}`.trim();
    case 'termination':
      return text(r.reason);
    case 'route_mirroring':
      return `${listText(r.information)} ${text(r.bgp_message_type)}`;
    case 'roft':
      return `${typeof r.route_distinguisher === 'string' ? `${r.route_distinguisher} ` : ''}${text(r.prefix)}`;
    default:
      return text(r.reason ?? r.event);
  }
}

/** AS path as operators read it: "65001 65002 {65003,65004}" (AS_SET members in braces). */
export function asPathText(hops: unknown): string {
  if (!Array.isArray(hops) || hops.length === 0) return '-';
  const parts: string[] = [];
  let set: number[] | null = null;
  for (const hop of hops as Array<{ asn: number; segment: string }>) {
    const inSet = hop.segment === 'set' || hop.segment === 'confed_set';
    if (inSet) (set ??= []).push(hop.asn);
    else {
      if (set) parts.push(`{${set.join(',')}}`);
      set = null;
      parts.push(String(hop.asn));
    }
  }
  if (set) parts.push(`{${set.join(',')}}`);
  return parts.join(' ');
}

const LAYOUTS: Readonly<Record<string, readonly Column[]>> = {
  route_monitoring: [
    TIME,
    ROUTER,
    PEER,
    { title: 'ACTION', width: 10, value: (_m, r) => text(r.action) },
    { title: 'PREFIX', width: 30, value: (_m, r) => routePrefix(r) },
    { title: 'NEXT HOP', width: 18, value: (_m, r) => text(r.next_hop) },
    { title: 'AS PATH', width: 40, value: (_m, r) => asPathText(r.as_path) },
  ],
  peer_up: [TIME, ROUTER, PEER, PEER_AS, { title: 'FAMILIES', width: 60, value: (_m, r) => listText(r.families) }],
  peer_down: [TIME, ROUTER, PEER, PEER_AS, { title: 'REASON', width: 60, value: (_m, r) => peerDownReason(r) }],
};

const GENERIC: readonly Column[] = [
  TIME,
  { title: 'TOPIC', width: 15, value: (m) => m.topic },
  ROUTER,
  PEER,
  { title: 'DETAILS', width: 80, value: (m, r) => details(m.topic, r) },
];

function layout(topic: string): readonly Column[] {
  return LAYOUTS[topic] ?? GENERIC;
}

/** Fixed-width columns, two spaces apart; the last one is cut at its width but not padded. */
function joinColumns(columns: readonly Column[], cell: (c: Column) => string): string {
  return columns
    .map((c, i) => {
      const value = cell(c).replace(/[\r\n\t]/g, ' ');
      return i === columns.length - 1 ? fit(value, c.width).trimEnd() : fit(value, c.width);
    })
    .join('  ');
}

/** The table's header line for a topic. */
export function tableHeader(topic: string): string {
  return joinColumns(layout(topic), (c) => c.title);
}

/** One table line for a record. */
export function tableRow(meta: RecordMeta, record: TailRecord): string {
  return joinColumns(layout(meta.topic), (c) => c.value(meta, record));
}

/** A record in the chosen format, without newline. */
export function formatRecord(format: TailFormat, meta: RecordMeta, record: TailRecord): string {
  return format === 'table' ? tableRow(meta, record) : jsonLine(meta, record);
}

export interface TailSummary {
  shown: number;
  filteredOut: number;
  /** Records that could not be decoded (not wire format, unknown schema id, bad body). */
  undecodable: number;
  /** Why tail() ended. */
  ended: 'limit' | 'aborted';
}

/** "N records shown, M filtered out" (", K undecodable" when there were any). */
export function summaryLine(summary: Pick<TailSummary, 'shown' | 'filteredOut' | 'undecodable'>): string {
  const undecodable = summary.undecodable > 0 ? `, ${summary.undecodable} undecodable` : '';
  return `${summary.shown} records shown, ${summary.filteredOut} filtered out${undecodable}`;
}

// ---------------------------------------------------------------------------------------------
// Settings: the services' config sections, then the flags

export interface TailSettings {
  kafka: KafkaSettings;
  registry: RegistrySettings;
  /** Prefix of every Kafka topic name (default "bmp."). */
  topicPrefix: string;
}

export interface TailConnectionFlags {
  brokers?: string;
  registry?: string;
  prefix?: string;
  /** Config file (default: BMP_CONFIG). */
  config?: string;
}

/** Top-level keys of a JSON config file, or none when it cannot be read as JSON (loadConfig reports why). */
function fileSections(file: string | undefined): string[] {
  if (!file) return [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.keys(parsed) : [];
  } catch {
    return [];
  }
}

/**
 * Kafka, registry and topic prefix as a service would load them (schema defaults < config file <
 * environment), then the flags on top. Other sections of the config file (a service's own) are
 * accepted and ignored. Throws ConfigError naming the key and the bad value.
 */
export function resolveTailSettings(flags: TailConnectionFlags = {}, env: NodeJS.ProcessEnv = process.env): TailSettings {
  const file = flags.config ?? env.BMP_CONFIG;
  const known = { ...kafkaSchema, ...registrySchema, ...topicsSchema };
  const others: Record<string, { doc: string; format: ObjectConstructor; default: object }> = {};
  for (const section of fileSections(file)) {
    if (!(section in known)) others[section] = { doc: 'not used by bmp tail', format: Object, default: {} };
  }
  // Flags act as the environment variables of the same settings: above the file and the environment.
  const overrides: NodeJS.ProcessEnv = { ...env };
  if (flags.brokers !== undefined) overrides.BMP_KAFKA_BROKERS = flags.brokers;
  if (flags.registry !== undefined) overrides.BMP_REGISTRY_URL = flags.registry;
  if (flags.prefix !== undefined) overrides.BMP_TOPIC_PREFIX = flags.prefix;
  const config = loadConfig({ ...known, ...others }, { file, env: overrides });
  return {
    kafka: config.get('kafka') as KafkaSettings,
    registry: config.get('registry') as RegistrySettings,
    topicPrefix: config.get('topics.prefix') as string,
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding with the writer schema

/** What the decoder needs of the registry client: the schema of an id (an avsc Type for Avro). */
export interface SchemaSource {
  getSchema(id: number): Promise<unknown>;
}

/** Decodes wire-format values with their writer schema, fetched once per schema id (see the module comment). */
export class WriterSchemaDecoder {
  private readonly types = new Map<number, Promise<Type>>();

  constructor(
    private readonly source: SchemaSource,
    /** How long a failed schema lookup is not retried (the records meanwhile fail the same way). */
    private readonly retryFailedAfterMs = 5000,
  ) {}

  async decode(value: Buffer): Promise<TailRecord> {
    const type = await this.typeOf(readWireSchemaId(value));
    return decodeRecord(type, value).value as TailRecord;
  }

  private typeOf(id: number): Promise<Type> {
    let type = this.types.get(id);
    if (type === undefined) {
      type = this.fetch(id);
      this.types.set(id, type);
      // A failed lookup answers for the records of the next few seconds, then is tried again.
      type.catch(() => setTimeout(() => this.types.delete(id), this.retryFailedAfterMs).unref());
    }
    return type;
  }

  private async fetch(id: number): Promise<Type> {
    let schema: unknown;
    try {
      schema = await this.source.getSchema(id);
    } catch (err) {
      throw new Error(`schema id ${id}: ${errorText(err)}`);
    }
    // The registry client hands out an avsc Type parsed its own way; re-parse its schema the pipeline's way.
    const json = typeof (schema as { schema?: unknown } | null)?.schema === 'function' ? (schema as { schema(): unknown }).schema() : null;
    if (json === null || typeof json !== 'object') throw new Error(`schema id ${id} is not an Avro schema`);
    return parseSchema(json);
  }
}

// ---------------------------------------------------------------------------------------------
// tail()

export interface TailOptions extends TailFilterSpec, TailSettings {
  /** Logical topic name (route_monitoring, peer_up, ..., router, errors). */
  topic: string;
  /** Start at the earliest offsets instead of the latest (new records only). */
  fromBeginning?: boolean;
  format?: TailFormat;
  /** Stop after this many records shown. */
  limit?: number;
  /** Consumer group that commits its offsets; default: a throwaway group that never commits. */
  groupId?: string;
  /** How long Kafka and the registry may take to answer at start (default 10000 ms). */
  connectTimeoutMs?: number;
  /** Aborting ends the tail (SIGINT in the CLI). */
  signal?: AbortSignal;
  /** Receives the Kafka client's own logs (default: none). */
  logger?: Logger;
  /** Warnings (undecodable records, consumer restarts), one line each without newline. */
  log?: (line: string) => void;
  /** Called once the consumer has joined its group and fetched: records produced from now on are seen. */
  onReady?: () => void;
}

/** Where the lines go: a Writable (backpressure honoured) or anything with write(). */
export interface TailOutput {
  write(chunk: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error && !err.message.includes(cause.message) ? `: ${cause.message}` : '';
  return `${err.message}${causeText}`;
}

/** Rejects with `what` after `ms` unless `promise` settles first. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} unreachable: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Client retries that give up within about `budgetMs` (backoff 250 ms doubling to 2 s): the
 * services retry forever, which would keep a connect loop to an unreachable broker running after
 * tail() has reported it. Later failures are retried the same way, then the consumer restarts.
 */
function boundedRetry(budgetMs: number): RetryOptions {
  let retries = 0;
  for (let wait = 250, total = 250; total < budgetMs; retries++) {
    wait = Math.min(wait * 2, 2000);
    total += wait;
  }
  return { initialRetryTime: 250, maxRetryTime: 2000, retries: Math.max(retries, 1) };
}

/**
 * Asks the registry for the subject's latest schema: an answer within the timeout proves it is
 * reachable. Resolves to a warning when the subject has no schema yet, null when all is well.
 */
async function probeRegistry(settings: RegistrySettings, subject: string, timeoutMs: number): Promise<string | null> {
  const url = `${settings.url.replace(/\/+$/, '')}/subjects/${encodeURIComponent(subject)}/versions/latest`;
  let response: Response;
  try {
    response = await fetch(url, { headers: registryAuthHeaders(settings), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? `no answer within ${timeoutMs} ms` : errorText(err);
    throw new Error(`schema registry at ${settings.url} unreachable: ${reason}`);
  }
  const body = await response.text().catch(() => '');
  if (response.ok) return null;
  // A registry says "subject not found" with its own error code; a bare 404 is some other server or path.
  if (response.status === 404 && /"error_code"\s*:\s*40401\b/.test(body)) {
    return `no schema registered under ${subject} yet: nothing was published to the topic so far`;
  }
  throw new Error(
    `schema registry at ${settings.url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} for subject ${subject}` +
      (response.status === 404 ? ' (is this the registry API base URL?)' : ''),
  );
}

/** Connects the admin client and checks that the topic exists. */
async function probeKafka(admin: Admin, settings: KafkaSettings, kafkaTopic: string, timeoutMs: number): Promise<void> {
  const where = `Kafka at ${settings.brokers.join(',')}`;
  let topics: string[];
  try {
    topics = await within(
      (async () => {
        await admin.connect();
        return admin.listTopics();
      })(),
      timeoutMs,
      where,
    );
  } catch (err) {
    const text = errorText(err);
    throw new Error(text.startsWith(where) ? text : `${where} unreachable: ${text}`);
  }
  if (!topics.includes(kafkaTopic)) {
    throw new Error(`Kafka topic ${kafkaTopic} does not exist (is the topic prefix right? the ingest service creates the topics when it starts)`);
  }
}

/** Resolves when the signal aborts (at once if it has). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function newGroupId(): string {
  return `bmp-tail-${randomBytes(6).toString('hex')}`;
}

/**
 * Follows `options.topic` and writes each record that passes the filters to `output`, one line
 * each (a header line first in table format), until `limit` records were shown or `signal` aborts.
 */
export async function tail(options: TailOptions, output: TailOutput): Promise<TailSummary> {
  const topic = checkTailTopic(options.topic);
  const format: TailFormat = options.format ?? 'json';
  if (format !== 'json' && format !== 'table') throw new TailUsageError(`unknown format "${String(format)}"; expected json or table`);
  const limit = options.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new TailUsageError(`limit must be an integer >= 1, got ${limit}`);
  if (options.prefixMatch !== undefined && !hasPrefixField(topic)) {
    throw new TailUsageError(`--prefix-match: ${topic} records have no prefix (route_monitoring and roft have)`);
  }
  const accept = compileFilter(options);
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const log = options.log ?? ((): void => {});
  const kafkaTopic = `${options.topicPrefix}${topic}`;
  const groupId = options.groupId ?? newGroupId();
  const commit = options.groupId !== undefined;

  const kafka = new Kafka({
    ...kafkaClientConfig(options.kafka, options.logger ?? pino({ level: 'silent' })),
    retry: boundedRetry(timeoutMs),
  });
  const admin = kafka.admin();
  let consumer: Consumer | null = null;
  try {
    // Both at once, so that one run names every dependency that is down.
    const checks = await Promise.allSettled([probeKafka(admin, options.kafka, kafkaTopic, timeoutMs), probeRegistry(options.registry, valueSubject(kafkaTopic), timeoutMs)]);
    const failures = checks.flatMap((c) => (c.status === 'rejected' ? [errorText(c.reason)] : []));
    if (failures.length > 0) throw new Error(failures.join('; '));
    const warning = checks[1].status === 'fulfilled' ? checks[1].value : null;
    if (warning !== null) log(warning);
    await admin.disconnect();

    const decoder = new WriterSchemaDecoder(createRegistry(options.registry));
    const summary: TailSummary = { shown: 0, filteredOut: 0, undecodable: 0, ended: 'aborted' };
    let limitReached!: () => void;
    const limitPromise = new Promise<void>((resolve) => (limitReached = resolve));
    let crashed!: (err: Error) => void;
    const crashPromise = new Promise<never>((_resolve, reject) => (crashed = reject));

    const stopped = aborted(options.signal);
    const write = async (line: string): Promise<void> => {
      if (output.write(line + '\n') === false && output.once !== undefined) {
        const once = output.once.bind(output);
        // A reader that never drains (a closed pipe) must not hold the tail once it is aborted.
        await Promise.race([new Promise<void>((resolve) => once('drain', resolve)), stopped]);
      }
    };

    const reported = new Set<string>();
    /** Counts an undecodable record; the first record of each problem is named, the others only counted. */
    const undecodable = (partition: number, offset: string, reason: string): void => {
      summary.undecodable++;
      if (reported.has(reason)) return;
      reported.add(reason);
      log(`partition ${partition} offset ${offset}: cannot decode: ${reason}${reported.size === 1 ? ' (further records failing the same way are only counted)' : ''}`);
    };
    /** Decodes, filters and prints one record; true when the limit is reached. */
    const handle = async (partition: number, message: KafkaMessage): Promise<boolean> => {
      const meta: RecordMeta = { topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, timestamp: message.timestamp };
      if (message.value === null) {
        undecodable(partition, message.offset, 'no value (tombstone)');
        return false;
      }
      let record: TailRecord;
      try {
        record = await decoder.decode(message.value);
      } catch (err) {
        undecodable(partition, message.offset, errorText(err));
        return false;
      }
      if (!accept(record)) {
        summary.filteredOut++;
        return false;
      }
      await write(formatRecord(format, meta, record));
      summary.shown++;
      return limit !== undefined && summary.shown >= limit;
    };

    const c = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500, retry: boundedRetry(timeoutMs) });
    consumer = c;
    let ready = false;
    c.on(c.events.FETCH, () => {
      if (ready) return;
      ready = true;
      options.onReady?.();
    });
    c.on(c.events.CRASH, ({ payload }) => {
      if (payload.restart) log(`Kafka consumer error: ${errorText(payload.error)}; restarting`);
      else crashed(new Error(`Kafka consumer failed: ${errorText(payload.error)}`));
    });
    crashPromise.catch(() => undefined); // observed below; never an unhandled rejection

    const where = `Kafka at ${options.kafka.brokers.join(',')}`;
    await within(
      (async () => {
        await c.connect();
        await c.subscribe({ topic: kafkaTopic, fromBeginning: options.fromBeginning === true });
      })(),
      timeoutMs,
      where,
    );
    if (format === 'table') await write(tableHeader(topic));

    let done = false;
    await c.run({
      autoCommit: commit,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (const message of batch.messages) {
          if (done || !isRunning() || isStale()) break;
          const reached = await handle(batch.partition, message);
          resolveOffset(message.offset);
          if (reached) {
            done = true;
            limitReached();
            break;
          }
          await heartbeat();
        }
      },
    });
    await Promise.race([limitPromise.then(() => (summary.ended = 'limit')), stopped, crashPromise]);
    done = true;
    // Leaving the group waits for a record being handled, so the counts returned are final.
    consumer = null;
    await c.disconnect().catch(() => undefined);
    return { ...summary };
  } finally {
    await consumer?.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

function ipAddress(value: string): string {
  if (isIP(value) === 0) throw new InvalidArgumentError('must be an IPv4 or IPv6 address');
  return value;
}

function topicArgument(value: string): string {
  try {
    return checkTailTopic(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function prefixMatchArgument(value: string): string {
  try {
    parsePrefixMatch(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^--prefix-match [^:]*: /, ''));
  }
  return value;
}

interface TailCliOptions {
  brokers?: string;
  registry?: string;
  prefix?: string;
  config?: string;
  fromBeginning?: boolean;
  format: TailFormat;
  router?: string;
  peer?: string;
  prefixMatch?: string;
  limit?: number;
  group?: string;
  connectTimeout: number;
  verbose?: boolean;
}

/** Adds `bmp tail` to the program. */
export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .description(
      'Follow a pipeline topic on Kafka: decode each record through the schema registry and print it as JSON Lines ' +
        '(default) or a table. Ends at --limit or Ctrl-C, printing "N records shown, M filtered out" on stderr. ' +
        'Connection defaults: BMP_KAFKA_BROKERS, BMP_REGISTRY_URL, BMP_TOPIC_PREFIX, BMP_CONFIG, as for the services.',
    )
    .argument('<topic>', `logical topic: ${TAIL_TOPICS.join(', ')}`, topicArgument)
    .option('--brokers <host:port,...>', 'Kafka bootstrap servers (default: BMP_KAFKA_BROKERS, or 127.0.0.1:9092)')
    .option('--registry <url>', 'schema registry base URL (default: BMP_REGISTRY_URL, or the local stack\'s)')
    .option('--prefix <prefix>', 'topic name prefix (default: BMP_TOPIC_PREFIX, or "bmp.")')
    .option('-c, --config <file>', 'JSON config file of the services (default: BMP_CONFIG); flags override it')
    .option('--from-beginning', 'start at the earliest records (default: new records only)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .option('--router <address>', 'only records of this router (router_address)', ipAddress)
    .option('--peer <address>', 'only records of this peer (peer_address)', ipAddress)
    .option('--prefix-match <cidr-or-text>', 'only routes whose prefix equals this text or lies inside this CIDR', prefixMatchArgument)
    .option('--limit <n>', 'stop after N records shown', positiveInt)
    .option('--group <id>', 'consumer group that commits its offsets (default: a throwaway group, no commits)')
    .option('--connect-timeout <ms>', 'how long Kafka and the registry may take to answer at start', positiveInt, DEFAULT_CONNECT_TIMEOUT_MS)
    .option('--verbose', 'show the Kafka client\'s logs on stderr')
    .action(async (topic: string, opts: TailCliOptions) => {
      const settings = resolveTailSettings({ brokers: opts.brokers, registry: opts.registry, prefix: opts.prefix, config: opts.config });
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      // A closed pipe (| head) ends the tail like Ctrl-C.
      const onStdoutError = (err: NodeJS.ErrnoException): void => {
        if (err.code !== 'EPIPE') throw err;
        controller.abort();
      };
      process.stdout.on('error', onStdoutError);
      let summary: TailSummary;
      try {
        summary = await tail(
          {
            ...settings,
            topic,
            fromBeginning: opts.fromBeginning === true,
            format: opts.format,
            router: opts.router,
            peer: opts.peer,
            prefixMatch: opts.prefixMatch,
            limit: opts.limit,
            groupId: opts.group,
            connectTimeoutMs: opts.connectTimeout,
            signal: controller.signal,
            logger: opts.verbose ? createLogger({ level: 'info', format: 'json' }, 'bmp-tail') : undefined,
            log: (line) => process.stderr.write(`bmp tail: ${line}\n`),
          },
          process.stdout,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      process.stderr.write(summaryLine(summary) + '\n');
    });
}
