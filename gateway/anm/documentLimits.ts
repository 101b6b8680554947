import { DEFAULT_BUDGETS, type Budgets } from '../budgets.ts';

/** The budgets that bound one document: what it may contain and what rendering it may cost. */
export type DocumentLimits = Pick<
  Budgets,
  'maxTextLength' | 'maxTableRows' | 'maxDocumentEntries' | 'maxConstraintHours' | 'maxPointsPerDocument' | 'maxXmlElements' | 'maxXmlAttributes'
>;

export const DEFAULT_DOCUMENT_LIMITS: Readonly<DocumentLimits> = DEFAULT_BUDGETS;
