/**
 * Codec fuzzer (npm run fuzz): mutated real BMP sessions through the framer and the decoders,
 * see test/fuzz/harness.ts for what is mutated and what counts as a finding.
 *
 *   npm run fuzz -- [--iterations N] [--seed S] [--start I] [--jobs J] [--out DIR]
 *                   [--target auto|session|codec|both] [--hang-ms MS] [--kill-seconds S]
 *   npm run fuzz -- --replay DIR/crash-….bin      re-runs one saved reproducer
 *
 * Inputs run in worker threads (--jobs, default 1), each watched by the main thread: an input
 * slower than --hang-ms (1 s) is reported as a hang when it finishes, and a worker stuck on one
 * input for --kill-seconds (10 s) is terminated, the input recorded as a hang, and the run goes on
 * with the next input. Progress goes to stderr every few seconds; at the end one JSON line goes to
 * stdout:
 *   {"fuzz":"codec","inputs":n,"crashes":c,"hangs":h,"slowest_ms":x,"slowest_input":"…","seconds":s,…}
 * Each distinct finding (by error and top codec stack frame) is written to the output folder
 * (default .local-stack/fuzz-crashes/) as the input stream (.bin) plus a .json with the seed,
 * iteration, chunking, mutation description, error and stack. Exit status 1 when anything was
 * found (crash or hang), 0 otherwise.
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  describeFinding,
  emptyStats,
  findingOf,
  fuzzLoop,
  generateInput,
  loadCorpus,
  makeTarget,
  runInput,
  type Corpus,
  type FuzzFinding,
  type FuzzStats,
  type TargetChoice,
} from '../test/fuzz/harness.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

interface WorkerJob {
  seed: number;
  from: number;
  to: number;
  target: TargetChoice;
  hangMs: number;
  /** [0] = index (from `from`) of the input being run, [1] = 1 once the worker started. */
  shared: SharedArrayBuffer;
}

type WorkerMessage = { type: 'finding'; finding: FuzzFinding } | { type: 'progress'; stats: FuzzStats } | { type: 'done'; stats: FuzzStats } | { type: 'target'; name: string };

// ------------------------------------------------------------------------------------ worker --

async function workerMain(job: WorkerJob): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('fuzz worker without a parent port');
  const view = new Int32Array(job.shared);
  const corpus = loadCorpus();
  const target = await makeTarget(job.target);
  port.postMessage({ type: 'target', name: target.name } satisfies WorkerMessage);
  Atomics.store(view, 1, 1);
  const stats = fuzzLoop({
    corpus,
    target,
    seed: job.seed,
    start: job.from,
    iterations: job.to - job.from,
    hangMs: job.hangMs,
    progressMs: 500,
    onInput: (iteration) => Atomics.store(view, 0, iteration - job.from),
    onFinding: (finding) => port.postMessage({ type: 'finding', finding } satisfies WorkerMessage),
    onProgress: (s) => port.postMessage({ type: 'progress', stats: { ...s } } satisfies WorkerMessage),
  });
  port.postMessage({ type: 'done', stats } satisfies WorkerMessage);
}

/** Starts a worker thread running this file, with tsx registered first (workers do not inherit --import). */
function startWorker(job: WorkerJob): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: job });
}

// -------------------------------------------------------------------------------------- main --

function integer(name: string, min: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

interface Options {
  iterations: number;
  seed?: number;
  start: number;
  jobs: number;
  out: string;
  target: TargetChoice;
  hangMs: number;
  killSeconds: number;
  progressSeconds: number;
  replay?: string;
}

/** Writes the first finding of each signature (kind, error text, top codec frame), up to a cap. */
class FindingWriter {
  private readonly seen = new Set<string>();
  private written = 0;
  private printed = 0;

  constructor(
    private readonly dir: string,
    private readonly targetName: () => string,
  ) {}

  add(f: FuzzFinding): void {
    if (this.printed < 10) {
      this.printed++;
      process.stderr.write(`fuzz: ${describeFinding(f)}\n`);
    }
    const frame = f.stack.split('\n').find((l) => l.includes('/services/')) ?? '';
    const signature = `${f.kind}|${f.error.replace(/\d+/g, 'N')}|${frame.trim()}`;
    if (this.seen.has(signature) || this.written >= 200) return;
    this.seen.add(signature);
    this.written++;
    mkdirSync(this.dir, { recursive: true });
    const base = join(this.dir, `${f.kind}-${f.seed}-${f.iteration}`);
    writeFileSync(`${base}.bin`, f.bytes);
    const info = {
      kind: f.kind,
      seed: f.seed,
      iteration: f.iteration,
      target: this.targetName(),
      reproduce: `npm run fuzz -- --seed ${f.seed} --start ${f.iteration} --iterations 1  (or: npm run fuzz -- --replay ${base}.bin)`,
      description: f.description,
      cuts: f.cuts,
      ms: Math.round(f.ms * 10) / 10,
      error: f.error,
      stack: f.stack,
    };
    writeFileSync(`${base}.json`, `${JSON.stringify(info, null, 2)}\n`);
  }

  get files(): number {
    return this.written;
  }
}

async function replay(file: string, options: Options): Promise<number> {
  const bytes = readFileSync(file);
  const jsonFile = file.replace(/\.bin$/, '.json');
  const info = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as { cuts?: number[]; description?: string }) : {};
  const target = await makeTarget(options.target);
  const result = runInput(target, { seed: 0, iteration: 0, bytes, cuts: info.cuts ?? [], description: info.description ?? file });
  const outcome = result.crash ? `crash: ${result.crash.message}` : result.ms > options.hangMs ? `hang: ${result.ms.toFixed(0)} ms` : 'no finding';
  process.stderr.write(`fuzz replay (${target.name}): ${bytes.length} bytes, ${result.messages} message(s), ${result.ms.toFixed(1)} ms: ${outcome}\n`);
  if (result.crash) {
    const error = result.crash.error;
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  }
  return result.crash || result.ms > options.hangMs ? 1 : 0;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('fuzz')
    .description('Mutation fuzzing of the BMP/BGP decode path, seeded from the shared captures')
    .option('--iterations <n>', 'inputs to run', integer('--iterations', 0), 1_000_000)
    .option('--seed <s>', 'PRNG seed (default: random, printed)', integer('--seed', 0))
    .option('--start <i>', 'first iteration (to reproduce one input: --start I --iterations 1)', integer('--start', 0), 0)
    .option('--jobs <j>', 'worker threads', integer('--jobs', 1), 1)
    .option('--out <dir>', 'folder for reproducers', join(repoRoot, '.local-stack/fuzz-crashes'))
    .addOption(new Option('--target <t>', 'what decodes the messages').choices(['auto', 'session', 'codec', 'both']).default('auto'))
    .option('--hang-ms <ms>', 'an input slower than this is a hang', integer('--hang-ms', 1), 1000)
    .option('--kill-seconds <s>', 'a worker stuck this long on one input is terminated', integer('--kill-seconds', 1), 10)
    .option('--progress-seconds <s>', 'progress line interval on stderr', integer('--progress-seconds', 1), 5)
    .option('--replay <file>', 're-run one saved reproducer (.bin) and exit')
    .parse();
  const options = program.opts<Options>();
  if (options.replay !== undefined) {
    process.exitCode = await replay(options.replay, options);
    return;
  }
  const seed = options.seed ?? randomInt(0, 0x100000000);
  const outDir = resolve(options.out);
  const started = performance.now();
  const corpus: Corpus = loadCorpus();
  let targetName = options.target as string;
  const writer = new FindingWriter(outDir, () => targetName);
  const end = options.start + options.iterations;
  process.stderr.write(
    `fuzz: seed ${seed}, ${options.iterations} iterations from ${options.start}, ${options.jobs} job(s), corpus ${corpus.messageCount} messages from ${corpus.streams.length} sessions\n`,
  );

  const totals = emptyStats();
  let crashes = 0;
  let hangs = 0;
  const mergeSlowest = (s: FuzzStats): void => {
    if (s.slowestMs > totals.slowestMs) {
      totals.slowestMs = s.slowestMs;
      totals.slowestInput = s.slowestInput;
    }
  };
  const onFinding = (f: FuzzFinding): void => {
    if (f.kind === 'crash') crashes++;
    else hangs++;
    writer.add(f);
  };

  interface Running {
    worker: Worker;
    from: number;
    to: number;
    view: Int32Array;
    last: FuzzStats;
    seenIndex: number;
    seenSince: number;
  }
  const running = new Set<Running>();
  let finishedInputs = 0;

  await new Promise<void>((resolveAll, rejectAll) => {
    let lastProgress = performance.now();
    // Fires only after this executor has run, so everything it uses is initialised by then.
    const timer = setInterval(() => watchdog(), 250);
    const finish = (): void => {
      clearInterval(timer);
      resolveAll();
    };
    const fail = (e: unknown): void => {
      clearInterval(timer);
      for (const r of running) void r.worker.terminate();
      rejectAll(e);
    };
    const spawn = (from: number, to: number): void => {
      if (from >= to) return;
      const shared = new SharedArrayBuffer(8);
      const job: WorkerJob = { seed, from, to, target: options.target, hangMs: options.hangMs, shared };
      const r: Running = { worker: startWorker(job), from, to, view: new Int32Array(shared), last: emptyStats(), seenIndex: -1, seenSince: performance.now() };
      running.add(r);
      r.worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'target') targetName = m.name;
        else if (m.type === 'finding') onFinding({ ...m.finding, bytes: Buffer.from(m.finding.bytes) });
        else if (m.type === 'progress') r.last = m.stats;
        else {
          r.last = m.stats;
          finishedInputs += m.stats.inputs;
          totals.messages += m.stats.messages;
          mergeSlowest(m.stats);
          running.delete(r);
          void r.worker.terminate();
          if (running.size === 0) finish();
        }
      });
      r.worker.on('error', fail);
      r.worker.on('exit', (code) => {
        if (running.has(r)) fail(new Error(`fuzz worker for iterations ${from}..${to - 1} exited (code ${code}) before finishing`));
      });
    };
    /** Kills a worker stuck on one input; prints progress. */
    const watchdog = (): void => {
      const now = performance.now();
      for (const r of [...running]) {
        if (Atomics.load(r.view, 1) !== 1) {
          r.seenSince = now; // still loading the corpus
          continue;
        }
        const index = Atomics.load(r.view, 0);
        if (index !== r.seenIndex) {
          r.seenIndex = index;
          r.seenSince = now;
        } else if (now - r.seenSince > options.killSeconds * 1000) {
          // Stuck on one input: record it, drop the worker, go on after it.
          running.delete(r);
          void r.worker.terminate();
          const iteration = r.from + index;
          const input = generateInput(corpus, seed, iteration);
          onFinding(findingOf('hang', input, `input still running after ${options.killSeconds} s; worker terminated`, '', now - r.seenSince));
          finishedInputs += index + 1;
          totals.messages += r.last.messages;
          mergeSlowest({ ...r.last, slowestMs: now - r.seenSince, slowestInput: `seed ${seed} iteration ${iteration}: ${input.description}` });
          spawn(iteration + 1, r.to);
          if (running.size === 0) finish();
        }
      }
      if (now - lastProgress >= options.progressSeconds * 1000) {
        lastProgress = now;
        let inputs = finishedInputs;
        for (const r of running) inputs += r.last.inputs;
        const seconds = (now - started) / 1000;
        process.stderr.write(
          `fuzz: ${inputs}/${options.iterations} inputs, ${(inputs / seconds).toFixed(0)} inputs/s, crashes ${crashes}, hangs ${hangs}, ${seconds.toFixed(0)} s\n`,
        );
      }
    };
    const per = Math.ceil(options.iterations / options.jobs);
    for (let j = 0; j < options.jobs; j++) spawn(options.start + j * per, Math.min(end, options.start + (j + 1) * per));
    if (running.size === 0) finish();
  });

  const seconds = (performance.now() - started) / 1000;
  const summary = {
    fuzz: 'codec',
    inputs: finishedInputs,
    crashes,
    hangs,
    slowest_ms: Math.round(totals.slowestMs * 10) / 10,
    slowest_input: totals.slowestInput,
    seconds: Math.round(seconds * 10) / 10,
    seed,
    target: targetName,
    messages: totals.messages,
    reproducers: writer.files > 0 ? outDir : null,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (crashes > 0 || hangs > 0) process.exitCode = 1;
}

if (isMainThread) {
  main().catch((e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  });
} else {
  // A rejection is unhandled here, which ends the worker with an 'error' event in the main thread.
  void workerMain(workerData as WorkerJob);
}
