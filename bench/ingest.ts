/**
 * Ingest benchmark (`npm run bench:ingest`): the full-table dump of the decode benchmark replayed
 * over TCP into the ingest service, published to the local broker, timed until the last record
 * is acknowledged; then, in the same run, the sink's own limit: kafkajs alone publishing the same
 * records.
 *
 * Steps:
 *  1. A child process (this script with --generate) writes the synthetic dump of
 *     bench/full-table.ts to a temporary file and, in the same pass, feeds it through the
 *     service's own SessionPipeline (services/ingest/session-pipeline.ts, what a session's
 *     processor runs) and records what it emits: every Kafka record the service will publish
 *     for that dump (route and other events as Avro, the raw topic's OpenBMP records, the router
 *     records) is written, in publishing order, to a second file. Its count is the number of
 *     acknowledgements that ends the timed run; the file is what the sink step publishes. Not
 *     timed; neither step's memory is in any figure.
 *  2. The service is built (`npm run build`, not timed) and runs as a child process as the image
 *     runs it (`node --single-threaded-gc dist/services/ingest/main.js`, the flags of
 *     services/ingest/node-flags.ts; with --from-sources, `node --import tsx
 *     services/ingest/main.ts`) with its usual configuration from environment variables: its own
 *     topics (prefix `bench.ingest.<time>.`, BMP_TOPIC_PARTITIONS partitions), raw topic on, log
 *     level warn;
 *     BMP_PRODUCER_* and the Kafka / registry settings come from this process's environment, as
 *     the service would read them. Once /readyz answers 200 the clock starts and the dump, read
 *     into memory beforehand, is written to the service over one TCP connection at full speed
 *     (sendDump: the router's side, with no work per message). /metrics is scraped every 250 ms
 *     (every 20 ms once the replay has ended: the last few batches) for
 *     `bmp_records_acknowledged_total` and `process_resident_memory_bytes`; the clock stops at
 *     the first scrape that shows every record acknowledged (its response time: the figure errs
 *     on the slow side by at most one scrape). The service is then stopped (SIGTERM).
 *     Before the first timed run, unless --no-warmup, the same replay into a service publishing
 *     to `<prefix>warmup.` topics, not timed: a broker just started runs its produce path
 *     interpreted until its JIT has compiled it, and the first run measured that.
 *  3. Sink: in this process, a kafkajs producer configured as the service's (createKafka,
 *     idempotent, one request in flight, murmur2 partitioner, acks from all in-sync replicas, the
 *     service's compression and batch size limit) publishes the records of step 1 — same
 *     count, same topics (fresh ones, `<prefix>sink.<topic>`, same partitions), same keys (as
 *     UTF-8 octets, made before the clock starts, as the service hands kafkajs its keys: a key
 *     given as text is encoded again for every record), same value bytes (schema id aside), same
 *     order — in batches formed as EventPublisher forms them (records in order up to
 *     maxBatchBytes of keys and values, grouped by topic), one sendBatch at a time, timed from
 *     the first send to the last acknowledgement (topic creation and the producer's connection
 *     come before the clock starts). The records sit in memory already; only the per-batch
 *     message objects are made while timed. That is kafkajs's own API at its best with these
 *     records. The service does one thing more: it has the next batch's records encoded and
 *     compressed while a batch is in flight (prepareBatch, our patch of kafkajs); the sink
 *     does not, as kafkajs alone cannot.
 *  4. With --repeat N, steps 2 and 3 alternate N times (a fresh service process and fresh sink
 *     topics each time) and the fastest run of each counts, as for a limit on a busy machine;
 *     the peak RSS reported is the largest of all service runs.
 *  5. The bench topics (service and sink) and the schema registry subjects the service
 *     registered are deleted, unless --keep-topics.
 *
 * Output: progress and diagnostics on stderr; as the last line on stdout one JSON object:
 *   {"bench":"ingest","prefixes":n,"prefixes_per_s":r,"sink_records_per_s":s,"ratio_to_sink":r/s,
 *    "peak_rss_mb":x,"records":R,"seconds":t,"service_records_per_s":sr,"sink_seconds":st,
 *    "records_ratio_to_sink":sr/s}
 *  - prefixes: announced NLRI in the dump (= route announce events the service publishes);
 *    prefixes_per_s = prefixes / t, the headline figure.
 *  - records: every record the service published (route events, End-of-RIBs, the other events,
 *    router records, raw records); service_records_per_s = records / t.
 *  - sink_records_per_s: the same records / the sink's seconds.
 *  - ratio_to_sink = prefixes_per_s / sink_records_per_s, as the ingest issue defines it (its
 *    target is on this figure). It sets prefixes against records: a service with no overhead at
 *    all would score prefixes / records, about 0.71 on this table with the raw topic on.
 *  - records_ratio_to_sink = service_records_per_s / sink_records_per_s: like against like (1 is
 *    a service as fast as kafkajs alone), for reading the overhead.
 *  - peak_rss_mb: the service process's peak resident set, in MiB: the kernel's high-water mark
 *    (VmHWM of /proc/<pid>/status, read before the service is stopped) where there is one, else
 *    the largest process_resident_memory_bytes scraped. Node (and, with --from-sources, the tsx
 *    loader) is in it.
 * Targets of the issue (2 cores, broker on the same machine): prefixes_per_s >= 300,000,
 * ratio_to_sink >= 0.6, peak_rss_mb <= 400; each is reported as met or not on stderr. The exit
 * code is 1 when the run itself goes wrong (a record missing, a decode error, the service
 * dying), not when a target is missed.
 *
 * Options: USAGE below (`--help`). The machine's busy cores and the broker's CPU use during each
 * timed run are printed too: this is a shared 2-core machine, and other load shows there. So is
 * this process's own CPU during a service run (the router's side and the scraping), and so are
 * the service event loop's garbage-collection pauses by kind (from its /metrics).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type convict from 'convict';
import { CachedDefaultPartitioner } from '../services/kafka/partitioner.js';
import { pino } from 'pino';
import { ingestSchema, type IngestConfig } from '../services/ingest/config.js';
import { INGEST_NODE_FLAGS } from '../services/ingest/node-flags.js';
import { SessionPipeline } from '../services/ingest/session-pipeline.js';
import { createKafka, kafkaClientConfig } from '../services/kafka/client.js';
import { registryAuthHeaders } from '../services/kafka/registry.js';
import { Kafka } from 'kafkajs';
import { CompressionTypes } from '../services/kafka/compression.js';
import { ensureTopics } from '../services/kafka/topics.js';
import { AVRO_TOPICS, INGEST_TOPICS, type AvroTopic, type IngestTopic } from '../services/kafka/avro/index.js';
import type { OutboundRecord } from '../services/kafka/publisher.js';
import { loadConfig } from '../services/runtime/config.js';
import { fullTableDump, fullTableExpectation, type FullTableOptions, type FullTableSummary } from './full-table.js';
import { intOption, parseBenchArgs, TABLE_OPTIONS, tableShape } from './options.js';

const MiB = 1024 * 1024;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the service sees the replay come from: the router address of every record. */
const ROUTER_ADDRESS = '127.0.0.1';

/** Octets per socket write of the router's side: the dump goes out in pieces this size. */
const ROUTER_WRITE_BYTES = 1024 * 1024;

/**
 * The router's side of a timed run: the dump's octets, read into memory before the clock starts,
 * written to one connection as fast as the socket takes them, then the connection closed, as a
 * router's TCP stack streams a table. Nothing per message, unlike `bmp replay`, which frames the
 * stream to count and pace messages: that framing (and the garbage collection of a file read in
 * 64 KiB chunks) ran in this process during the timed window, on the same two cores as the
 * service under test, and took ~0.6 core-seconds of a ~5 s run. The service's own metrics check
 * that every message arrived (`bmp_messages_total`). Resolves once the service has closed its end
 * after the router's FIN (it does once the session's input is fully decoded).
 */
function sendDump(dump: Buffer, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let at = 0;
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    const pump = (): void => {
      while (at < dump.length) {
        const end = Math.min(at + ROUTER_WRITE_BYTES, dump.length);
        const piece = dump.subarray(at, end);
        at = end;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    socket.once('connect', pump);
    socket.on('error', fail);
    // BMP is one-way (RFC 7854 section 3.2): anything the collector sends is read and dropped.
    socket.on('data', () => undefined);
    socket.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      if (at < dump.length) reject(new Error(`the connection closed after ${at} of ${dump.length} octets`));
      else resolve();
    });
  });
}
/** The collector id the service is given, so the raw records' headers are the captured ones' size. */
const COLLECTOR_ID = 'bench-ingest';
/** The logical topic of the service's router records (one of AVRO_TOPICS). */
const ROUTER_TOPIC: AvroTopic = 'router';

const TARGET_PREFIXES_PER_S = 300_000;
const TARGET_RATIO = 0.6;
const TARGET_RSS_MB = 400;

const USAGE = `Usage: npm run bench:ingest -- [options]

Replays a synthetic full-table BMP dump over TCP into the ingest service, times it until every
record is acknowledged by the local broker, then times kafkajs alone publishing the same records
(the sink). The last line on stdout is one JSON object; progress goes to stderr. The local stack
must be up (npm run stack:up).

Options:
  --prefixes-v4 N     IPv4 prefixes in the dump (default 1,000,000; smaller for quick runs)
  --prefixes-v6 N     IPv6 prefixes in the dump (default 250,000)
  --peers N           peers the dump's routes are spread over (4)
  --seed N            generator seed (1)
  --partitions N      partitions of the bench topics (6)
  --repeat N          alternate service and sink runs N times; the fastest of each counts (1)
  --no-warmup         skip the untimed warm-up replay that comes before the timed runs
  --stall-s N         give up when nothing is acknowledged for N seconds (60)
  --from-sources      run the service through tsx instead of its build (dist/); tsx's loader
                      adds about 50 MiB to the resident set
  --cpu-prof          profile the service (node --cpu-prof): the top self-time functions of the
                      timed window on stderr; the profile is kept in --cpu-prof-dir DIR
                      (default a fresh directory in the system's temporary directory)
  --keep-topics       leave the bench topics and registry subjects
  --dir DIR           where the dump goes (default a fresh temporary directory, removed at the end)
  --keep              leave the dump files
  -h, --help          this text
`;

interface Args {
  prefixesV4: number;
  prefixesV6: number;
  peers: number;
  seed: number;
  partitions: number;
  keepTopics: boolean;
  dir: string | null;
  keep: boolean;
  cpuProf: boolean;
  cpuProfDir: string | null;
  stallSeconds: number;
  repeat: number;
  /** One untimed replay before the timed runs (see main). */
  warmup: boolean;
  fromSources: boolean;
  /** Internal (child mode): write the dump to this path and the captured records to `records`. */
  generate: string | null;
  records: string | null;
}

function parse(): Args {
  const values = parseBenchArgs(USAGE, {
    ...TABLE_OPTIONS,
    partitions: { type: 'string' },
    'keep-topics': { type: 'boolean' },
    dir: { type: 'string' },
    keep: { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
    'cpu-prof-dir': { type: 'string' },
    'stall-s': { type: 'string' },
    repeat: { type: 'string' },
    'no-warmup': { type: 'boolean' },
    'from-sources': { type: 'boolean' },
    generate: { type: 'string' },
    records: { type: 'string' },
  });
  return {
    ...tableShape(values),
    partitions: intOption('partitions', values.partitions, 6, 1),
    keepTopics: values['keep-topics'] ?? false,
    dir: values.dir ?? null,
    keep: values.keep ?? false,
    cpuProf: (values['cpu-prof'] ?? false) || values['cpu-prof-dir'] !== undefined,
    cpuProfDir: values['cpu-prof-dir'] ?? null,
    stallSeconds: intOption('stall-s', values['stall-s'], 60, 1),
    repeat: intOption('repeat', values.repeat, 1, 1),
    warmup: !(values['no-warmup'] ?? false),
    fromSources: values['from-sources'] ?? false,
    generate: values.generate ?? null,
    records: values.records ?? null,
  };
}

function progress(text: string): void {
  process.stderr.write(`bench:ingest ${text}\n`);
}

/** Calls `fn` at most every `ms` milliseconds (and not at all before `ms` has passed). */
function throttle(ms: number): (fn: () => void) => void {
  let last = performance.now();
  return (fn) => {
    const now = performance.now();
    if (now - last >= ms) {
      last = now;
      fn();
    }
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Microseconds of the monotonic clock (the one V8's CPU profiles are stamped with). */
function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

// ---------------------------------------------------------------------------------------------
// Step 1 (child process): the dump, and the records the service will publish for it

/** Per logical topic: how many records and how many key / value octets. */
interface TopicStats {
  topic: string;
  records: number;
  keyBytes: number;
  valueBytes: number;
}

interface CaptureSummary {
  dump: FullTableSummary;
  records: number;
  /** Topic index of the records file -> stats (logical topic names). */
  topics: TopicStats[];
  /** Key index of the records file -> key text. */
  keys: string[];
  /** Octets of the records file. */
  fileBytes: number;
}

/** Appends to a file through a large buffer (the records file is a few hundred MiB). */
class BufferedFile {
  private readonly buffer = Buffer.allocUnsafe(4 * MiB);
  private used = 0;
  bytes = 0;

  constructor(private readonly fd: number) {}

  /** Room for `n` octets at `this.buffer[this.used]`; returns the buffer. */
  reserve(n: number): Buffer {
    if (this.used + n > this.buffer.length) this.flush();
    if (n > this.buffer.length) throw new RangeError(`record of ${n} octets is larger than the write buffer`);
    return this.buffer;
  }

  get offset(): number {
    return this.used;
  }

  advance(n: number): void {
    this.used += n;
    this.bytes += n;
  }

  write(bytes: Buffer): void {
    if (bytes.length > this.buffer.length) {
      this.flush();
      writeAll(this.fd, bytes);
      this.bytes += bytes.length;
      return;
    }
    this.reserve(bytes.length);
    bytes.copy(this.buffer, this.used);
    this.advance(bytes.length);
  }

  flush(): void {
    if (this.used > 0) writeAll(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off);
}

/**
 * Records file layout, one entry per record in publishing order:
 *   u8 topic index, u16 key index (big-endian), u32 value length (big-endian), value.
 */
const ENTRY_HEADER = 7;

/**
 * Collects what a session's pipeline emits: the records, in order, into the records file.
 */
class RecordCapture {
  readonly topics: TopicStats[] = [];
  readonly keys: string[] = [];
  records = 0;
  private readonly topicIndex = new Map<string, number>();
  private readonly keyIndex = new Map<string, number>();

  constructor(private readonly out: BufferedFile) {}

  publish(record: OutboundRecord): void {
    if (typeof record.key !== 'string') throw new Error(`unexpected ${typeof record.key} key on ${record.topic}: the capture keeps string keys`);
    let t = this.topicIndex.get(record.topic);
    if (t === undefined) {
      t = this.topics.length;
      if (t > 0xff) throw new Error('more than 256 topics');
      this.topicIndex.set(record.topic, t);
      this.topics.push({ topic: record.topic, records: 0, keyBytes: 0, valueBytes: 0 });
    }
    let k = this.keyIndex.get(record.key);
    if (k === undefined) {
      k = this.keys.length;
      if (k > 0xffff) throw new Error('more than 65,536 distinct keys');
      this.keyIndex.set(record.key, k);
      this.keys.push(record.key);
    }
    const stats = this.topics[t];
    stats.records++;
    stats.keyBytes += Buffer.byteLength(record.key);
    stats.valueBytes += record.value.length;
    this.records++;
    const buf = this.out.reserve(ENTRY_HEADER);
    const at = this.out.offset;
    buf[at] = t;
    buf.writeUInt16BE(k, at + 1);
    buf.writeUInt32BE(record.value.length, at + 3);
    this.out.advance(ENTRY_HEADER);
    this.out.write(record.value);
  }
}

/** Child mode: writes the dump and the records the service makes of it; returns the summary. */
function generateAndCapture(dumpPath: string, recordsPath: string, options: FullTableOptions): CaptureSummary {
  const t0 = performance.now();
  const every = throttle(2000);
  const dumpFd = openSync(dumpPath, 'w');
  const recordsFd = openSync(recordsPath, 'w');
  const records = new BufferedFile(recordsFd);
  const capture = new RecordCapture(records);
  let dump: FullTableSummary;
  try {
    // As a session does for a connection from the replay (remote port: any 5-digit one).
    const pipeline = new SessionPipeline(
      {
        routerAddress: ROUTER_ADDRESS,
        routerPort: 40000,
        collectorId: COLLECTOR_ID,
        maxMessageBytes: 1024 * 1024,
        raw: true,
        // Any valid id: it is 4 octets of every value whatever it is.
        schemaIds: Object.fromEntries(INGEST_TOPICS.map((t) => [t, 1])) as Record<IngestTopic, number>,
      },
      (topic, key, value) => capture.publish({ topic, key, value }),
    );
    const gen = fullTableDump({
      ...options,
      onProgress: (done, total) => every(() => progress(`generating and capturing, ${((100 * done) / total).toFixed(0)}% of ${fmt(total)} prefixes`)),
    });
    for (;;) {
      const r = gen.next();
      if (r.done) {
        dump = r.value;
        break;
      }
      writeAll(dumpFd, r.value);
      if (!pipeline.push(r.value)) throw new Error(`the service would close the session: ${pipeline.framingLost}`);
    }
    pipeline.finish('router closed the session');
    records.flush();
  } finally {
    closeSync(dumpFd);
    closeSync(recordsFd);
  }
  const secs = (performance.now() - t0) / 1000;
  progress(
    `dump: ${fmt(dump.messages)} messages, ${(dump.bytes / MiB).toFixed(1)} MiB; the service will publish ${fmt(capture.records)} records ` +
      `(${(records.bytes / MiB).toFixed(1)} MiB captured) — ${secs.toFixed(1)} s, not timed`,
  );
  return { dump, records: capture.records, topics: capture.topics, keys: capture.keys, fileBytes: records.bytes };
}

/**
 * Runs step 1 in a child process, so that neither its time nor its heap shows anywhere, and
 * checks that the records are what the dump should give.
 */
function generate(dumpPath: string, recordsPath: string, args: Args): CaptureSummary {
  const childArgs = [
    ...process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--prof') && !a.startsWith('--inspect')),
    fileURLToPath(import.meta.url),
    '--generate',
    dumpPath,
    '--records',
    recordsPath,
    '--prefixes-v4',
    String(args.prefixesV4),
    '--prefixes-v6',
    String(args.prefixesV6),
    '--peers',
    String(args.peers),
    '--seed',
    String(args.seed),
  ];
  const child = spawnSync(process.execPath, childArgs, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 16 * MiB });
  if (child.status !== 0) throw new Error(`dump generation failed (exit ${child.status ?? child.signal})`);
  const summary = JSON.parse(child.stdout.trim()) as CaptureSummary;

  const problems: string[] = [];
  const count = (topic: string): number => summary.topics.find((t) => t.topic === topic)?.records ?? 0;
  const expect = fullTableExpectation({ prefixesV4: args.prefixesV4, prefixesV6: args.prefixesV6, peers: args.peers });
  if (statSync(dumpPath).size !== summary.dump.bytes) problems.push('dump file size does not match the dump');
  if (statSync(recordsPath).size !== summary.fileBytes) problems.push('records file size does not match the capture');
  if (summary.dump.prefixesV4 !== expect.prefixesV4 || summary.dump.prefixesV6 !== expect.prefixesV6) problems.push('the dump does not hold what was asked for');
  // No withdrawals in the dump: every route event is an announcement or an End-of-RIB.
  const routes = summary.dump.prefixesV4 + summary.dump.prefixesV6 + summary.dump.endOfRib;
  if (count('route_monitoring') !== routes) problems.push(`${count('route_monitoring')} route records, expected ${routes} (prefixes + End-of-RIBs)`);
  if (count('errors') !== 0) problems.push(`${count('errors')} error records`);
  if (count('raw') !== summary.dump.messages) problems.push(`${count('raw')} raw records, ${summary.dump.messages} messages in the dump`);
  if (count(ROUTER_TOPIC) !== 4) problems.push(`${count(ROUTER_TOPIC)} router records, expected 4 (connected, initiated, terminated, disconnected)`);
  if (problems.length > 0) throw new Error(`capture check failed:\n  ${problems.join('\n  ')}`);
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Step 2: the service

/** A TCP port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Prometheus text, as name{labels} -> value. */
type Samples = Map<string, number>;

function parseMetrics(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line[0] === '#') continue;
    const m = /^([A-Za-z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) out.set(m[1] + (m[2] ?? ''), Number(m[3]));
  }
  return out;
}

/** Sum over every label set of `name`. */
function total(samples: Samples, name: string): number {
  let sum = 0;
  for (const [key, value] of samples) if (key === name || key.startsWith(`${name}{`)) sum += value;
  return sum;
}

interface ServiceProcess {
  child: ChildProcess;
  bmpPort: number;
  httpPort: number;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<string>;
  hasExited(): boolean;
}

/** `npm run build`: the service as the image runs it, in dist/. */
function buildService(): void {
  const started = performance.now();
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status ?? r.signal ?? r.error?.message})`);
  progress(`built the service (npm run build) in ${((performance.now() - started) / 1000).toFixed(1)} s, not timed`);
}

function startService(env: NodeJS.ProcessEnv, bmpPort: number, httpPort: number, profileDir: string | null, fromSources: boolean): ServiceProcess {
  // node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line.
  const profile = profileDir !== null ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const entry = fromSources ? ['--import', 'tsx', join(REPO_ROOT, 'services/ingest/main.ts')] : [join(REPO_ROOT, 'dist/services/ingest/main.js')];
  // The node flags the service is deployed with (services/ingest/node-flags.ts).
  const child = spawn(process.execPath, [...INGEST_NODE_FLAGS, ...profile, ...entry], {
    cwd: REPO_ROOT,
    env,
    // The service logs on stderr; anything it prints on stdout goes to our stderr too, so that
    // our stdout carries only the result line.
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code !== null ? `exit code ${code}` : `signal ${signal}`);
    });
  });
  return { child, bmpPort, httpPort, exited, hasExited: () => done };
}

async function scrape(httpPort: number): Promise<Samples> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

async function waitReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (service.hasExited()) throw new Error(`the service ended before it was ready (${await service.exited})`);
    try {
      const res = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`);
      const body = await res.text();
      if (res.status === 200) return;
      last = body.trim();
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`the service was not ready within ${timeoutMs / 1000} s: ${last}`);
}

/** Peak resident set (VmHWM) of a process, in bytes; null where /proc does not tell. */
function peakRssOf(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat); null without /proc. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const totalJiffies = fields.reduce((a, b) => a + b, 0);
    return { busy: totalJiffies - fields[3] - fields[4], total: totalJiffies };
  } catch {
    return null;
  }
}

/** CPU seconds a process has used (utime + stime of /proc/<pid>/stat, at 100 ticks/s); null if unknown. */
function processCpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The local stack's broker PID (deploy/local), for its CPU use; null when it is not ours. */
function brokerPid(): number | null {
  const dir = process.env.BMP_STACK_DIR ?? join(REPO_ROOT, '.local-stack');
  try {
    const pid = Number(readFileSync(join(dir, 'run', 'kafka.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`) ? pid : null;
  } catch {
    return null;
  }
}

/** CPU use over an interval: the machine's busy cores, and the broker's. */
class CpuWindow {
  private readonly machine = machineCpu();
  private readonly broker: number | null;
  private readonly t0 = performance.now();

  constructor(private readonly brokerPid: number | null) {
    this.broker = processCpuSeconds(brokerPid);
  }

  /** "machine 1.9 of 2 cores busy, broker 0.7 cores" or what of it is known. */
  describe(): string {
    const seconds = (performance.now() - this.t0) / 1000;
    const parts: string[] = [];
    const now = machineCpu();
    if (this.machine !== null && now !== null && now.total > this.machine.total) {
      const cores = cpus().length;
      parts.push(`machine ${((cores * (now.busy - this.machine.busy)) / (now.total - this.machine.total)).toFixed(2)} of ${cores} cores busy`);
    }
    const broker = processCpuSeconds(this.brokerPid);
    if (this.broker !== null && broker !== null && seconds > 0) parts.push(`broker ${((broker - this.broker) / seconds).toFixed(2)} cores`);
    return parts.join(', ');
  }
}

interface ServiceResult {
  seconds: number;
  records: number;
  sampledPeakRss: number;
  /** RSS when ready, before the replay. */
  idleRss: number;
  /** V8 heap (total) and external memory at the largest RSS sampled. */
  heapAtPeak: number;
  externalAtPeak: number;
  peakRss: number;
  /** Service CPU seconds over the timed window, from its process_cpu_seconds_total. */
  cpuSeconds: number;
  replaySeconds: number;
  /** Mean time from sending a batch to its acknowledgement, and the batches, in the window. */
  meanBatchSeconds: number;
  batches: number;
  sessionsPausedSamples: number;
  samples: number;
  cpu: string;
  /**
   * The event loop's garbage collection in the window, by kind (prom-client's
   * nodejs_gc_duration_seconds: the main isolate only, not the decode workers'), as text.
   */
  gc: string;
  /** Monotonic microseconds of the window (for the profile). */
  windowMicros: [number, number];
}

/** GC pauses of the event loop between two scrapes, by kind: "minor 0.59 s (118), major ...". */
function gcText(before: Samples, after: Samples): string {
  const parts: string[] = [];
  for (const kind of ['minor', 'major', 'incremental', 'weakcb']) {
    const label = `{kind="${kind}"}`;
    const n = (after.get(`nodejs_gc_duration_seconds_count${label}`) ?? 0) - (before.get(`nodejs_gc_duration_seconds_count${label}`) ?? 0);
    const s = (after.get(`nodejs_gc_duration_seconds_sum${label}`) ?? 0) - (before.get(`nodejs_gc_duration_seconds_sum${label}`) ?? 0);
    if (n > 0) parts.push(`${kind} ${s.toFixed(2)} s (${n})`);
  }
  return parts.length > 0 ? parts.join(', ') : 'none recorded';
}

async function runService(args: Args, service: ServiceProcess, dump: Buffer, capture: CaptureSummary, broker: number | null): Promise<ServiceResult> {
  const expected = capture.records;
  const prefixes = capture.dump.prefixesV4 + capture.dump.prefixesV6;
  const before = await scrape(service.httpPort);
  if (total(before, 'bmp_records_acknowledged_total') !== 0) throw new Error('the service has acknowledged records before the replay');
  const idleRss = total(before, 'process_resident_memory_bytes');
  let sampledPeakRss = idleRss;
  let heapAtPeak = total(before, 'nodejs_heap_size_total_bytes');
  let externalAtPeak = total(before, 'nodejs_external_memory_bytes');
  const every = throttle(2000);

  const controller = new AbortController();
  let replayError: Error | null = null;
  let replayEnd: number | null = null;
  const cpu = new CpuWindow(broker);
  const windowStart = monotonicMicros();
  const t0 = performance.now();
  const own0 = process.cpuUsage();
  const replaying = sendDump(dump, service.bmpPort, controller.signal).then(
    () => {
      replayEnd = performance.now();
    },
    (err: unknown) => {
      replayError = err instanceof Error ? err : new Error(String(err));
    },
  );

  let last = before;
  let acked = 0;
  let lastProgressAt = performance.now();
  let lastAcked = 0;
  let pausedSamples = 0;
  let samples = 0;
  let t1 = 0;
  try {
    for (;;) {
      // Tight polling once the replay is over: only the last batches are left then.
      await sleep(replayEnd === null && acked < expected * 0.97 ? 250 : 20);
      if (replayError !== null) throw new Error(`replay failed: ${(replayError as Error).message}`);
      if (service.hasExited()) throw new Error(`the service ended during the run (${await service.exited})`);
      last = await scrape(service.httpPort);
      const now = performance.now();
      samples++;
      acked = total(last, 'bmp_records_acknowledged_total');
      const rss = total(last, 'process_resident_memory_bytes');
      if (rss > sampledPeakRss) {
        sampledPeakRss = rss;
        heapAtPeak = total(last, 'nodejs_heap_size_total_bytes');
        externalAtPeak = total(last, 'nodejs_external_memory_bytes');
      }
      if (total(last, 'bmp_sessions_paused') > 0) pausedSamples++;
      if (acked >= expected) {
        t1 = now;
        break;
      }
      if (acked !== lastAcked) {
        lastAcked = acked;
        lastProgressAt = now;
      } else if (now - lastProgressAt > args.stallSeconds * 1000) {
        throw new Error(`no record acknowledged for ${args.stallSeconds} s: ${fmt(acked)} of ${fmt(expected)}`);
      }
      every(() =>
        progress(
          `service: ${fmt(acked)} of ${fmt(expected)} records acknowledged (${((100 * acked) / expected).toFixed(0)}%), ` +
            `~${fmt((prefixes * acked) / expected / ((now - t0) / 1000))} prefixes/s so far, RSS ${(total(last, 'process_resident_memory_bytes') / MiB).toFixed(0)} MiB` +
            `${replayEnd !== null ? ', replay done' : ''}`,
        ),
      );
    }
  } catch (err) {
    controller.abort();
    await replaying;
    throw err;
  }
  const windowEnd = monotonicMicros();
  const own = process.cpuUsage(own0);
  const cpuText = cpu.describe() + `, bench process ${((own.user + own.system) / 1e6).toFixed(2)} s`;
  await replaying;
  if (replayError !== null) throw new Error(`replay failed: ${(replayError as Error).message}`);
  if (replayEnd === null) throw new Error('replay did not finish');

  const problems: string[] = [];
  if (acked !== expected) problems.push(`${fmt(acked)} records acknowledged, ${fmt(expected)} expected`);
  const messages = total(last, 'bmp_messages_total') - total(before, 'bmp_messages_total');
  if (messages !== capture.dump.messages) problems.push(`the service received ${messages} messages, the dump has ${capture.dump.messages}`);
  const routeEvents = last.get('bmp_events_total{topic="route_monitoring"}') ?? 0;
  const routesExpected = capture.topics.find((t) => t.topic === 'route_monitoring')?.records ?? 0;
  if (routeEvents !== routesExpected) problems.push(`${routeEvents} route events published, ${routesExpected} expected`);
  for (const name of ['bmp_decode_errors_total', 'bmp_dropped_total', 'bmp_produce_errors_total']) {
    if (total(last, name) !== 0) problems.push(`${name} = ${total(last, name)}`);
  }
  if (problems.length > 0) throw new Error(`service run check failed:\n  ${problems.join('\n  ')}`);

  const latencyCount = total(last, 'bmp_produce_latency_seconds_count') - total(before, 'bmp_produce_latency_seconds_count');
  const latencySum = total(last, 'bmp_produce_latency_seconds_sum') - total(before, 'bmp_produce_latency_seconds_sum');
  const hwm = peakRssOf(service.child.pid as number);
  return {
    seconds: (t1 - t0) / 1000,
    records: acked,
    sampledPeakRss,
    idleRss,
    heapAtPeak,
    externalAtPeak,
    peakRss: Math.max(sampledPeakRss, hwm ?? 0),
    cpuSeconds: total(last, 'process_cpu_seconds_total') - total(before, 'process_cpu_seconds_total'),
    replaySeconds: ((replayEnd as number) - t0) / 1000,
    meanBatchSeconds: latencyCount > 0 ? latencySum / latencyCount : 0,
    batches: latencyCount,
    sessionsPausedSamples: pausedSamples,
    samples,
    cpu: cpuText,
    gc: gcText(before, last),
    windowMicros: [windowStart, windowEnd],
  };
}

async function stopService(service: ServiceProcess): Promise<void> {
  if (service.hasExited()) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!service.hasExited()) service.child.kill('SIGKILL');
  }, 30_000);
  const how = await service.exited;
  clearTimeout(timer);
  if (how !== 'exit code 0') progress(`service stopped: ${how}`);
}

// ---------------------------------------------------------------------------------------------
// Step 3: the sink

interface SinkResult {
  seconds: number;
  records: number;
  batches: number;
  cpuSeconds: number;
  cpu: string;
}

async function runSink(config: IngestConfig, sinkPrefix: string, recordsPath: string, capture: CaptureSummary, broker: number | null): Promise<SinkResult> {
  const logger = pino({ level: 'warn' });
  const kafka = createKafka(config.kafka, logger);
  const names = capture.topics.map((t) => `${sinkPrefix}${t.topic}`);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      names.map((name) => ({ name, partitions: config.topics.partitions, replicationFactor: config.topics.replicationFactor, retentionMs: config.topics.retentionMs })),
    );
  } finally {
    await admin.disconnect();
  }
  // As services/ingest/service.ts makes its producer, and EventPublisher sends.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: CachedDefaultPartitioner });
  await producer.connect();
  const compression =
    config.producer.compression === 'lz4' ? CompressionTypes.LZ4 : config.producer.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const maxBatchBytes = config.producer.maxBatchBytes;
  const data = readFileSync(recordsPath);
  // Octets, as the service gives kafkajs its keys (KeyOctets): with text keys the sink took a fifth
  // more CPU and ~13% more time (three alternating pairs).
  const keys = capture.keys.map((k) => Buffer.from(k, 'utf8'));
  const every = throttle(2000);
  let records = 0;
  let batches = 0;
  let seconds: number;
  let cpuSeconds: number;
  let cpuText: string;
  try {
    const cpu = new CpuWindow(broker);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let off = 0;
    while (off < data.length) {
      // EventPublisher.takeBatch: records in order while key + value octets fit maxBatchBytes
      // (at least one); then grouped by topic, topics in order of first appearance.
      const byTopic = new Map<number, Array<{ key: Buffer; value: Buffer }>>();
      let bytes = 0;
      let n = 0;
      while (off < data.length) {
        const topic = data[off];
        const key = keys[data.readUInt16BE(off + 1)];
        const length = data.readUInt32BE(off + 3);
        const size = length + key.length;
        if (n > 0 && bytes + size > maxBatchBytes) break;
        const value = data.subarray(off + ENTRY_HEADER, off + ENTRY_HEADER + length);
        off += ENTRY_HEADER + length;
        bytes += size;
        n++;
        let list = byTopic.get(topic);
        if (list === undefined) byTopic.set(topic, (list = []));
        list.push({ key, value });
      }
      await producer.sendBatch({ topicMessages: [...byTopic].map(([t, messages]) => ({ topic: names[t], messages })), acks: -1, compression });
      records += n;
      batches++;
      every(() =>
        progress(`sink: ${fmt(records)} of ${fmt(capture.records)} records acknowledged, ${fmt(records / ((performance.now() - t0) / 1000))} records/s so far`),
      );
    }
    seconds = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu0);
    cpuSeconds = (used.user + used.system) / 1e6;
    cpuText = cpu.describe();
  } finally {
    await producer.disconnect();
  }
  if (records !== capture.records) throw new Error(`sink published ${records} records, ${capture.records} expected`);
  return { seconds, records, batches, cpuSeconds, cpu: cpuText };
}

// ---------------------------------------------------------------------------------------------
// Before anything: the broker and the registry answer

const STACK_HINT = 'is the stack running? start the local one with npm run stack:up';

/**
 * Fails within seconds, naming what does not answer, when Kafka or the schema registry is down.
 * Without this check the bench would generate the dump first, then wait for the service's
 * readiness, then retry its clean-up for minutes: the service and the shared client settings
 * reconnect for as long as it takes, as ingest must.
 */
async function checkStack(config: IngestConfig): Promise<void> {
  const where = `Kafka at ${config.kafka.brokers.join(',')}`;
  const kafka = new Kafka({
    ...kafkaClientConfig(config.kafka, pino({ level: 'silent' })),
    connectionTimeout: 3_000,
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (err) {
    throw new Error(`${where} does not answer (${(err as Error).message}): ${STACK_HINT}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const url = `${config.registry.url.replace(/\/+$/, '')}/subjects`;
  let status: number;
  try {
    const res = await fetch(url, { headers: registryAuthHeaders(config.registry), signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    status = res.status;
  } catch (err) {
    throw new Error(`schema registry at ${config.registry.url} does not answer (${(err as Error).message}): ${STACK_HINT}`);
  }
  if (status !== 200) throw new Error(`schema registry at ${config.registry.url} answered HTTP ${status} for GET /subjects (is this the registry's API base URL?)`);
}

// ---------------------------------------------------------------------------------------------
// Step 4: cleaning up

async function deleteBenchTopics(config: IngestConfig, prefix: string): Promise<void> {
  const kafka = createKafka(config.kafka, pino({ level: 'warn' }));
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    progress(`deleted ${topics.length} bench topics (${prefix}*)`);
  } catch (err) {
    progress(`warning: could not delete the bench topics ${prefix}*: ${(err as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Deletes the value subjects the service registered for its bench topics (soft, then for good). */
async function deleteBenchSubjects(config: IngestConfig, prefix: string): Promise<void> {
  const base = config.registry.url.replace(/\/+$/, '');
  const headers = registryAuthHeaders(config.registry);
  let deleted = 0;
  const failures: string[] = [];
  for (const topic of AVRO_TOPICS) {
    const url = `${base}/subjects/${encodeURIComponent(`${prefix}${topic}-value`)}`;
    try {
      const soft = await fetch(url, { method: 'DELETE', headers });
      await soft.arrayBuffer();
      if (soft.status === 404) continue;
      const hard = await fetch(`${url}?permanent=true`, { method: 'DELETE', headers });
      await hard.arrayBuffer();
      if (soft.ok) deleted++;
      else failures.push(`${topic}: HTTP ${soft.status}`);
    } catch (err) {
      failures.push(`${topic}: ${(err as Error).message}`);
    }
  }
  progress(`deleted ${deleted} registry subjects (${prefix}*-value)${failures.length > 0 ? `; not deleted: ${failures.join(', ')}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// The service's CPU profile

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a project directory, node itself, or V8's pseudo frames. */
function codeArea(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node';
  const own = /\/(services\/[^/]+|bench)\//.exec(url);
  if (own) return own[1];
  return url.replace(/^file:\/\//, '');
}

/** Top self-time functions and code areas of the profile, within the timed window when it can. */
function summariseProfile(path: string, window: [number, number]): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfTime = new Map<number, number>();
  let at = profile.startTime;
  let inWindow = 0;
  let all = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    all += profile.timeDeltas[i];
    if (at < window[0] || at > window[1]) continue;
    inWindow += profile.timeDeltas[i];
    selfTime.set(profile.samples[i], (selfTime.get(profile.samples[i]) ?? 0) + profile.timeDeltas[i]);
  }
  const lines: string[] = [];
  let idle = 0;
  for (const [id, micros] of selfTime) if (byId.get(id)?.callFrame.functionName === '(idle)') idle += micros;
  if (inWindow > 0 && idle >= 0.95 * inWindow) return [`profile ${path}: a thread idle for ${((100 * idle) / inWindow).toFixed(0)}% of the window (the module loader's), skipped`];
  let totalMicros = inWindow;
  if (inWindow === 0) {
    // Not the same clock after all: take the whole profile, start-up included.
    lines.push('(the profile does not overlap the timed window: whole process shown, start-up included)');
    for (let i = 0; i < profile.samples.length; i++) selfTime.set(profile.samples[i], (selfTime.get(profile.samples[i]) ?? 0) + profile.timeDeltas[i]);
    totalMicros = all;
  }
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, micros] of selfTime) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = codeArea(url, functionName);
    const file = url.replace(/^.*\/(node_modules\/(?:@[^/]+\/)?[^/]+\/|services\/|bench\/)/, '$1');
    const name = `${functionName || '(anonymous)'}${url ? ` ${file}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
  }
  const pct = (m: number): string => `${((100 * m) / totalMicros).toFixed(1).padStart(5)}%`;
  lines.push(`profile ${path}: ${(totalMicros / 1e6).toFixed(2)} s sampled in the window`);
  lines.push('self time by code area:');
  for (const [area, micros] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 14)) lines.push(`  ${pct(micros)}  ${area}`);
  lines.push('top self-time functions:');
  for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) lines.push(`  ${pct(micros)}  ${name}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parse();
  if (args.generate !== null) {
    if (args.records === null) throw new Error('--generate needs --records');
    const options: FullTableOptions = { prefixesV4: args.prefixesV4, prefixesV6: args.prefixesV6, peers: args.peers, seed: args.seed };
    console.log(JSON.stringify(generateAndCapture(args.generate, args.records, options)));
    return;
  }

  const stamp = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${Math.random().toString(36).slice(2, 6)}`;
  const prefix = `bench.ingest.${stamp}.`;
  const [bmpPort, httpPort] = [await freePort(), await freePort()];
  // The service's environment; this process reads its configuration from the same one, so the
  // sink uses the service's Kafka settings, batch size and compression.
  const serviceEnv: NodeJS.ProcessEnv = {
    ...process.env,
    BMP_INGEST_HOST: '127.0.0.1',
    BMP_INGEST_PORT: String(bmpPort),
    BMP_INGEST_HTTP_HOST: '127.0.0.1',
    BMP_INGEST_HTTP_PORT: String(httpPort),
    BMP_TOPIC_PREFIX: prefix,
    BMP_TOPIC_PARTITIONS: String(args.partitions),
    BMP_INGEST_COLLECTOR_ID: COLLECTOR_ID,
    BMP_INGEST_RAW: 'true',
    BMP_LOG_LEVEL: 'warn',
  };
  const config = loadConfig(ingestSchema as unknown as convict.Schema<IngestConfig>, { env: serviceEnv }).getProperties();
  const broker = brokerPid();

  const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'bmp-bench-ingest-'));
  if (args.dir !== null) mkdirSync(dir, { recursive: true });
  const dumpPath = join(dir, `full-table-plain-${args.seed}.bmp`);
  const recordsPath = join(dir, `full-table-plain-${args.seed}.records`);
  let profileDir: string | null = null;
  if (args.cpuProf) {
    profileDir = args.cpuProfDir ?? mkdtempSync(join(tmpdir(), 'bmp-bench-ingest-prof-'));
    mkdirSync(profileDir, { recursive: true });
  }

  let service: ServiceProcess | null = null;
  let touchedBroker = false;
  let resultLine: string | null = null;
  const onSignal = (): void => {
    progress('interrupted: stopping the service');
    if (service !== null && !service.hasExited()) service.child.kill('SIGTERM');
    process.exitCode = 130;
  };
  process.once('SIGINT', onSignal);
  try {
    await checkStack(config);
    const capture = generate(dumpPath, recordsPath, args);
    const prefixes = capture.dump.prefixesV4 + capture.dump.prefixesV6;
    const dump = readFileSync(dumpPath);
    for (const t of capture.topics) {
      progress(
        `  ${t.topic.padEnd(16)} ${fmt(t.records).padStart(10)} records, mean value ${(t.valueBytes / t.records).toFixed(0)} B, key ${(t.keyBytes / t.records).toFixed(0)} B`,
      );
    }

    // --- the service
    if (!args.fromSources) buildService();
    progress(
      `starting the service (topics ${prefix}*, ${config.topics.partitions} partitions, compression ${config.producer.compression}, ` +
        `batches up to ${(config.producer.maxBatchBytes / MiB).toFixed(1)} MiB, linger ${config.producer.lingerMs} ms${profileDir !== null ? ', CPU profile on' : ''})`,
    );
    touchedBroker = true;
    if (args.warmup) {
      // A broker just started (deploy/local/up) runs its produce path interpreted until the JVM
      // has compiled it: on the first replay after a start its request log showed 4.35 ms a
      // produce request against 1.6-2.1 ms afterwards, and the first run measured that instead of
      // the service. One untimed replay, into topics of its own, brings the broker to the state
      // it is in for every later run (and in production). Only the broker: the timed service is a
      // fresh process as always, and this process's sink has not run yet.
      const warmPrefix = `${prefix}warmup.`;
      progress(`warm-up (not timed): one replay into a service publishing to ${warmPrefix}*, for the broker`);
      service = startService({ ...serviceEnv, BMP_TOPIC_PREFIX: warmPrefix }, bmpPort, httpPort, null, args.fromSources);
      await waitReady(service, 120_000);
      const warm = await runService(args, service, dump, capture, broker);
      await stopService(service);
      progress(`warm-up: ${warm.seconds.toFixed(2)} s, ${fmt(prefixes / warm.seconds)} prefixes/s (not counted)`);
    }
    let best: ServiceResult | null = null;
    let bestSink: SinkResult | null = null;
    let peakRss = 0;
    // Service and sink runs alternate, so that both meet whatever else the machine is doing.
    for (let run = 1; run <= args.repeat; run++) {
      const label = args.repeat > 1 ? ` (run ${run} of ${args.repeat})` : '';
      service = startService(serviceEnv, bmpPort, httpPort, profileDir, args.fromSources);
      await waitReady(service, 120_000);
      progress(
        `service ready${label} (BMP 127.0.0.1:${bmpPort}, HTTP ${httpPort}); replaying ${(capture.dump.bytes / MiB).toFixed(1)} MiB, ` +
          `timing until ${fmt(capture.records)} records are acknowledged`,
      );
      const svc = await runService(args, service, dump, capture, broker);
      await stopService(service);
      peakRss = Math.max(peakRss, svc.peakRss);
      if (best === null || svc.seconds < best.seconds) best = svc;
      progress(
        `service${label}: ${fmt(prefixes)} prefixes, ${fmt(svc.records)} records in ${svc.seconds.toFixed(2)} s: ${fmt(prefixes / svc.seconds)} prefixes/s, ` +
          `${fmt(svc.records / svc.seconds)} records/s; replay done after ${svc.replaySeconds.toFixed(2)} s; service CPU ${svc.cpuSeconds.toFixed(2)} s ` +
          `(${(svc.cpuSeconds / svc.seconds).toFixed(2)} cores); ${svc.cpu}`,
      );
      progress(
        `service${label}: ${svc.batches} batches acknowledged, mean ${(svc.records / Math.max(1, svc.batches)).toFixed(0)} records and ` +
          `${(1000 * svc.meanBatchSeconds).toFixed(1)} ms from send to ack; sessions paused (backpressure) in ${svc.sessionsPausedSamples} of ${svc.samples} samples; ` +
          `peak RSS ${(svc.peakRss / MiB).toFixed(1)} MiB (largest sampled ${(svc.sampledPeakRss / MiB).toFixed(1)} MiB: V8 heap ${(svc.heapAtPeak / MiB).toFixed(0)} MiB, ` +
          `external ${(svc.externalAtPeak / MiB).toFixed(0)} MiB; ${(svc.idleRss / MiB).toFixed(0)} MiB before the replay); ` +
          `event loop GC pauses: ${svc.gc}`,
      );
      if (profileDir !== null) {
        const pid = `.${service.child.pid}.`;
        const profiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && f.includes(pid));
        if (profiles.length === 0) progress(`no CPU profile of the service found in ${profileDir}`);
        for (const f of profiles) for (const line of summariseProfile(join(profileDir, f), svc.windowMicros)) progress(line);
      }

      // Fresh topics for every sink run.
      const sinkPrefix = `${prefix}sink${args.repeat > 1 ? run : ''}.`;
      progress(`sink${label}: kafkajs alone publishing the same ${fmt(capture.records)} records to ${sinkPrefix}*`);
      const sink = await runSink(config, sinkPrefix, recordsPath, capture, broker);
      if (bestSink === null || sink.seconds < bestSink.seconds) bestSink = sink;
      progress(
        `sink${label}: ${fmt(sink.records)} records in ${sink.seconds.toFixed(2)} s: ${fmt(sink.records / sink.seconds)} records/s, ${sink.batches} batches ` +
          `(${(sink.records / sink.batches).toFixed(0)} records each); producer CPU ${sink.cpuSeconds.toFixed(2)} s ` +
          `(${(sink.cpuSeconds / sink.seconds).toFixed(2)} cores); ${sink.cpu}`,
      );
    }
    const svc = best as ServiceResult;
    const sink = bestSink as SinkResult;
    const serviceRps = svc.records / svc.seconds;
    const sinkRps = sink.records / sink.seconds;
    const result = {
      bench: 'ingest',
      prefixes,
      prefixes_per_s: Math.round(prefixes / svc.seconds),
      sink_records_per_s: Math.round(sinkRps),
      // As the ingest issue defines it: prefixes per second over the sink's records per second.
      ratio_to_sink: round(prefixes / svc.seconds / sinkRps, 3),
      peak_rss_mb: round(peakRss / MiB, 1),
      records: svc.records,
      seconds: round(svc.seconds, 3),
      service_records_per_s: Math.round(serviceRps),
      sink_seconds: round(sink.seconds, 3),
      records_ratio_to_sink: round(serviceRps / sinkRps, 3),
    };
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    if (args.repeat > 1) progress(`fastest of ${args.repeat} runs each; peak RSS: the largest of all runs`);
    progress(`target prefixes_per_s >= ${fmt(TARGET_PREFIXES_PER_S)}: ${verdict(result.prefixes_per_s >= TARGET_PREFIXES_PER_S)} (${fmt(result.prefixes_per_s)})`);
    progress(
      `target ratio_to_sink >= ${TARGET_RATIO}: ${verdict(result.ratio_to_sink >= TARGET_RATIO)} (${result.ratio_to_sink}; ` +
        `records to records ${result.records_ratio_to_sink}, at most ${round(prefixes / svc.records, 3)} as prefixes to records)`,
    );
    progress(`target peak_rss_mb <= ${TARGET_RSS_MB}: ${verdict(result.peak_rss_mb <= TARGET_RSS_MB)} (${result.peak_rss_mb})`);
    resultLine = JSON.stringify(result);
  } finally {
    process.off('SIGINT', onSignal);
    if (service !== null) await stopService(service);
    if (touchedBroker && !args.keepTopics) {
      await deleteBenchTopics(config, prefix);
      await deleteBenchSubjects(config, prefix);
      if (args.warmup) await deleteBenchSubjects(config, `${prefix}warmup.`);
    } else if (touchedBroker) {
      progress(`bench topics and subjects kept: ${prefix}*`);
    }
    if (args.keep) progress(`dump and records kept in ${dir}`);
    else if (args.dir === null) rmSync(dir, { recursive: true, force: true });
    else {
      rmSync(dumpPath, { force: true });
      rmSync(recordsPath, { force: true });
    }
    if (profileDir !== null) progress(`CPU profile kept in ${profileDir}`);
  }
  // The result last, after the clean-up's messages.
  if (resultLine !== null) console.log(resultLine);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench:ingest failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
