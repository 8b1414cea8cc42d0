/**
 * A decode worker thread: runs the SessionPipeline of each router session given to it and sends
 * back each step's records, packed, with the step's report (decode-worker-protocol.ts). Started
 * by DecodeWorkers (decode-workers.ts); it holds no socket and talks to Kafka not at all.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { RecordPacker, SessionKeys, packingSinks, type DecodeWorkerOutput, type ToDecodeWorker } from './decode-worker-protocol.js';
import { SlabPool, type RecordSlabs } from './record-slabs.js';
import { SessionPipeline } from './session-pipeline.js';
import { PipelineSteps, type ProcessedReport } from './session-processor.js';

interface WorkerSession {
  steps: PipelineSteps;
  keys: SessionKeys;
}

if (parentPort === null) throw new Error('decode-worker.ts runs as a worker thread (see decode-workers.ts)');
const port: MessagePort = parentPort;

// The slabs DecodeWorkers made for this worker (record-slabs.ts); without them, buffers of its own.
const slabs = (workerData as { recordSlabs?: RecordSlabs } | null)?.recordSlabs;
const packer = new RecordPacker(slabs ? new SlabPool(slabs) : null);
const sessions = new Map<number, WorkerSession>();

function open(id: number, message: Extract<ToDecodeWorker, { kind: 'open' }>): void {
  const keys = new SessionKeys();
  const pipeline = new SessionPipeline(message.options, ...packingSinks(packer, keys));
  const session: WorkerSession = { steps: new PipelineSteps(pipeline), keys };
  sessions.set(id, session);
  // The `connected` record now, in an output of its own: the packer is shared by all sessions.
  send(id, session, session.steps.idle());
}

/** Sends a step's report with the records it packed. */
function send(id: number, session: WorkerSession, report: ProcessedReport): void {
  const records = packer.takeStep();
  const output: DecodeWorkerOutput = { kind: 'output', session: id, records, newKeys: session.keys.takeNew(), report };
  // A slab range is numbers; a buffer of the packer's own is never a SharedArrayBuffer (RecordPacker.takeStep).
  port.postMessage(output, records instanceof Uint8Array ? [records.buffer as ArrayBuffer] : []);
}

port.on('message', (message: ToDecodeWorker) => {
  switch (message.kind) {
    case 'open':
      open(message.session, message);
      return;
    case 'data': {
      const session = sessions.get(message.session);
      if (!session) return;
      send(message.session, session, session.steps.push(Buffer.from(message.bytes)));
      return;
    }
    case 'finish': {
      const session = sessions.get(message.session);
      if (!session) return;
      sessions.delete(message.session);
      send(message.session, session, session.steps.finish(message.reason));
      return;
    }
  }
});
