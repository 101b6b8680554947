import type { ConstraintLookAhead, ConstraintLookAheadInput } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList, MeritOrderListInput } from '../../schemas/anm/meritOrderList.ts';
import { Problem } from '../../protocol/problem.ts';
import { decodeUtf8, parseJson } from '../../protocol/safeJson.ts';
import { normaliseLookAhead, validateLookAheadInput } from './constraintLookAhead.ts';
import { normaliseMeritOrderList, validateMeritOrderListInput } from './meritOrderList.ts';
import type { Delimiter, TableLimits } from '../../protocol/anmTabular/delimited.ts';
import { readLookAheadTable } from '../../protocol/anmTabular/lookAheadTable.ts';
import { readMeritOrderTable } from '../../protocol/anmTabular/meritOrderTable.ts';
import type { Locator, TabularReading } from '../../protocol/anmTabular/reading.ts';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './documentLimits.ts';

export const ANM_MEDIA_TYPES = ['application/json', 'text/tab-separated-values', 'text/csv'] as const;
export type AnmMediaType = (typeof ANM_MEDIA_TYPES)[number];

export interface AnmDocuments {
  'constraint-look-ahead': ConstraintLookAhead;
  'merit-order-list': MeritOrderList;
}
export type AnmDocumentKind = keyof AnmDocuments;

interface AnmInputs {
  'constraint-look-ahead': ConstraintLookAheadInput;
  'merit-order-list': MeritOrderListInput;
}

interface Codec<I, D> {
  validate: (value: unknown) => I;
  readTable: (text: string, delimiter: Delimiter, limits: TableLimits) => TabularReading<I>;
  normalise: (input: I, locate: Locator, limits: DocumentLimits) => D;
}

const codecs: { [K in AnmDocumentKind]: Codec<AnmInputs[K], AnmDocuments[K]> } = {
  'constraint-look-ahead': { validate: validateLookAheadInput, readTable: readLookAheadTable, normalise: normaliseLookAhead },
  'merit-order-list': { validate: validateMeritOrderListInput, readTable: readMeritOrderTable, normalise: normaliseMeritOrderList },
};

const noLocation: Locator = () => undefined;

/**
 * Bytes as the ANM sent them → the canonical document. JSON and the ANM's
 * tabular exports go through the same schema and the same rules; problems in
 * tables are reported with row and column as well as JSON pointer.
 */
export function decodeAnmDocument<K extends AnmDocumentKind>(
  kind: K,
  body: Uint8Array,
  mediaType: AnmMediaType,
  limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS,
): AnmDocuments[K] {
  return decodeWith(codecs[kind], body, mediaType, limits);
}

function decodeWith<I, D>(codec: Codec<I, D>, body: Uint8Array, mediaType: AnmMediaType, limits: DocumentLimits): D {
  const text = decodeUtf8(body);
  if (mediaType === 'application/json') {
    return codec.normalise(codec.validate(parseJson(text)), noLocation, limits);
  }
  const tableLimits = { maxRows: limits.maxTableRows, maxCellLength: limits.maxTextLength };
  const { input, locate } = codec.readTable(text, mediaType === 'text/csv' ? ',' : '\t', tableLimits);
  let valid: I;
  try {
    valid = codec.validate(input);
  } catch (error) {
    throw error instanceof Problem ? error.locate(locate) : error;
  }
  return codec.normalise(valid, locate, limits);
}
