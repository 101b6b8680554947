import { createdDateTime, documentId, participant, revisionCodec } from './common/header.ts';
import { CreatedDateTime, Identifier60, ReasonText, RevisionNumber } from './common/types.ts';
import { itemField, rootField } from './machinery/bindings.ts';
import { createdDateTimeCodec, oneOfCodec, textCodec } from './machinery/codecs.ts';
import { group, leaf, type Profile } from './machinery/declaration.ts';
import { eachOf } from './machinery/repetitions.ts';
import { codeType } from './machinery/simpleType.ts';
import {
  ACKNOWLEDGED_MESSAGE_TYPES,
  ACKNOWLEDGED_PROCESS_TYPES,
  ACKNOWLEDGEMENT_REASON_CODES,
  ACKNOWLEDGEMENT_REASONS,
  Acknowledgement,
} from './models/acknowledgement.ts';
import { AcknowledgementHeader } from './models/documentHeader.ts';

const AcknowledgedDocumentType = codeType('AcknowledgedDocumentType', 'Type of the document acknowledged', [
  { code: 'B15', title: 'Network constraint document' },
  { code: 'A43', title: 'MOL document' },
  { code: 'A96', title: 'Redispatch activation document' },
  { code: 'A45', title: 'Measurement value document' },
]);
const AcknowledgedProcessType = codeType('AcknowledgedProcessType', 'Process of the document acknowledged', [
  { code: 'A41', title: 'Redispatch process' },
  { code: 'A16', title: 'Realised' },
]);
const AcknowledgementReasonCode = codeType('AcknowledgementReasonCode', 'Why the document was accepted or rejected', ACKNOWLEDGEMENT_REASONS);

export const acknowledgementProfile = {
  id: 'acknowledgement' as const,
  title: 'Receipt or rejection ⇄ Acknowledgement_MarketDocument',
  summary:
    "flexgate's answer to an inbound CIM document, and a DSO system's answer to one of flexgate's: an IEC 62325-451 acknowledgement naming the document received and giving reasons, A01 when fully accepted, A02 and the reasons why when rejected (each reason text names the failing element).",
  fileStem: 'acknowledgement',
  root: 'Acknowledgement_MarketDocument',
  namespace: 'urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:8:1',
  official: { file: 'iec62325-451-1-acknowledgement_v8_1.xsd', document: 'Acknowledgement_MarketDocument 8.1' },
  model: Acknowledgement,
  modelName: '`Acknowledgement` (`profiles/models/acknowledgement.ts`)',
  header: AcknowledgementHeader,
  children: [
    documentId(Identifier60),
    createdDateTime,
    ...participant('sender', 'flat'),
    ...participant('receiver', 'flat'),
    leaf('received_MarketDocument.mRID', Identifier60, rootField('received.mRID', textCodec), { meaning: 'The document acknowledged', optional: true }),
    leaf('received_MarketDocument.revisionNumber', RevisionNumber, rootField('received.revisionNumber', revisionCodec), {
      meaning: 'Its revision',
      optional: true,
    }),
    leaf('received_MarketDocument.type', AcknowledgedDocumentType, rootField('received.type', oneOfCodec(ACKNOWLEDGED_MESSAGE_TYPES)), {
      meaning: 'Its type',
      optional: true,
    }),
    leaf('received_MarketDocument.process.processType', AcknowledgedProcessType, rootField('received.processType', oneOfCodec(ACKNOWLEDGED_PROCESS_TYPES)), {
      meaning: 'Its process',
      optional: true,
    }),
    leaf('received_MarketDocument.createdDateTime', CreatedDateTime, rootField('received.createdDateTime', createdDateTimeCodec), {
      meaning: 'When it was created',
      optional: true,
    }),
    group('Reason', eachOf('reasons', { min: 1 }), 'Outcome first (A01 accepted, A02 rejected), then what was wrong', [
      leaf('code', AcknowledgementReasonCode, itemField('code', oneOfCodec(ACKNOWLEDGEMENT_REASON_CODES)), { meaning: 'Reason code' }),
      leaf('text', ReasonText, itemField('text', textCodec), {
        meaning: 'Explanation; for a rejection, the failing element and what is wrong',
        optional: true,
      }),
    ]),
  ],
  rules: [
    'The received document is named by mRID (revision, type, process and creation time are optional); a revision, type or time without an mRID is refused.',
  ],
} satisfies Profile<typeof Acknowledgement, typeof AcknowledgementHeader>;
