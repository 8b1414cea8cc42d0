/**
 * The operational HTTP endpoint every service exposes: /healthz (the process runs), /readyz
 * (its dependencies answer; 503 with the reasons otherwise), /metrics (Prometheus text format).
 * Services add their own routes through `routes`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type Readiness = () => { ready: boolean; reasons: string[] };
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface HttpEndpoint {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startHttpEndpoint(options: {
  host: string;
  port: number;
  metrics: Registry;
  readiness: Readiness;
  routes?: RouteHandler[];
}): Promise<HttpEndpoint> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        if (url.pathname === '/healthz') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
          return;
        }
        if (url.pathname === '/readyz') {
          const r = options.readiness();
          res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(r) + '\n');
          return;
        }
        if (url.pathname === '/metrics') {
          res.writeHead(200, { 'content-type': options.metrics.contentType }).end(await options.metrics.metrics());
          return;
        }
        for (const route of options.routes ?? []) if (await route(req, res, url)) return;
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      } catch (err) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`error: ${(err as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
