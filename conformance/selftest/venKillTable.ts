import type { Progress } from '../runner/progress.ts';
import type { RunResult } from '../runner/results.ts';
import { TestVtn } from '../runner/testVtn.ts';
import { runVenConformance } from '../runner/venRole.ts';
import type { ProgrammeTimings } from '../runner/venProgramme.ts';
import { commandLauncher } from '../runner/venUnderTest.ts';
import { FAULTY_VENS, faultyVenLauncher, REFERENCE_VEN_COMMAND, type FaultyVen } from './faultyVens.ts';
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

/** The full profile's VEN part: the reference VEN through every `ven` case, then the faulty VENs' kill table rows, on one test VTN. */
export async function venSelfCheck(seed: number, progress?: Progress): Promise<{ run: RunResult; rows: KillRow[] }> {
  const vtn = await TestVtn.start();
  try {
    const run = await runVenConformance({ vtn, launcher: commandLauncher(REFERENCE_VEN_COMMAND), seed, ...(progress ? { progress } : {}) });
    return { run, rows: await venKillTable(vtn, FAULTY_VENS, { seed }) };
  } finally {
    await vtn.close();
  }
}
