import type { Static } from '@sinclair/typebox';
import { PROFILES, profileByRoot, type CimProfile } from '../../profiles/catalogue.ts';
import { profileXsdPath } from '../../profiles/artefacts.ts';
import { locateField } from '../../profiles/machinery/locate.ts';
import { modelCheck } from '../../profiles/machinery/modelCheck.ts';
import { parseDocument } from '../../profiles/machinery/parser.ts';
import { ProfileViolation } from '../../profiles/machinery/violation.ts';
import { MarketParticipant } from '../../profiles/models/documentHeader.ts';
import { normaliseLookAhead, validateLookAheadInput } from '../anm/constraintLookAhead.ts';
import { normaliseMeritOrderList, validateMeritOrderListInput } from '../anm/meritOrderList.ts';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from '../anm/documentLimits.ts';
import { Problem } from '../../protocol/problem.ts';
import { checkUtf8, decodeUtf8 } from '../../protocol/safeJson.ts';
import { leadingPart } from './leadingPart.ts';
import { checkXmlSafety, DEFAULT_XML_LIMITS, type XmlLimits } from './xmlSafety.ts';
import { checkWellFormed, loadSchema, schemaViolations } from './xsdValidation.ts';

/** A document read and checked in full: its profile, header and model. */
export type InboundDocument = {
  [P in CimProfile as P['id']]: { readonly kind: P['id']; readonly profile: P; readonly header: Static<P['header']>; readonly model: Static<P['model']> };
}[CimProfile['id']];

/** What could be read of a refused document's header, to address the rejection. */
export interface HeaderPeek {
  readonly mRID?: string;
  readonly revisionNumber?: number;
  readonly createdDateTime?: string;
  readonly sender?: MarketParticipant;
  readonly receiver?: MarketParticipant;
}

export type InboundReading =
  | { readonly accepted: true; readonly document: InboundDocument }
  | { readonly accepted: false; readonly profile: CimProfile; readonly problem: Problem; readonly peek: HeaderPeek };

const participantCheck = modelCheck(MarketParticipant);

function peekOf(header: Readonly<Record<string, unknown>>): HeaderPeek {
  const party = (value: unknown) => {
    const checked = participantCheck(value);
    return checked.ok ? checked.value : undefined;
  };
  const sender = party(header.sender);
  const receiver = party(header.receiver);
  return {
    ...(typeof header.mRID === 'string' ? { mRID: header.mRID } : {}),
    ...(typeof header.revisionNumber === 'number' ? { revisionNumber: header.revisionNumber } : {}),
    ...(typeof header.createdDateTime === 'string' ? { createdDateTime: header.createdDateTime } : {}),
    ...(sender ? { sender } : {}),
    ...(receiver ? { receiver } : {}),
  };
}

function violationProblem(violation: ProfileViolation): Problem {
  return Problem.of(violation.issues.map((issue) => ({ code: issue.code, detail: issue.detail, pointer: issue.path })));
}

function parseAs(profile: CimProfile, xml: string | Uint8Array): InboundDocument {
  switch (profile.id) {
    case 'constraint-look-ahead':
      return { kind: profile.id, profile, ...parseDocument(profile, xml) };
    case 'merit-order-list':
      return { kind: profile.id, profile, ...parseDocument(profile, xml) };
    case 'dispatch-instruction':
      return { kind: profile.id, profile, ...parseDocument(profile, xml) };
    case 'delivery-verification':
      return { kind: profile.id, profile, ...parseDocument(profile, xml) };
    case 'acknowledgement':
      return { kind: profile.id, profile, ...parseDocument(profile, xml) };
  }
}

/**
 * A look-ahead or merit order list read from CIM meets the same rules as one
 * posted by the ANM, and comes out in the same canonical form; problems are
 * reported at the element that carries the field.
 */
function applyAnmRules(document: InboundDocument, limits: DocumentLimits): InboundDocument {
  const locate = (pointer: string) => ({ pointer: locateField(document.profile, pointer) });
  switch (document.kind) {
    case 'constraint-look-ahead':
      return { ...document, model: normaliseLookAhead(validateLookAheadInput(document.model), locate, limits) };
    case 'merit-order-list': {
      // The registered assets are the registry's facts, not the ANM's: the ANM rules see the list without them.
      const { entries, ...list } = document.model;
      // Entries are copied only when some name an asset (a 100k-entry list is otherwise checked as it was read).
      if (!entries.some((entry) => entry.registeredAsset)) {
        return { ...document, model: normaliseMeritOrderList(validateMeritOrderListInput(document.model), locate, limits) };
      }
      const assets = entries.map((entry) => entry.registeredAsset);
      const bare = { ...list, entries: entries.map(({ registeredAsset: _asset, ...entry }) => entry) };
      const normalised = normaliseMeritOrderList(validateMeritOrderListInput(bare), locate, limits);
      const model = { ...normalised, entries: normalised.entries.map((entry, i) => (assets[i] ? { ...entry, registeredAsset: assets[i] } : entry)) };
      return { ...document, model };
    }
    default:
      return document;
  }
}

/** What the leading part of a document that broke the XSD says of its header (see leadingPart.ts). */
function headerDraft(profile: CimProfile, text: string): Readonly<Record<string, unknown>> {
  try {
    return parseAs(profile, leadingPart(profile, text)).header;
  } catch (error) {
    if (error instanceof ProfileViolation) return error.header;
    throw error;
  }
}

/**
 * Bytes → a checked CIM document, in the order the checks cost: safety
 * (size, DOCTYPE/entities, depth) on the raw bytes, UTF-8, well-formedness,
 * the profile picked by root element and namespace, the profile XSD, the
 * profile's rules and conversion to the model, then the ANM rules. A
 * document that cannot be identified (or is hostile) throws; one that is
 * identified but wrong is returned as rejected, with what could be read of
 * its header so the rejection can be acknowledged.
 */
export function readCimDocument(
  body: Uint8Array,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
  documentLimits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS,
): InboundReading {
  const root = checkXmlSafety(body, limits);
  // The body is read as bytes throughout: a large document is never also held as one string.
  checkUtf8(body);
  const profile = profileByRoot(root.localName);
  // A document that is not well-formed is refused as such whatever else is wrong: checked here when no schema check follows.
  if (!profile || root.namespace !== profile.namespace) checkWellFormed(body);
  if (!profile) {
    throw new Problem('cim.unknown-document', `${root.localName} is not a document flexgate reads; it reads ${PROFILES.map((p) => p.root).join(', ')}`, {
      pointer: `/${root.localName}`,
    });
  }
  if (root.namespace !== profile.namespace) {
    throw new Problem('cim.wrong-namespace', `${profile.root} must be in namespace ${profile.namespace}, not ${root.namespace ?? 'no namespace'}`, {
      pointer: `/${root.localName}`,
    });
  }
  const rejected = (problem: Problem, header: Readonly<Record<string, unknown>>): InboundReading => ({
    accepted: false,
    profile,
    problem,
    peek: peekOf(header),
  });

  const schemaItems = schemaViolations(body, loadSchema(profileXsdPath(profile.fileStem)));
  if (schemaItems.length > 0) return rejected(Problem.of(schemaItems), headerDraft(profile, decodeUtf8(body)));

  let document: InboundDocument;
  try {
    document = parseAs(profile, body);
  } catch (error) {
    if (error instanceof ProfileViolation) return rejected(violationProblem(error), error.header);
    throw error;
  }
  try {
    return { accepted: true, document: applyAnmRules(document, documentLimits) };
  } catch (error) {
    if (error instanceof Problem) return rejected(error, document.header);
    throw error;
  }
}
