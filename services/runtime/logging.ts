/**
 * Logging with pino: one JSON object per line by default (for log shippers), or human-readable
 * lines through pino-pretty when `log.format` is "pretty" (for a terminal).
 */
import { pino, transport, destination, type Logger } from 'pino';

export type { Logger };

export interface LogConfig {
  level: string;
  format: 'json' | 'pretty';
}

/** The root logger of a service; `service` is added to every line. */
export function createLogger(config: LogConfig, service: string): Logger {
  const options = {
    level: config.level,
    base: { service },
    // Secrets must never reach the logs, whatever object a caller logs.
    redact: { paths: ['*.password', '*.*.password', 'password', 'sasl.password'], censor: '[redacted]' },
  };
  if (config.format === 'pretty') {
    // Synchronous pretty stream: log lines must not be lost on a fast exit.
    return pino(options, transport({ target: 'pino-pretty', options: { colorize: process.stderr.isTTY, destination: 2, sync: true } }));
  }
  return pino(options, destination({ dest: 2, sync: false }));
}
