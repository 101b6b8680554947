import type { SignedResponse } from '../../client/flexgateClient.ts';
import type { VectorStep } from '../vectors/model.ts';
import type { ClientHarness } from './clientUnderTest/clientHarness.ts';
import { capture, CaseFailed, mismatches, sendStep, type Exchange, type Variables } from './exchange.ts';
import type { Target } from './target.ts';
import type { VenProgramme } from './venProgramme.ts';

/** What a case runs with: the target, its variables, the run's seed and fuzz budget, and the exchanges it records. */
export class CaseContext {
  readonly exchanges: Exchange[] = [];
  readonly notes: string[] = [];

  constructor(
    readonly target: Target,
    readonly variables: Variables,
    readonly seed: number,
    readonly fuzzRuns: number,
    /** Fuzz scripts stop drawing inputs at this time (epoch ms): the hard time limit. */
    readonly fuzzDeadline: number,
    /** The `ven` role's programme: the test VTN and the VEN under test, shared by the run's cases. */
    readonly venProgramme?: VenProgramme,
    /** The client under test and the gateway it is pointed at (the anm-client and dso roles). */
    readonly client?: ClientHarness,
  ) {}

  /** Sends a step and records it, without judging the answer. */
  async send(step: VectorStep): Promise<SignedResponse | undefined> {
    const { exchange, response } = await sendStep(this.target, step, this.variables);
    this.exchanges.push(exchange);
    return response;
  }

  /** Sends a step, holds the answer to the step's expectation (throwing `CaseFailed`), and captures its values. */
  async step(step: VectorStep): Promise<SignedResponse | undefined> {
    const response = await this.send(step);
    const found = mismatches(step.expect, response, this.variables);
    if (found.length) throw new CaseFailed(`${step.request.method} ${step.request.path}: ${found.join('; ')}`);
    capture(step, response, this.variables);
    return response;
  }

  /** Records what happened outside an HTTP exchange (a TLS handshake, a notification) for the report. */
  note(text: string): void {
    this.notes.push(text);
  }
}

/** A case whose setup data cannot express (certificates issued for it, handshakes, fuzzing): its name is the vector's `script`. */
export type Script = (context: CaseContext, params: Record<string, unknown>) => Promise<void>;
