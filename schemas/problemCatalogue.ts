/** A catalogue entry: the HTTP status it is sent with and a short, fixed title. */
export interface ProblemSpec {
  status: number;
  title: string;
}

/**
 * The one catalogue of problem types (RFC 9457), by area in the order
 * `schemas/problems.md` lists them. The API, the logs and the conformance
 * suite all name failures by these codes; a code, once published, never
 * changes meaning.
 */
export const PROBLEM_AREAS = {
  /** Failures of the request itself, before its content is looked at, and of the service. */
  request: {
    title: 'Request and service',
    problems: {
      'request.body-too-large': { status: 413, title: 'Request body too large' },
      'request.unsupported-media-type': { status: 415, title: 'Unsupported media type' },
      'request.not-acceptable': { status: 406, title: 'No acceptable representation' },
      'request.malformed-json': { status: 400, title: 'Body is not well-formed JSON' },
      'request.nesting-too-deep': { status: 400, title: 'Body nests deeper than allowed' },
      'request.invalid-encoding': { status: 400, title: 'Body is not valid UTF-8' },
      'request.invalid-query': { status: 400, title: 'Invalid query parameter' },
      'request.invalid-path': { status: 400, title: 'Path is not valid percent-encoded UTF-8' },
      'request.malformed-http': { status: 400, title: 'Request is not well-formed HTTP/1.1' },
      'request.headers-too-large': { status: 431, title: 'Request headers larger than the gateway reads' },
      'request.target-too-long': { status: 414, title: 'Request path and query longer than a signature may name' },
      'request.unsupported-content-encoding': { status: 415, title: 'Content-Encoding not accepted; send the body as is (identity)' },
      'request.rate-limited': { status: 429, title: 'Too many requests from this party; retry after the time given' },
      'request.too-many-connections': { status: 429, title: 'Too many open connections from this party' },
      'request.not-found': { status: 404, title: 'No such resource' },
      'request.method-not-allowed': { status: 405, title: 'Method not allowed on this resource' },
      'idempotency.key-reused': { status: 422, title: 'Idempotency-Key reused with a different body' },
      'idempotency.key-invalid': { status: 400, title: 'Idempotency-Key header is not acceptable' },
      'schema.violation': { status: 400, title: 'Document does not match its schema' },
      'internal.error': { status: 500, title: 'Internal error' },
      'service.unavailable': { status: 503, title: 'Service is shutting down or not ready' },
    },
  },
  /** ANM payloads: tabular exports, times, units and merit-order / look-ahead rules. */
  anm: {
    title: 'ANM payloads',
    problems: {
      'tabular.malformed': { status: 400, title: 'Tabular body cannot be read' },
      'tabular.header-missing': { status: 400, title: 'No header row with the expected columns' },
      'tabular.unknown-column': { status: 400, title: 'Column not understood' },
      'tabular.missing-column': { status: 400, title: 'Required column missing' },
      'tabular.duplicate-column': { status: 400, title: 'Column given twice' },
      'tabular.ragged-row': { status: 400, title: 'Row has more cells than the header' },
      'tabular.invalid-value': { status: 400, title: 'Cell value cannot be read' },
      'tabular.period-missing': { status: 400, title: 'No period line before the data rows' },
      'tabular.inconsistent-rows': { status: 422, title: 'Rows disagree on a value they must share' },
      'time.invalid': { status: 400, title: 'Not a recognised time' },
      'time.out-of-range': { status: 422, title: 'Instant outside the years 2000 to 2099' },
      'time.nonexistent-local': { status: 422, title: 'Local UK time does not exist (clocks went forward)' },
      'time.ambiguous-local': { status: 422, title: 'Local UK time is ambiguous (clocks went back); give an offset' },
      'time.mismatch': { status: 422, title: 'Two renderings of the same instant disagree' },
      'units.unknown': { status: 422, title: 'Unit not recognised' },
      'units.not-whole-kw': { status: 422, title: 'Quantity is not a whole number of kW' },
      'anm.order-duplicate': { status: 422, title: 'Merit order position given twice' },
      'anm.order-gap': { status: 422, title: 'Merit order positions are not 1..n without gaps' },
      'anm.contract-duplicate': { status: 422, title: 'Contract id appears twice in the merit order list' },
      'anm.activity-mismatch': { status: 422, title: 'Activity does not match the operation type' },
      'anm.negative-capacity': { status: 422, title: 'MIC or MEC is negative' },
      'anm.period-invalid': { status: 422, title: 'Start is not before end' },
      'anm.constraint-size-invalid': { status: 422, title: 'Constraint size must be greater than zero' },
      'anm.constraint-duplicate': { status: 422, title: 'Constraint given twice for the same period' },
      'anm.resource-duplicate': { status: 422, title: 'Resource listed twice under one constraint' },
      'anm.constraint-too-long': { status: 422, title: 'Constraint lasts longer than the gateway accepts' },
      'anm.too-many-entries': { status: 413, title: 'Document has more entries than the gateway accepts' },
      'tabular.too-many-rows': { status: 413, title: 'Table has more rows than the gateway accepts' },
      'tabular.cell-too-long': { status: 413, title: 'Table cell longer than the gateway accepts' },
    },
  },
  /** XML safety and CIM (IEC 62325-451) documents: refusals before parsing, then validation against a profile. */
  cim: {
    title: 'CIM documents',
    problems: {
      'xml.too-large': { status: 413, title: 'XML document larger than allowed' },
      'xml.doctype-forbidden': { status: 400, title: 'XML with a DOCTYPE or other markup declaration is refused' },
      'xml.entity-forbidden': { status: 400, title: 'XML declaring entities is refused' },
      'xml.external-entity-forbidden': { status: 400, title: 'XML declaring external entities is refused' },
      'xml.too-deep': { status: 400, title: 'XML nests deeper than allowed' },
      'xml.too-many-elements': { status: 413, title: 'XML has more elements than allowed' },
      'xml.too-many-attributes': { status: 413, title: 'XML has more attributes than allowed' },
      'xml.text-too-long': { status: 413, title: 'XML text or attribute value longer than allowed' },
      'xml.encoding-unsupported': { status: 415, title: 'XML must be UTF-8' },
      'xml.malformed': { status: 400, title: 'XML is not well-formed' },
      'cim.unknown-document': { status: 422, title: 'Root element is not a document of a supported CIM profile' },
      'cim.wrong-namespace': { status: 422, title: 'Document root is in the wrong namespace for its profile' },
      'cim.schema-invalid': { status: 400, title: 'Document does not match its profile XSD' },
      'cim.rule-violation': { status: 422, title: 'Document breaks a rule of its CIM profile' },
      'cim.not-representable': { status: 422, title: 'Model has no faithful form in the CIM profile' },
      'cim.too-many-points': { status: 422, title: 'Document would render more CIM points than the gateway accepts' },
      // Documents are parsed, validated and rendered off the event loop, within a time budget.
      'work.too-costly': { status: 422, title: 'Document takes longer to process than the gateway allows' },
      'work.overloaded': { status: 503, title: 'Too many large documents in progress; retry later' },
      'cim.revision-conflict': { status: 409, title: 'Document mRID and revisionNumber conflict with what is stored' },
    },
  },
  /** The ANM adapter: trading opportunities, matched trades, re-ordered merit order lists, trade verification. */
  adapter: {
    title: 'ANM adapter',
    problems: {
      'adapter.unknown-contract': { status: 422, title: 'Contract is not in the merit order list' },
      'adapter.wrong-activity': { status: 422, title: 'Contract cannot take this side of a trade' },
      'adapter.same-resource': { status: 422, title: 'Buyer and seller are the same resource' },
      'adapter.not-tradeable': { status: 422, title: 'Contract may not trade (not registered, or a flexible-service contract)' },
      'adapter.wrong-constraint': { status: 422, title: 'Buyer and seller are not behind one constraint for the trade period' },
      'adapter.constraint-ambiguous': { status: 422, title: 'More than one constraint fits the trade; name its constraintId' },
      'adapter.direction-unknown': { status: 422, title: 'Constraint direction is neither given nor implied by its buyers' },
      'adapter.service-unsuitable': { status: 422, title: "Seller's service does not relieve a constraint in this direction" },
      'adapter.service-ambiguous': { status: 422, title: 'Seller can offer more than one suitable service; name the service' },
      'adapter.over-capacity': { status: 422, title: "Trade exceeds the contract's tradeable capacity" },
      'adapter.overlapping-exposure': { status: 422, title: "Overlapping trades together exceed the contract's tradeable capacity" },
      'adapter.period-mismatch': { status: 422, title: "Trade period differs from the merit order list's trading period" },
      'adapter.list-already-traded': { status: 422, title: 'Merit order list arrived already traded; trade against an original list' },
      'adapter.look-ahead-mismatch': { status: 409, title: 'Merit order list is already traded against another look-ahead' },
      'adapter.concurrent-update': { status: 409, title: 'Merit order list changed while the request was processed; retry' },
    },
  },
  /** Transport identity, authorisation and the signed message envelope (schemas/envelope.ts). */
  trust: {
    title: 'Identity, authorisation and signatures',
    problems: {
      'auth.client-certificate-required': { status: 401, title: 'Mutual TLS client certificate required' },
      'auth.certificate-revoked': { status: 401, title: 'Client certificate is revoked' },
      'auth.unknown-party': { status: 403, title: 'Client certificate names no flexgate party' },
      'auth.role-forbidden': { status: 403, title: "The caller's role may not use this route" },
      'envelope.signature-missing': { status: 401, title: 'Request is not signed' },
      'envelope.malformed': { status: 400, title: 'Signature header is not a well-formed envelope' },
      'envelope.algorithm-not-allowed': { status: 401, title: 'Signature algorithm not allowed for this API version' },
      'envelope.unknown-critical': { status: 400, title: 'Signature marks as critical a member flexgate does not understand' },
      'envelope.unknown-key': { status: 401, title: 'Signing key is not known' },
      'envelope.key-mismatch': { status: 401, title: 'Signing certificate is not the TLS client certificate' },
      'envelope.certificate-revoked': { status: 401, title: 'Signing certificate is revoked' },
      'envelope.certificate-expired': { status: 401, title: 'Signing certificate is expired or not yet valid' },
      'envelope.bad-signature': { status: 401, title: 'Signature does not verify' },
      'envelope.issuer-mismatch': { status: 403, title: 'Signature issuer is not the party of the client certificate' },
      'envelope.wrong-audience': { status: 403, title: 'Signature is addressed to another party' },
      'envelope.request-mismatch': { status: 400, title: 'Signature was made for another method, path or API version' },
      'envelope.stale': { status: 401, title: 'Signature issue time is too far in the past' },
      'envelope.from-future': { status: 401, title: 'Signature issue time is in the future' },
      'envelope.replayed': { status: 409, title: 'Message id was already used' },
      'envelope.message-id-reused': { status: 409, title: 'Message id was already used for different content' },
      'envelope.sequence-replayed': { status: 409, title: 'Sequence number was already accepted' },
      'envelope.sequence-too-old': { status: 409, title: 'Sequence number is below the replay window' },
    },
  },
  /**
   * Push delivery of notifications (gateway/delivery/). The admin API answers
   * with the first two; the others name why a delivery attempt failed, in the
   * outbox, its attempt history and the logs, with the status a gateway would
   * report for such a failure upstream.
   */
  delivery: {
    title: 'Delivery to subscribers',
    problems: {
      'delivery.not-found': { status: 404, title: 'No such delivery' },
      'delivery.in-flight': { status: 409, title: 'Delivery is being attempted now; redeliver once the attempt ends' },
      'delivery.rejected': { status: 502, title: 'Subscriber refused the notification (final 4xx, or a redirect, which is not followed)' },
      'delivery.unavailable': { status: 503, title: 'Subscriber answered 5xx, 408 or 429; retried' },
      'delivery.timeout': { status: 504, title: 'Subscriber or broker did not acknowledge within the attempt timeout' },
      'delivery.unreachable': { status: 502, title: 'Could not connect to the subscriber or the broker' },
      'delivery.callback-url-invalid': { status: 400, title: 'Callback URL cannot receive notifications (absolute http or https URL, no credentials)' },
      'delivery.egress-refused': {
        status: 400,
        title: 'Callback URL reaches an address the gateway does not call (loopback, link-local, private or reserved) and no egress allow-list admits it',
      },
      'delivery.failed': { status: 500, title: 'Notification could not be prepared or handed to its transport' },
      'delivery.abandoned': { status: 500, title: 'The last allowed attempt never finished (its dispatcher stopped)' },
    },
  },
  /**
   * The OpenADR 3.1.0 VTN (gateway/openadr/). Statuses are ones the OpenADR
   * specification lists for the operations that send them, so a VEN written
   * against it can read every refusal as its `problem` schema.
   */
  openadr: {
    title: 'OpenADR VTN',
    problems: {
      'openadr.invalid-request': { status: 400, title: 'OpenADR request does not match the specification' },
      'openadr.token-invalid-request': { status: 400, title: 'Token request is malformed (RFC 6749 invalid_request)' },
      'openadr.token-unsupported-grant': { status: 400, title: 'Only the client_credentials grant is supported' },
      'openadr.token-invalid-scope': { status: 400, title: 'Requested scope is not granted to this client' },
      'openadr.token-invalid-client': { status: 401, title: 'Client credentials are wrong or not for this certificate' },
      'openadr.token-missing': { status: 401, title: 'Bearer token required' },
      'openadr.token-invalid': { status: 401, title: 'Bearer token is unknown or expired' },
      'openadr.token-certificate-mismatch': { status: 401, title: 'Bearer token is bound to another client certificate' },
      'openadr.signature-required': { status: 401, title: "This VEN's policy requires signed requests" },
      'openadr.legacy-not-expressible': { status: 400, title: 'OpenADR 3.0.1 cannot express this; use OpenADR 3.1.0' },
      'openadr.scope-missing': { status: 403, title: 'Token lacks the scope this operation needs' },
      'openadr.business-logic-only': { status: 403, title: 'Only the business logic (DSO) may set this' },
      'openadr.not-found': { status: 404, title: 'No such OpenADR object visible to the caller' },
      'openadr.name-taken': { status: 409, title: 'Name is already used by another object of this type' },
      'openadr.unknown-reference': { status: 409, title: 'Referenced program, VEN or event does not exist' },
      'openadr.lifecycle-unknown-event': { status: 409, title: 'Report names an event the VEN was not sent' },
      'openadr.lifecycle-cease-before-instruction': { status: 409, title: 'Cannot cease a dispatch that was never instructed' },
      'openadr.lifecycle-instruction-after-cease': { status: 409, title: 'Cannot instruct a dispatch that has ceased' },
      'openadr.lifecycle-variation-after-cancellation': { status: 409, title: 'Cannot vary a cancelled dispatch' },
      'openadr.lifecycle-variation-after-end': { status: 409, title: 'Cannot vary a dispatch that has ceased or completed' },
      'openadr.lifecycle-already-cancelled': { status: 404, title: 'Dispatch was already cancelled' },
      'openadr.lifecycle-cancel-after-delivery': { status: 400, title: 'Cannot cancel a dispatch that has ceased or completed' },
      'openadr.lifecycle-report-after-cancellation': { status: 409, title: 'Cannot report on a cancelled dispatch' },
      'openadr.lifecycle-out-of-order': { status: 409, title: 'Dispatch lifecycle stage does not follow from the current one' },
      'openadr.lifecycle-declaration-invalid': { status: 400, title: 'Declaration of availability lacks a required field' },
    },
  },
  /** Operating the gateway: health, readiness and metrics (`/healthz`, `/readyz`, `/metrics`). */
  operations: {
    title: 'Operations',
    problems: {
      'operations.not-ready': { status: 503, title: 'The gateway cannot serve requests now: a dependency it needs is failing' },
    },
  },
  /**
   * The participants, assets and contracts registry (gateway/registry/): its
   * admin API, and the consistency rules intake applies to merit order lists
   * and trades once the registry holds anything.
   */
  registry: {
    title: 'Registry of parties, assets and contracts',
    problems: {
      'registry.not-found': { status: 404, title: 'No such party, asset or contract in the registry' },
      'registry.reference-unknown': { status: 422, title: 'Registry entry names a party or asset the registry does not hold' },
      'registry.duplicate': { status: 422, title: 'Registry entry id given more than once' },
      'registry.csv-invalid': { status: 400, title: 'Pre-qualification CSV cannot be read (missing column, bad value)' },
      'registry.contract-unregistered': { status: 422, title: 'Contract is not registered, or not valid for the period' },
      'registry.asset-not-covered': { status: 422, title: 'Contract does not cover the resource it is paired with' },
      'registry.asset-double-offered': { status: 422, title: 'Asset is offered by two FSPs for the same window' },
      'registry.asset-mismatch': { status: 422, title: 'Document names a DSO asset, asset group or energy source the registry does not hold for its resource' },
    },
  },
  /** Delivery verification and settlement (gateway/settlement/): baselines, meter readings, statements. */
  settlement: {
    title: 'Delivery verification and settlement',
    problems: {
      'settlement.not-found': { status: 404, title: 'No such dispatch, settlement statement or chain' },
      'settlement.baseline-invalid': { status: 422, title: 'Baseline cannot be used (off the half-hour grid, gaps, unknown kind)' },
      'settlement.readings-invalid': { status: 422, title: 'Meter readings cannot be used (off the minute grid, overlapping, empty)' },
      'settlement.baseline-missing': { status: 422, title: 'No baseline covers the dispatch being verified' },
      'settlement.readings-missing': { status: 422, title: 'No meter readings cover the dispatch being verified' },
      'settlement.contract-unknown': { status: 422, title: 'Dispatch names a contract the registry does not hold, so it cannot be priced' },
    },
  },
} as const satisfies Record<string, { title: string; problems: Record<string, ProblemSpec> }>;

type Areas = typeof PROBLEM_AREAS;

/** The codes of one area, e.g. `AreaProblemCode<'delivery'>`. */
export type AreaProblemCode<Area extends keyof Areas> = keyof Areas[Area]['problems'] & string;
