/**
 * Decode benchmark (`npm run bench:decode`): how fast a full-table BMP dump becomes events.
 *
 * For each variant (plain, then ADD-PATH) the synthetic dump of bench/full-table.ts is first
 * written to a temporary file by a child process (streamed; neither its time nor its memory is
 * counted), then read back in 1 MiB chunks, each a fresh Buffer as a socket hands them out, and
 * pushed through the collector's decode path — BmpFramer, then BmpSessionDecoder into a counting
 * sink. That part is timed: file reads, framing, BMP and BGP decoding, event construction. The
 * sink checks that every announced prefix became a route event, that each peer's End-of-RIBs
 * arrived, that no event is an error, and that no route was decoded without its peer's Peer Up
 * context; any mismatch fails the run (exit code 1).
 *
 * Output: progress on stderr; on stdout one JSON line per variant, the plain table's last:
 *   {"bench":"decode_addpath",...}
 *   {"bench":"decode","prefixes":n,"seconds":s,"prefixes_per_s":r,"mb_per_s":m,"peak_rss_mb":x}
 * prefixes counts announced NLRI (route events); mb_per_s is MiB of BMP stream per second;
 * peak_rss_mb is the largest RSS sampled (after every chunk) while that variant was decoded — the
 * whole process, so node and the tsx loader (about 75 MiB before anything is decoded) are in it.
 * The decoding is single-threaded (V8's GC helper threads aside); for a strictly one-core figure
 * run it under `taskset -c 0`.
 *
 * Options: --prefixes-v4 N --prefixes-v6 M (defaults 1,000,000 and 250,000), --peers N (4),
 * --seed N (1), --variant plain|addpath|both (both), --repeat N (decode each dump N times and
 * report the fastest, for noisy machines; 1), --chunk-kb N (read size, 1024), --dir DIR (where
 * the dumps go; a fresh directory in os.tmpdir()), --keep (leave the dump files there).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BmpFramer } from '../services/codec/framer.js';
import { BmpSessionDecoder, type EventSink } from '../services/events/session-decoder.js';
import type { ErrorEvent, RouteEvent } from '../services/events/model.js';
import { FULL_TABLE_ROUTER_ADDRESS, fullTableDump, fullTableExpectation, type FullTableOptions, type FullTableSummary } from './full-table.js';
import { intOption, optionError, parseBenchArgs, TABLE_OPTIONS, tableShape } from './options.js';

const MiB = 1024 * 1024;

const USAGE = `Usage: npm run bench:decode -- [options]

Decodes a synthetic full-table BMP dump (framing, BMP and BGP decoding, event construction) on
one thread, plain and with ADD-PATH, and checks every event. One JSON line per variant on stdout,
the plain table's last; progress on stderr.

Options:
  --prefixes-v4 N     IPv4 prefixes in the dump (default 1,000,000)
  --prefixes-v6 N     IPv6 prefixes in the dump (default 250,000)
  --peers N           peers the dump's routes are spread over (4)
  --seed N            generator seed (1)
  --variant V         plain, addpath or both (both)
  --repeat N          decode each dump N times, report the fastest (1)
  --chunk-kb N        read size in KiB (1024)
  --dir DIR           where the dumps go (default a fresh temporary directory, removed at the end)
  --keep              leave the dump files
  -h, --help          this text
`;

interface Args {
  prefixesV4: number;
  prefixesV6: number;
  peers: number;
  seed: number;
  variants: ('plain' | 'addpath')[];
  repeat: number;
  chunkBytes: number;
  dir: string | null;
  keep: boolean;
  /** Internal: generate one dump to this path and print its summary (the child process mode). */
  generate: string | null;
  addPath: boolean;
}

function parse(): Args {
  const values = parseBenchArgs(USAGE, {
    ...TABLE_OPTIONS,
    variant: { type: 'string' },
    repeat: { type: 'string' },
    'chunk-kb': { type: 'string' },
    dir: { type: 'string' },
    keep: { type: 'boolean' },
    generate: { type: 'string' },
    'add-path': { type: 'boolean' },
  });
  const variant = values.variant ?? 'both';
  if (variant !== 'plain' && variant !== 'addpath' && variant !== 'both') optionError(`--variant must be plain, addpath or both, got "${variant}"`);
  return {
    ...tableShape(values),
    variants: variant === 'both' ? ['plain', 'addpath'] : [variant],
    repeat: intOption('repeat', values.repeat, 1, 1),
    chunkBytes: intOption('chunk-kb', values['chunk-kb'], 1024, 1) * 1024,
    dir: values.dir ?? null,
    keep: values.keep ?? false,
    generate: values.generate ?? null,
    addPath: values['add-path'] ?? false,
  };
}

function progress(text: string): void {
  process.stderr.write(`bench:decode ${text}\n`);
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

/** Writes the dump to `path` chunk by chunk; returns its summary. */
function writeDump(path: string, options: FullTableOptions, label: string): FullTableSummary {
  const t0 = performance.now();
  const every = throttle(2000);
  const fd = openSync(path, 'w');
  let summary: FullTableSummary;
  try {
    const dump = fullTableDump({
      ...options,
      onProgress: (done, total) => every(() => progress(`${label}: generating, ${((100 * done) / total).toFixed(0)}% of ${total.toLocaleString('en-US')} prefixes`)),
    });
    for (;;) {
      const r = dump.next();
      if (r.done) {
        summary = r.value;
        break;
      }
      let off = 0;
      while (off < r.value.length) off += writeSync(fd, r.value, off);
    }
  } finally {
    closeSync(fd);
  }
  const secs = (performance.now() - t0) / 1000;
  progress(`${label}: generated ${summary.messages.toLocaleString('en-US')} messages, ${(summary.bytes / MiB).toFixed(1)} MiB in ${secs.toFixed(1)} s (not timed)`);
  return summary;
}

/**
 * Generates the dump in a child process (this script with --generate), so that neither the
 * generation time nor the generator's heap shows in the decoding process's figures.
 */
function generate(path: string, args: Args, addPath: boolean): FullTableSummary {
  const childArgs = [
    ...process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--prof') && !a.startsWith('--inspect')),
    fileURLToPath(import.meta.url),
    '--generate',
    path,
    '--prefixes-v4',
    String(args.prefixesV4),
    '--prefixes-v6',
    String(args.prefixesV6),
    '--peers',
    String(args.peers),
    '--seed',
    String(args.seed),
    ...(addPath ? ['--add-path'] : []),
  ];
  const child = spawnSync(process.execPath, childArgs, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1024 * 1024 });
  if (child.status !== 0) throw new Error(`dump generation failed (exit ${child.status ?? child.signal})`);
  return JSON.parse(child.stdout.trim()) as FullTableSummary;
}

interface Counts {
  announce: number;
  withdraw: number;
  endOfRib: number;
  guessed: number;
  errors: number;
  firstError: ErrorEvent | null;
  other: number;
}

/**
 * The last event the sink saw. Keeping every event reachable for a moment makes sure each one is
 * really built (an optimiser may drop objects nobody can observe); its sequence tells how many
 * events the session made.
 */
let lastEvent: { sequence: number } | null = null;

interface DecodeResult {
  counts: Counts;
  seconds: number;
  cpuSeconds: number;
  bytes: number;
  peakRss: number;
}

/** Streams the file through the framer and the session decoder; this is what is timed. */
function decode(path: string, chunkBytes: number, label: string, expectedPrefixes: number): DecodeResult {
  const counts: Counts = { announce: 0, withdraw: 0, endOfRib: 0, guessed: 0, errors: 0, firstError: null, other: 0 };
  const sink: EventSink = (topic, event) => {
    lastEvent = event;
    if (topic === 'route_monitoring') {
      const e = event as RouteEvent;
      if (e.action === 'announce') counts.announce++;
      else if (e.action === 'end_of_rib') counts.endOfRib++;
      else counts.withdraw++;
      if (e.decoded_without_peer_up) counts.guessed++;
    } else if (topic === 'errors') {
      counts.errors++;
      counts.firstError ??= event as ErrorEvent;
    } else {
      counts.other++;
    }
  };
  const every = throttle(2000);
  let peakRss = process.memoryUsage.rss();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  const framer = new BmpFramer();
  const decoder = new BmpSessionDecoder({ routerAddress: FULL_TABLE_ROUTER_ADDRESS });
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (;;) {
      // A fresh buffer per read, as a socket gives: the framer keeps views into earlier chunks.
      const chunk = Buffer.allocUnsafeSlow(chunkBytes);
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) break;
      bytes += n;
      framer.push(n === chunkBytes ? chunk : chunk.subarray(0, n));
      for (let m = framer.next(); m !== null; m = framer.next()) {
        if (m.kind === 'error') throw new Error(`${label}: framing lost at ${m.offset}: ${m.reason}`);
        decoder.decode(m.bytes, m.offset, sink);
      }
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
      every(() => progress(`${label}: decoding, ${((100 * counts.announce) / Math.max(1, expectedPrefixes)).toFixed(0)}% (${counts.announce.toLocaleString('en-US')} prefixes)`));
    }
  } finally {
    closeSync(fd);
  }
  const end = framer.end();
  if (end !== null) throw new Error(`${label}: dump ends inside a message: ${end.reason}`);

  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { counts, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, bytes, peakRss };
}

function check(label: string, r: DecodeResult, summary: FullTableSummary): void {
  const c = r.counts;
  const problems: string[] = [];
  const expected = summary.prefixesV4 + summary.prefixesV6;
  if (c.errors > 0) problems.push(`${c.errors} error events, first: ${c.firstError?.reason}`);
  if (c.announce !== expected) problems.push(`${c.announce} announced prefixes decoded, ${expected} in the dump`);
  if (c.endOfRib !== summary.endOfRib) problems.push(`${c.endOfRib} End-of-RIB events, ${summary.endOfRib} in the dump`);
  if (c.withdraw !== 0) problems.push(`${c.withdraw} withdrawals, the dump has none`);
  if (c.guessed !== 0) problems.push(`${c.guessed} routes decoded without Peer Up context`);
  // Initiation, one Peer Up per peer, Termination.
  if (c.other !== summary.peers + 2) problems.push(`${c.other} non-route events, expected ${summary.peers + 2}`);
  if (r.bytes !== summary.bytes) problems.push(`read ${r.bytes} bytes, the dump has ${summary.bytes}`);
  if (problems.length > 0) throw new Error(`${label}: decode check failed:\n  ${problems.join('\n  ')}`);
}

function main(): void {
  const args = parse();
  if (args.generate !== null) {
    const options: FullTableOptions = { prefixesV4: args.prefixesV4, prefixesV6: args.prefixesV6, peers: args.peers, seed: args.seed, addPath: args.addPath };
    const summary = writeDump(args.generate, options, args.addPath ? 'add-path' : 'plain');
    console.log(JSON.stringify(summary));
    return;
  }
  const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'bmp-bench-'));
  const lines = new Map<string, string>();
  try {
    for (const variant of args.variants) {
      const addPath = variant === 'addpath';
      const label = addPath ? 'add-path' : 'plain';
      const options: FullTableOptions = { prefixesV4: args.prefixesV4, prefixesV6: args.prefixesV6, peers: args.peers, seed: args.seed, addPath };
      const expect = fullTableExpectation(options);
      const path = join(dir, `full-table-${variant}-${args.seed}.bmp`);
      const summary = generate(path, args, addPath);
      if (statSync(path).size !== summary.bytes) throw new Error(`${label}: dump file size does not match the dump`);
      if (summary.prefixesV4 !== expect.prefixesV4 || summary.prefixesV6 !== expect.prefixesV6 || summary.endOfRib !== expect.endOfRib) {
        throw new Error(`${label}: the dump does not hold what was asked for`);
      }
      let r = decode(path, args.chunkBytes, label, expect.prefixesV4 + expect.prefixesV6);
      check(label, r, summary);
      for (let i = 1; i < args.repeat; i++) {
        const again = decode(path, args.chunkBytes, `${label} (run ${i + 1} of ${args.repeat})`, expect.prefixesV4 + expect.prefixesV6);
        check(label, again, summary);
        progress(`${label}: run ${i + 1} of ${args.repeat}: ${again.seconds.toFixed(2)} s`);
        if (again.seconds < r.seconds) r = { ...again, peakRss: Math.max(r.peakRss, again.peakRss) };
        else r = { ...r, peakRss: Math.max(r.peakRss, again.peakRss) };
      }
      if (!args.keep) rmSync(path, { force: true });
      const prefixes = r.counts.announce;
      const result = {
        bench: addPath ? 'decode_addpath' : 'decode',
        prefixes,
        seconds: round(r.seconds, 3),
        prefixes_per_s: Math.round(prefixes / r.seconds),
        mb_per_s: round(r.bytes / MiB / r.seconds, 1),
        peak_rss_mb: round(r.peakRss / MiB, 1),
      };
      progress(
        `${label}: ${prefixes.toLocaleString('en-US')} prefixes, ${summary.routeMonitoring.toLocaleString('en-US')} Route Monitoring messages, ` +
          `${(r.bytes / MiB).toFixed(1)} MiB in ${r.seconds.toFixed(2)} s (cpu ${r.cpuSeconds.toFixed(2)} s): ` +
          `${result.prefixes_per_s.toLocaleString('en-US')} prefixes/s, ${result.mb_per_s} MiB/s, peak RSS ${result.peak_rss_mb} MiB; ` +
          `${((lastEvent?.sequence ?? -1) + 1).toLocaleString('en-US')} events`,
      );
      lines.set(variant, JSON.stringify(result));
    }
  } finally {
    if (args.keep) progress(`dump files kept in ${dir}`);
    else if (args.dir === null) rmSync(dir, { recursive: true, force: true });
  }
  progress(`process peak RSS over all variants: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
  // The plain table's line last: that is the one callers read.
  const addPathLine = lines.get('addpath');
  const plainLine = lines.get('plain');
  if (addPathLine !== undefined) console.log(addPathLine);
  if (plainLine !== undefined) console.log(plainLine);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

try {
  main();
} catch (err) {
  process.stderr.write(`bench:decode failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
