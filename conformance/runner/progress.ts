import type { CaseResult } from './results.ts';

export interface Progress {
  start(total: number): void;
  caseDone(result: CaseResult, index: number): void;
  finish(): void;
}

const BAR = 30;

/** A bar redrawn in place on a terminal; one line per case otherwise (CI logs). */
export function progressFor(stream: NodeJS.WriteStream | { isTTY?: boolean; write(text: string): boolean }): Progress {
  let total = 0;
  let failed = 0;
  if (stream.isTTY) {
    return {
      start: (count) => (total = count),
      caseDone(result, index) {
        if (result.outcome === 'failed') {
          failed += 1;
          stream.write(`\r\x1b[2KFAIL ${result.id} ${result.title}\n     ${result.message ?? ''}\n`);
        }
        const done = Math.round(((index + 1) / Math.max(total, 1)) * BAR);
        stream.write(`\r\x1b[2K[${'#'.repeat(done)}${'.'.repeat(BAR - done)}] ${index + 1}/${total} ${failed ? `${failed} failed ` : ''}${result.id}`);
      },
      finish: () => void stream.write('\n'),
    };
  }
  return {
    start: (count) => void stream.write(`running ${count} cases\n`),
    caseDone(result) {
      const label = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' }[result.outcome];
      stream.write(`${label} ${result.id} ${result.title}${result.message ? `\n     ${result.message}` : ''}\n`);
    },
    finish: () => undefined,
  };
}

export const silentProgress: Progress = { start: () => undefined, caseDone: () => undefined, finish: () => undefined };
