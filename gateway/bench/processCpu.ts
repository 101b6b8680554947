import { readFileSync } from 'node:fs';

/**
 * CPU time another process has used so far, read from Linux's /proc: what a
 * load generator needs to say how much CPU the server it drives spent per
 * request. Undefined where there is no /proc (the rows that need it are
 * then left out).
 */
export interface CpuTime {
  /** All threads, including any that have ended (libuv's pool, workers). */
  allThreadsMs: number;
  /** The main thread alone: the event loop, which one process cannot spread over cores. */
  mainThreadMs: number;
}

/** /proc reports CPU times in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
const MS_PER_TICK = 10;

export function processCpuTime(pid: number): CpuTime | undefined {
  const allThreads = ticksOf(`/proc/${pid}/stat`);
  const mainThread = ticksOf(`/proc/${pid}/task/${pid}/stat`);
  if (allThreads === undefined || mainThread === undefined) return undefined;
  return { allThreadsMs: allThreads * MS_PER_TICK, mainThreadMs: mainThread * MS_PER_TICK };
}

/** utime + stime: fields 14 and 15 of a stat line, counted after the command name (which may hold spaces and parentheses). */
function ticksOf(path: string): number | undefined {
  let line: string;
  try {
    line = readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : undefined;
}
