/**
 * A registry request that is never answered times out instead of waiting for ever, is sent again
 * by the client, and fails once the client's retries are spent (the start-up retry then starts
 * over). The "registry" here accepts connections and reads requests but never responds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createRegistry, registerValueSchema } from '../../../services/kafka/registry.js';

test('a registry that never answers: the request is sent again, then fails with a timeout', { timeout: 30_000 }, async () => {
  const sockets: Socket[] = [];
  let requests = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', () => requests++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const registry = createRegistry({ url: `http://127.0.0.1:${port}`, username: '', password: '', requestTimeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(registerValueSchema(registry, 'silent', { type: 'record', name: 'R', fields: [] }), /timeout/i);
    const ms = Date.now() - started;
    // Six tries of 300 ms, with the retry waits between them (0.2 s doubling, randomised).
    assert.ok(ms >= 6 * 300 && ms < 20_000, `failed after ${ms} ms`);
    assert.ok(requests >= 1, 'the request reached the server');
    // A timed-out request's connection is closed: each try is a connection of its own.
    assert.equal(sockets.length, 6, 'the first try and five retries');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
