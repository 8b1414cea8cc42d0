/**
 * Registry security from config (hardening issue): HTTPS with a private CA and basic auth.
 *
 * The registry we run (Apicurio, deploy/local) authenticates through OpenID Connect only, so a real
 * HTTPS proxy stands in front of it, as operators commonly deploy one: HAProxy (Debian's package)
 * terminating TLS with a certificate from a CA this test makes, and requiring basic auth. Through
 * it, a client built by createRegistry from registry.url / username / passwordFile / caFile must
 * register and read a schema; a wrong password gets HTTP 401; a client without the CA fails the
 * handshake. The proxy is started and stopped by PID.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, registerValueSchema } from '../../services/kafka/registry.js';
import { freePorts } from '../helpers/ports.js';
import { registrySettings, uniqueName } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'bmp-registry-sec-'));
const PASSWORD = 'registry-pw-9';
let proxy: ChildProcess | null = null;
let url = '';

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

before(async () => {
  const haproxy = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  assert.equal(haproxy.status, 0, 'haproxy not found: install Debian\'s haproxy package (.ci/run does)');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=registry test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
  writeFileSync(join(dir, 'server.pem'), readFileSync(join(dir, 'server.crt'), 'utf8') + readFileSync(join(dir, 'server.key'), 'utf8'));
  writeFileSync(join(dir, 'password'), `${PASSWORD}\n`);
  const backend = new URL(registrySettings.url);
  const [port] = await freePorts(1);
  writeFileSync(
    join(dir, 'haproxy.cfg'),
    `global
  log stderr format raw local0 warning
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
userlist registry_users
  user bmp insecure-password ${PASSWORD}
frontend registry_tls
  bind 127.0.0.1:${port} ssl crt ${join(dir, 'server.pem')}
  http-request auth realm registry unless { http_auth(registry_users) }
  default_backend registry
backend registry
  http-request del-header Authorization
  server apicurio ${backend.hostname}:${backend.port}
`,
  );
  proxy = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proxy.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; !(await portOpen(port)); i++) {
    assert.ok(i < 100 && proxy.exitCode === null, `haproxy did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  url = `https://127.0.0.1:${port}${backend.pathname}`;
});

after(() => {
  if (proxy?.pid !== undefined && proxy.exitCode === null) process.kill(proxy.pid, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const schema = { type: 'record', name: 'Probe', namespace: 'test.registry.security', fields: [{ name: 'n', type: 'int' }] };

test('HTTPS with a private CA and basic auth, password from a file: register and fetch a schema', { timeout: 60_000 }, async () => {
  const registry = createRegistry({ url, username: 'bmp', password: '', passwordFile: join(dir, 'password'), caFile: join(dir, 'ca.pem') });
  const topic = uniqueName('registry-sec');
  const id = await registerValueSchema(registry, topic, schema);
  assert.ok(id > 0);
  const fetched = await registry.getSchema(id);
  assert.ok(fetched, 'schema fetched back by id');
  // The value round-trips through the registry's schema too.
  const encoded = await registry.encode(id, { n: 7 });
  assert.deepEqual({ ...(await registry.decode(encoded)) }, { n: 7 });
});

test('a wrong password gets HTTP 401 from the proxy', { timeout: 60_000 }, async () => {
  const registry = createRegistry({ url, username: 'bmp', password: 'wrong', caFile: join(dir, 'ca.pem') });
  await assert.rejects(registerValueSchema(registry, uniqueName('registry-sec'), schema), /401|Unauthorized/i);
});

test('without the private CA the TLS handshake fails', { timeout: 60_000 }, async () => {
  const registry = createRegistry({ url, username: 'bmp', password: PASSWORD });
  await assert.rejects(registerValueSchema(registry, uniqueName('registry-sec'), schema), /certificate|self[- ]signed|verify/i);
});
