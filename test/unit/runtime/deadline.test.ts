import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { fulfilsWithin } from '../../../services/runtime/deadline.js';

test('a promise that fulfils in time gives true', async () => {
  assert.equal(await fulfilsWithin(sleep(5), 1_000), true);
});

test('a promise that never settles gives false once the time is out', async () => {
  const started = Date.now();
  assert.equal(await fulfilsWithin(new Promise(() => undefined), 50), false);
  assert.ok(Date.now() - started >= 45, 'it waited the whole time');
});

test('a rejection is passed on, not taken for a timeout', async () => {
  await assert.rejects(fulfilsWithin(Promise.reject(new Error('broker gone')), 1_000), /broker gone/);
});

test('a rejection that comes after the time ran out is not an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const late = sleep(60).then(() => Promise.reject(new Error('late failure')));
    assert.equal(await fulfilsWithin(late, 10), false);
    await sleep(120);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
