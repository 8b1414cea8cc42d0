/**
 * PeerKeyCache gives peerKey's key for every record, whatever changes between records (its reuse
 * of one string while the peer stays the same is a speed matter, seen in bench:ingest, not
 * something JavaScript lets a test observe).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PeerKeyCache, peerKey } from '../../../services/kafka/avro/index.js';
import type { PeerFields } from '../../../services/events/model.js';

const peerArb = fc.record({
  router_address: fc.constantFrom('192.0.2.1', '2001:db8::1'),
  peer_type_code: fc.constantFrom(0, 1, 2, 3),
  peer_distinguisher: fc.constantFrom('0:0', '65000:1'),
  peer_address: fc.constantFrom('198.51.100.1', '198.51.100.2', '0.0.0.0'),
  is_post_policy: fc.boolean(),
  is_adj_rib_out: fc.boolean(),
  is_loc_rib_filtered: fc.boolean(),
});

test('the key of every record equals peerKey, in any sequence of peers and views', () => {
  fc.assert(
    fc.property(fc.array(peerArb, { maxLength: 60 }), (peers) => {
      const cache = new PeerKeyCache();
      for (const peer of peers) assert.equal(cache.keyOf(peer as unknown as PeerFields), peerKey(peer as unknown as PeerFields));
    }),
  );
});
