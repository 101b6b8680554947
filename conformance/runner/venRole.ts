import type { Progress } from './progress.ts';
import type { RunResult } from './results.ts';
import { runConformance } from './run.ts';
import { TestVtn } from './testVtn.ts';
import { DEFAULT_TIMINGS, VenProgramme, type ProgrammeTimings } from './venProgramme.ts';
import { commandLauncher, printedLauncher, type VenLauncher } from './venUnderTest.ts';

export interface VenRunOptions {
  vtn: TestVtn;
  launcher: VenLauncher;
  timings?: ProgrammeTimings;
  seed: number;
  suites?: string[];
  caseIds?: string[];
  progress?: Progress;
}

/** Runs the `ven` role: a new VEN party from the test VTN's PKI, the VEN under test started with it, the programme's cases, the VEN stopped. */
export async function runVenConformance(options: VenRunOptions): Promise<RunResult> {
  const programme = new VenProgramme(options.vtn, await options.vtn.issueVen(), options.launcher, options.timings);
  try {
    return await runConformance({
      roles: ['ven'],
      target: options.vtn.target,
      venProgramme: programme,
      seed: options.seed,
      fuzzRuns: 0,
      ...(options.suites ? { suites: options.suites } : {}),
      ...(options.caseIds ? { caseIds: options.caseIds } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
    });
  } finally {
    await programme.close();
  }
}

export interface VenRoleOptions {
  /** The VEN under test as a shell command; none: its variables are printed and the operator starts it. */
  command?: string;
  /** Seconds to wait for the VEN to register (default 30; give more when starting it by hand). */
  waitSeconds?: number;
  vtnPort?: number;
  /** Keep the test VTN's data (its PKI, the VEN's files) here instead of a temporary folder. */
  vtnDir?: string;
  print: (text: string) => void;
}

/** The `ven` role as `flexgate conformance run` opens it: the test VTN, the VEN's party, the programme; `close` stops the VEN and the VTN. */
export async function openVenRole(options: VenRoleOptions): Promise<{ vtn: TestVtn; programme: VenProgramme; close(): Promise<void> }> {
  const vtn = await TestVtn.start({
    ...(options.vtnPort === undefined ? {} : { port: options.vtnPort }),
    ...(options.vtnDir === undefined ? {} : { dataDir: options.vtnDir }),
  });
  try {
    const ven = await vtn.issueVen();
    const launcher = options.command === undefined ? printedLauncher(options.print) : commandLauncher(options.command);
    const timings = { ...DEFAULT_TIMINGS, ...(options.waitSeconds === undefined ? {} : { startMs: options.waitSeconds * 1000 }) };
    const programme = new VenProgramme(vtn, ven, launcher, timings);
    options.print(`test VTN at ${vtn.gateway.url} (PKI ${vtn.gateway.pkiDir}); the VEN under test is ${ven.party}\n`);
    return {
      vtn,
      programme,
      async close() {
        await programme.close();
        await vtn.close();
      },
    };
  } catch (error) {
    await vtn.close();
    throw error;
  }
}
