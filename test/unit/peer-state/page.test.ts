/**
 * The peer-state web page in headless Chromium (Debian's `chromium`, driven by playwright-core),
 * checked by content: the service's real HTTP routes serve it, fed from a view of the pure
 * state logic's changes (no Kafka needed), and the page must follow changes live.
 *
 * Needs /usr/bin/chromium (or CHROMIUM_PATH); .ci/run installs it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Registry } from 'prom-client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHttpEndpoint, type HttpEndpoint } from '../../../services/runtime/http.js';
import { peerStateRoutes } from '../../../services/peer-state/http.js';
import { StateView } from '../../../services/peer-state/view.js';
import { PeerStateStore, type StateInput } from '../../../services/peer-state/state.js';
import { ROUTER, peerDown, peerUp, routerRecord, stats } from './events.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const T = Date.now() * 1000 - 3_600_000_000; // an hour ago: uptimes read "1h ..."
const store = new PeerStateStore();
const view = new StateView();
let http: HttpEndpoint;
let browser: Browser;
let page: Page;

function feed(...events: StateInput[]): void {
  for (const e of events) for (const c of store.apply(e)) view.apply(c);
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  feed(
    routerRecord('connected', T, { sys_name: 'edge-1' }),
    routerRecord('initiated', T + 1, { sys_name: 'edge-1', sys_descr: 'Router OS' }),
    peerUp('198.51.100.1', 0, T + 2),
    peerUp('198.51.100.2', 1, T + 3),
    stats('198.51.100.2', 2, T + 4, 4321),
    peerDown('198.51.100.1', 3, T + 5),
    peerUp('198.51.100.1', 4, T + 6),
  );
  http = await startHttpEndpoint({ host: '127.0.0.1', port: 0, metrics: new Registry(), readiness: () => ({ ready: true, reasons: [] }), routes: [peerStateRoutes(view)] });
  // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${http.port}/`);
});

after(async () => {
  await browser?.close();
  await http?.close();
});

const row = (peer: string) => page.locator(`#peers tbody tr[data-key="${ROUTER}|0|0:0|${peer}"]`);

test('the page lists the router and its peers with state, uptime, flaps and prefix counts', async () => {
  await page.locator('#peers tbody tr').nth(1).waitFor();
  const router = page.locator(`#routers tbody tr[data-router="${ROUTER}"]`);
  assert.match(await router.innerText(), /edge-1/);
  assert.match(await router.innerText(), /connected/);
  assert.match(await router.locator('.uptime').innerText(), /^1h 0m \d+s$/);
  assert.match(await router.innerText(), /2 \/ 2/);
  assert.equal(await page.locator('#peers tbody tr').count(), 2);
  assert.equal(await row('198.51.100.1').locator('.state').innerText(), 'up');
  assert.equal(await row('198.51.100.1').locator('.flaps').innerText(), '1');
  assert.match(await row('198.51.100.1').innerText(), /local_notification cease\/administrative_shutdown/);
  assert.equal(await row('198.51.100.2').locator('.flaps').innerText(), '0');
  assert.equal(await row('198.51.100.2').locator('.prefix-count').innerText(), '4321');
  assert.match(await row('198.51.100.2').locator('.prefixes').innerText(), /adj_rib_in_pre: 4321 \(1\/1: 4321\)/);
  assert.match(await row('198.51.100.2').locator('.uptime').innerText(), /^1h 0m \d+s$/);
  assert.match(await page.locator('#status').innerText(), /1 routers, 2 peers/);
});

test('changes reach the page live (server-sent events), stale peers are marked', async () => {
  feed(peerDown('198.51.100.2', 5, Date.now() * 1000), routerRecord('disconnected', Date.now() * 1000 + 1));
  // Well under the 15 s polling fallback: the event stream brought it.
  await row('198.51.100.2').locator('.state', { hasText: /^down/ }).waitFor({ timeout: 5000 });
  assert.match(await row('198.51.100.2').locator('.state').innerText(), /^down \(stale since \d{4}-\d\d-\d\d /);
  assert.equal(await row('198.51.100.2').getAttribute('class'), 'stale');
  assert.equal(await row('198.51.100.2').locator('.uptime').innerText(), '');
  assert.match(await page.locator(`#routers tbody tr[data-router="${ROUTER}"]`).innerText(), /disconnected/);
});

test('the state filter narrows the peer table', async () => {
  await page.selectOption('#f-state', 'down');
  assert.equal(await page.locator('#peers tbody tr').count(), 1);
  assert.equal(await page.locator('#peers tbody tr').getAttribute('data-key'), `${ROUTER}|0|0:0|198.51.100.2`);
  await page.selectOption('#f-state', '');
  assert.equal(await page.locator('#peers tbody tr').count(), 2);
});
