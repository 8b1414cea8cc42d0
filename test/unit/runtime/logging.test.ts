import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Runs a tiny program that logs through createLogger and returns what it wrote to stderr. */
function logWith(format: 'json' | 'pretty', level: string): string {
  const program = `
    import { createLogger } from '${resolve('services/runtime/logging.ts')}';
    const log = createLogger({ level: '${level}', format: '${format}' }, 'probe');
    log.debug('hidden below info');
    log.info({ peer: '192.0.2.1', kafka: { sasl: { password: 'hunter2' } } }, 'peer up');
    log.flush();
  `;
  // A file, not -e: pino's transport worker inherits the exec arguments.
  const file = join(mkdtempSync(join(tmpdir(), 'bmp-log-')), 'probe.ts');
  writeFileSync(file, program);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

test('JSON logs by default: one object per line with service, level and fields; secrets redacted', () => {
  const lines = logWith('json', 'info').trim().split('\n');
  assert.equal(lines.length, 1, 'debug is below the configured level');
  const line = JSON.parse(lines[0]);
  assert.equal(line.service, 'probe');
  assert.equal(line.level, 30);
  assert.equal(line.msg, 'peer up');
  assert.equal(line.peer, '192.0.2.1');
  assert.equal(line.kafka.sasl.password, '[redacted]');
});

test('pretty format is human-readable, not JSON', () => {
  const out = logWith('pretty', 'debug');
  assert.match(out, /INFO.*peer up/);
  assert.match(out, /DEBUG.*hidden below info/);
  assert.throws(() => JSON.parse(out.trim().split('\n')[0]));
  assert.ok(!out.includes('hunter2'));
});
