import { randomUUID } from 'node:crypto';
import type { DocumentHeader } from '../models/documentHeader.ts';

/** The parties of a document the DSO sends an FSP. */
export const DSO_TO_FSP = {
  sender: { mRID: 'GB-DSO', codingScheme: 'NGB', role: 'A50' },
  receiver: { mRID: 'GB-FSP', codingScheme: 'NGB', role: 'A56' },
} as const satisfies Pick<DocumentHeader, 'sender' | 'receiver'>;

/** The parties of a document the DSO's ANM sends the gateway. */
export const ANM_TO_GATEWAY = {
  sender: { mRID: 'GB-DSO-ANM', codingScheme: 'NGB', role: 'A50' },
  receiver: { mRID: 'FLEXGATE', codingScheme: 'NGB', role: 'A56' },
} as const satisfies Pick<DocumentHeader, 'sender' | 'receiver'>;

/** A header as tests build documents with: a fresh mRID, revision 1, from the DSO to an FSP, unless `overrides` say otherwise. */
export function documentHeader(overrides: Partial<DocumentHeader> = {}): DocumentHeader {
  return { mRID: randomUUID().replaceAll('-', ''), revisionNumber: 1, createdDateTime: '2024-10-17T13:00:00Z', ...DSO_TO_FSP, ...overrides };
}
