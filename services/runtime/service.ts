/**
 * Lifecycle shared by every deployable's main: command line (--config, --print-config, --help),
 * config loading and validation, the root logger, and graceful shutdown on SIGTERM/SIGINT.
 *
 * A service provides a convict schema and a `start` function returning a `stop` function; this
 * module owns everything around them, so each main.ts stays config -> wiring -> start/stop.
 */
import { Command } from 'commander';
import type convict from 'convict';
import { ConfigError, loadConfig, printableConfig } from './config.js';
import { createLogger, type LogConfig, type Logger } from './logging.js';

export interface ServiceDefinition<T> {
  /** Name used in logs and --help, e.g. "ingest". */
  name: string;
  description: string;
  schema: convict.Schema<T>;
  /** Starts the service; resolves to a function that stops it gracefully. */
  start(config: T, logger: Logger): Promise<() => Promise<void>>;
  /** Longest time the stop function may take before the process exits anyway (ms). */
  gracePeriodMs?(config: T): number;
}

/** Exit codes: 0 clean stop, 1 runtime failure, 2 bad command line or configuration. */
export async function runService<T extends { log: LogConfig }>(def: ServiceDefinition<T>, argv = process.argv): Promise<void> {
  const program = new Command(def.name)
    .description(def.description)
    .option('-c, --config <file>', 'JSON config file (env BMP_CONFIG); environment variables override it')
    .option('--print-config', 'print the effective configuration (secrets masked) and exit')
    .addHelpText('after', `\nEvery setting can also be given by an environment variable; --print-config shows the effective values.`)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  program.parse(argv);
  const opts = program.opts<{ config?: string; printConfig?: boolean }>();

  let config: convict.Config<T>;
  try {
    config = loadConfig(def.schema, { file: opts.config });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${def.name}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (opts.printConfig) {
    process.stdout.write(printableConfig(config as convict.Config<unknown>) + '\n');
    return;
  }

  const values = config.getProperties();
  const logger = createLogger(values.log, def.name);
  let stop: () => Promise<void>;
  try {
    stop = await def.start(values, logger);
  } catch (err) {
    // A setting only checkable when the service starts (e.g. a certificate that does not parse)
    // is still a configuration error: same message form and exit code as the schema's.
    if (err instanceof ConfigError) {
      process.stderr.write(`${def.name}: ${err.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err }, `${def.name} failed to start`);
    logger.flush();
    process.exit(1);
  }

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const grace = def.gracePeriodMs?.(values) ?? 30_000;
    logger.info({ signal, graceMs: grace }, `${def.name} stopping`);
    const timer = setTimeout(() => {
      logger.error({ graceMs: grace }, `${def.name} did not stop within its grace period; exiting`);
      logger.flush();
      process.exit(1);
    }, grace);
    timer.unref();
    try {
      await stop();
      logger.info(`${def.name} stopped`);
      logger.flush();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, `${def.name} failed to stop cleanly`);
      logger.flush();
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
