import { randomUUID } from 'node:crypto';
import { acknowledgementProfile } from '../../profiles/acknowledgement.ts';
import type { CimProfile } from '../../profiles/catalogue.ts';
import { buildDocument } from '../../profiles/machinery/builder.ts';
import { codePointLength } from '../../profiles/machinery/simpleType.ts';
import { ACKNOWLEDGED_MESSAGE_TYPES, ACKNOWLEDGED_PROCESS_TYPES, REASON_TEXT_MAX } from '../../profiles/models/acknowledgement.ts';
import type { Acknowledgement, AcknowledgementReasonCode } from '../../profiles/models/acknowledgement.ts';
import type { MarketParticipant } from '../../profiles/models/documentHeader.ts';
import { problemType, type ProblemCode } from '../../schemas/problems.ts';
import type { Problem, ProblemItem } from '../../protocol/problem.ts';
import type { HeaderPeek } from './inbound.ts';

/** The ESMP reason closest to each flexgate problem; anything unlisted is 999, "errors not specifically identified". */
const REASON_OF_PROBLEM: Partial<Record<ProblemCode, AcknowledgementReasonCode>> = {
  'cim.schema-invalid': 'A94',
  'cim.rule-violation': 'A59',
  'cim.not-representable': 'A59',
  'cim.revision-conflict': 'A51',
  'idempotency.key-reused': 'A51',
  'schema.violation': 'A59',
  'anm.order-duplicate': 'A49',
  'anm.order-gap': 'A49',
  'anm.contract-duplicate': 'A55',
  'anm.constraint-duplicate': 'A55',
  'anm.resource-duplicate': 'A55',
  'anm.activity-mismatch': 'A59',
  'anm.negative-capacity': 'A42',
  'anm.constraint-size-invalid': 'A42',
  'anm.period-invalid': 'A04',
  'time.invalid': 'A04',
};

/** Most reasons an acknowledgement lists; the first is the outcome. */
const MAX_DETAILS = 99;

function fixedCode(profile: CimProfile, element: string): string | undefined {
  for (const decl of profile.children) {
    if (decl.kind === 'leaf' && decl.name === element && decl.type.codes?.length === 1) return decl.type.codes[0]!.code;
  }
  return undefined;
}

const isAcknowledgedType = (code: string | undefined): code is (typeof ACKNOWLEDGED_MESSAGE_TYPES)[number] =>
  (ACKNOWLEDGED_MESSAGE_TYPES as readonly (string | undefined)[]).includes(code);
const isAcknowledgedProcess = (code: string | undefined): code is (typeof ACKNOWLEDGED_PROCESS_TYPES)[number] =>
  (ACKNOWLEDGED_PROCESS_TYPES as readonly (string | undefined)[]).includes(code);

/** The `received_MarketDocument` block: what the acknowledgement answers. */
function receivedOf(profile: CimProfile, peek: HeaderPeek): Acknowledgement['received'] {
  if (peek.mRID === undefined) return undefined;
  const type = fixedCode(profile, 'type');
  const processType = fixedCode(profile, 'process.processType');
  return {
    mRID: peek.mRID,
    ...(peek.revisionNumber !== undefined ? { revisionNumber: peek.revisionNumber } : {}),
    ...(isAcknowledgedType(type) ? { type } : {}),
    ...(isAcknowledgedProcess(processType) ? { processType } : {}),
    ...(peek.createdDateTime !== undefined ? { createdDateTime: peek.createdDateTime } : {}),
  };
}

/** Reason text: one line, at most 512 characters. */
function reasonText(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (codePointLength(line) <= REASON_TEXT_MAX) return line;
  return `${[...line].slice(0, REASON_TEXT_MAX - 1).join('')}…`;
}

function detailReason(item: ProblemItem): Acknowledgement['reasons'][number] {
  const where = [item.pointer, item.row !== undefined ? `line ${item.row}` : undefined].filter(Boolean).join(', ');
  return { code: REASON_OF_PROBLEM[item.code] ?? '999', text: reasonText(`${where ? `${where}: ` : ''}${item.detail} [${problemType(item.code)}]`) };
}

const createdNow = (now: Date) => `${now.toISOString().slice(0, 19)}Z`;

function acknowledgementXml(model: Acknowledgement, sender: MarketParticipant, receiver: MarketParticipant, now: Date): string {
  return buildDocument(acknowledgementProfile, model, {
    mRID: randomUUID().replaceAll('-', ''),
    createdDateTime: createdNow(now),
    sender,
    receiver,
  });
}

export interface Addressing {
  /** flexgate's party: the receiver the document named, or the configured DSO party. */
  readonly sender: MarketParticipant;
  /** The party that sent the document. */
  readonly receiver: MarketParticipant;
}

/** A01: the document was accepted and stored. */
export function acceptance(profile: CimProfile, peek: HeaderPeek, addressing: Addressing, outcome: string, now = new Date()): string {
  const received = receivedOf(profile, peek);
  return acknowledgementXml(
    { ...(received ? { received } : {}), reasons: [{ code: 'A01', text: reasonText(outcome) }] },
    addressing.sender,
    addressing.receiver,
    now,
  );
}

/** A02 and one reason per problem, each naming the failing element. */
export function rejection(profile: CimProfile, peek: HeaderPeek, addressing: Addressing, problem: Problem, now = new Date()): string {
  const received = receivedOf(profile, peek);
  const count = problem.items.length;
  const details = problem.items.slice(0, MAX_DETAILS).map(detailReason);
  const listed =
    count > MAX_DETAILS ? `the first ${MAX_DETAILS} of ${count} problems follow` : `${count} problem${count === 1 ? '' : 's'} follow${count === 1 ? 's' : ''}`;
  return acknowledgementXml(
    { ...(received ? { received } : {}), reasons: [{ code: 'A02', text: reasonText(`Rejected (${problem.code}): ${listed}`) }, ...details] },
    addressing.sender,
    addressing.receiver,
    now,
  );
}
