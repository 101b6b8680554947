import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./officialValidation.worker.ts', import.meta.url));

interface Reply {
  readonly id: number;
  readonly violations: string[];
}

/**
 * A few child processes validating documents against an official XSD while
 * the test goes on generating the next ones: each validation costs libxml2 a
 * fresh compile of the schema, so spreading them over the cores keeps the
 * property tests (every generated document checked) fast.
 */
export class OfficialValidationPool {
  private readonly children: ChildProcess[];
  private readonly pending = new Map<number, (violations: string[]) => void>();
  private next = 0;

  constructor(size = Math.max(1, availableParallelism())) {
    this.children = Array.from({ length: size }, () => {
      const child = fork(WORKER, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (reply: Reply) => {
        this.pending.get(reply.id)?.(reply.violations);
        this.pending.delete(reply.id);
      });
      return child;
    });
  }

  /** The schema violations of one document (none when valid). */
  validate(schemaPath: string, xml: string): Promise<string[]> {
    const id = this.next++;
    const child = this.children[id % this.children.length]!;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      child.send({ id, schemaPath, xml });
    });
  }

  close(): void {
    for (const child of this.children) child.kill();
  }
}
