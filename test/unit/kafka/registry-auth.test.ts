/**
 * The Basic authorization header of requests made to the registry's REST API without the client
 * (bmp tail's probe, the bench's clean-up): the same user and password the client sends, the
 * password read from registry.passwordFile when that is set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryAuthHeaders } from '../../../services/kafka/registry.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

test('no user: no authorization header', () => {
  assert.deepEqual(registryAuthHeaders({ url: 'http://registry', username: '', password: 'ignored' }), {});
});

test('a user and a password: Basic user:password', () => {
  assert.deepEqual(registryAuthHeaders({ url: 'http://registry', username: 'bmp', password: 's3cret' }), { authorization: basic('bmp', 's3cret') });
});

test('a password file overrides the password (its final newline is not part of it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-auth-'));
  try {
    const file = join(dir, 'password');
    writeFileSync(file, 'from-file\n');
    const headers = registryAuthHeaders({ url: 'http://registry', username: 'bmp', password: 'from-setting', passwordFile: file });
    assert.deepEqual(headers, { authorization: basic('bmp', 'from-file') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable password file: a configuration error naming the setting', () => {
  assert.throws(
    () => registryAuthHeaders({ url: 'http://registry', username: 'bmp', password: '', passwordFile: '/nonexistent/registry-password' }),
    /registry\.passwordFile: cannot read \/nonexistent\/registry-password/,
  );
});
