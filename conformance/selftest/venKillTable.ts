import type { RunResult } from '../runner/results.ts';
import type { TestVtn } from '../runner/testVtn.ts';
import { runVenConformance } from '../runner/venRole.ts';
import type { ProgrammeTimings } from '../runner/venProgramme.ts';
import { faultyVenLauncher, type FaultyVen } from './faultyVens.ts';
import type { KillRow } from './killTable.ts';

/** Runs each faulty VEN through its cases of the `ven` role on the test VTN, one at a time: the kill table's VEN rows. */
export async function venKillTable(
  vtn: TestVtn,
  faulty: readonly FaultyVen[],
  options: { seed: number; timings?: ProgrammeTimings; onRun?: (fault: FaultyVen, run: RunResult) => void },
): Promise<KillRow[]> {
  const rows: KillRow[] = [];
  for (const fault of faulty) {
    const run = await runVenConformance({
      vtn,
      launcher: faultyVenLauncher(fault),
      seed: options.seed,
      caseIds: fault.cases,
      ...(options.timings ? { timings: options.timings } : {}),
    });
    options.onRun?.(fault, run);
    rows.push({
      fault: `ven: ${fault.name}`,
      description: fault.description,
      caughtBy: run.results.filter((r) => r.level === 'mandatory' && r.outcome === 'failed').map((r) => r.id),
    });
  }
  return rows;
}
