/**
 * The BMP listener: accepts router connections, applies the router ACL, the session limits and
 * (when configured) the PROXY protocol, then hands each connection to a RouterSession. Sessions
 * share nothing but the publisher, so any replica can take any router.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../runtime/logging.js';
import { RouterAcl } from './acl.js';
import type { IngestMetrics } from './metrics.js';
import { parseProxyHeader } from './proxy-protocol.js';
import { RouterSession, type SessionEnvironment } from './session.js';
import type { BmpTls } from './tls.js';

export interface ListenerOptions {
  host: string;
  port: number;
  allowedRouters: string[];
  proxyProtocol: 'off' | 'required';
  trustedProxies: string[];
  maxSessions: number;
  maxSessionsPerAddress: number;
  /** Time a connection may take to send its PROXY header (ms). */
  proxyHeaderTimeoutMs?: number;
  /** TLS on the listener (null: plain TCP). */
  tls?: BmpTls | null;
}

/** Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d; routers are known by a.b.c.d. */
function plainAddress(address: string | undefined): string {
  if (!address) return '0.0.0.0';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class BmpListener {
  private readonly server: Server;
  private readonly sessions = new Set<RouterSession>();
  private readonly perAddress = new Map<string, number>();
  private readonly acl: RouterAcl;
  private readonly proxies: RouterAcl;
  private accepting = true;

  constructor(
    private readonly options: ListenerOptions,
    private readonly env: SessionEnvironment,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {
    this.acl = new RouterAcl(options.allowedRouters);
    this.proxies = new RouterAcl(options.trustedProxies);
    this.server = createServer({ pauseOnConnect: false, noDelay: true }, (socket) => this.onConnection(socket));
    // When the total in flight falls, paused sessions of every router may resume.
    env.publisher.onBelowGlobalLimit = () => {
      for (const s of this.sessions) s.maybeResume();
    };
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Stops accepting connections and stops every session reading (shutdown, step 1). */
  stopAccepting(): void {
    this.accepting = false;
    // close() stops new connections now; its callback waits for the open ones (step 2).
    this.closed = new Promise((resolve) => this.server.close(() => resolve()));
    for (const s of this.sessions) s.stopReading('collector shutting down');
  }

  /** Closes every session, publishing each one's end (shutdown, step 2). */
  async closeSessions(): Promise<void> {
    const done = [...this.sessions].map((s) => s.done);
    for (const s of this.sessions) s.close('collector shutting down');
    await Promise.all(done);
    await this.closed;
  }

  private closed: Promise<void> = Promise.resolve();

  private reject(socket: Socket | null, reason: string, address: string, detail: string): void {
    this.metrics.rejected.inc({ reason });
    this.logger.warn({ router: address, reason }, `connection rejected: ${detail}`);
    socket?.destroy();
  }

  private onConnection(socket: Socket): void {
    const address = plainAddress(socket.remoteAddress);
    socket.on('error', () => undefined); // reported by the session, or irrelevant once rejected
    if (!this.accepting) return this.reject(socket, 'shutting_down', address, 'collector is shutting down');
    if (this.options.proxyProtocol === 'off') {
      this.secure(socket, address, socket.remotePort ?? 0, null);
      return;
    }
    if (!this.proxies.allows(address)) {
      return this.reject(socket, 'untrusted_proxy', address, 'PROXY header from an address not in ingest.trustedProxies');
    }
    this.readProxyHeader(socket, address);
  }

  /** Reads the PROXY header (bounded in size and time), then admits the router it names. */
  private readProxyHeader(socket: Socket, proxyAddress: string): void {
    let received = Buffer.alloc(0);
    const timer = setTimeout(
      () => this.reject(socket, 'proxy_header', proxyAddress, 'no complete PROXY header in time'),
      this.options.proxyHeaderTimeoutMs ?? 10_000,
    );
    socket.once('close', () => clearTimeout(timer));
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseProxyHeader(received);
      if (parsed.kind === 'need_more') return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (parsed.kind === 'error') return this.reject(socket, 'proxy_header', proxyAddress, parsed.reason);
      // LOCAL / UNKNOWN (health checks of the load balancer): no router behind it.
      if (parsed.source === null) {
        socket.destroy();
        return;
      }
      this.secure(socket, plainAddress(parsed.source.address), parsed.source.port, received.subarray(parsed.headerLength));
      socket.resume();
    };
    socket.on('data', onData);
  }

  /**
   * With TLS on, completes the handshake before the router is admitted. The ACL is checked first
   * so that a refused address costs no handshake.
   */
  private secure(socket: Socket, address: string, port: number, initial: Buffer | null): void {
    const tls = this.options.tls ?? null;
    if (tls === null) return this.admit(socket, address, port, initial);
    if (!this.acl.allows(address)) return this.reject(socket, 'acl', address, 'router address not in ingest.allowedRouters');
    tls.upgrade(
      socket,
      initial,
      (secure) => this.admit(secure, address, port, null),
      // BmpTls closes the connection itself (see there why the TCP socket must not be destroyed).
      (reason) => this.reject(null, 'tls', address, reason),
    );
  }

  private admit(socket: Socket, address: string, port: number, initial: Buffer | null): void {
    if (!this.acl.allows(address)) return this.reject(socket, 'acl', address, 'router address not in ingest.allowedRouters');
    if (this.sessions.size >= this.options.maxSessions) return this.reject(socket, 'max_sessions', address, 'ingest.maxSessions reached');
    const count = this.perAddress.get(address) ?? 0;
    if (count >= this.options.maxSessionsPerAddress) {
      return this.reject(socket, 'max_sessions_per_address', address, 'ingest.maxSessionsPerAddress reached');
    }
    this.perAddress.set(address, count + 1);
    const session = new RouterSession(socket, address, port, this.env, initial);
    this.sessions.add(session);
    void session.done.then(() => {
      this.sessions.delete(session);
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
  }
}
