import { execFileSync } from 'node:child_process';
import { FLEXGATE_BIN, runFlexgate } from '../testing/gatewayProcess.ts';
import { median, type BenchRow } from './row.ts';

/** The CLI goal: `flexgate --help` starts within 3× a bare `node -e 0`, both medians of runs taken alternately. */
export const CLI_GOAL_RATIO = 3;

function startupMs(args: string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return performance.now() - started;
}

export async function cliBench(runs: number): Promise<BenchRow[]> {
  // Builds dist/ if stale and warms the file cache, so neither is timed.
  const warm = await runFlexgate('--help');
  if (warm.code !== 0) throw new Error(`flexgate --help exited with ${warm.code}: ${warm.stderr}`);
  const help: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(startupMs(['-e', '0']));
    help.push(startupMs([FLEXGATE_BIN, '--help']));
  }
  const helpMs = median(help);
  const bareMs = median(bare);
  const ratio = helpMs / bareMs;
  return [
    { group: 'CLI', what: `node -e 0 (median of ${runs})`, value: bareMs, unit: 'ms' },
    {
      group: 'CLI',
      what: `flexgate --help start-up (median of ${runs})`,
      value: helpMs,
      unit: 'ms',
      ratio,
      baseline: 'node -e 0',
      goal: `≤ ${CLI_GOAL_RATIO} ×`,
      met: ratio <= CLI_GOAL_RATIO,
    },
  ];
}
