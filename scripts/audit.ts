/**
 * `npm run audit`: the production dependencies' known vulnerabilities (npm audit --omit=dev),
 * failing on any high or critical finding. When the advisory service cannot be reached (an
 * offline or proxied CI machine: the bulk endpoint is a POST some mirrors refuse), it says so
 * plainly and exits 3, so CI can tell "no findings" from "not checked"; BMP_AUDIT_REQUIRED=1 makes
 * that a failure too.
 */
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report: { metadata?: { vulnerabilities?: Record<string, number> }; statusCode?: number; message?: string; error?: { summary?: string } };
try {
  report = JSON.parse(run.stdout || '{}') as typeof report;
} catch {
  process.stderr.write(`audit: npm audit gave no JSON report:\n${run.stderr}\n`);
  process.exit(1);
}
const counts = report.metadata?.vulnerabilities;
if (counts === undefined) {
  const why = report.message ?? report.error?.summary ?? run.stderr.trim().split('\n').pop() ?? 'unknown error';
  process.stderr.write(`audit: NOT CHECKED: the npm advisory service could not be queried (${why})\n`);
  process.exit(process.env.BMP_AUDIT_REQUIRED === '1' ? 1 : 3);
}
const line = Object.entries(counts)
  .map(([level, n]) => `${level} ${n}`)
  .join(', ');
process.stdout.write(`audit: production dependencies: ${line}\n`);
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
if (serious > 0) {
  process.stderr.write(`audit: ${serious} high or critical finding(s); run npm audit --omit=dev for details\n`);
  process.exit(1);
}
