/**
 * Command-line options the benchmarks share: the synthetic table's shape (bench/full-table.ts)
 * and integer options, checked the same way everywhere.
 */

/** parseArgs options of the table's shape. */
export const TABLE_OPTIONS = {
  'prefixes-v4': { type: 'string' },
  'prefixes-v6': { type: 'string' },
  peers: { type: 'string' },
  seed: { type: 'string' },
} as const;

/** The value of integer option --`name` (text as given, `_` allowed as a separator), or `fallback`; throws below `min`. */
export function intOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${text}"`);
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
