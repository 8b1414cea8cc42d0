/**
 * A service of this repository run as its own process, as deployed (so a test can SIGKILL it),
 * with the tail of its stderr kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** The last 20,000 characters the process wrote to stderr. */
  stderr: () => string;
}

/** Starts `node --import tsx <entry>` (a path from the repository root) with `env` over process.env. */
export function spawnService(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  return { child, stderr: () => err };
}
