/**
 * Decode worker threads, on the event loop's side: each session's pipeline runs in one of them
 * (the one with the fewest sessions when it opens), so that framing, decoding and Avro encoding
 * run beside the event loop, which keeps the sockets and the Kafka client. A full table costs
 * about as much to decode as kafkajs costs to publish; on one thread the two took turns.
 *
 * A worker that dies takes its sessions with it: each is told (`lost`), closes its connection
 * and counts the drop; the router reconnects. The next session gets a fresh worker. A worker
 * that stops answering (stallMs) is stopped and treated the same way.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../runtime/logging.js';
import type { DecodeWorkerOutput, ToDecodeWorker } from './decode-worker-protocol.js';
import { createRecordSlabs, releaseSlabRange, slabOctets, type RecordSlabs } from './record-slabs.js';
import type { SessionPipelineOptions } from './session-pipeline.js';
import type { ProcessorHandler, SessionProcessor } from './session-processor.js';

/** Run from the sources (through tsx) or from their build (dist/, plain JavaScript). */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_MODULE = new URL(FROM_SOURCES ? './decode-worker.ts' : './decode-worker.js', import.meta.url).href;

interface WorkerSession {
  handler: ProcessorHandler;
  /** Keys by id, as the worker sent them. */
  keys: string[];
}

interface WorkerSlot {
  worker: Worker;
  /** The shared memory the worker packs records into (record-slabs.ts). */
  slabs: RecordSlabs;
  sessions: Map<number, WorkerSession>;
  /** Resolves once the worker has loaded its module. */
  ready: Promise<void>;
  dead: boolean;
  /** Messages sent whose output has not come back (each open, data and finish gets one). */
  outstanding: number;
  /** When the worker last answered, or was given work while it had none (ms). */
  lastProgress: number;
}

export interface DecodeWorkersOptions {
  /**
   * A worker with work outstanding that has not answered for this long is stuck (a decoding
   * loop that never ends): it is stopped and its sessions closed, counted as lost. Decoding the
   * largest message takes well under a second.
   */
  stallMs?: number;
  /** How often stalls are looked for (ms). */
  stallCheckMs?: number;
}

/**
 * The built service (dist/, what the image runs) loads the worker's JavaScript. Run from the
 * sources, a worker thread does not inherit the `--import tsx` of its process: the worker
 * registers tsx itself, then loads its module.
 */
function startWorker(slabs: RecordSlabs): Worker {
  const load = FROM_SOURCES
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_MODULE)}); })`
    : `import(${JSON.stringify(WORKER_MODULE)})`;
  const code = `const { parentPort } = require('node:worker_threads');${load}.then(() => parentPort.postMessage({ kind: 'ready' }));`;
  return new Worker(code, { eval: true, name: 'bmp-decode', resourceLimits: DECODE_WORKER_RESOURCE_LIMITS, workerData: { recordSlabs: slabs } });
}

/**
 * A small young generation: the worker allocates a few hundred megabytes a second of short-lived
 * objects, and with V8's default (48 MiB) their pages sit in the process's resident memory (about
 * 60 MiB more at peak than 4 MiB). 16 MiB: the worker's collections took 7.1 % of its busy time
 * in bench:ingest instead of 9.0 % with 4 MiB (64 MiB: 7.0 %, for 30-40 MiB more), peak RSS the
 * same within the runs' spread (295-313 MiB). bench:worker runs the worker's work under the same.
 */
export const DECODE_WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 16 } as const;

export class DecodeWorkers {
  private readonly slots: WorkerSlot[] = [];
  private nextSession = 1;
  private closing = false;
  private readonly stallMs: number;
  private readonly stallTimer: NodeJS.Timeout;

  constructor(
    private readonly count: number,
    private readonly logger: Logger,
    options: DecodeWorkersOptions = {},
  ) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`decode workers: ${count} is not a positive whole number`);
    this.stallMs = options.stallMs ?? 30_000;
    this.stallTimer = setInterval(() => this.stopStalled(), options.stallCheckMs ?? 5_000);
    this.stallTimer.unref();
  }

  /** Starts the workers; resolves when each has loaded its code (or rejects with why one could not). */
  async start(): Promise<void> {
    while (this.slots.length < this.count) this.slots.push(this.spawn());
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Sessions per worker (metrics, tests). */
  get load(): number[] {
    return this.slots.map((s) => s.sessions.size);
  }

  readonly open = (options: SessionPipelineOptions, handler: ProcessorHandler): SessionProcessor => {
    if (this.closing) throw new Error('decode workers are stopped');
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i].dead) this.slots[i] = this.spawn();
    while (this.slots.length < this.count) this.slots.push(this.spawn());
    let slot = this.slots[0];
    for (const s of this.slots) if (s.sessions.size < slot.sessions.size) slot = s;
    const id = this.nextSession++;
    const target = slot;
    target.sessions.set(id, { handler, keys: [] });
    this.send(target, { kind: 'open', session: id, options });
    return {
      push: (chunk: Buffer) => {
        // A copy the worker owns: a socket's chunk may share its memory with other buffers.
        const bytes = new ArrayBuffer(chunk.length);
        new Uint8Array(bytes).set(chunk);
        this.send(target, { kind: 'data', session: id, bytes }, [bytes]);
      },
      finish: (reason: string) => this.send(target, { kind: 'finish', session: id, reason }),
    };
  };

  /** Stops the workers (after the sessions have ended). */
  async stop(): Promise<void> {
    this.closing = true;
    clearInterval(this.stallTimer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private send(slot: WorkerSlot, message: ToDecodeWorker, transfer: ArrayBuffer[] = []): void {
    if (slot.dead) return;
    if (slot.outstanding++ === 0) slot.lastProgress = Date.now();
    slot.worker.postMessage(message, transfer);
  }

  private stopStalled(): void {
    const now = Date.now();
    for (const slot of this.slots) {
      if (slot.dead || slot.outstanding === 0 || now - slot.lastProgress < this.stallMs) continue;
      const err = new Error(`decode worker stuck: no answer for ${now - slot.lastProgress} ms with ${slot.outstanding} messages outstanding`);
      // Its sessions are told now; terminate()'s exit finds the slot already dead.
      this.onGone(slot, err);
      void slot.worker.terminate();
    }
  }

  private spawn(): WorkerSlot {
    const slabs = createRecordSlabs();
    const worker = startWorker(slabs);
    let ready!: () => void;
    let failed!: (err: Error) => void;
    const slot: WorkerSlot = {
      worker,
      slabs,
      sessions: new Map(),
      ready: new Promise<void>((resolve, reject) => {
        ready = resolve;
        failed = reject;
      }),
      dead: false,
      outstanding: 0,
      lastProgress: Date.now(),
    };
    // Nobody may be waiting on `ready` (a worker started for a session): its failure is handled below.
    slot.ready.catch(() => undefined);
    worker.on('message', (message: DecodeWorkerOutput | { kind: 'ready' }) => {
      if (message.kind === 'ready') return ready();
      this.onOutput(slot, message);
    });
    worker.on('error', (err) => this.onGone(slot, err));
    worker.on('exit', (code) => {
      failed(new Error(`decode worker exited with code ${code} before it was ready`));
      this.onGone(slot, new Error(`decode worker exited with code ${code}`));
    });
    return slot;
  }

  private onOutput(slot: WorkerSlot, output: DecodeWorkerOutput): void {
    slot.outstanding--;
    slot.lastProgress = Date.now();
    const session = slot.sessions.get(output.session);
    if (session === undefined) return;
    for (const key of output.newKeys) session.keys.push(key);
    const { handler } = session;
    const records = output.records;
    if (records instanceof Uint8Array) handler.records(records, session.keys, null);
    else if (records !== null) handler.records(slabOctets(slot.slabs, records), session.keys, () => releaseSlabRange(slot.slabs, records));
    if (output.report.finished) slot.sessions.delete(output.session);
    handler.processed(output.report);
  }

  private onGone(slot: WorkerSlot, err: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    if (this.closing) return;
    this.logger.error({ err, sessions: slot.sessions.size }, 'decode worker died; closing its sessions');
    const sessions = [...slot.sessions.values()];
    slot.sessions.clear();
    for (const s of sessions) s.handler.lost(err);
  }
}
