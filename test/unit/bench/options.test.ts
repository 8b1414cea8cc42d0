/**
 * The benches' command lines (bench/options.ts): --help prints the usage and exits 0; a wrong
 * option ends the run with one line naming it and exit code 2, not a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function run(bench: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${bench}.ts`, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, npm_lifecycle_event: `bench:${bench}` },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const bench of ['decode', 'aggregate', 'ingest']) {
  test(`bench:${bench} --help prints its options and exits 0`, () => {
    const r = run(bench, '--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: npm run bench:${bench} -- \\[options\\]`));
    assert.match(r.stdout, /--prefixes-v4 N/);
    assert.match(r.stdout, /-h, --help/);
  });

  test(`bench:${bench} refuses an unknown option in one line, exit code 2`, () => {
    const r = run(bench, '--no-such-option');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `bench:${bench}: Unknown option '--no-such-option' (options: npm run bench:${bench} -- --help)\n`);
  });
}

test('a malformed integer option is named, exit code 2', () => {
  const r = run('aggregate', '--peers', 'four');
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'bench:aggregate: --peers must be an integer >= 1, got "four" (options: npm run bench:aggregate -- --help)\n');
});

test("bench:decode names a variant it does not know", () => {
  const r = run('decode', '--variant', 'both-ways');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bench:decode: --variant must be plain, addpath or both, got "both-ways"/);
});
