/**
 * Every limit on what one party can make the gateway do, defined once, each
 * with a safe default. `flexgate serve` options and `GatewayOptions.budgets`
 * override them; every budget exceeded is refused with a problem type of its
 * own (schemas/problemCatalogue.ts), never a crash, a stall or a 5xx.
 */
export interface Budgets {
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Deepest JSON nesting. */
  maxJsonDepth: number;
  /** Deepest XML nesting. */
  maxXmlDepth: number;
  /** Most XML elements in one document. */
  maxXmlElements: number;
  /** Most XML attributes in one document. */
  maxXmlAttributes: number;
  /** Longest text: an XML text node or attribute value, a table cell, a JSON string. */
  maxTextLength: number;
  /** Most rows in one tabular (TSV/CSV) document. */
  maxTableRows: number;
  /** Most entries in one merit order list, constraints in one look-ahead, trades in one request. */
  maxDocumentEntries: number;
  /** Longest constraint period a look-ahead may declare. */
  maxConstraintHours: number;
  /** Most time-series points one document may produce (CIM Points, OpenADR intervals). */
  maxPointsPerDocument: number;
  /** Longest parse, validation or rendering of one document, off the event loop. */
  heavyWorkMs: number;
  /** Per party: sustained requests per second, and the burst allowed above it (token bucket). */
  requestsPerSecond: number;
  requestBurst: number;
  /** Open connections in all, and per client certificate. */
  maxConnections: number;
  maxConnectionsPerParty: number;
  /** A connection with no request in progress is closed after this long. */
  idleConnectionMs: number;
  /** A TLS handshake must complete within this time. */
  handshakeMs: number;
}

export const DEFAULT_BUDGETS: Readonly<Budgets> = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxJsonDepth: 32,
  maxXmlDepth: 32,
  maxXmlElements: 2_000_000,
  maxXmlAttributes: 1_000_000,
  maxTextLength: 4096,
  maxTableRows: 100_100,
  maxDocumentEntries: 100_000,
  // A look-ahead covers the coming days; a week bounds what one constraint can make the gateway render.
  maxConstraintHours: 7 * 24,
  maxPointsPerDocument: 1_000_000,
  heavyWorkMs: 10_000,
  requestsPerSecond: 100,
  requestBurst: 200,
  maxConnections: 1024,
  maxConnectionsPerParty: 64,
  idleConnectionMs: 30_000,
  handshakeMs: 10_000,
};

/** The defaults with what a deployment set. */
export function budgetsWith(overrides: Partial<Budgets> = {}): Budgets {
  return { ...DEFAULT_BUDGETS, ...overrides };
}
