import type { ProblemSpecs } from './spec.ts';

/** XML safety and CIM (IEC 62325-451) documents: refusals before parsing, then validation against a profile. */
export const cimProblems = {
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
} as const satisfies ProblemSpecs;
