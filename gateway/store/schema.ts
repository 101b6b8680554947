import type { ColumnType, Generated } from 'kysely';

/** Row shapes of every table, shared by the SQLite and PostgreSQL stores. Instants are ISO 8601 UTC text with milliseconds, so they sort as text. */
export interface Database {
  journal: JournalTable;
  anm_documents: AnmDocumentTable;
  anm_document_revisions: AnmDocumentRevisionTable;
  idempotency_records: IdempotencyTable;
  message_sequences: MessageSequenceTable;
  envelope_messages: EnvelopeMessageTable;
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

export interface MessageSequenceTable {
  issuer: string;
  audience: string;
  last_sequence: number;
  updated_at: string;
}

export interface EnvelopeMessageTable {
  issuer: string;
  message_id: string;
  body_sha256: string;
  received_at: string;
}
