/**
 * The HTTP API of the peer-state service (besides /healthz, /readyz and /metrics):
 *   GET /                          the web page (page.ts)
 *   GET /routers                   every router's state, with peer counts
 *   GET /routers/{router}/peers    the peers of one router
 *   GET /peers?state=&as=&router=  peers, filtered by status (up, down, unknown) or stale, peer AS, router
 *   GET /peers/{key}               one peer by its state key (URL-encoded "router|type|distinguisher|address")
 *   GET /events                    server-sent events: "change" whenever the state changed
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '../runtime/http.js';
import { PAGE_HTML } from './page.js';
import { QueryError, parsePeerFilter, peer, peers, routers } from './queries.js';
import type { StateView } from './view.js';

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body) + '\n');
  return true;
}

/** At most one "change" event per this many ms per client, however fast the state changes. */
const EVENT_INTERVAL_MS = 250;

function serveEvents(view: StateView, req: IncomingMessage, res: ServerResponse): true {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(`event: change\ndata: ${JSON.stringify({ version: view.version })}\n\n`);
  let timer: NodeJS.Timeout | null = null;
  const onChange = (): void => {
    timer ??= setTimeout(() => {
      timer = null;
      res.write(`event: change\ndata: ${JSON.stringify({ version: view.version })}\n\n`);
    }, EVENT_INTERVAL_MS);
  };
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 20_000);
  view.on('change', onChange);
  req.on('close', () => {
    view.off('change', onChange);
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
  });
  return true;
}

export function peerStateRoutes(view: StateView): RouteHandler {
  return (req, res, url) => {
    if (req.method !== 'GET') return false;
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
      return true;
    }
    if (path === '/events') return serveEvents(view, req, res);
    if (path === '/routers') return json(res, 200, routers(view));
    const routerPeers = /^\/routers\/([^/]+)\/peers$/.exec(path);
    if (routerPeers) {
      const router = decodeURIComponent(routerPeers[1]);
      if (!view.routers.has(router)) return json(res, 404, { error: `unknown router ${router}` });
      return json(res, 200, peers(view, { router }));
    }
    if (path === '/peers') {
      try {
        return json(res, 200, peers(view, parsePeerFilter(url.searchParams)));
      } catch (err) {
        if (err instanceof QueryError) return json(res, 400, { error: err.message });
        throw err;
      }
    }
    const one = /^\/peers\/([^/]+)$/.exec(path);
    if (one) {
      const key = decodeURIComponent(one[1]);
      const answer = peer(view, key);
      return answer === null ? json(res, 404, { error: `unknown peer ${key}` }) : json(res, 200, answer);
    }
    return false;
  };
}
