import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { constraintLookAheadProfile } from '../../profiles/constraintLookAhead.ts';
import { buildDocumentOf, writeDocumentFile } from '../../profiles/machinery/builder.ts';
import { ProfileViolation } from '../../profiles/machinery/violation.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import { PARTY_CODING_SCHEMES, type DocumentHeader, type MarketParticipant } from '../../profiles/models/documentHeader.ts';
import { decodeAnmDocument, type AnmMediaType } from '../anm/decode.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { readCimDocument } from '../cim/inbound.ts';
import { DEFAULT_CIM_PARTIES } from '../cim/outbound.ts';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../cim/xmlSafety.ts';
import { loadSchema, schemaViolations } from '../cim/xsdValidation.ts';
import { Problem, type ProblemItem } from '../../protocol/problem.ts';
import { problemType, type ProblemCode } from '../../schemas/problems.ts';
import { type Command, isParseArgsError, UsageError } from '../../client/cli/commandLine.ts';

const HELP = `Usage:
  flexgate cim from-anm FILE [--mrid ID] [--revision N] [--created YYYY-MM-DDTHH:MM:SSZ]
                             [--sender SCHEME:ID] [--receiver SCHEME:ID] [--out FILE]
      An ANM look-ahead or merit order list (JSON, TSV or CSV) → its CIM document on stdout,
      or written to --out as it is made (a 100k-entry list is never held whole).
  flexgate cim to-anm FILE
      A CIM document of any flexgate profile → its model as JSON on stdout (ANM JSON for
      look-aheads and merit order lists).
  flexgate cim validate FILE [--schemas DIR]
      Checks a CIM document against its profile (XSD and rules); with --schemas, also against
      the official ESMP XSD of the same name in DIR.

Exit status: 0 valid, 1 invalid (reasons on stderr), 2 refused as hostile (DOCTYPE, entities,
nesting, size), 64 for a usage error.`;

/** Files are read whole; the limit only guards the parser, so it is far above what the API takes. */
const FILE_LIMITS: XmlLimits = { ...DEFAULT_XML_LIMITS, maxBytes: 1024 * 1024 * 1024 };

const HOSTILE: ReadonlySet<ProblemCode> = new Set([
  'xml.too-large',
  'xml.doctype-forbidden',
  'xml.entity-forbidden',
  'xml.external-entity-forbidden',
  'xml.too-deep',
]);

const EXIT = { valid: 0, invalid: 1, hostile: 2, usage: 64 } as const;

function describeItem(item: ProblemItem): string {
  const where = [item.pointer, item.row === undefined ? undefined : `line ${item.row}${item.column === undefined ? '' : `:${item.column}`}`]
    .filter(Boolean)
    .join(' ');
  return `  ${problemType(item.code)}${where ? ` at ${where}` : ''}: ${item.detail}`;
}

/** Reports a refusal on stderr and gives its exit status. */
function refused(problem: Problem): number {
  console.error(`${problem.message}\n${problem.items.map(describeItem).join('\n')}`);
  return HOSTILE.has(problem.code) ? EXIT.hostile : EXIT.invalid;
}

function party(text: string | undefined, fallback: MarketParticipant, flag: string): MarketParticipant {
  if (text === undefined) return fallback;
  const [scheme, ...rest] = text.split(':');
  const id = rest.join(':');
  const codingScheme = PARTY_CODING_SCHEMES.find((s) => s === scheme);
  if (!codingScheme || !id) throw new UsageError(`${flag} must be SCHEME:ID with SCHEME one of ${PARTY_CODING_SCHEMES.join(', ')}`);
  return { ...fallback, mRID: id, codingScheme };
}

/** Which ANM payload a file holds and in which form, from its extension and first line. */
function anmFormat(path: string, text: string): { kind: 'constraint-look-ahead' | 'merit-order-list'; mediaType: AnmMediaType } {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return { kind: /"constraints"\s*:/.test(text) ? 'constraint-look-ahead' : 'merit-order-list', mediaType: 'application/json' };
  const firstLine = trimmed.split('\n', 1)[0] ?? '';
  const mediaType = extname(path).toLowerCase() === '.csv' || (!firstLine.includes('\t') && firstLine.includes(',')) ? 'text/csv' : 'text/tab-separated-values';
  return { kind: /constraint[_ ]?id/i.test(text.slice(0, 4096)) ? 'constraint-look-ahead' : 'merit-order-list', mediaType };
}

function fromAnm(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      mrid: { type: 'string' },
      revision: { type: 'string' },
      created: { type: 'string' },
      sender: { type: 'string' },
      receiver: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const file = onlyFile(positionals);
  const bytes = readFileSync(file);
  const { kind, mediaType } = anmFormat(file, bytes.toString('utf8'));
  const revision = values.revision === undefined ? 1 : Number(values.revision);
  if (!Number.isInteger(revision) || revision < 1 || revision > 999) throw new UsageError('--revision must be 1 to 999');
  const header: DocumentHeader = {
    mRID: values.mrid ?? randomUUID().replaceAll('-', ''),
    revisionNumber: revision,
    createdDateTime: values.created ?? `${new Date().toISOString().slice(0, 19)}Z`,
    sender: party(values.sender, DEFAULT_CIM_PARTIES.dso, '--sender'),
    receiver: party(values.receiver, DEFAULT_CIM_PARTIES.fsp, '--receiver'),
  };
  const profile = kind === 'constraint-look-ahead' ? constraintLookAheadProfile : meritOrderListProfile;
  const model = decodeAnmDocument(kind, bytes, mediaType);
  if (values.out !== undefined) writeDocumentFile(values.out, profile, model, header);
  else process.stdout.write(buildDocumentOf(profile, model, header));
  return EXIT.valid;
}

function toAnm(args: string[]): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const reading = readCimDocument(readFileSync(onlyFile(positionals)), FILE_LIMITS);
  if (!reading.accepted) return refused(reading.problem);
  process.stdout.write(`${JSON.stringify(JSON.parse(canonicalJson(reading.document.model)), null, 2)}\n`);
  return EXIT.valid;
}

function validate(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { schemas: { type: 'string' } } });
  const bytes = readFileSync(onlyFile(positionals));
  const reading = readCimDocument(bytes, FILE_LIMITS);
  if (!reading.accepted) return refused(reading.problem);
  const { profile, header } = reading.document;
  if (values.schemas !== undefined) {
    const official = schemaViolations(bytes, loadSchema(join(values.schemas, profile.official.file)));
    if (official.length > 0) {
      console.error(`Valid for flexgate's ${profile.id} profile but not for the official ${profile.official.file}: a bug in the profile`);
      return refused(Problem.of(official));
    }
  }
  console.log(`valid: ${profile.root} (${profile.id}) ${header.mRID}${values.schemas === undefined ? '' : `, also against ${profile.official.file}`}`);
  return EXIT.valid;
}

function onlyFile(positionals: string[]): string {
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError('give exactly one FILE');
  return file;
}

const SUBCOMMANDS: Record<string, (args: string[]) => number> = { 'from-anm': fromAnm, 'to-anm': toAnm, validate };

export const cimCommand: Command = {
  async run(args) {
    const [name, ...rest] = args;
    if (!name || name === '--help' || name === '-h') {
      console.log(HELP);
      return name ? EXIT.valid : EXIT.usage;
    }
    const subcommand = SUBCOMMANDS[name];
    if (!subcommand) {
      console.error(`flexgate cim: unknown subcommand "${name}"\n\n${HELP}`);
      return EXIT.usage;
    }
    try {
      return subcommand(rest);
    } catch (error) {
      if (error instanceof Problem) return refused(error);
      if (error instanceof ProfileViolation) return refused(Problem.of(error.issues.map((i) => ({ code: i.code, detail: i.detail, pointer: i.path }))));
      if (error instanceof UsageError || isParseArgsError(error)) {
        console.error(`flexgate cim ${name}: ${(error as Error).message}\n\n${HELP}`);
        return EXIT.usage;
      }
      if ((error as { syscall?: unknown }).syscall !== undefined) {
        console.error(`flexgate cim ${name}: ${(error as Error).message}`);
        return EXIT.usage;
      }
      throw error;
    }
  },
};
