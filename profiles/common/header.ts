import { fixed, headerField } from '../machinery/bindings.ts';
import { createdDateTimeCodec, integerCodec, textCodec } from '../machinery/codecs.ts';
import { codingScheme, leaf, type ElementDecl, type LeafDecl } from '../machinery/declaration.ts';
import type { SimpleType } from '../machinery/simpleType.ts';
import { CreatedDateTime, MarketRole, PartyCodingScheme, PartyIdentifier, RevisionNumber } from './types.ts';

export const revisionCodec = integerCodec(1, 999, 'revision 1..999');

export function documentId(type: SimpleType): LeafDecl {
  return leaf('mRID', type, headerField('mRID', textCodec), { meaning: 'Identity of the document; a new revision keeps it' });
}

export const revisionNumber = leaf('revisionNumber', RevisionNumber, headerField('revisionNumber', revisionCodec), {
  meaning: 'Revision of the document: 1 first, then one more for each replacement (a traded merit order list is the next revision)',
});

export const createdDateTime = leaf('createdDateTime', CreatedDateTime, headerField('createdDateTime', createdDateTimeCodec), {
  meaning: 'When the document (this revision of it) was created',
});

/** A party as `<side>_MarketParticipant.mRID` plus its role, the layout of most ESMP documents. */
export function participant(side: 'sender' | 'receiver', element: 'flat' | 'nested'): ElementDecl[] {
  const who = side === 'sender' ? 'Sender' : 'Receiver';
  const id = leaf(element === 'flat' ? `${side}_MarketParticipant.mRID` : 'mRID', PartyIdentifier, headerField(`${side}.mRID`, textCodec), {
    meaning: `${who} of the document`,
    attribute: codingScheme(PartyCodingScheme, headerField(`${side}.codingScheme`, textCodec)),
  });
  const role = leaf(element === 'flat' ? `${side}_MarketParticipant.marketRole.type` : 'marketRole.type', MarketRole, headerField(`${side}.role`, textCodec), {
    meaning: `Market role of the ${side}`,
  });
  return [id, role];
}

/** The header of the ESMP market documents that name parties flat (CNE, MOL, activation). */
export function flatHeader(options: { id: SimpleType; messageType: SimpleType; processType: SimpleType }): ElementDecl[] {
  return [
    documentId(options.id),
    revisionNumber,
    leaf('type', options.messageType, fixed(options.messageType), { meaning: 'Document type' }),
    leaf('process.processType', options.processType, fixed(options.processType), { meaning: 'Process the document belongs to' }),
    ...participant('sender', 'flat'),
    ...participant('receiver', 'flat'),
    createdDateTime,
  ];
}
