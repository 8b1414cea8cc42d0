/**
 * The external programs the interop scenarios drive, found on this machine or reported missing
 * with the Debian package to install (`.ci/run` installs them before `npm test`). A missing tool
 * fails the test: an interop suite that skips itself silently would claim coverage it has not.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Tool {
  /** Program name on PATH, or an absolute path. */
  program: string;
  /** Debian package that provides it. */
  debian: string;
  /** Arguments that print the version, and how to read it from the output. */
  versionArgs: string[];
  version: RegExp;
}

export const TOOLS = {
  gobgpd: { program: 'gobgpd', debian: 'gobgpd', versionArgs: ['--version'], version: /gobgpd version (\S+)/ },
  gobgp: { program: 'gobgp', debian: 'gobgpd', versionArgs: ['--version'], version: /gobgp version (\S+)/ },
  bgpd: { program: '/usr/lib/frr/bgpd', debian: 'frr', versionArgs: ['--version'], version: /bgpd version (\S+)/ },
  vtysh: { program: 'vtysh', debian: 'frr', versionArgs: ['-h'], version: /Usage ?: (vtysh)/ }, // vtysh has no --version; it is FRR's, see bgpd
  exabgp: { program: 'exabgp', debian: 'exabgp', versionArgs: ['--version'], version: /ExaBGP : (\S+)/ },
  tcpdump: { program: 'tcpdump', debian: 'tcpdump', versionArgs: ['--version'], version: /tcpdump version (\S+)/ },
  tshark: { program: 'tshark', debian: 'tshark', versionArgs: ['--version'], version: /TShark \(Wireshark\) (\S+)/ },
} satisfies Record<string, Tool>;

export type ToolName = keyof typeof TOOLS;

function locate(program: string): string | null {
  const candidates = program.includes('/')
    ? [program]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'].filter(Boolean).map((dir) => join(dir, program));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next
    }
  }
  return null;
}

/**
 * Absolute paths and versions of `names`; throws one error naming every missing program and the
 * packages that provide them.
 */
export function requireTools<N extends ToolName>(names: N[]): { paths: Record<N, string>; versions: Record<N, string> } {
  const paths = {} as Record<N, string>;
  const versions = {} as Record<N, string>;
  const missing: string[] = [];
  for (const name of names) {
    const tool: Tool = TOOLS[name];
    const path = locate(tool.program);
    if (path === null) {
      missing.push(`${tool.program} (Debian package ${tool.debian})`);
      continue;
    }
    paths[name] = path;
    let out: string;
    try {
      out = execFileSync(path, tool.versionArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    } catch (err) {
      // Some print their version on stderr or exit non-zero after printing it.
      const e = err as { stdout?: string; stderr?: string };
      out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    versions[name] = tool.version.exec(out)?.[1] ?? `unknown (${out.trim().split('\n')[0]})`;
  }
  if (missing.length > 0) {
    const debs = [...new Set(names.filter((n) => !(n in paths)).map((n) => TOOLS[n].debian))];
    throw new Error(`interop tests need ${missing.join(', ')}: apt-get install ${debs.join(' ')} (.ci/run installs them)`);
  }
  return { paths, versions };
}
