/**
 * Command-line options the benchmarks share: the synthetic table's shape (bench/full-table.ts)
 * and integer options, checked the same way everywhere.
 */
import { parseArgs } from 'node:util';

/** parseArgs options of the table's shape. */
export const TABLE_OPTIONS = {
  'prefixes-v4': { type: 'string' },
  'prefixes-v6': { type: 'string' },
  peers: { type: 'string' },
  seed: { type: 'string' },
} as const;

/** Ends the process on a wrong option: one line on stderr, exit code 2 (a stack trace only hid the message). */
export function optionError(message: string): never {
  const script = process.env.npm_lifecycle_event ?? 'bench';
  process.stderr.write(`${script}: ${message} (options: npm run ${script} -- --help)\n`);
  process.exit(2);
}

/** The value of integer option --`name` (text as given, `_` allowed as a separator), or `fallback`; throws below `min`. */
export function intOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) optionError(`--${name} must be an integer >= ${min}, got "${text}"`);
  return n;
}

/** The table's shape from parsed TABLE_OPTIONS: 1,000,000 IPv4 and 250,000 IPv6 prefixes over 4 peers, seed 1, unless given. */
export function tableShape(values: { 'prefixes-v4'?: string; 'prefixes-v6'?: string; peers?: string; seed?: string }): {
  prefixesV4: number;
  prefixesV6: number;
  peers: number;
  seed: number;
} {
  return {
    prefixesV4: intOption('prefixes-v4', values['prefixes-v4'], 1_000_000, 0),
    prefixesV6: intOption('prefixes-v6', values['prefixes-v6'], 250_000, 0),
    peers: intOption('peers', values.peers, 4, 1),
    seed: intOption('seed', values.seed, 1, 0),
  };
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/**
 * The options of bench `name` (strict: an unknown or malformed option is an error). With `-h` or
 * `--help` among the arguments, `usage` goes to stdout and the process exits 0; on an option
 * error, one line naming it goes to stderr and the process exits 2 (optionError).
 */
export function parseBenchArgs<const T extends ParseArgsOptions>(usage: string, options: T): ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values'] {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, strict: true }).values;
  } catch (err) {
    optionError((err as Error).message);
  }
}
