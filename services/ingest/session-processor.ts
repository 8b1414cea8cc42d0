/**
 * The seam between a router's socket (RouterSession, on the event loop) and the work done on its
 * bytes (SessionPipeline): either on the event loop itself (LocalSessionProcessor) or in a decode
 * worker thread (decode-workers.ts). Either way the session hands over chunks as they arrive and
 * gets back, in order, each chunk's records followed by a report.
 */
import { RecordPacker, SessionKeys, packingSinks } from './decode-worker-protocol.js';
import { SessionPipeline, type SessionCounts, type SessionPipelineOptions } from './session-pipeline.js';

/** After the records of one push (or of the finish): where the stream stands. */
export interface ProcessedReport {
  /** Input octets this report accounts for (the session stops counting them as held). */
  inputBytes: number;
  counts: SessionCounts;
  /** Octets of an incomplete message held by the framer. */
  bufferedBytes: number;
  /** Stream offset of the next message. */
  streamOffset: number;
  /** Set when framing was lost: the session must close. */
  framingLost: string | null;
  /** The report of finish(): nothing follows. */
  finished: boolean;
  /**
   * A fault in our code while processing this router's data (a bug, not bad input: bad input
   * becomes dead letters). The session must close; its finish() still publishes its end.
   */
  fault: string | null;
}

export interface ProcessorHandler {
  /**
   * A step's records, in publishing order, packed (decode-worker-protocol.ts). `keys`: the
   * session's keys by id, as the packed records refer to them (later steps may append to it,
   * never change it). With `release` null, `packed` is the handler's to keep; else it is lent
   * (a decode worker's slab, record-slabs.ts): `release` is to be called, once, when nothing
   * reads it any more, that is when Kafka has acknowledged every record in it.
   */
  records(packed: Uint8Array, keys: readonly string[], release: (() => void) | null): void;
  processed(report: ProcessedReport): void;
  /** The processor is gone (its worker died): nothing more comes for this session. */
  lost(error: Error): void;
}

export interface SessionProcessor {
  /** Records then a report follow, now (on the event loop) or later (from a worker). */
  push(chunk: Buffer): void;
  /** The session ended: the last records and a final report follow. */
  finish(reason: string): void;
}

export type SessionProcessorFactory = (options: SessionPipelineOptions, handler: ProcessorHandler) => SessionProcessor;

/**
 * A session's pipeline stepped with fault isolation, wherever it runs (event loop or worker):
 * after a fault, pushes are ignored, since the pipeline's state can no longer be trusted; finish
 * still runs, so the session's end is published.
 */
export class PipelineSteps {
  private faulted = false;

  constructor(readonly pipeline: SessionPipeline) {}

  push(chunk: Buffer): ProcessedReport {
    if (this.faulted) return report(this.pipeline, chunk.length, false, null);
    return runPipeline(this.pipeline, chunk.length, false, () => this.pipeline.push(chunk), () => (this.faulted = true));
  }

  finish(reason: string): ProcessedReport {
    return runPipeline(this.pipeline, 0, true, () => this.pipeline.finish(reason), () => (this.faulted = true));
  }

  /** A report with no step (the worker's answer to `open`, carrying the `connected` record). */
  idle(): ProcessedReport {
    return report(this.pipeline, 0, false, null);
  }
}

/**
 * Runs the pipeline on the calling thread; records and reports are delivered before push()
 * returns. Records are packed as a decode worker packs them (packingSinks: route records written in
 * place, the other values the pipeline lends copied), so that the session handles both kinds of
 * processor alike.
 */
export class LocalSessionProcessor implements SessionProcessor {
  private readonly steps: PipelineSteps;
  private readonly packer = new RecordPacker();
  private readonly keys = new SessionKeys();

  constructor(
    options: SessionPipelineOptions,
    private readonly handler: ProcessorHandler,
  ) {
    this.steps = new PipelineSteps(new SessionPipeline(options, ...packingSinks(this.packer, this.keys)));
  }

  push(chunk: Buffer): void {
    this.deliver(this.steps.push(chunk));
  }

  finish(reason: string): void {
    this.deliver(this.steps.finish(reason));
  }

  private deliver(report: ProcessedReport): void {
    const packed = this.packer.take();
    if (packed !== null) this.handler.records(packed, this.keys.keys, null);
    this.handler.processed(report);
  }
}

/**
 * Runs one step of a pipeline and reports on it. A throw is a fault in our code on this router's
 * data: it is reported, that session ends, the other sessions carry on.
 */
export function runPipeline(pipeline: SessionPipeline, inputBytes: number, finished: boolean, step: () => void, onFault: () => void): ProcessedReport {
  let fault: string | null = null;
  try {
    step();
  } catch (err) {
    onFault();
    fault = (err as Error)?.stack ?? String(err);
  }
  return report(pipeline, inputBytes, finished, fault);
}

function report(pipeline: SessionPipeline, inputBytes: number, finished: boolean, fault: string | null): ProcessedReport {
  return {
    inputBytes,
    counts: pipeline.takeCounts(),
    bufferedBytes: pipeline.bufferedBytes,
    streamOffset: pipeline.streamOffset,
    framingLost: pipeline.framingLost,
    finished,
    fault,
  };
}

export const localSessionProcessors: SessionProcessorFactory = (options, handler) => new LocalSessionProcessor(options, handler);
