/**
 * deploy/local's contract: `up` twice is harmless, `status` says what runs and where, and after
 * `down` no process of ours is left. Runs a second, private stack (own folder and ports) so the
 * suite's stack is not disturbed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../helpers/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'bmp-stack-'));
const [kafkaPort, controllerPort, registryPort] = await freePorts(3);
const env = {
  ...process.env,
  BMP_STACK_DIR: dir,
  BMP_KAFKA_PORT: String(kafkaPort),
  BMP_KAFKA_CONTROLLER_PORT: String(controllerPort),
  BMP_REGISTRY_PORT: String(registryPort),
};

function run(cmd: string): { code: number | null; out: string } {
  const r = spawnSync(`deploy/local/${cmd}`, { env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('up, up again, status, down: idempotent and leaves nothing behind', { timeout: 600_000 }, () => {
  try {
    const first = run('up');
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, new RegExp(`127\\.0\\.0\\.1:${kafkaPort}`));
    const pids = ['kafka', 'registry'].map((s) => Number(readFileSync(join(dir, 'run', `${s}.pid`), 'utf8').trim()));
    for (const pid of pids) assert.ok(alive(pid), `pid ${pid} runs`);

    const second = run('up');
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /already running/);
    const pidsAfter = ['kafka', 'registry'].map((s) => Number(readFileSync(join(dir, 'run', `${s}.pid`), 'utf8').trim()));
    assert.deepEqual(pidsAfter, pids, 'the second up started nothing new');

    const status = run('status');
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, new RegExp(`kafka\\s+running\\s+pid \\d+\\s+127\\.0\\.0\\.1:${kafkaPort}`));
    assert.match(status.out, new RegExp(`registry\\s+running\\s+pid \\d+\\s+http://127\\.0\\.0\\.1:${registryPort}/apis/ccompat/v7`));

    const down = run('down');
    assert.equal(down.code, 0, down.out);
    for (const pid of pids) assert.ok(!alive(pid), `pid ${pid} is gone after down`);
    const stopped = run('status');
    assert.equal(stopped.code, 3, 'status exits 3 when nothing runs');
    assert.match(stopped.out, /kafka\s+stopped/);
  } finally {
    run('down');
    rmSync(dir, { recursive: true, force: true });
  }
});
