import { fork, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Problem, type ProblemItem } from '../../protocol/problem.ts';
import { heavyTasks, type HeavyTaskInput, type HeavyTaskName, type HeavyTaskOutput } from './tasks.ts';

// The worker runs as TypeScript under tsx in development and tests, as JavaScript from dist.
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));
const WORKER = fileURLToPath(new URL(`./worker${OWN_EXTENSION}`, import.meta.url));
const WORKER_EXEC_ARGV = [...(OWN_EXTENSION === '.ts' ? ['--import', 'tsx'] : []), '--max-old-space-size=2048'];

/** Below this many bytes a document is handled on the event loop: a child's round trip would cost more. */
export const INLINE_BYTES = 64 * 1024;
// Starting a child costs seconds (it loads every profile); an idle one is kept a while.
const IDLE_EXIT_MS = 5 * 60_000;

export interface HeavyWorkOptions {
  /** Longest one task may take before its child is killed (`work.too-costly`). */
  timeoutMs: number;
  /** Children working at once; default one per core but one. */
  size?: number;
  /** Tasks waiting for a child before more are refused (`work.overloaded`). */
  maxQueued?: number;
}

type Reply = { id: number; ok: true; output: unknown } | { id: number; ok: false; problem?: ProblemItem[]; error?: string };

interface Job {
  id: number;
  name: HeavyTaskName;
  input: unknown;
  resolve: (output: unknown) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  child: ChildProcess;
  /** The child has loaded its tasks: start-up does not count against a task's budget. */
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  idle: NodeJS.Timeout | undefined;
}

/**
 * Parsing, validating and rendering large documents in child processes,
 * so that one party's document never stalls the event loop every party
 * shares: a task over its time budget has its child killed and is refused
 * (`work.too-costly`), as is one that exhausts its child's memory; too many
 * waiting are refused at once (`work.overloaded`). Children start on first
 * use and exit when idle. Small documents are handled inline.
 */
export class HeavyWork {
  private readonly slots: (Slot | undefined)[];
  private readonly queue: Job[] = [];
  private readonly maxQueued: number;
  private next = 0;
  private closed = false;

  constructor(private readonly options: HeavyWorkOptions) {
    this.slots = new Array<Slot | undefined>(options.size ?? Math.max(1, availableParallelism() - 1)).fill(undefined);
    this.maxQueued = options.maxQueued ?? 16;
  }

  /** Runs a task on a document of `bytes` bytes: inline when small, else in a child within the time budget. */
  run<K extends HeavyTaskName>(name: K, input: HeavyTaskInput<K>, bytes: number): Promise<HeavyTaskOutput<K>> {
    if (bytes < INLINE_BYTES) return Promise.resolve().then(() => heavyTasks[name](input as never) as HeavyTaskOutput<K>);
    return this.offload(name, input);
  }

  /** Runs a task in a child whatever its size. */
  offload<K extends HeavyTaskName>(name: K, input: HeavyTaskInput<K>): Promise<HeavyTaskOutput<K>> {
    if (this.closed) return Promise.reject(new Problem('service.unavailable', 'The gateway is shutting down'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new Problem('work.overloaded', `${this.queue.length} large documents are waiting to be processed; retry later`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.next++, name, input, resolve: resolve as (output: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Kills every child; waiting tasks are refused. */
  close(): void {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Problem('service.unavailable', 'The gateway is shutting down'));
    this.slots.forEach((slot, k) => {
      if (!slot) return;
      slot.job?.reject(new Problem('service.unavailable', 'The gateway is shutting down'));
      this.discard(k);
    });
  }

  private dispatch(): void {
    for (let k = 0; k < this.slots.length && this.queue.length > 0; k++) {
      const slot = this.slots[k] ?? this.spawn(k);
      if (slot.job || !slot.ready) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      clearTimeout(slot.idle);
      slot.child.ref();
      slot.child.channel?.ref();
      if (slot.child.stdin instanceof Socket) slot.child.stdin.ref();
      slot.timer = setTimeout(() => {
        this.discard(k);
        job.reject(new Problem('work.too-costly', `Processing the document took longer than ${this.options.timeoutMs} ms; it was stopped`));
        this.dispatch();
      }, this.options.timeoutMs);
      const { input, body } = withoutBody(job.input);
      slot.child.send({ id: job.id, name: job.name, input, bodyBytes: body?.length });
      if (body) slot.child.stdin?.write(body);
    }
  }

  private spawn(k: number): Slot {
    const child = fork(WORKER, [], { execArgv: WORKER_EXEC_ARGV, serialization: 'advanced', stdio: ['pipe', 'inherit', 'inherit', 'ipc'] });
    // A child that dies mid-write is reported by its exit, below.
    child.stdin?.on('error', () => undefined);
    const slot: Slot = { child, ready: false, job: undefined, timer: undefined, idle: undefined };
    this.slots[k] = slot;
    child.on('message', (reply: Reply | 'ready') => {
      if (reply === 'ready') {
        slot.ready = true;
        this.dispatch();
        return;
      }
      const job = slot.job;
      if (!job || reply.id !== job.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      this.rest(k, slot);
      if (reply.ok) job.resolve(reply.output);
      else job.reject(reply.problem ? Problem.of(reply.problem) : new Error(`Heavy work ${job.name} failed: ${reply.error ?? 'unknown error'}`));
      this.dispatch();
    });
    child.on('exit', () => {
      if (this.slots[k] !== slot) return;
      this.slots[k] = undefined;
      clearTimeout(slot.timer);
      clearTimeout(slot.idle);
      // A child that dies mid-task ran out of memory on that document.
      slot.job?.reject(new Problem('work.too-costly', 'Processing the document needed more memory than the gateway allows'));
      this.dispatch();
    });
    return slot;
  }

  /** An idle child does not keep the process alive, and exits after a while. */
  private rest(k: number, slot: Slot): void {
    slot.child.unref();
    slot.child.channel?.unref();
    if (slot.child.stdin instanceof Socket) slot.child.stdin.unref();
    slot.idle = setTimeout(() => this.discard(k), IDLE_EXIT_MS).unref();
  }

  private discard(k: number): void {
    const slot = this.slots[k];
    if (!slot) return;
    this.slots[k] = undefined;
    clearTimeout(slot.timer);
    clearTimeout(slot.idle);
    slot.child.kill('SIGKILL');
  }
}

/**
 * A task's `body` bytes travel over the child's stdin, written as they are,
 * and the rest of its input as a message: serialising a 16 MB body into a
 * message would copy it on the event loop, holding it for tens of milliseconds.
 */
function withoutBody(input: unknown): { input: unknown; body: Uint8Array | undefined } {
  if (typeof input !== 'object' || input === null || !('body' in input) || !(input.body instanceof Uint8Array)) return { input, body: undefined };
  return { input: { ...input, body: undefined }, body: input.body };
}

const shared = new Map<number, HeavyWork>();

/** One pool per process and time budget, shared by the routers of every gateway in it. */
export function sharedHeavyWork(timeoutMs: number): HeavyWork {
  let pool = shared.get(timeoutMs);
  if (!pool) {
    pool = new HeavyWork({ timeoutMs });
    shared.set(timeoutMs, pool);
  }
  return pool;
}
