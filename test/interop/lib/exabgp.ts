/**
 * An exabgp 4.2 instance as a BGP neighbour of the monitored router: it connects from its own
 * loopback address to the router's BGP port and announces what the test tells it through
 * exabgp's API. The API process exabgp runs is a small relay that connects to a Unix socket the
 * test serves and copies its lines to exabgp, so that the test can feed thousands of routes
 * without one process per command.
 *
 * exabgp as root needs exabgp.daemon.user=root; acknowledgements are off (the relay never reads
 * them); its own CLI pipes are off (they are shared paths under /run, and other runs use them).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessGroup, Tracked } from './processes.js';
import { exabgpAnnounce, exabgpWithdraw, type Route } from './routes.js';

const RELAY = `import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
for line in s.makefile('rb'):
    sys.stdout.write(line.decode())
    sys.stdout.flush()
`;

export interface ExabgpOptions {
  name: string;
  dir: string;
  exabgp: string;
  /** Loopback address exabgp connects from (the router's neighbour address). */
  localAddress: string;
  routerAddress: string;
  routerPort: number;
  localAs: number;
  routerAs: number;
  routerId: string;
}

export class ExabgpNeighbour {
  private server: Server | null = null;
  private feed: Socket | null = null;
  private process: Tracked | null = null;

  constructor(readonly options: ExabgpOptions) {}

  get address(): string {
    return this.options.localAddress;
  }

  /** Starts exabgp; resolves when its API relay has connected, so commands can be sent. */
  async start(group: ProcessGroup): Promise<void> {
    const o = this.options;
    const relay = join(o.dir, 'exabgp-relay.py');
    writeFileSync(relay, RELAY);
    const socketPath = join(o.dir, `${o.name}.sock`);
    const config = join(o.dir, `${o.name}.conf`);
    writeFileSync(
      config,
      `process feed {
  run /usr/bin/python3 ${relay} ${socketPath};
  encoder text;
}
neighbor ${o.routerAddress} {
  description "${o.name}";
  router-id ${o.routerId};
  local-address ${o.localAddress};
  local-as ${o.localAs};
  peer-as ${o.routerAs};
  connect ${o.routerPort};
  family { ipv4 unicast; ipv6 unicast; }
  api { processes [ feed ]; }
}
`,
    );
    const connected = new Promise<Socket>((resolve) => {
      this.server = createServer((socket) => resolve(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(socketPath, () => resolve());
    });
    this.process = group.start(o.name, o.exabgp, [config], {
      exabgp_daemon_user: 'root',
      exabgp_daemon_drop: 'false',
      exabgp_api_ack: 'false',
      exabgp_api_cli: 'false',
      exabgp_api_respawn: 'false',
      exabgp_log_destination: 'stdout',
    });
    const exited = this.process.exited.then(() => {
      throw new Error(`${o.name}: exabgp exited before its API connected:\n${this.process?.output().slice(-2000)}`);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${o.name}: exabgp's API did not connect within 30 s:\n${this.process?.output().slice(-2000)}`)), 30_000);
    });
    try {
      this.feed = await Promise.race([connected, exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(lines: string[]): Promise<void> {
    const feed = this.feed;
    if (feed === null) throw new Error(`${this.options.name}: not started`);
    await new Promise<void>((resolve, reject) => feed.write(`${lines.join('\n')}\n`, (err) => (err ? reject(err) : resolve())));
  }

  announce(routes: Route[]): Promise<void> {
    return this.send(routes.map(exabgpAnnounce));
  }

  withdraw(routes: Route[]): Promise<void> {
    return this.send(routes.map(exabgpWithdraw));
  }

  async stop(group: ProcessGroup): Promise<void> {
    this.feed?.destroy();
    if (this.process !== null) await group.stop(this.process);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}
