import type { ProblemCode } from '../../schemas/problems.ts';

export type ProfileIssueCode = Extract<ProblemCode, 'cim.rule-violation' | 'cim.not-representable'>;

/** One thing wrong with a document (reading) or a model (writing), at an element's XPath-like path. */
export interface ProfileIssue {
  readonly code: ProfileIssueCode;
  readonly detail: string;
  readonly path: string;
}

/**
 * Raised by a profile's builder or parser with every issue it found. The
 * parser adds the header as far as it could read it, so a rejection can
 * still be addressed to the sender.
 */
export class ProfileViolation extends Error {
  constructor(
    readonly issues: readonly ProfileIssue[],
    readonly header: Readonly<Record<string, unknown>> = {},
  ) {
    const [first] = issues;
    super(first ? `${first.path}: ${first.detail}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}` : 'profile violation');
    this.name = 'ProfileViolation';
  }
}
