import { Type, type Static } from '@sinclair/typebox';

/** Who sends a step: a party of the target's PKI by role (`fsp2` is a second FSP, for privacy cases). */
export const PartyName = Type.Union([Type.Literal('anm'), Type.Literal('dso'), Type.Literal('fsp'), Type.Literal('fsp2'), Type.Literal('admin')]);
export type PartyName = Static<typeof PartyName>;

/** How the request is signed: validly (default), not at all, with junk, with a forged header, or over other bytes. */
const Signature = Type.Union([
  Type.Literal('valid'),
  Type.Literal('none'),
  Type.Literal('garbage'),
  Type.Literal('other-body'),
  Type.Literal('unknown-key'),
  /** The previous step's signature header verbatim: a retry of the same message. */
  Type.Literal('previous'),
  Type.Object({ forged: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
  Type.Object({ certificateOf: PartyName }, { additionalProperties: false }),
  Type.Object({ issuer: Type.String() }, { additionalProperties: false }),
]);

/** Envelope members to sign differently from the request (wrong audience, path, clock skew…). */
const EnvelopeOverrides = Type.Object(
  {
    audience: Type.Optional(Type.String()),
    method: Type.Optional(Type.String()),
    path: Type.Optional(Type.String()),
    apiVersion: Type.Optional(Type.String()),
    messageId: Type.Optional(Type.String()),
    sequence: Type.Optional(Type.String()),
    issuedAtOffsetSeconds: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

export const VectorRequest = Type.Object(
  {
    method: Type.String(),
    path: Type.String(),
    contentType: Type.Optional(Type.String()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    /** Exactly one body form: a JSON value, text, base64 bytes, or texts each repeated, one after the other (oversized or deep bodies). */
    json: Type.Optional(Type.Unknown()),
    text: Type.Optional(Type.String()),
    base64: Type.Optional(Type.String()),
    repeat: Type.Optional(
      Type.Array(
        Type.Object(
          {
            text: Type.String(),
            times: Type.Integer({ minimum: 1 }),
            /** Replaced in each copy by the copy's number (0, 1, …): bodies whose many items need distinct ids. */
            counter: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
        { minItems: 1 },
      ),
    ),
    /** `bearer`: the party's OpenADR access token (client credentials provisioned by the target's administrator). */
    auth: Type.Optional(
      Type.Union([
        Type.Literal('bearer'),
        Type.Literal('none'),
        Type.Object({ token: Type.String() }, { additionalProperties: false }),
        /** Another party's token on this party's connection (certificate-bound tokens). */
        Type.Object({ tokenOf: PartyName }, { additionalProperties: false }),
      ]),
    ),
    signature: Type.Optional(Signature),
    envelope: Type.Optional(EnvelopeOverrides),
  },
  { additionalProperties: false },
);
export type VectorRequest = Static<typeof VectorRequest>;

/** What the answer must be: a status, a problem type (positive and negative vectors alike), and facts about the JSON body. */
export const Expectation = Type.Object(
  {
    status: Type.Union([Type.Integer(), Type.Array(Type.Integer())]),
    /** Negative vectors: the problem code (schemas/problems.ts) the answer must carry, with its status. */
    problem: Type.Optional(Type.String()),
    /** The problem comes in a CIM Acknowledgement_MarketDocument (A02, the problem type in its reason text) rather than problem+json. */
    acknowledgement: Type.Optional(Type.Boolean()),
    /** JSON pointer → the value found there. */
    json: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** JSON pointers that must not exist (object privacy: no secret in the answer). */
    absent: Type.Optional(Type.Array(Type.String())),
    /** An array's length bounds (pagination). */
    count: Type.Optional(Type.Object({ pointer: Type.String(), min: Type.Optional(Type.Integer()), max: Type.Optional(Type.Integer()) })),
    /** An array of objects must (or must not) hold one whose `id` is this. */
    includesId: Type.Optional(Type.String()),
    excludesId: Type.Optional(Type.String()),
    contentType: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Expectation = Static<typeof Expectation>;

export const VectorStep = Type.Object(
  {
    as: PartyName,
    request: VectorRequest,
    expect: Expectation,
    /** Values read from this answer (JSON pointer) for `${name}` in later steps. */
    capture: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
export type VectorStep = Static<typeof VectorStep>;

export const Level = Type.Union([Type.Literal('mandatory'), Type.Literal('optional')]);
export type Level = Static<typeof Level>;

export const VectorCase = Type.Object(
  {
    /** Stable: `VTN-EVT-012`. Never reused for another check. */
    id: Type.String({ pattern: '^[A-Z0-9]+(-[A-Z0-9]+)+$' }),
    title: Type.String({ minLength: 1 }),
    /** The clause of the specification or the seed this case checks. */
    clause: Type.String({ minLength: 1 }),
    level: Level,
    /** Request cases: steps sent in order, each answer held to its expectation. */
    steps: Type.Optional(Type.Array(VectorStep, { minItems: 1 })),
    /** Scripted cases: the name of a script in conformance/runner/scripts/ and its parameters (setups data cannot express). */
    script: Type.Optional(Type.String()),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** The problem codes a scripted case expects, for the catalogue coverage check. */
    problems: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type VectorCase = Static<typeof VectorCase>;

export const Role = Type.Union([Type.Literal('gateway'), Type.Literal('vtn'), Type.Literal('ven'), Type.Literal('anm-client'), Type.Literal('dso')]);
export type Role = Static<typeof Role>;
export const ROLES: readonly Role[] = ['gateway', 'vtn', 'ven', 'anm-client', 'dso'];

export const VectorFile = Type.Object(
  {
    role: Role,
    suite: Type.String({ pattern: '^[a-z0-9-]+$' }),
    /** The API version the vectors test; the file sits under conformance/vectors/<apiVersion with / as ->/. */
    apiVersion: Type.String(),
    cases: Type.Array(VectorCase, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type VectorFile = Static<typeof VectorFile>;

/** A case as the runner holds it: with the role, suite and file it came from. */
export interface LoadedCase extends VectorCase {
  role: Role;
  suite: string;
  apiVersion: string;
  file: string;
}
