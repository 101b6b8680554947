import { Type, type Static } from '@sinclair/typebox';
import { codeList, identifierString } from '../../schemas/anm/identifiers.ts';
import { CreatedDateTime } from './documentHeader.ts';

/** The ESMP reason codes flexgate's acknowledgements use, with their ESMP titles. */
export const ACKNOWLEDGEMENT_REASONS = [
  { code: 'A01', title: 'Message fully accepted' },
  { code: 'A02', title: 'Message fully rejected' },
  { code: 'A04', title: 'Time interval incorrect' },
  { code: 'A42', title: 'Quantity inconsistency' },
  { code: 'A49', title: 'Position inconsistency' },
  { code: 'A51', title: 'Message identification or version conflict' },
  { code: 'A55', title: 'Time series identification conflict' },
  { code: 'A59', title: 'Not compliant to local market rules' },
  { code: 'A94', title: 'Document cannot be processed by receiving system' },
  { code: '999', title: 'Errors not specifically identified' },
] as const;
export type AcknowledgementReasonCode = (typeof ACKNOWLEDGEMENT_REASONS)[number]['code'];
export const ACKNOWLEDGEMENT_REASON_CODES = ACKNOWLEDGEMENT_REASONS.map((r) => r.code);

/** Message types of the documents flexgate acknowledges (its payload profiles). */
export const ACKNOWLEDGED_MESSAGE_TYPES = ['B15', 'A43', 'A96', 'A45'] as const;
export const ACKNOWLEDGED_PROCESS_TYPES = ['A41', 'A16'] as const;

export const REASON_TEXT_MAX = 512;

const Reason = Type.Object(
  {
    code: codeList(ACKNOWLEDGEMENT_REASON_CODES),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: REASON_TEXT_MAX, pattern: '^[^\\u0000-\\u0008\\u000b-\\u001f]+$' })),
  },
  { additionalProperties: false },
);

/** Receipt (A01) or rejection (A02 and the reasons why) of a document. */
export const Acknowledgement = Type.Object(
  {
    received: Type.Optional(
      Type.Object(
        {
          mRID: identifierString(60),
          revisionNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 999 })),
          type: Type.Optional(codeList(ACKNOWLEDGED_MESSAGE_TYPES)),
          processType: Type.Optional(codeList(ACKNOWLEDGED_PROCESS_TYPES)),
          createdDateTime: Type.Optional(CreatedDateTime),
        },
        { additionalProperties: false },
      ),
    ),
    reasons: Type.Array(Reason, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);
export type Acknowledgement = Static<typeof Acknowledgement>;
