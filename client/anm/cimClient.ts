import { XMLParser } from 'fast-xml-parser';
import { PROBLEM_TYPE_PREFIX, type ProblemDetailItem } from '../../schemas/problems.ts';
import type { FlexgateClient, SignedResponse } from '../flexgateClient.ts';
import { GatewayRefusal, refusalOf, ResponseInvalid } from '../refusal.ts';

const CIM_DOCUMENTS = '/cim/v1/documents';
const XML = 'application/xml';

/** One reason of an Acknowledgement_MarketDocument: A01 accepted, A02 rejected, then one per problem found. */
export interface AcknowledgementReason {
  code: string;
  text?: string;
}

/** What an Acknowledgement_MarketDocument says about the document it answers. */
export interface Acknowledgement {
  mRID: string;
  createdDateTime: string;
  /** The document acknowledged (its mRID and revision), when it could be read. */
  received?: { mRID: string; revisionNumber?: number };
  reasons: AcknowledgementReason[];
  accepted: boolean;
  /** The acknowledgement as received. */
  xml: string;
}

export interface AcknowledgedDocument {
  acknowledgement: Acknowledgement;
  /** Where the gateway keeps the document (`Location`). */
  location: string;
  replayed: boolean;
  response: SignedResponse;
}

/**
 * The gateway answered a CIM document with a rejection (A02). `code` is the
 * problem code the rejection names; `problem` is built from the
 * acknowledgement (each further reason one `errors[]` item, with the problem
 * type it names) and `acknowledgement` is the document itself.
 */
export class CimDocumentRejected extends GatewayRefusal {
  constructor(
    status: number,
    readonly acknowledgement: Acknowledgement,
    context: string,
  ) {
    const [outcome, ...details] = acknowledgement.reasons;
    const code = /^Rejected \(([a-z0-9.-]+)\)/.exec(outcome?.text ?? '')?.[1];
    const errors: ProblemDetailItem[] = details.map((reason) => ({
      type: /\[(urn:flexgate:problem:[a-z0-9.-]+)\]$/.exec(reason.text ?? '')?.[1] ?? 'about:blank',
      detail: reason.text ?? reason.code,
    }));
    super(
      status,
      { type: code ? `${PROBLEM_TYPE_PREFIX}${code}` : 'about:blank', status, detail: outcome?.text ?? 'Rejected', ...(errors.length > 0 ? { errors } : {}) },
      context,
    );
  }
}

const parser = new XMLParser({
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => name === 'Reason',
});

type Xml = Record<string, unknown>;

/** Reads an acknowledgement; a DOCTYPE (entities) is refused before parsing, as flexgate refuses it inbound. */
export function readAcknowledgement(xml: string): Acknowledgement {
  if (/<!DOCTYPE/i.test(xml)) throw new ResponseInvalid('The acknowledgement carries a DOCTYPE; refused unread');
  const root = (parser.parse(xml) as Xml).Acknowledgement_MarketDocument as Xml | undefined;
  if (!root) throw new ResponseInvalid('The answer is not an Acknowledgement_MarketDocument');
  const reasons = ((root.Reason ?? []) as Xml[]).map((r) => ({ code: String(r.code), ...(r.text === undefined ? {} : { text: String(r.text) }) }));
  const receivedMrid = root['received_MarketDocument.mRID'];
  const revision = root['received_MarketDocument.revisionNumber'];
  return {
    mRID: String(root.mRID),
    createdDateTime: String(root.createdDateTime),
    ...(receivedMrid === undefined
      ? {}
      : { received: { mRID: String(receivedMrid), ...(revision === undefined ? {} : { revisionNumber: Number(revision) }) } }),
    reasons,
    accepted: reasons[0]?.code === 'A01',
    xml,
  };
}

const isXml = (response: SignedResponse) => /^(application|text)\/xml/.test(String(response.headers['content-type'] ?? ''));

/**
 * The CIM API as typed calls over a signing `FlexgateClient`: IEC 62325-451
 * documents in, answered with an Acknowledgement_MarketDocument (A01 returned,
 * A02 thrown as `CimDocumentRejected`), and every stored document out as the
 * CIM document of its profile.
 */
export class CimClient {
  constructor(readonly client: FlexgateClient) {}

  async post(document: string | Uint8Array): Promise<AcknowledgedDocument> {
    const context = `POST ${CIM_DOCUMENTS}`;
    const response = await this.client.request('POST', CIM_DOCUMENTS, { body: document, contentType: XML });
    if (!isXml(response)) throw refusalOf(response.status, response.body, context);
    const acknowledgement = readAcknowledgement(response.text());
    if (!acknowledgement.accepted || response.status >= 300) throw new CimDocumentRejected(response.status, acknowledgement, context);
    return { acknowledgement, location: String(response.headers.location ?? ''), replayed: response.headers['idempotency-replayed'] === 'true', response };
  }

  /** A stored document as CIM XML (its current revision, or the one asked for). */
  async document(id: string, revision?: number): Promise<string> {
    const path = `${CIM_DOCUMENTS}/${encodeURIComponent(id)}${revision === undefined ? '' : `?revision=${revision}`}`;
    const response = await this.client.request('GET', path, { headers: { accept: XML } });
    if (response.status !== 200) throw refusalOf(response.status, response.body, `GET ${path}`);
    return response.text();
  }

  /** One page of stored documents (newest first), optionally of one profile (`kind`). */
  async documents(query: { kind?: string; limit?: number; cursor?: string } = {}): Promise<{ items: Array<Record<string, unknown>>; next: string | null }> {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const path = `${CIM_DOCUMENTS}${search.size > 0 ? `?${search.toString()}` : ''}`;
    const response = await this.client.request('GET', path);
    if (response.status !== 200) throw refusalOf(response.status, response.body, `GET ${path}`);
    const page = response.json<{ items?: unknown; next?: unknown }>();
    if (!Array.isArray(page.items) || !(typeof page.next === 'string' || page.next === null)) throw new ResponseInvalid(`GET ${path}: not a document page`);
    return page as { items: Array<Record<string, unknown>>; next: string | null };
  }
}
