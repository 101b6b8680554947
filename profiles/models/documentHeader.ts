import { Type, type Static } from '@sinclair/typebox';
import { codeList, identifierString } from '../../schemas/anm/identifiers.ts';

/** ESMP market roles flexgate's documents name: A50 DSO, A56 flexibility service provider. */
export const MARKET_ROLES = ['A50', 'A56'] as const;
/** Party id coding schemes: A01 EIC, NGB GB national codes. */
export const PARTY_CODING_SCHEMES = ['A01', 'NGB'] as const;

export const MarketParticipant = Type.Object(
  { mRID: identifierString(16), codingScheme: codeList(PARTY_CODING_SCHEMES), role: codeList(MARKET_ROLES) },
  { additionalProperties: false },
);
export type MarketParticipant = Static<typeof MarketParticipant>;

/** `createdDateTime` as ESMP writes it: UTC, whole seconds. */
export const CreatedDateTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' });

/**
 * What a CIM document says about itself rather than its payload: identity,
 * revision, creation time, sender and receiver. Kept apart from the ANM
 * model, which knows nothing of documents.
 */
export const DocumentHeader = Type.Object(
  {
    mRID: identifierString(60),
    revisionNumber: Type.Integer({ minimum: 1, maximum: 999 }),
    createdDateTime: CreatedDateTime,
    sender: MarketParticipant,
    receiver: MarketParticipant,
  },
  { additionalProperties: false },
);
export type DocumentHeader = Static<typeof DocumentHeader>;

/** An acknowledgement has no revision of its own. */
export const AcknowledgementHeader = Type.Omit(DocumentHeader, ['revisionNumber'], { additionalProperties: false });
export type AcknowledgementHeader = Static<typeof AcknowledgementHeader>;
