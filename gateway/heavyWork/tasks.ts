import { profileById, type CimProfile } from '../../profiles/catalogue.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import type { ProblemItem } from '../../protocol/problem.ts';
import { decodeAnmDocument, type AnmDocumentKind, type AnmMediaType } from '../anm/decode.ts';
import type { DocumentLimits } from '../anm/documentLimits.ts';
import { summaryOf, type DocumentSummary } from '../anm/documentSummaries.ts';
import { readCimDocument, type HeaderPeek, type InboundDocument } from '../cim/inbound.ts';
import { cimDocumentOf, type CimParties } from '../cim/outbound.ts';
import { separateRegisteredAssets, type StatedAsset } from '../cim/registeredAssets.ts';
import type { Asset } from '../../schemas/registry/registry.ts';
import type { StoredRevision } from '../cim/storedDocuments.ts';
import type { XmlLimits } from '../cim/xmlSafety.ts';
import { renderLookAheadTable } from '../../protocol/anmTabular/lookAheadTable.ts';
import { renderMeritOrderTable } from '../../protocol/anmTabular/meritOrderTable.ts';

/** A document ready to store: its canonical JSON and list summary, made where it was decoded. */
export interface DecodedDocument {
  readonly body: string;
  readonly summary: DocumentSummary | undefined;
}

/** What reading a CIM document gave, in a form that crosses a process boundary; the registered assets it states are apart from its body. */
export type CimReading =
  | ({
      readonly accepted: true;
      readonly kind: CimProfile['id'];
      readonly header: InboundDocument['header'];
      readonly statedAssets: StatedAsset[];
    } & DecodedDocument)
  | { readonly accepted: false; readonly profileId: CimProfile['id']; readonly problem: ProblemItem[]; readonly peek: HeaderPeek };

const decoded = (kind: string, document: unknown): DecodedDocument => ({ body: canonicalJson(document), summary: summaryOf(kind, document) });

/**
 * Every task heavy enough to leave the event loop, as plain functions of
 * plain data (they run in a child process or inline; see `HeavyWork`).
 */
export const heavyTasks = {
  decodeAnm(input: { kind: AnmDocumentKind; body: Uint8Array; mediaType: AnmMediaType; limits: DocumentLimits }): DecodedDocument {
    return decoded(input.kind, decodeAnmDocument(input.kind, input.body, input.mediaType, input.limits));
  },
  readCim(input: { body: Uint8Array; xmlLimits: XmlLimits; limits: DocumentLimits }): CimReading {
    const reading = readCimDocument(input.body, input.xmlLimits, input.limits);
    if (!reading.accepted) return { accepted: false, profileId: reading.profile.id, problem: [...reading.problem.items], peek: reading.peek };
    const { kind, header } = reading.document;
    const { model, stated } = separateRegisteredAssets(kind, reading.document.model);
    return { accepted: true, kind, header, statedAssets: stated, ...decoded(kind, model) };
  },
  renderCim(input: { stored: StoredRevision; parties: CimParties; limits: DocumentLimits; assets: readonly Asset[] }): string {
    return cimDocumentOf(input.stored, input.parties, input.limits, input.assets).xml;
  },
  renderAnmTable(input: { kind: AnmDocumentKind; body: string }): string {
    const document: unknown = JSON.parse(input.body);
    return input.kind === 'merit-order-list' ? renderMeritOrderTable(document as never) : renderLookAheadTable(document as never);
  },
};

export type HeavyTaskName = keyof typeof heavyTasks;
export type HeavyTaskInput<K extends HeavyTaskName> = Parameters<(typeof heavyTasks)[K]>[0];
export type HeavyTaskOutput<K extends HeavyTaskName> = ReturnType<(typeof heavyTasks)[K]>;

/** The profile a reading names (always one flexgate has). */
export function profileOfReading(id: CimProfile['id']): CimProfile {
  return profileById(id)!;
}
