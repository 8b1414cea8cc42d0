/**
 * The `bmp` command: offline tools around the pipeline.
 *   bmp decode FILE|-   decode a capture or raw BMP stream into the pipeline's events
 *   bmp replay FILE     send a capture's BMP streams to a collector, as routers do (replay.ts)
 *   bmp tail TOPIC      follow a pipeline topic on Kafka, decoded through the schema registry (tail.ts)
 */
import { Command, InvalidArgumentError } from 'commander';
import { once } from 'node:events';
import { decodeStream, eventJson, openInput, SummaryCollector } from './decode.js';
import { registerReplayCommand } from './replay.js';
import { registerTailCommand } from './tail.js';
import type { EventByTopic, EventTopic } from '../events/model.js';

const program = new Command('bmp').description('bmp-pipeline command-line tools').showHelpAfterError();

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

program
  .command('decode')
  .description(
    'Decode a pcap/pcapng capture (every BMP TCP session in it, on any port) or a raw BMP byte stream ' +
      '(file, or - for stdin) and print one JSON line per event, exactly as the pipeline publishes it, with its topic',
  )
  .argument('<file>', 'capture or raw BMP stream; - reads a raw stream from stdin')
  .option('--summary', 'print one JSON object with message, peer, prefix, per-family route and error counts instead of the events')
  .option('--router <address>', 'router address for a raw stream (a capture gives each session its source address)', '0.0.0.0')
  .option('--max-message-size <bytes>', 'largest BMP message accepted before framing is declared lost', positiveInt)
  .action(async (file: string, opts: { summary?: boolean; router: string; maxMessageSize?: number }) => {
    const inputs = await openInput(file, opts.router);
    const out = process.stdout;
    let pending: string[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const text = pending.join('');
      pending = [];
      if (!out.write(text)) await once(out, 'drain');
    };
    const summary = opts.summary ? new SummaryCollector() : null;
    const print = <T extends EventTopic>(topic: T, event: EventByTopic[T]): void => {
      pending.push(eventJson(topic, event) + '\n');
    };
    for (const input of inputs) {
      if (summary) {
        await decodeStream(input, summary.sink, { maxMessageSize: opts.maxMessageSize, onMessage: (b, o) => summary.message(b, o) });
      } else {
        // Flush every few thousand lines so memory stays flat on a large dump.
        await decodeStream(input, print, {
          maxMessageSize: opts.maxMessageSize,
          onMessage: () => {
            if (pending.length > 4096) void flush();
          },
        });
        await flush();
      }
    }
    if (summary) out.write(JSON.stringify(summary.result()) + '\n');
  });

// bmp replay: options and action live in replay.ts.
registerReplayCommand(program);

// bmp tail: options and action live in tail.ts.
registerTailCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`bmp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
