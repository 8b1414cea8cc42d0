/**
 * Child processes of an interop scenario, tracked by PID so that every one of them is stopped at
 * the end (also when the test fails): never by name, since other runs on the machine start the
 * same programs. Each child gets its own process group, so that stopping it also stops what it
 * started itself (exabgp's API helper); the group is addressed by the child's own PID.
 *
 * Output of each child goes to a log file in the scenario's directory, and its tail is quoted when
 * a wait times out, so a failure says what the router complained about.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface Tracked {
  name: string;
  pid: number;
  child: ChildProcess;
  logPath: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote to stderr and stdout so far (also in logPath). */
  output(): string;
}

export class ProcessGroup {
  private readonly running = new Map<number, Tracked>();
  private readonly onExit = (): void => {
    // Last resort when the test process itself exits without running its hooks.
    for (const pid of this.running.keys()) signalGroup(pid, 'SIGKILL');
  };

  constructor(private readonly dir: string) {
    process.on('exit', this.onExit);
  }

  /** The processes still running, each with the end of its output (for a report on a stall). */
  describeRunning(tail = 600): string {
    return [...this.running.values()].map((t) => `${t.name} (pid ${t.pid}): ...${t.output().slice(-tail)}`).join('\n') || 'none';
  }

  start(name: string, command: string, args: string[], env: Record<string, string> = {}): Tracked {
    const logPath = join(this.dir, `${name}.log`);
    const log: WriteStream = createWriteStream(logPath);
    const child = spawn(command, args, { cwd: this.dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
    let text = '';
    const take = (d: Buffer): void => {
      log.write(d);
      if (text.length < 4_000_000) text += d.toString();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const pid = child.pid;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => {
        this.running.delete(pid);
        resolve({ code, signal });
      });
    });
    exited.finally(() => log.end()).catch(() => undefined);
    const tracked: Tracked = { name, pid, child, logPath, exited, output: () => text };
    this.running.set(pid, tracked);
    return tracked;
  }

  /** Stops one process (its group): `signal` first, SIGKILL after `graceMs`. */
  async stop(tracked: Tracked, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (!this.running.has(tracked.pid)) return;
    signalGroup(tracked.pid, signal);
    const timer = setTimeout(() => signalGroup(tracked.pid, 'SIGKILL'), graceMs);
    await tracked.exited;
    clearTimeout(timer);
  }

  /** Stops every process still running, newest first. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()].reverse();
    await Promise.all(all.map((t) => this.stop(t, 'SIGTERM', 3000)));
    process.off('exit', this.onExit);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** The last `chars` characters of a file (for failure messages). */
export function tail(path: string, chars = 3000): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-chars);
  } catch {
    return '';
  }
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or fails with `what()`. */
export async function waitFor<T>(what: () => string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
