/**
 * The aggregate benchmark's logic on a tiny table (not timed): the decoded table lands in the
 * store whole, the churn produces every kind of change, windows close during the run, and the
 * emitted counts add up to the routes left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAggregateBench } from '../../../bench/aggregate.js';

test('a tiny table and churn: counts add up to the routes held at the end', () => {
  const r = runAggregateBench({ prefixesV4: 3000, prefixesV6: 800, peers: 3, churn: 20_000, seed: 7, windowMs: 1000 });
  assert.equal(r.routesAfterTable, 3800);
  assert.equal(r.tableEvents, 3800 + 6, 'routes plus one End-of-RIB per peer and family');
  assert.ok(r.churnEvents >= 20_000);
  const t = r.totals;
  assert.equal(t.late_events, 0, 'the bench feeds events in time order');
  assert.equal(t.unknown_withdrawals, 0, 'churn withdraws only held routes');
  assert.equal(t.announcements, t.new_routes + t.path_changes + t.duplicates);
  assert.equal(t.new_routes - t.withdrawals - t.implicit_withdrawals, r.routesAtEnd);
  assert.ok(t.path_changes > 0 && t.duplicates > 0 && t.withdrawals > 0 && t.implicit_withdrawals > 0);
  assert.ok(r.windowsEmitted >= 4 * 6, `windows of 6 tables over the churn's 5 window lengths: ${r.windowsEmitted}`);
  assert.ok(r.flapRecords > 0);
  assert.ok(r.events_per_s > 0 && r.window_emit_latency_ms >= 0);
  assert.ok(r.bytes_per_route === null || r.bytes_per_route > 0);
});
