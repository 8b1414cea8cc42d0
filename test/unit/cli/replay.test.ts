/**
 * `bmp replay` against a local collector stand-in (a net server on 127.0.0.1 that keeps the bytes
 * of every connection): exact stream bytes, N routers, pacing, PROXY v2, reconnects, failures,
 * and the real CLI. Only 127.0.0.1 is ever used as a destination.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openInput } from '../../../services/cli/decode.js';
import { offsetAddress, parseHostPort, proxyV2Header, replay, type ReplaySummary } from '../../../services/cli/replay.js';
import { parseProxyHeader } from '../../../services/ingest/proxy-protocol.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../capture/testdata.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const CAPTURE = join(BMP_CAPTURE_DIR, 'networklab-juniper-vmx-full-session.pcap');
/** STREAMS.tsv: one session, 44 messages, 5941 octets. */
const CAPTURE_MESSAGES = 44;
const skip = HAVE_TESTDATA ? false : `no BMP test data in ${BMP_CAPTURE_DIR}`;

interface Received {
  socket: Socket;
  /** The connection's source port as the server saw it. */
  remotePort: number;
  chunks: Buffer[];
  closed: Promise<void>;
  bytes(): Buffer;
}

interface Collector {
  server: Server;
  port: number;
  connections: Received[];
  /** Resolves once `n` connections were accepted and all of them closed. */
  allClosed(n: number): Promise<Received[]>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** A collector stand-in; onData may act on a connection (e.g. reset it). */
async function collector(onData?: (conn: Received, index: number) => void): Promise<Collector> {
  const connections: Received[] = [];
  let accepted: () => void = () => {};
  const server = createServer((socket) => {
    const index = connections.length;
    const conn: Received = {
      socket,
      remotePort: socket.remotePort ?? 0,
      chunks: [],
      closed: new Promise((r) => socket.on('close', () => r())),
      bytes: () => Buffer.concat(conn.chunks),
    };
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      conn.chunks.push(d);
      onData?.(conn, index);
    });
    connections.push(conn);
    accepted();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    connections,
    async allClosed(n: number): Promise<Received[]> {
      while (connections.length < n) await new Promise<void>((r) => (accepted = r));
      await Promise.all(connections.map((c) => c.closed));
      return connections;
    },
  };
}

/** A port nothing listens on (listened on, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function captureStream(): Promise<Buffer> {
  const [input] = await openInput(CAPTURE, '0.0.0.0');
  const chunks: Buffer[] = [];
  for await (const c of input.chunks) chunks.push(c);
  return Buffer.concat(chunks);
}

/** A minimal BMP message: version 3, given type, `body` octets after the 6-octet header. */
function bmpMessage(type: number, body: number): Buffer {
  const m = Buffer.alloc(6 + body, 0xab);
  m[0] = 3;
  m.writeUInt32BE(6 + body, 1);
  m[5] = type;
  return m;
}

function checkSummaryShape(summary: ReplaySummary): void {
  assert.deepEqual(Object.keys(summary).sort(), ['bytes', 'failed_sessions', 'messages', 'messages_per_s', 'reconnects', 'seconds', 'sessions']);
  for (const v of Object.values(summary)) assert.equal(typeof v, 'number');
}

describe('bmp replay', () => {
  test('a capture: the collector receives exactly the stream bytes, on one connection', { skip }, async () => {
    const stream = await captureStream();
    const c = await collector();
    const summary = await replay({ input: CAPTURE, host: '127.0.0.1', port: c.port });
    const conns = await c.allClosed(1);
    assert.equal(conns.length, 1);
    assert.ok(conns[0].bytes().equals(stream), 'received bytes differ from the stream');
    checkSummaryShape(summary);
    assert.equal(summary.sessions, 1);
    assert.equal(summary.messages, CAPTURE_MESSAGES);
    assert.equal(summary.bytes, stream.length);
    assert.equal(summary.reconnects, 0);
    assert.equal(summary.failed_sessions, 0);
  });

  test('--routers 3: three connections with identical bytes', { skip }, async () => {
    const stream = await captureStream();
    const c = await collector();
    const summary = await replay({ input: CAPTURE, host: '127.0.0.1', port: c.port, routers: 3 });
    const conns = await c.allClosed(3);
    assert.equal(conns.length, 3);
    for (const conn of conns) assert.ok(conn.bytes().equals(stream));
    assert.equal(summary.sessions, 3);
    assert.equal(summary.messages, 3 * CAPTURE_MESSAGES);
    assert.equal(summary.bytes, 3 * stream.length);
  });

  test('a raw stream file, 2 routers × 2 loops: every connection re-reads the file from the start', { skip }, async (t) => {
    const stream = await captureStream();
    const dir = mkdtempSync(join(tmpdir(), 'bmp-replay-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'stream.bmp');
    writeFileSync(file, stream);
    const c = await collector();
    const summary = await replay({ input: file, host: '127.0.0.1', port: c.port, routers: 2, loop: 2 });
    const conns = await c.allClosed(4);
    assert.equal(conns.length, 4);
    for (const conn of conns) assert.ok(conn.bytes().equals(stream));
    assert.equal(summary.sessions, 2);
    assert.equal(summary.messages, 4 * CAPTURE_MESSAGES);
  });

  test('bytes are sent as they are: framing lost and a trailing partial message', async () => {
    const good = Buffer.concat([bmpMessage(4, 10), bmpMessage(4, 3)]);
    const input = Buffer.concat([good, Buffer.from([9, 9, 9, 9, 9, 9, 9, 9])]);
    const partial = Buffer.concat([good, bmpMessage(4, 100).subarray(0, 50)]);
    for (const [bytes, rate] of [
      [input, 0],
      [input, 1000],
      [partial, 1000],
    ] as const) {
      const c = await collector();
      const lines: string[] = [];
      const summary = await replay({ input: bytes, host: '127.0.0.1', port: c.port, rate, log: (l) => lines.push(l) });
      const [conn] = await c.allClosed(1);
      assert.ok(conn.bytes().equals(bytes));
      assert.equal(summary.messages, 2);
      assert.equal(summary.bytes, bytes.length);
      assert.equal(lines.length, 1, lines.join('\n'));
    }
  });

  test('--rate 200: 44 messages take at least 43/200 s', { skip }, async () => {
    const stream = await captureStream();
    const c = await collector();
    const start = performance.now();
    const summary = await replay({ input: CAPTURE, host: '127.0.0.1', port: c.port, rate: 200 });
    const elapsed = (performance.now() - start) / 1000;
    const [conn] = await c.allClosed(1);
    assert.ok(conn.bytes().equals(stream));
    assert.equal(summary.messages, CAPTURE_MESSAGES);
    assert.ok(elapsed >= 0.2, `took ${elapsed} s`);
    assert.ok(summary.seconds >= 0.2, `summary says ${summary.seconds} s`);
  });

  test('--rate is per session, and large: 2000 messages at 20000/s take at least 0.09 s', async () => {
    const stream = Buffer.concat(Array.from({ length: 2000 }, (_, i) => bmpMessage(4, i % 50)));
    const c = await collector();
    const summary = await replay({ input: stream, host: '127.0.0.1', port: c.port, rate: 20000, routers: 2 });
    const conns = await c.allClosed(2);
    for (const conn of conns) assert.ok(conn.bytes().equals(stream));
    assert.equal(summary.messages, 4000);
    assert.ok(summary.seconds >= 0.09, `took ${summary.seconds} s`);
  });

  test('--proxy-v2: each connection starts with a PROXY v2 header claiming base + router index', { skip }, async () => {
    const stream = await captureStream();
    const c = await collector();
    await replay({ input: CAPTURE, host: '127.0.0.1', port: c.port, routers: 2, proxyV2: '10.1.2.254' });
    const conns = await c.allClosed(2);
    const sources: string[] = [];
    for (const conn of conns) {
      const bytes = conn.bytes();
      // Signature, version 2 / PROXY, TCP over IPv4, 12 address octets.
      assert.deepEqual([...bytes.subarray(0, 16)], [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0, 12]);
      sources.push([...bytes.subarray(16, 20)].join('.'));
      assert.equal([...bytes.subarray(20, 24)].join('.'), '127.0.0.1');
      assert.equal(bytes.readUInt16BE(24), conn.remotePort, 'source port: the connection’s own');
      assert.equal(bytes.readUInt16BE(26), c.port);
      assert.ok(bytes.subarray(28).equals(stream), 'the BMP stream follows the header');
      // And the ingest service's own parser agrees.
      const parsed = parseProxyHeader(bytes);
      assert.equal(parsed.kind, 'ok');
      if (parsed.kind !== 'ok') continue;
      assert.equal(parsed.headerLength, 28);
      assert.deepEqual(parsed.source, { address: sources[sources.length - 1], port: conn.remotePort });
      assert.deepEqual(parsed.destination, { address: '127.0.0.1', port: c.port });
    }
    assert.deepEqual(sources.sort(), ['10.1.2.254', '10.1.2.255']);
  });

  test('PROXY v2 encoding: IPv6, mixed families, address offsets', () => {
    const h = proxyV2Header('2001:db8::1', 40000, '::1', 11019);
    assert.equal(h.length, 16 + 36);
    assert.equal(h[12], 0x21);
    assert.equal(h[13], 0x21);
    assert.equal(h.readUInt16BE(14), 36);
    assert.equal(h.subarray(16, 32).toString('hex'), '20010db8000000000000000000000001');
    assert.equal(h.subarray(32, 48).toString('hex'), '00000000000000000000000000000001');
    assert.equal(h.readUInt16BE(48), 40000);
    assert.equal(h.readUInt16BE(50), 11019);
    // IPv6 source, IPv4 collector: the destination is IPv4-mapped.
    assert.equal(proxyV2Header('2001:db8::1', 1, '127.0.0.1', 2).subarray(32, 48).toString('hex'), '00000000000000000000ffff7f000001');
    // IPv4 source, IPv4-mapped collector address: plain IPv4.
    const v4 = proxyV2Header('192.0.2.1', 1, '::ffff:127.0.0.1', 2);
    assert.equal(v4[13], 0x11);
    assert.equal(v4.subarray(20, 24).toString('hex'), '7f000001');
    assert.equal(proxyV2Header('192.0.2.1', 1, '::1', 2).subarray(20, 24).toString('hex'), '00000000');

    const parsed = parseProxyHeader(proxyV2Header('192.0.2.1', 1, '::1', 2));
    assert.ok(parsed.kind === 'ok' && parsed.source?.address === '192.0.2.1' && parsed.transport === 'TCP4');

    assert.equal(offsetAddress('10.0.0.255', 1), '10.0.1.0');
    assert.equal(offsetAddress('2001:db8::ffff', 1), '2001:db8::1:0');
    assert.throws(() => offsetAddress('255.255.255.255', 1), /past the end/);
    assert.throws(() => offsetAddress('nope', 1), /not an IP address/);
  });

  test('--reconnect: the collector resets the first connection; the stream is resent whole on a new one', { skip }, async () => {
    const stream = await captureStream();
    const c = await collector((conn, index) => {
      const got = conn.chunks.reduce((n, b) => n + b.length, 0);
      if (index === 0 && got >= 100) conn.socket.resetAndDestroy();
    });
    const lines: string[] = [];
    const summary = await replay({
      input: CAPTURE,
      host: '127.0.0.1',
      port: c.port,
      reconnect: true,
      reconnectDelayMs: 10,
      log: (l) => lines.push(l),
    });
    const conns = await c.allClosed(2);
    assert.equal(conns.length, 2);
    assert.ok(conns[0].bytes().length < stream.length || conns[0].bytes().length === stream.length);
    assert.ok(conns[1].bytes().equals(stream), 'the second connection has the whole stream');
    assert.equal(summary.reconnects, 1);
    assert.equal(summary.failed_sessions, 0);
    assert.ok(summary.messages >= CAPTURE_MESSAGES);
    assert.match(lines.join('\n'), /reconnecting/);
  });

  test('--reconnect: the collector closes mid-stream (FIN before ours) while we still write', async () => {
    // Large enough not to fit in the socket buffers, paced so the close comes mid-replay.
    const stream = Buffer.concat(Array.from({ length: 400 }, () => bmpMessage(0, 1000)));
    const c = await collector((conn, index) => {
      if (index === 0 && conn.chunks.length === 1) conn.socket.end();
    });
    const summary = await replay({ input: stream, host: '127.0.0.1', port: c.port, rate: 4000, reconnect: true, reconnectDelayMs: 10 });
    const conns = await c.allClosed(2);
    assert.equal(conns.length, 2);
    assert.ok(conns[1].bytes().equals(stream));
    assert.equal(summary.reconnects, 1);
    assert.equal(summary.failed_sessions, 0);
  });

  test('connection refused without --reconnect: the session fails', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const summary = await replay({ input: bmpMessage(4, 0), host: '127.0.0.1', port, log: (l) => lines.push(l) });
    assert.equal(summary.sessions, 1);
    assert.equal(summary.failed_sessions, 1);
    assert.equal(summary.reconnects, 0);
    assert.equal(summary.messages, 0);
    assert.match(lines.join('\n'), /ECONNREFUSED/);
  });

  test('connection refused with --reconnect: bounded retries, then the session fails', async () => {
    const port = await closedPort();
    const summary = await replay({ input: bmpMessage(4, 0), host: '127.0.0.1', port, reconnect: true, maxReconnects: 2, reconnectDelayMs: 5 });
    assert.equal(summary.failed_sessions, 1);
    assert.equal(summary.reconnects, 2);
  });

  test('abort: stops at once and returns the summary so far', async () => {
    const stream = Buffer.concat(Array.from({ length: 1000 }, () => bmpMessage(4, 10)));
    const c = await collector();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const start = performance.now();
    const summary = await replay({ input: stream, host: '127.0.0.1', port: c.port, rate: 50, signal: controller.signal });
    assert.ok(performance.now() - start < 2000);
    assert.equal(summary.failed_sessions, 0);
    assert.ok(summary.messages >= 1 && summary.messages < 1000, `messages ${summary.messages}`);
    await c.allClosed(1);
  });

  test('progress: a line per interval on a non-TTY, nothing with progress off', async () => {
    const c = await collector();
    const out: string[] = [];
    await replay({ input: bmpMessage(4, 0), host: '127.0.0.1', port: c.port, progress: { write: (t: string) => out.push(t), isTTY: false } });
    // The run is shorter than the 5 s interval: no line, and no newline-less TTY output either.
    assert.deepEqual(out, []);
    const tty: string[] = [];
    await replay({ input: bmpMessage(4, 0), host: '127.0.0.1', port: c.port, progress: { write: (t: string) => tty.push(t), isTTY: true } });
    const text = tty.join('');
    assert.ok(text.startsWith('\r\x1b[K') && text.endsWith('\n'), JSON.stringify(text));
    assert.match(text.slice(4), /^replay: 1 msgs, 6 B, \d+ msg\/s, sessions 1\/1 done \(0 failed\), 0 reconnects\n$/);
  });

  test('--to parsing', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:11019'), { host: '127.0.0.1', port: 11019 });
    assert.deepEqual(parseHostPort('[::1]:5000'), { host: '::1', port: 5000 });
    assert.deepEqual(parseHostPort('collector.example:1790'), { host: 'collector.example', port: 1790 });
    assert.throws(() => parseHostPort('::1:5000'));
    assert.throws(() => parseHostPort('127.0.0.1'));
    assert.throws(() => parseHostPort('127.0.0.1:70000'));
  });
});

describe('bmp replay, the real CLI', () => {
  const bin = join(repoRoot, 'bin/bmp.js');

  function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolveRun) => {
      execFile(process.execPath, [bin, 'replay', ...args], { cwd: repoRoot }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolveRun({ code, stdout, stderr });
      });
    });
  }

  test('prints the JSON summary on stdout, exit code 0', { skip }, async () => {
    const stream = await captureStream();
    const c = await collector();
    const { code, stdout, stderr } = await runCli([CAPTURE, '--to', `127.0.0.1:${c.port}`, '--no-progress']);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    const summary = JSON.parse(stdout) as ReplaySummary;
    checkSummaryShape(summary);
    assert.equal(stdout.trim().split('\n').length, 1);
    assert.deepEqual({ ...summary, seconds: 0, messages_per_s: 0 }, {
      sessions: 1,
      messages: CAPTURE_MESSAGES,
      bytes: stream.length,
      seconds: 0,
      messages_per_s: 0,
      reconnects: 0,
      failed_sessions: 0,
    });
    const [conn] = await c.allClosed(1);
    assert.ok(conn.bytes().equals(stream));
  });

  test('exit code 1 when a session fails for good', { skip }, async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await runCli([CAPTURE, '--to', `127.0.0.1:${port}`, '--no-progress']);
    assert.equal(code, 1);
    assert.equal((JSON.parse(stdout) as ReplaySummary).failed_sessions, 1);
    assert.match(stderr, /ECONNREFUSED/);
  });

  test('SIGINT: stops, prints the summary, exit code 130', { skip }, async () => {
    const c = await collector();
    const child = spawn(process.execPath, [bin, 'replay', CAPTURE, '--to', `127.0.0.1:${c.port}`, '--rate', '2', '--no-progress'], { cwd: repoRoot });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    while (c.connections.length === 0 || c.connections[0].chunks.length === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    const summary = JSON.parse(stdout) as ReplaySummary;
    assert.equal(summary.failed_sessions, 0);
    assert.ok(summary.messages >= 1 && summary.messages < CAPTURE_MESSAGES);
  });

  test('bad arguments are refused', async () => {
    const { code, stderr } = await runCli(['x.pcap', '--to', 'nohostport']);
    assert.equal(code, 1);
    assert.match(stderr, /host:port/);
  });
});
