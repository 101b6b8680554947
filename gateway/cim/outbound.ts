import { profileById, type CimProfile } from '../../profiles/catalogue.ts';
import { buildDocumentOf } from '../../profiles/machinery/builder.ts';
import { ProfileViolation } from '../../profiles/machinery/violation.ts';
import type { MarketParticipant } from '../../profiles/models/documentHeader.ts';
import { Problem } from '../../protocol/problem.ts';
import { mridOfDocument } from './documentIdentity.ts';
import { pointsOfLookAhead } from '../anm/constraintLookAhead.ts';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from '../anm/documentLimits.ts';
import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { Asset } from '../../schemas/registry/registry.ts';
import { withRegisteredAssets } from './registeredAssets.ts';
import type { StoredRevision } from './storedDocuments.ts';

/** The parties flexgate's outbound documents name: the DSO it acts for, and the FSP side. */
export interface CimParties {
  readonly dso: MarketParticipant;
  readonly fsp: MarketParticipant;
}

/** Placeholders until a deployment configures its own party codes. */
export const DEFAULT_CIM_PARTIES: CimParties = {
  dso: { mRID: 'FLEXGATE-DSO', codingScheme: 'NGB', role: 'A50' },
  fsp: { mRID: 'FLEXGATE-FSP', codingScheme: 'NGB', role: 'A56' },
};

// Verification data comes from the FSP; every other document from the DSO side.
const SENT_BY_FSP: ReadonlySet<CimProfile['id']> = new Set(['delivery-verification']);

/** `createdDateTime` of a stored revision: its creation instant to the second. */
export function createdDateTimeOf(instant: string): string {
  return `${instant.slice(0, 19)}Z`;
}

/**
 * The CIM document of a stored revision: the model stored, each resource
 * with the registered asset behind it among `assets` (the registry now),
 * under a header naming the document (its id as mRID, its revision as
 * revisionNumber, the revision's creation time) and the configured parties.
 */
export function cimDocumentOf(
  stored: StoredRevision,
  parties: CimParties,
  limits: Pick<DocumentLimits, 'maxPointsPerDocument'> = DEFAULT_DOCUMENT_LIMITS,
  assets: readonly Asset[] = [],
): { profile: CimProfile; xml: string } {
  const profile = profileById(stored.kind);
  if (!profile) throw new Problem('request.not-found', `Document ${stored.id} is a ${stored.kind}, which no CIM profile carries`);
  const [sender, receiver] = SENT_BY_FSP.has(profile.id) ? [parties.fsp, parties.dso] : [parties.dso, parties.fsp];
  const header = {
    mRID: mridOfDocument(stored.id),
    ...(profile.id === 'acknowledgement' ? {} : { revisionNumber: stored.revision }),
    createdDateTime: createdDateTimeOf(stored.createdAt),
    sender,
    receiver,
  };
  const byResource = new Map(assets.map((asset) => [asset.resourceId.toLowerCase(), asset]));
  const model = withRegisteredAssets(profile.id, JSON.parse(stored.body), (resourceId) => byResource.get(resourceId.toLowerCase()));
  // A look-ahead stored before its points were budgeted at intake must not exhaust the heap when served.
  if (profile.id === 'constraint-look-ahead' && isLookAhead(model)) {
    const points = pointsOfLookAhead(model);
    if (points > limits.maxPointsPerDocument) {
      throw new Problem('cim.too-many-points', `Look-ahead ${stored.id} would make ${points} CIM points; at most ${limits.maxPointsPerDocument} are served`);
    }
  }
  try {
    return { profile, xml: buildDocumentOf(profile, model, header) };
  } catch (error) {
    if (!(error instanceof ProfileViolation)) throw error;
    throw Problem.of(error.issues.map((issue) => ({ code: issue.code, detail: issue.detail, pointer: issue.path })));
  }
}

const isLookAhead = (model: unknown): model is ConstraintLookAhead =>
  typeof model === 'object' && model !== null && Array.isArray((model as { constraints?: unknown }).constraints);
