import { problemCatalogue, problemType, type ProblemCode, type ProblemDetailItem, type ProblemDocument, type ProblemLocation } from '../schemas/problems.ts';

export interface ProblemItem extends ProblemLocation {
  code: ProblemCode;
  detail: string;
}

/**
 * A refusal with a catalogue code. Thrown anywhere below the HTTP layer; the
 * HTTP layer turns it into problem+json. `items` lists every violation found,
 * the first one decides the response's `type` and status.
 */
export class Problem extends Error {
  readonly code: ProblemCode;
  readonly items: readonly ProblemItem[];

  constructor(code: ProblemCode, detail: string, location: ProblemLocation = {}, more: readonly ProblemItem[] = []) {
    super(detail);
    this.name = 'Problem';
    this.code = code;
    this.items = [{ ...location, code, detail }, ...more];
  }

  static of(items: readonly ProblemItem[]): Problem {
    const [first, ...more] = items;
    if (!first) throw new Error('Problem.of needs at least one item');
    return new Problem(first.code, first.detail, first, more);
  }

  get status(): number {
    return problemCatalogue[this.code].status;
  }

  /** Adds row/column information to items that only carry a pointer. */
  locate(locator: (pointer: string) => ProblemLocation | undefined): Problem {
    return Problem.of(this.items.map((item) => (item.pointer ? { ...locator(item.pointer), ...item } : item)));
  }

  toDocument(instance?: string): ProblemDocument {
    const first = this.items[0]!;
    const errors: ProblemDetailItem[] = this.items.map(({ code, ...rest }) => ({ type: problemType(code), ...rest }));
    return {
      type: problemType(this.code),
      title: problemCatalogue[this.code].title,
      status: this.status,
      detail: this.items.length > 1 ? `${first.detail} (and ${this.items.length - 1} more)` : first.detail,
      ...(instance ? { instance } : {}),
      ...(hasLocation(first) || this.items.length > 1 ? { errors } : {}),
    };
  }
}

function hasLocation(item: ProblemItem): boolean {
  return item.pointer !== undefined || item.row !== undefined;
}

/** Collects violations so a validator can report all of them at once. */
export class ProblemCollector {
  readonly items: ProblemItem[] = [];
  add(code: ProblemCode, detail: string, location: ProblemLocation = {}): void {
    this.items.push({ code, detail, ...location });
  }
  throwIfAny(): void {
    if (this.items.length > 0) throw Problem.of(this.items);
  }
}
