/**
 * Optional TLS on the BMP listener, for routers behind stunnel or collectors reached over
 * untrusted networks. BMP itself has no TLS (RFC 7854 §3.2 runs it over plain TCP), so this wraps
 * the TCP stream: a plain socket is accepted first (and its PROXY header read, when a load balancer
 * sends one in front of the TLS stream), then upgraded. With `requireClientCert`, only routers
 * presenting a certificate signed by `caFile` get through, and with `allowedClientNames` only
 * those whose certificate names (CN or DNS/IP subject alternative names) are listed.
 */
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { readSecretFile } from '../runtime/config.js';

export interface BmpTlsSettings {
  /** PEM certificate (chain) of the listener; empty: TLS off. */
  certFile: string;
  keyFile: string;
  /** PEM CA(s) that sign the routers' client certificates. */
  caFile: string;
  requireClientCert: boolean;
  /** Certificate names allowed (CN, DNS or IP SAN); empty: any certificate the CA signed. */
  allowedClientNames: string[];
}

/**
 * The listener's TLS side: a tls.Server that never listens; accepted TCP sockets are handed to it
 * (`emit('connection')`), which is how Node's own TLS server verifies client certificates. Its
 * events are routed back to the connection they belong to by the TCP socket's remote address and
 * port, unique among open connections.
 */
export class BmpTls {
  private readonly server: TlsServer;
  private readonly pending = new Map<string, { onReady: (s: TLSSocket) => void; onRefused: (reason: string) => void }>();

  constructor(
    readonly settings: BmpTlsSettings,
    handshakeTimeoutMs: number,
  ) {
    this.server = createTlsServer({
      cert: readSecretFile(settings.certFile, 'ingest.tls.certFile'),
      key: readSecretFile(settings.keyFile, 'ingest.tls.keyFile'),
      ca: settings.caFile ? [readSecretFile(settings.caFile, 'ingest.tls.caFile')] : undefined,
      requestCert: settings.requireClientCert || settings.caFile !== '',
      // Checked in onSecure, so that a refusal is counted and logged with its reason.
      rejectUnauthorized: false,
      handshakeTimeout: handshakeTimeoutMs,
    });
    this.server.on('secureConnection', (secure: TLSSocket) => this.onSecure(secure));
    this.server.on('tlsClientError', (err: Error, secure: TLSSocket) => {
      this.settle(secure, `TLS handshake failed: ${err.message}`);
      secure.destroy();
    });
  }

  /**
   * Upgrades an accepted socket to TLS. `initial` holds bytes already read from it (after a PROXY
   * header); they belong to the TLS stream. Calls `onReady` with the secure socket, or `onRefused`
   * with a reason when the handshake fails or times out, or the client certificate is not allowed
   * (the connection is then closed).
   */
  upgrade(socket: Socket, initial: Buffer | null, onReady: (secure: TLSSocket) => void, onRefused: (reason: string) => void): void {
    if (initial && initial.length > 0) socket.unshift(initial);
    const key = connectionKey(socket);
    this.pending.set(key, { onReady, onRefused });
    socket.once('close', () => {
      const entry = this.pending.get(key);
      if (entry && this.pending.delete(key)) entry.onRefused('connection closed during the TLS handshake');
    });
    this.server.emit('connection', socket);
  }

  private settle(secure: TLSSocket, refusal: string | null): void {
    const key = connectionKey(secure);
    const entry = this.pending.get(key);
    if (!entry) return;
    this.pending.delete(key);
    if (refusal === null) entry.onReady(secure);
    else entry.onRefused(refusal);
  }

  private onSecure(secure: TLSSocket): void {
    const { settings } = this;
    let refusal: string | null = null;
    if (settings.requireClientCert) {
      if (!secure.authorized) refusal = `client certificate refused: ${String(secure.authorizationError ?? 'none sent')}`;
      else if (settings.allowedClientNames.length > 0) {
        const names = certificateNames(secure.getPeerCertificate());
        if (!names.some((n) => settings.allowedClientNames.includes(n))) {
          refusal = `client certificate names [${names.join(', ')}] not in ingest.tls.allowedClientNames`;
        }
      }
    }
    this.settle(secure, refusal);
    // Closes the TCP socket under it too. Never destroy that one directly while TLS runs on it:
    // Node 20's TLS wrap crashes (seen as SIGSEGV).
    if (refusal !== null) secure.destroy();
  }
}

function connectionKey(socket: { remoteAddress?: string; remotePort?: number }): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/** The listener's TLS side, or null when TLS is off. Throws a message naming the setting. */
export function loadBmpTls(settings: BmpTlsSettings, handshakeTimeoutMs = 10_000): BmpTls | null {
  if (settings.certFile === '') {
    if (settings.keyFile !== '' || settings.requireClientCert) throw new Error('ingest.tls.certFile: required when ingest.tls.keyFile or ingest.tls.requireClientCert is set');
    return null;
  }
  if (settings.keyFile === '') throw new Error('ingest.tls.keyFile: required with ingest.tls.certFile');
  if (settings.requireClientCert && settings.caFile === '') throw new Error('ingest.tls.caFile: required with ingest.tls.requireClientCert');
  try {
    return new BmpTls(settings, handshakeTimeoutMs);
  } catch (err) {
    throw new Error(`ingest.tls: cannot use the certificate or key: ${(err as Error).message}`);
  }
}

/** Names a client certificate carries: its subject CN and its DNS / IP subject alternative names. */
export function certificateNames(cert: { subject?: { CN?: string | string[] }; subjectaltname?: string }): string[] {
  const names: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === 'string') names.push(cn);
  else if (Array.isArray(cn)) names.push(...cn);
  for (const entry of (cert.subjectaltname ?? '').split(',')) {
    const m = /^\s*(DNS|IP Address):(.+)$/.exec(entry);
    if (m) names.push(m[2].trim());
  }
  return names;
}
