/**
 * Decode-worker benchmark (`npm run bench:worker`): the work a decode worker does for one router's
 * full table, on one thread, without Kafka, sockets or the messages between threads. That is
 * services/ingest/decode-worker.ts's loop: each step of the stream (64 KiB, as a socket hands it
 * over) goes through the session's SessionPipeline — BMP framing, BGP decoding, Avro encoding of
 * every event, the raw topic's OpenBMP records, keys — into a RecordPacker packing into the
 * worker's shared slabs, whose step is then taken (and released at once, as if Kafka had
 * acknowledged it). It is what the busiest thread of bench:ingest spends its time on.
 *
 * The dump is bench/full-table.ts's (written to a temporary file first, not timed). Two measures:
 *  - CPU seconds of the loop over the whole dump, in a worker thread with the decode worker's
 *    resource limits (DECODE_WORKER_RESOURCE_LIMITS), the best of --repeat runs. Like any timing
 *    on a shared machine, it drifts between runs of the same code (here by up to half).
 *  - With --instructions: instructions per route record, counted by valgrind (cachegrind without
 *    its cache simulation) in two runs of this script over the first A and B MiB of the dump
 *    (--instructions-mb A,B): the difference in instructions over the difference in route
 *    records, so that start-up and compilation, the same in both, cancel out. Node runs
 *    --single-threaded there, so that V8's compiler runs in order on the one thread. Repeatable
 *    to about 0.5%: the measure for comparing two versions of the code. Needs valgrind (Debian:
 *    apt-get install valgrind) and takes a few minutes.
 *
 * Runs compiled (`npm run bench:worker` compiles it and the services into dist/ with
 * tsconfig.bench.json; the image's build leaves bench/ out): a worker thread started from the
 * TypeScript sources would not have tsx.
 *
 * Output: progress on stderr; as the last line on stdout one JSON object:
 *   {"bench":"worker","prefixes":n,"route_records":r,"records":R,"cpu_seconds":s,
 *    "prefixes_per_cpu_s":p,"instructions_per_route_record":i}
 * instructions_per_route_record is null without --instructions. The exit code is 1 when the loop
 * does not give the records the dump must give (a route record per announced prefix and
 * End-of-RIB, a raw record per message).
 *
 * Options: --prefixes-v4 N --prefixes-v6 M (defaults 1,000,000 and 250,000), --peers N (4),
 * --seed N (1), --repeat N (1), --step-kb N (64), --instructions, --instructions-mb A,B (4,12),
 * --help.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { RecordPacker, SessionKeys, packingSinks } from '../services/ingest/decode-worker-protocol.js';
import { createRecordSlabs, releaseSlabRange, SlabPool } from '../services/ingest/record-slabs.js';
import { DECODE_WORKER_RESOURCE_LIMITS } from '../services/ingest/decode-workers.js';
import { SessionPipeline } from '../services/ingest/session-pipeline.js';
import { PipelineSteps, type ProcessedReport } from '../services/ingest/session-processor.js';
import { INGEST_TOPICS, type IngestTopic } from '../services/kafka/avro/index.js';
import { fullTableDump, type FullTableOptions, type FullTableSummary } from './full-table.js';
import { intOption, optionError, parseBenchArgs, TABLE_OPTIONS, tableShape } from './options.js';

const MiB = 1024 * 1024;

const USAGE = `npm run bench:worker [-- options]

The decode worker's work for one router's full table (framing, decoding, Avro encoding, raw
records, packing) on one thread: CPU seconds, and with --instructions valgrind's instruction
count per route record, which does not drift with the machine's load.

  --prefixes-v4 N         IPv4 prefixes in the dump (default 1,000,000)
  --prefixes-v6 N         IPv6 prefixes in the dump (default 250,000)
  --peers N               monitored peers (default 4)
  --seed N                generator seed (default 1)
  --repeat N              time the loop N times, report the fastest (default 1)
  --step-kb N             octets handed to the pipeline per step, KiB (default 64, a socket read)
  --instructions          also count instructions per route record with valgrind (minutes)
  --instructions-mb A,B   the two lengths of dump counted, MiB (default 4,12)
  -h, --help              this text
`;

interface Args {
  prefixesV4: number;
  prefixesV6: number;
  peers: number;
  seed: number;
  repeat: number;
  stepBytes: number;
  instructions: boolean;
  instructionsMb: [number, number];
  /** Internal (the valgrind runs): run the loop once over the first `bytes` of this dump, on this thread. */
  child: string | null;
  bytes: number;
}

function parse(): Args {
  const values = parseBenchArgs(USAGE, {
    ...TABLE_OPTIONS,
    repeat: { type: 'string' },
    'step-kb': { type: 'string' },
    instructions: { type: 'boolean' },
    'instructions-mb': { type: 'string' },
    child: { type: 'string' },
    bytes: { type: 'string' },
  });
  const mb = (values['instructions-mb'] ?? '4,12').split(',').map(Number);
  if (mb.length !== 2 || !mb.every((n) => Number.isFinite(n) && n > 0) || mb[0] >= mb[1]) {
    optionError(`--instructions-mb must be two increasing sizes in MiB, as 4,12; got "${values['instructions-mb']}"`);
  }
  return {
    ...tableShape(values),
    repeat: intOption('repeat', values.repeat, 1, 1),
    stepBytes: intOption('step-kb', values['step-kb'], 64, 1) * 1024,
    instructions: values.instructions ?? false,
    instructionsMb: [mb[0], mb[1]],
    child: values.child ?? null,
    bytes: intOption('bytes', values.bytes, 0, 0),
  };
}

function progress(text: string): void {
  process.stderr.write(`bench:worker ${text}\n`);
}

/** What one pass of the loop gave. */
interface PassResult {
  cpuSeconds: number;
  /** Records by logical topic. */
  records: Record<string, number>;
  packedBytes: number;
}

/**
 * decode-worker.ts's loop over the first `bytes` of `dump`, `stepBytes` at a time (each step a
 * buffer of its own, as a transferred socket chunk is), timed by this thread's CPU.
 */
function pass(dump: Buffer, bytes: number, stepBytes: number): PassResult {
  const records: Record<string, number> = {};
  // The worker's slabs (record-slabs.ts), each step's range released at once: as if Kafka
  // acknowledged every step before the next.
  const slabs = createRecordSlabs();
  const packer = new RecordPacker(new SlabPool(slabs));
  const keys = new SessionKeys();
  const pipeline = new SessionPipeline(
    {
      routerAddress: '192.0.2.254',
      routerPort: 40000,
      collectorId: 'bench-worker',
      maxMessageBytes: MiB,
      raw: true,
      schemaIds: Object.fromEntries(INGEST_TOPICS.map((t) => [t, 1])) as Record<IngestTopic, number>,
    },
    // The worker's sinks, as they are: records are counted from the steps' reports, as the
    // worker's are, not by extra work per record here.
    ...packingSinks(packer, keys),
  );
  const steps = new PipelineSteps(pipeline);
  let packedBytes = 0;
  const take = (report: ProcessedReport): void => {
    const out = packer.takeStep();
    if (out instanceof Uint8Array) packedBytes += out.length;
    else if (out !== null) {
      packedBytes += out.end - out.start;
      releaseSlabRange(slabs, out);
    }
    keys.takeNew();
    for (const [topic, n] of report.counts.events) records[topic] = (records[topic] ?? 0) + n;
    // One raw record per message (the raw topic is on).
    for (const [, n] of report.counts.messages) records.raw = (records.raw ?? 0) + n;
  };
  take(steps.idle());
  const cpu0 = process.cpuUsage();
  for (let at = 0; at < bytes; at += stepBytes) {
    take(steps.push(Buffer.from(dump.subarray(at, Math.min(bytes, at + stepBytes)))));
  }
  const used = process.cpuUsage(cpu0);
  take(steps.finish('end of the dump'));
  return { cpuSeconds: (used.user + used.system) / 1e6, records, packedBytes };
}

/** Worker-thread side: one pass over the whole dump file. */
function workerMain(): void {
  const { path, stepBytes } = workerData as { path: string; stepBytes: number };
  const dump = readFileSync(path);
  parentPort!.postMessage(pass(dump, dump.length, stepBytes));
}

function passInWorker(path: string, stepBytes: number): Promise<PassResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { path, stepBytes }, resourceLimits: DECODE_WORKER_RESOURCE_LIMITS });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before answering`)));
  });
}

/** Writes the dump to `path`; returns its summary. */
function writeDump(path: string, options: FullTableOptions): FullTableSummary {
  const fd = openSync(path, 'w');
  try {
    const gen = fullTableDump(options);
    for (;;) {
      const r = gen.next();
      if (r.done) return r.value;
      let off = 0;
      while (off < r.value.length) off += writeSync(fd, r.value, off);
    }
  } finally {
    closeSync(fd);
  }
}

/** Instructions (valgrind's "I refs") of one pass over the first `bytes` of the dump, and its route records. */
function countInstructions(path: string, bytes: number, stepBytes: number): { instructions: number; routes: number } {
  const args = [
    '--tool=cachegrind',
    '--cache-sim=no',
    '--cachegrind-out-file=/dev/null',
    process.execPath,
    '--single-threaded',
    fileURLToPath(import.meta.url),
    '--child',
    path,
    '--bytes',
    String(bytes),
    '--step-kb',
    String(stepBytes / 1024),
  ];
  const run = spawnSync('valgrind', args, { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (run.error) throw new Error(`valgrind could not be run (${run.error.message}); on Debian: apt-get install valgrind`);
  if (run.status !== 0) throw new Error(`valgrind run failed (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr);
  if (refs === null) throw new Error(`no instruction count in valgrind's output:\n${run.stderr.slice(-2000)}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop() as string) as PassResult;
  return { instructions: Number(refs[1].replace(/,/g, '')), routes: result.records.route_monitoring ?? 0 };
}

async function main(): Promise<void> {
  if (fileURLToPath(import.meta.url).endsWith('.ts')) throw new Error('run it compiled: npm run bench:worker (a worker thread started from the sources would not have tsx)');
  const args = parse();
  if (args.child !== null) {
    const dump = readFileSync(args.child);
    console.log(JSON.stringify(pass(dump, Math.min(args.bytes, dump.length), args.stepBytes)));
    return;
  }

  const dir = mkdtempSync(join(tmpdir(), 'bmp-bench-worker-'));
  try {
    const path = join(dir, 'full-table.bmp');
    const t0 = performance.now();
    const dump = writeDump(path, { prefixesV4: args.prefixesV4, prefixesV6: args.prefixesV6, peers: args.peers, seed: args.seed });
    const prefixes = dump.prefixesV4 + dump.prefixesV6;
    progress(`dump: ${dump.messages.toLocaleString('en-US')} messages, ${(dump.bytes / MiB).toFixed(1)} MiB, ${prefixes.toLocaleString('en-US')} prefixes (${((performance.now() - t0) / 1000).toFixed(1)} s, not timed)`);

    let best: PassResult | null = null;
    for (let run = 1; run <= args.repeat; run++) {
      const r = await passInWorker(path, args.stepBytes);
      const routes = r.records.route_monitoring ?? 0;
      if (routes !== prefixes + dump.endOfRib || r.records.raw !== dump.messages) {
        throw new Error(`the loop gave ${routes} route records and ${r.records.raw} raw records; the dump needs ${prefixes + dump.endOfRib} and ${dump.messages}`);
      }
      progress(`run ${run} of ${args.repeat}: ${r.cpuSeconds.toFixed(3)} CPU s, ${Math.round(prefixes / r.cpuSeconds).toLocaleString('en-US')} prefixes per CPU second, ${(r.packedBytes / MiB).toFixed(1)} MiB packed`);
      if (best === null || r.cpuSeconds < best.cpuSeconds) best = r;
    }
    const b = best as PassResult;

    let perRoute: number | null = null;
    if (args.instructions) {
      const [a, z] = args.instructionsMb.map((m) => Math.min(dump.bytes, Math.round(m * MiB)));
      if (a >= z) throw new Error(`the dump (${(dump.bytes / MiB).toFixed(1)} MiB) is too small for --instructions-mb ${args.instructionsMb.join(',')}`);
      progress(`counting instructions with valgrind over the first ${args.instructionsMb[0]} and ${args.instructionsMb[1]} MiB (a few minutes)`);
      const first = countInstructions(path, a, args.stepBytes);
      const second = countInstructions(path, z, args.stepBytes);
      const routes = second.routes - first.routes;
      perRoute = Math.round((second.instructions - first.instructions) / routes);
      progress(`instructions: ${(second.instructions - first.instructions).toLocaleString('en-US')} for ${routes.toLocaleString('en-US')} route records: ${perRoute.toLocaleString('en-US')} each`);
    }

    const records = Object.values(b.records).reduce((x, y) => x + y, 0);
    console.log(
      JSON.stringify({
        bench: 'worker',
        prefixes,
        route_records: b.records.route_monitoring,
        records,
        cpu_seconds: Number(b.cpuSeconds.toFixed(3)),
        prefixes_per_cpu_s: Math.round(prefixes / b.cpuSeconds),
        instructions_per_route_record: perRoute,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMainThread) {
  main().catch((err: unknown) => {
    progress(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
} else {
  workerMain();
}
