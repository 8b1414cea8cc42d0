/**
 * The README's test command (`npm test`): runs every test file with node's built-in test runner in
 * one invocation, so the closing summary (`# pass N`, `# fail N`) covers the whole suite.
 *
 * Integration and interop tests need the real local stack (Kafka + schema registry). When any of
 * them is selected, this starts the stack with `deploy/local/up` if it is not already running, and
 * stops it afterwards only if it started it — a developer's running stack is left alone.
 *
 * Usage: node --import tsx test/run.ts [--unit | --integration] [file-or-dir ...]
 */
import { spawnSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

function findTests(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const only = args.includes('--unit') ? 'unit' : args.includes('--integration') ? 'integration' : undefined;
const explicit = args.filter((a) => !a.startsWith('--'));

let files: string[];
if (explicit.length > 0) {
  files = explicit.flatMap((p) => (statSync(p).isDirectory() ? findTests(resolve(p)) : [resolve(p)]));
} else {
  const dirs = only === 'unit' ? ['unit'] : only === 'integration' ? ['integration', 'interop'] : ['unit', 'integration', 'interop'];
  files = dirs.flatMap((d) => findTests(join(root, 'test', d)));
}
if (files.length === 0) {
  console.error('test/run: no test files found');
  process.exit(1);
}

const needsStack = files.some((f) => /[/\\]test[/\\](integration|interop)[/\\]/.test(f));
let startedStack = false;
if (needsStack && process.env.BMP_TEST_NO_STACK !== '1') {
  const status = spawnSync(join(root, 'deploy/local/status'), { stdio: 'ignore' });
  if (status.status !== 0) {
    console.error('test/run: local stack not running; starting it (deploy/local/up)');
    const up = spawnSync(join(root, 'deploy/local/up'), { stdio: ['ignore', 'inherit', 'inherit'] });
    if (up.status !== 0) {
      console.error('test/run: deploy/local/up failed; integration tests cannot run');
      process.exit(1);
    }
    startedStack = true;
  }
}

function stopStack(): void {
  if (!startedStack) return;
  startedStack = false;
  // Quiet unless it fails, so the test runner's summary stays the last lines of the output.
  const down = spawnSync(join(root, 'deploy/local/down'), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (down.status !== 0) console.error(`test/run: deploy/local/down failed:\n${down.stdout}${down.stderr}`);
}

console.error(`test/run: ${files.length} test files: ${files.map((f) => relative(root, f)).join(' ')}`);
// A test without a timeout of its own fails after 10 minutes instead of holding the run (and CI)
// for ever when something it awaits never settles. (--test-force-exit is not used: on node 20 it
// once ended a file's process with four tests of a suite not run, and the summary said nothing.)
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, BMP_TEST_STACK: needsStack ? '1' : '0' },
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => child.kill(sig));
}
// A timed-out test does not stop what it started, and node 20 keeps a file's process alive while
// such timers or sockets remain (a cancelled interop test once held the whole run that way). The
// run as a whole is therefore bounded: past the limit it is stopped and fails, saying so.
const limitMinutes = Number(process.env.BMP_TEST_RUN_LIMIT_MINUTES ?? 45);
let timedOut = false;
const watchdog = setTimeout(() => {
  console.error(`test/run: the suite is still running after ${limitMinutes} minutes (BMP_TEST_RUN_LIMIT_MINUTES); a test file's process is probably held by what a cancelled test left behind. Stopping it: the run fails.`);
  timedOut = true;
  // The runner's file processes first (the runner does not outlive them gracefully), then the runner.
  if (child.pid !== undefined) spawnSync('pkill', ['-KILL', '-P', String(child.pid)]);
  child.kill('SIGKILL');
}, limitMinutes * 60_000);
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  stopStack();
  process.exit(timedOut ? 1 : (code ?? (signal ? 1 : 0)));
});
