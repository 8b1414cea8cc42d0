/**
 * The answers of the HTTP API, from a StateView: plain functions of the state, so they are
 * tested without a server.
 */
import { stateKey, type PeerStateChangeRecord, type PeerStateRecord, type RouterStateRecord } from '../kafka/avro/index.js';
import type { StateView } from './view.js';

export interface RouterAnswer extends RouterStateRecord {
  router_address: string;
  updated_at: number;
  peers: number;
  peers_up: number;
  peers_stale: number;
}

export interface PeerAnswer extends PeerStateRecord {
  key: string;
  router_address: string;
  updated_at: number;
}

export interface PeerFilter {
  /** up, down, unknown (status) or stale. */
  state?: string;
  /** Peer AS number. */
  as?: number;
  router?: string;
}

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function peerAnswer(record: PeerStateChangeRecord): PeerAnswer {
  return { key: stateKey(record), router_address: record.router_address, updated_at: record.updated_at, ...(record.peer as PeerStateRecord) };
}

export function routers(view: StateView): RouterAnswer[] {
  const counts = new Map<string, { peers: number; up: number; stale: number }>();
  for (const p of view.peers.values()) {
    const c = counts.get(p.router_address) ?? { peers: 0, up: 0, stale: 0 };
    c.peers++;
    if (p.peer?.status === 'up') c.up++;
    if (p.peer?.stale) c.stale++;
    counts.set(p.router_address, c);
  }
  return [...view.routers.values()]
    .map((r) => {
      const c = counts.get(r.router_address) ?? { peers: 0, up: 0, stale: 0 };
      return { router_address: r.router_address, updated_at: r.updated_at, ...(r.router as RouterStateRecord), peers: c.peers, peers_up: c.up, peers_stale: c.stale };
    })
    .sort((a, b) => byText(a.router_address, b.router_address));
}

/** Parses the query string of GET /peers; throws QueryError on a bad value. */
export function parsePeerFilter(params: URLSearchParams): PeerFilter {
  const filter: PeerFilter = {};
  for (const name of params.keys()) if (!['state', 'as', 'router'].includes(name)) throw new QueryError(`unknown filter "${name}" (state, as, router)`);
  const state = params.get('state');
  if (state !== null) {
    if (!['up', 'down', 'unknown', 'stale'].includes(state)) throw new QueryError(`state must be up, down, unknown or stale, not "${state}"`);
    filter.state = state;
  }
  const as = params.get('as');
  if (as !== null) {
    const n = Number(as.replace(/^AS/i, ''));
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new QueryError(`as must be an AS number 0-4294967295, not "${as}"`);
    filter.as = n;
  }
  const router = params.get('router');
  if (router !== null) filter.router = router;
  return filter;
}

export function peers(view: StateView, filter: PeerFilter = {}): PeerAnswer[] {
  return [...view.peers.values()]
    .map(peerAnswer)
    .filter((p) => {
      if (filter.router !== undefined && p.router_address !== filter.router) return false;
      if (filter.as !== undefined && p.peer_as !== filter.as) return false;
      if (filter.state === 'stale') return p.stale;
      if (filter.state !== undefined && p.status !== filter.state) return false;
      return true;
    })
    .sort((a, b) => byText(a.key, b.key));
}

export function peer(view: StateView, key: string): PeerAnswer | null {
  const record = view.peers.get(key);
  return record === undefined ? null : peerAnswer(record);
}
