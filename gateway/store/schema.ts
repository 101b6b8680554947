import type { DeliveryTables } from '../delivery/tables.ts';
import type { OpenadrIndexTables } from '../openadr/indexTables.ts';
import type { PortabilityTables } from '../portability/tables.ts';
import type { RegistryTables } from '../registry/tables.ts';
import type { SettlementTables } from '../settlement/tables.ts';
import type { ColumnType, Generated } from 'kysely';

/** Row shapes of every table, shared by the SQLite and PostgreSQL stores. Instants are ISO 8601 UTC text with milliseconds, so they sort as text. */
export interface Database extends DeliveryTables, OpenadrIndexTables, RegistryTables, SettlementTables, PortabilityTables {
  journal: JournalTable;
  anm_documents: AnmDocumentTable;
  anm_document_revisions: AnmDocumentRevisionTable;
  idempotency_records: IdempotencyTable;
  message_sequences: MessageSequenceTable;
  envelope_messages: EnvelopeMessageTable;
  openadr_objects: OpenadrObjectTable;
  openadr_clients: OpenadrClientTable;
  openadr_tokens: OpenadrTokenTable;
}

export interface JournalTable {
  seq: Generated<number>;
  id: string;
  received_at: string;
  method: string;
  path: string;
  content_type: string;
  body: Buffer;
  sha256: string;
  user_agent: string | null;
  /** JSON array of `{ kind, id, revision }` for what this message produced. */
  derived: string;
  /** Party URN of the sender, from its client certificate. */
  sender: string | null;
  /** Detached compact JWS the message was signed with. */
  jws: string | null;
  /** Sender's certificate chain as presented, PEM, leaf first. */
  certificate_chain: string | null;
  /** JSON of the verification outcome recorded at receipt. */
  verification: string | null;
}

export interface AnmDocumentTable {
  seq: Generated<number>;
  id: string;
  kind: string;
  accepted_at: string;
  current_revision: ColumnType<number, number, number>;
}

export interface AnmDocumentRevisionTable {
  document_id: string;
  revision: number;
  created_at: string;
  journal_id: string;
  /** Canonical JSON of the document at this revision. */
  body: string;
}

export interface IdempotencyTable {
  scope: string;
  idem_key: string;
  request_sha256: string;
  created_at: string;
  status: number;
  /** JSON object of the response headers to replay. */
  headers: string;
  body: string;
}

/** Inbound: the replay window per issuer and audience (`last_sequence` its highest); outbound: the gateway's counter per audience. */
export interface MessageSequenceTable {
  issuer: string;
  audience: string;
  last_sequence: number;
  /** Hexadecimal bitmap of the window below `last_sequence` (gateway/trust/replayWindow.ts); unused by outbound counters. */
  seen_window: ColumnType<string, string | undefined, string>;
  updated_at: string;
}

export interface EnvelopeMessageTable {
  issuer: string;
  message_id: string;
  /** SHA-256 of the signed request (method, path with query, body digest) the id was used for. */
  request_sha256: string;
  received_at: string;
}

/** Every OpenADR object the VTN serves (programs, events, reports, subscriptions, VENs, resources), one row each. */
export interface OpenadrObjectTable {
  seq: Generated<number>;
  id: string;
  object_type: string;
  /** Owning client (party URN) of VEN-side objects; null for programs and events. */
  client_id: string | null;
  ven_id: string | null;
  program_id: string | null;
  event_id: string | null;
  /** programName, venName or resourceName: unique per type where the specification says so. */
  name: string | null;
  /** JSON array of the object's targets (business-logic assigned). */
  targets: string;
  /** Canonical JSON of the object as served. */
  body: string;
  created_at: string;
  modified_at: string;
  /** Where a gateway-made event came from (`<merit order list id>/<contract id>`); unique. */
  source_key: string | null;
  /** ENA dispatch lifecycle state of an event; `CANCELLED` events are tombstones the API no longer serves. */
  lifecycle: string | null;
  /** Revision counter for optimistic concurrency. */
  version: number;
}

/** OAuth2 client credentials: one per party, the secret kept only as a salted scrypt hash. */
export interface OpenadrClientTable {
  client_id: string;
  secret_hash: string;
  created_at: string;
}

/** Issued access tokens, kept as SHA-256 of the token and bound to a certificate thumbprint (RFC 8705). */
export interface OpenadrTokenTable {
  token_sha256: string;
  client_id: string;
  role: string;
  scopes: string;
  certificate_thumbprint: string;
  issued_at: string;
  expires_at: string;
  user_agent: string | null;
}
