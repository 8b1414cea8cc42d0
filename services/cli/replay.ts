/**
 * `bmp replay`: sends the BMP streams of a capture (or a raw BMP stream file) to a collector over
 * TCP, the way routers do — for end-to-end tests, load tests and reproducing a router's feed.
 *
 * Model:
 *  - Every BMP stream of the input (one per router->collector TCP session of a pcap/pcapng, or the
 *    raw file itself) is one TCP session. With `routers` = N, N replicas each replay the whole
 *    input, so there are N × S sessions for an input of S streams. All sessions run concurrently:
 *    the streams of a capture were concurrent sessions (often of different routers), and N
 *    concurrent replicas are the load of N routers. A session replays its stream `loop` times, each
 *    pass on a new TCP connection (a router re-sends Initiation, Peer Ups and the full table only
 *    after a session reset; a second Initiation inside one session is not what routers do).
 *  - BMP is one-way (RFC 7854 §3.3): whatever the collector sends is read and dropped.
 *  - Full speed: bytes are written as fast as the socket takes them; when socket.write() returns
 *    false the pass waits for 'drain'. Nothing is copied: writes are views of the input's chunks
 *    (a raw file is read in 1 MiB chunks; a capture's sessions are in memory already).
 *  - `rate`: BMP messages per second, per session (N sessions send N × rate in total). The stream
 *    is framed with BmpFramer and a token bucket (capacity 20 ms of messages, starting with one
 *    token) paces the messages; waits are timers, never a busy loop. The bytes sent are still
 *    exactly the stream's: if framing is lost (garbage, a version the framer refuses), the rest of
 *    the stream goes out unpaced and uncounted; a trailing partial message is sent as it is.
 *  - `proxyV2`: a HAProxy PROXY protocol v2 header (PROXY command, TCP) is written first on every
 *    connection, claiming as source address base + j, where j = replica × S + stream index: router
 *    i gets base + i when the input has one stream, and every session has its own address
 *    otherwise. Source port: the connection's local port; destination: the collector's address
 *    and port, in the source's family (IPv4-mapped where needed, 0.0.0.0 when an IPv6 collector
 *    address has no IPv4 form).
 *  - `sourceAddress`: each connection binds local address base + j (same j as above) before
 *    connecting: on loopback (127.0.0.0/8 is all local on Linux) every router gets its own source
 *    address, which the collector, or a load balancer in front of it, sees.
 *  - `reconnect`: when a connection cannot be opened, or the collector closes or resets it before
 *    the pass is complete (its FIN before ours, an error, a reset while we wait for its FIN), the
 *    session reconnects after a backoff (reconnectDelayMs doubling up to 5 s, ±25 % jitter so a
 *    crowd of routers does not come back in step) and re-sends the stream from the start, as a
 *    router does after a session reset. At most maxReconnects retries per pass; then, or at the
 *    first such failure without `reconnect`, the session has failed for good and its remaining
 *    passes are skipped.
 *  - A pass ends with our FIN; it succeeds once the collector closes too (or, if it keeps its side
 *    open, closeTimeoutMs after all our bytes were handed to the kernel).
 *  - Counters: messages and bytes are BMP messages / octets written to sockets, re-sent ones after
 *    a reconnect included (PROXY headers excluded); sessions = N × S.
 *  - Abort (signal, SIGINT in the CLI): every connection is destroyed at once, pending waits
 *    end, and the summary so far is returned; interrupted sessions are not counted as failed.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { setMaxListeners } from 'node:events';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6 } from '../codec/address.js';
import { BmpFramer } from '../codec/framer.js';
import { encodeProxyHeaderV2 } from '../ingest/proxy-protocol.js';
import { openInput } from './decode.js';

type Chunks = AsyncIterable<Buffer> | Iterable<Buffer>;

/** One BMP stream to replay. */
export interface ReplaySource {
  /** The router the stream came from (a capture session's source address); used in messages. */
  routerAddress: string;
  /** The stream's bytes from the start; called once per TCP connection. */
  open(): Chunks | Promise<Chunks>;
  /** open() works only once (stdin): no replicas, loops or reconnects. */
  singleUse?: boolean;
  /** Releases what an open() never called would have used (an opened file). */
  dispose?(): void;
}

export interface ReplayOptions {
  /** A capture or raw BMP stream file ('-': raw stream on stdin), a raw stream, or sources. */
  input: string | Buffer | ReplaySource[];
  host: string;
  port: number;
  /** BMP messages per second per session; undefined or 0: full speed. */
  rate?: number;
  /** Replicas of the input, each a router (default 1). */
  routers?: number;
  /** Passes over its stream per session, each on a new connection (default 1). */
  loop?: number;
  reconnect?: boolean;
  /** Retries per pass with `reconnect` (default 10). */
  maxReconnects?: number;
  /** First backoff before a reconnect, doubled per retry up to 5 s (default 200 ms). */
  reconnectDelayMs?: number;
  /** Source address base for a PROXY v2 header on every connection. */
  proxyV2?: string;
  /**
   * Local address base to connect from: session j binds base + j (e.g. 127.1.0.1, 127.1.0.2, ...
   * on loopback), so that each replayed router has its own source address as real ones do.
   */
  sourceAddress?: string;
  /** Connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** After our FIN, how long to wait for the collector's (default 5000 ms). */
  closeTimeoutMs?: number;
  signal?: AbortSignal;
  /** Where to draw progress (stderr in the CLI): an updating line on a TTY, a line every 5 s otherwise. */
  progress?: ProgressOutput | null;
  /** Failures, reconnects and warnings, one line each (without newline). */
  log?: (line: string) => void;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ReplaySummary {
  sessions: number;
  messages: number;
  bytes: number;
  seconds: number;
  messages_per_s: number;
  reconnects: number;
  failed_sessions: number;
}

const DEFAULT_MAX_RECONNECTS = 10;
const DEFAULT_RECONNECT_DELAY_MS = 200;
const MAX_RECONNECT_DELAY_MS = 5000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_CLOSE_TIMEOUT_MS = 5000;
/** Full speed: framed messages are written in batches of about this many octets. */
const BATCH_BYTES = 64 * 1024;
/** Largest single socket.write() (unframed bytes: after framing is lost). */
const MAX_WRITE_BYTES = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Input

/**
 * The replay sources of a file: each BMP stream openInput finds. A capture's streams are in
 * memory and re-used by every connection; a raw stream file is re-opened (read in chunks) by every
 * connection but the first; stdin can be read once.
 */
export async function openReplaySources(path: string): Promise<ReplaySource[]> {
  const inputs = await openInput(path, '0.0.0.0');
  return inputs.map((input, index): ReplaySource => {
    const chunks = input.chunks;
    if (Array.isArray(chunks)) return { routerAddress: input.routerAddress, open: () => chunks };
    const stdin = path === '-';
    let unused: Chunks | null = chunks;
    return {
      routerAddress: input.routerAddress,
      singleUse: stdin,
      async open(): Promise<Chunks> {
        if (unused !== null) {
          const first = unused;
          unused = null;
          return first;
        }
        if (stdin) throw new Error('stdin can be replayed only once');
        const again = (await openInput(path, '0.0.0.0'))[index];
        if (again === undefined) throw new Error(`${path}: stream ${index} is gone`);
        return again.chunks;
      },
      dispose(): void {
        if (!stdin && unused instanceof Readable) unused.destroy();
        unused = null;
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// PROXY protocol v2: the encoder of the ingest service's own PROXY support
// (services/ingest/proxy-protocol.ts), so replay and ingest agree on the format by construction.

const V4_MAPPED_PREFIX = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

function addressBytes(text: string): Buffer {
  const plain = text.replace(/%.*$/, ''); // zone index of a link-local address
  const family = isIP(plain);
  if (family === 0) throw new Error(`not an IP address: ${text}`);
  const out = Buffer.alloc(family === 6 ? 16 : 4);
  if (family === 6) writeIPv6(plain, out, 0);
  else writeIPv4(plain, out, 0);
  return out;
}

/**
 * The collector's address in the family of the claimed source: the source is what the ingest
 * reports as the router, so it must not turn into an IPv4-mapped IPv6 address just because the
 * collector was reached over IPv6 (the shared encoder maps mixed families to IPv6).
 */
function destinationInFamilyOf(source: string, destination: string): string {
  const src = addressBytes(source);
  const dst = addressBytes(destination);
  if (src.length === dst.length) return destination.replace(/%.*$/, '');
  if (src.length === 16) return formatIPv6(Buffer.concat([V4_MAPPED_PREFIX, dst]), 0);
  return dst.subarray(0, 12).equals(V4_MAPPED_PREFIX) ? formatIPv4(dst, 12) : '0.0.0.0';
}

/**
 * A PROXY v2 header (version 2, PROXY command, STREAM over INET or INET6 after the source
 * address's family) claiming the connection came from source:sourcePort to destination:destinationPort.
 */
export function proxyV2Header(source: string, sourcePort: number, destination: string, destinationPort: number): Buffer {
  return encodeProxyHeaderV2({ address: source, port: sourcePort }, { address: destinationInFamilyOf(source, destination), port: destinationPort });
}

/** `base` + n as address text (IPv4 or IPv6); throws past the end of the address space. */
export function offsetAddress(base: string, n: number): string {
  const bytes = addressBytes(base);
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  value += BigInt(n);
  if (value >> BigInt(8 * bytes.length) !== 0n) throw new Error(`${base} + ${n} is past the end of the address space`);
  const out = Buffer.alloc(bytes.length);
  for (let i = bytes.length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes.length === 16 ? formatIPv6(out, 0) : formatIPv4(out, 0);
}

// ---------------------------------------------------------------------------------------------
// Connection: a socket to the collector that turns every way of losing it into one failure.

function abortError(): Error {
  const err = new Error('replay interrupted');
  err.name = 'AbortError';
  return err;
}

const ignore = (): void => {};

class Connection {
  /** Aborted when the connection fails (or the replay is aborted): ends waits tied to it. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private failure: Error | null = null;
  /** Our FIN is sent: the collector's is expected now. */
  private ending = false;
  private readonly failListeners = new Set<(err: Error) => void>();
  private readonly onAbort = (): void => this.fail(abortError());

  private constructor(
    readonly socket: Socket,
    private readonly outer: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    socket.on('data', ignore); // BMP is one-way: anything the collector sends is dropped
    socket.on('error', (err) => this.fail(err));
    socket.on('end', () => {
      if (!this.ending) this.fail(new Error('collector closed the connection'));
    });
    socket.on('close', () => {
      outer.removeEventListener('abort', this.onAbort);
      if (!this.ending) this.fail(new Error('connection closed'));
    });
    outer.addEventListener('abort', this.onAbort, { once: true });
  }

  static open(host: string, port: number, timeoutMs: number, signal: AbortSignal, localAddress: string | null = null): Promise<Connection> {
    if (signal.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const socket = netConnect(localAddress === null ? { host, port } : { host, port, localAddress });
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
      const onAbort = (): void => {
        socket.destroy(abortError());
      };
      const settle = (err: Error | null): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('connect', onConnect);
        socket.off('error', onError);
        if (err !== null) reject(err);
        else resolve(new Connection(socket, signal));
      };
      const onConnect = (): void => settle(null);
      const onError = (err: Error): void => settle(err);
      socket.once('connect', onConnect);
      socket.once('error', onError);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Writes; a promise when the caller must wait for 'drain' first. Throws once failed. */
  write(bytes: Buffer): Promise<void> | undefined {
    if (this.failure !== null) throw this.failure;
    if (this.socket.write(bytes)) return undefined;
    return this.wait('drain');
  }

  /** Sends our FIN and waits for the collector's (or closeTimeoutMs once our bytes are out). */
  async finish(closeTimeoutMs: number): Promise<void> {
    if (this.failure !== null) throw this.failure;
    this.ending = true;
    this.socket.end();
    if (!this.socket.writableFinished) await this.wait('finish');
    if (this.socket.closed) {
      if (this.failure !== null) throw this.failure;
      return;
    }
    // The collector may keep its side open: our bytes are in the kernel, so then just close.
    const timer = setTimeout(() => this.socket.destroy(), closeTimeoutMs);
    try {
      await this.wait('close');
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
    this.outer.removeEventListener('abort', this.onAbort);
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.controller.abort(err);
    for (const listener of [...this.failListeners]) listener(err);
    this.socket.destroy();
  }

  private wait(event: 'drain' | 'finish' | 'close'): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const onEvent = (): void => {
        cleanup();
        resolve();
      };
      const onFail = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const cleanup = (): void => {
        this.socket.off(event, onEvent);
        this.failListeners.delete(onFail);
      };
      this.socket.on(event, onEvent);
      this.failListeners.add(onFail);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Pacing

/** Token bucket: `rate` tokens per second, at most 20 ms worth (and at least 1) saved up. */
class TokenBucket {
  private tokens = 1;
  private last = performance.now();
  private readonly capacity: number;

  constructor(private readonly rate: number) {
    this.capacity = Math.max(1, rate / 50);
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token. */
  waitMs(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
  }
}

// ---------------------------------------------------------------------------------------------
// One pass of one stream over one connection

interface Stats {
  messages: number;
  bytes: number;
  reconnects: number;
  sessionsOk: number;
  sessionsFailed: number;
}

interface Context {
  host: string;
  port: number;
  rate: number;
  loop: number;
  reconnect: boolean;
  maxReconnects: number;
  reconnectDelayMs: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  signal: AbortSignal;
  stats: Stats;
  log: (line: string) => void;
  /** Sources already warned about (framing), so N replicas do not repeat the warning. */
  warned: Set<ReplaySource>;
}

/**
 * Writes a stream to a connection: frames it (to count and pace messages) and writes the stream's
 * own octets, as views of its chunks, up to the end of the messages let through.
 */
class StreamSender {
  private readonly framer = new BmpFramer();
  private readonly bucket: TokenBucket | null;
  /** Chunks not yet fully written; queue[0] starts at stream offset queueStart. */
  private readonly queue: Buffer[] = [];
  private queueStart = 0;
  private pushed = 0;
  private sent = 0;
  /** End of the last message let through and not yet written, and how many such messages. */
  private pendingEnd = 0;
  private pendingMessages = 0;
  private framing = true;

  constructor(
    private readonly conn: Connection,
    private readonly ctx: Context,
    private readonly source: ReplaySource,
  ) {
    this.bucket = ctx.rate > 0 ? new TokenBucket(ctx.rate) : null;
  }

  async push(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.pushed += chunk.length;
    if (!this.framing) {
      await this.writeUpTo(this.pushed);
      return;
    }
    this.framer.push(chunk);
    for (;;) {
      const item = this.framer.next();
      if (item === null) break;
      if (item.kind === 'error') {
        this.framing = false;
        this.warn(`framing lost at offset ${item.offset} (${item.reason}); the rest of the stream is sent unpaced and its messages are not counted`);
        await this.flush();
        await this.writeUpTo(this.pushed);
        return;
      }
      if (this.bucket !== null && !this.bucket.take()) {
        await this.flush();
        do await sleep(this.bucket.waitMs(), undefined, { signal: this.conn.signal });
        while (!this.bucket.take());
      }
      this.pendingEnd = item.offset + item.length;
      this.pendingMessages++;
      if (this.pendingEnd - this.sent >= BATCH_BYTES) await this.flush();
    }
    await this.flush();
  }

  /** End of the stream: the last messages, and a trailing partial message as it is. */
  async end(): Promise<void> {
    await this.flush();
    if (this.framing) {
      const trailing = this.framer.end();
      if (trailing !== null) this.warn(`${trailing.reason}; sent as it is`);
    }
    await this.writeUpTo(this.pushed);
  }

  private async flush(): Promise<void> {
    if (this.pendingMessages === 0) return;
    const messages = this.pendingMessages;
    this.pendingMessages = 0;
    await this.writeUpTo(this.pendingEnd);
    this.ctx.stats.messages += messages;
  }

  private async writeUpTo(end: number): Promise<void> {
    while (this.sent < end) {
      const chunk = this.queue[0];
      const at = this.sent - this.queueStart;
      const n = Math.min(chunk.length - at, end - this.sent, MAX_WRITE_BYTES);
      const piece = at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n);
      this.sent += n;
      if (at + n === chunk.length) {
        this.queue.shift();
        this.queueStart += chunk.length;
      }
      const drained = this.conn.write(piece);
      this.ctx.stats.bytes += n;
      if (drained !== undefined) await drained;
    }
  }

  private warn(text: string): void {
    if (this.ctx.warned.has(this.source)) return;
    this.ctx.warned.add(this.source);
    this.ctx.log(`stream from ${this.source.routerAddress}: ${text}`);
  }
}

async function sendPass(ctx: Context, source: ReplaySource, proxySource: string | null, localAddress: string | null): Promise<void> {
  const conn = await Connection.open(ctx.host, ctx.port, ctx.connectTimeoutMs, ctx.signal, localAddress);
  try {
    if (proxySource !== null) {
      const { localPort, remoteAddress, remotePort } = conn.socket;
      const header = proxyV2Header(proxySource, localPort ?? 0, remoteAddress ?? '0.0.0.0', remotePort ?? 0);
      const drained = conn.write(header);
      if (drained !== undefined) await drained;
    }
    const sender = new StreamSender(conn, ctx, source);
    for await (const chunk of await source.open()) await sender.push(chunk);
    await sender.end();
    await conn.finish(ctx.closeTimeoutMs);
  } finally {
    conn.destroy();
  }
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}

/** One session: `loop` passes, each retried per the reconnect policy. */
async function runSession(ctx: Context, source: ReplaySource, proxySource: string | null, localAddress: string | null, label: string): Promise<void> {
  for (let pass = 0; pass < ctx.loop; pass++) {
    for (let attempt = 0; ; attempt++) {
      if (ctx.signal.aborted) return;
      try {
        await sendPass(ctx, source, proxySource, localAddress);
        break;
      } catch (err) {
        if (ctx.signal.aborted) return;
        if (!ctx.reconnect || attempt >= ctx.maxReconnects) {
          ctx.stats.sessionsFailed++;
          ctx.log(`${label}: ${errorText(err)}; session failed${ctx.reconnect ? ` after ${attempt} reconnects` : ''}`);
          return;
        }
        const backoff = Math.min(ctx.reconnectDelayMs * 2 ** attempt, MAX_RECONNECT_DELAY_MS);
        const delay = Math.round(backoff * (0.75 + Math.random() * 0.5));
        ctx.stats.reconnects++;
        ctx.log(`${label}: ${errorText(err)}; reconnecting in ${delay} ms (${attempt + 1}/${ctx.maxReconnects})`);
        try {
          await sleep(delay, undefined, { signal: ctx.signal });
        } catch {
          return;
        }
      }
    }
  }
  ctx.stats.sessionsOk++;
}

// ---------------------------------------------------------------------------------------------
// Progress

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

class Progress {
  private readonly tty: boolean;
  private readonly timer: NodeJS.Timeout;
  private lastMessages = 0;
  private lastTime = performance.now();
  private rate = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly stats: Stats,
    private readonly sessions: number,
  ) {
    this.tty = out.isTTY === true;
    this.timer = setInterval(() => this.tick(), this.tty ? 250 : 5000);
    this.timer.unref();
  }

  /** Runs `print` (which writes whole lines to the same terminal) without garbling the progress line. */
  around(print: () => void): void {
    if (!this.tty) return print();
    this.out.write('\r\x1b[K');
    print();
    this.out.write(this.line());
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.tty) {
      this.tick();
      this.out.write('\n');
    }
  }

  private tick(): void {
    const now = performance.now();
    const elapsed = (now - this.lastTime) / 1000;
    if (elapsed > 0) this.rate = (this.stats.messages - this.lastMessages) / elapsed;
    this.lastMessages = this.stats.messages;
    this.lastTime = now;
    this.out.write(this.tty ? `\r\x1b[K${this.line()}` : `${this.line()}\n`);
  }

  private line(): string {
    const s = this.stats;
    const done = s.sessionsOk + s.sessionsFailed;
    return (
      `replay: ${s.messages} msgs, ${formatBytes(s.bytes)}, ${Math.round(this.rate)} msg/s, ` +
      `sessions ${done}/${this.sessions} done (${s.sessionsFailed} failed), ${s.reconnects} reconnects`
    );
  }
}

// ---------------------------------------------------------------------------------------------
// replay()

function checkCount(name: string, value: number | undefined, fallback: number, min: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${n}`);
  return n;
}

/** Replays the input to host:port (see the module comment); resolves when every session is done. */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const routers = checkCount('routers', options.routers, 1, 1);
  const loop = checkCount('loop', options.loop, 1, 1);
  const maxReconnects = checkCount('maxReconnects', options.maxReconnects, DEFAULT_MAX_RECONNECTS, 0);
  const rate = options.rate ?? 0;
  if (!(Number.isFinite(rate) && rate >= 0)) throw new RangeError(`rate must be a number >= 0, got ${rate}`);
  checkCount('port', options.port, 0, 1);
  if (options.port > 65535) throw new RangeError(`port must be <= 65535, got ${options.port}`);

  const input = options.input;
  const sources: ReplaySource[] =
    typeof input === 'string'
      ? await openReplaySources(input)
      : Buffer.isBuffer(input)
        ? [{ routerAddress: '0.0.0.0', open: () => [input] }]
        : input;
  try {
    if (sources.length === 0) throw new Error(`${typeof input === 'string' ? input : 'input'}: no BMP stream to replay`);
    if (sources.some((s) => s.singleUse) && (routers > 1 || loop > 1 || options.reconnect === true)) {
      throw new Error('a stream that can be read only once (stdin) cannot be replayed with routers > 1, loop > 1 or reconnect');
    }
    const sessions = routers * sources.length;
    const proxyBase = options.proxyV2;
    if (proxyBase !== undefined) offsetAddress(proxyBase, sessions - 1); // fails early when out of range
    const sourceBase = options.sourceAddress;
    if (sourceBase !== undefined) offsetAddress(sourceBase, sessions - 1);

    // An internal signal: many connections listen to it, and it must not abort the caller's.
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const onOuterAbort = (): void => controller.abort();
    if (options.signal?.aborted) controller.abort();
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });

    const stats: Stats = { messages: 0, bytes: 0, reconnects: 0, sessionsOk: 0, sessionsFailed: 0 };
    const progress = options.progress ? new Progress(options.progress, stats, sessions) : null;
    const log = options.log ?? ignore;
    const ctx: Context = {
      host: options.host,
      port: options.port,
      rate,
      loop,
      reconnect: options.reconnect === true,
      maxReconnects,
      reconnectDelayMs: options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
      signal: controller.signal,
      stats,
      log: progress === null ? log : (line) => progress.around(() => log(line)),
      warned: new Set(),
    };

    const started = performance.now();
    const runs: Promise<void>[] = [];
    for (let replica = 0; replica < routers; replica++) {
      sources.forEach((source, s) => {
        const j = replica * sources.length + s;
        const proxySource = proxyBase !== undefined ? offsetAddress(proxyBase, j) : null;
        const localAddress = sourceBase !== undefined ? offsetAddress(sourceBase, j) : null;
        const label = `router ${replica + 1}/${routers}${sources.length > 1 ? `, stream ${s + 1} (${source.routerAddress})` : ''}`;
        runs.push(runSession(ctx, source, proxySource, localAddress, label));
      });
    }
    try {
      await Promise.all(runs);
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
      progress?.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      sessions,
      messages: stats.messages,
      bytes: stats.bytes,
      seconds: Math.round(seconds * 1000) / 1000,
      messages_per_s: seconds > 0 ? Math.round(stats.messages / seconds) : 0,
      reconnects: stats.reconnects,
      failed_sessions: stats.sessionsFailed,
    };
  } finally {
    for (const source of sources) source.dispose?.();
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

/** "host:port" or "[v6-address]:port". */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m) throw new InvalidArgumentError('expected host:port, or [IPv6-address]:port');
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('port must be 1-65535');
  return { host: m[1], port };
}

function intAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer >= ${min}`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

function ipAddress(value: string): string {
  if (isIP(value) === 0) throw new InvalidArgumentError('must be an IPv4 or IPv6 address');
  return value;
}

interface ReplayCliOptions {
  to: { host: string; port: number };
  rate?: number;
  routers: number;
  loop: number;
  reconnect?: boolean;
  maxReconnects: number;
  proxyV2?: string;
  source?: string;
  connectTimeout: number;
  progress: boolean;
}

/** Adds `bmp replay` to the program. */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'Send the BMP streams of a pcap/pcapng capture (one TCP session per stream) or a raw BMP stream to a collector, ' +
        'as routers do; prints a JSON summary on stdout. Exit code 1 if a session failed for good, 130 on SIGINT.',
    )
    .argument('<file>', 'capture or raw BMP stream; - reads a raw stream from stdin (one session, no --loop/--reconnect)')
    .requiredOption('--to <host:port>', 'collector address', parseHostPort)
    .option('--rate <messages/s>', 'BMP messages per second per session (default: full speed)', positiveNumber)
    .option('--routers <n>', 'replay the whole input as N routers in parallel', intAtLeast(1), 1)
    .option('--loop <k>', 'replay each stream K times, each pass on a new connection', intAtLeast(1), 1)
    .option('--reconnect', 'when the collector refuses or drops a session, reconnect with backoff and resend the stream from the start')
    .option('--max-reconnects <n>', 'retries per pass with --reconnect', intAtLeast(0), DEFAULT_MAX_RECONNECTS)
    .option('--proxy-v2 <src-address-base>', 'send a PROXY v2 header first, router i claiming source address base+i', ipAddress)
    .option('--source <address-base>', 'connect from local address base+i for router i (e.g. 127.1.0.1 on loopback)', ipAddress)
    .option('--connect-timeout <ms>', 'connect timeout', intAtLeast(1), DEFAULT_CONNECT_TIMEOUT_MS)
    .option('--no-progress', 'no progress on stderr')
    .action(async (file: string, opts: ReplayCliOptions) => {
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      let summary: ReplaySummary;
      try {
        summary = await replay({
          input: file,
          host: opts.to.host,
          port: opts.to.port,
          rate: opts.rate,
          routers: opts.routers,
          loop: opts.loop,
          reconnect: opts.reconnect === true,
          maxReconnects: opts.maxReconnects,
          proxyV2: opts.proxyV2,
          sourceAddress: opts.source,
          connectTimeoutMs: opts.connectTimeout,
          signal: controller.signal,
          progress: opts.progress ? process.stderr : null,
          log: (line) => process.stderr.write(`bmp replay: ${line}\n`),
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
      process.stdout.write(JSON.stringify(summary) + '\n');
      if (controller.signal.aborted) process.exitCode = 130;
      else if (summary.failed_sessions > 0) process.exitCode = 1;
    });
}
