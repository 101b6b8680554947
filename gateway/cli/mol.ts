import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import { MatchedTradeList, type OpportunityReport } from '../../schemas/anm/trade.ts';
import { viewConstraint } from '../adapter/constraintView.ts';
import { tradingEligibility } from '../adapter/eligibility.ts';
import { impliedLookAhead } from '../adapter/impliedLookAhead.ts';
import { tradingOpportunities } from '../adapter/opportunities.ts';
import { reorderMeritOrder } from '../adapter/reorder.ts';
import { agreeTrades, constraintUnder, requireOriginalList } from '../adapter/tradeAgreement.ts';
import { decodeAnmDocument, type AnmDocumentKind, type AnmMediaType } from '../anm/decode.ts';
import { renderMeritOrderTable } from '../../protocol/anmTabular/meritOrderTable.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { Problem } from '../../protocol/problem.ts';
import { formatUtc, parseInstant } from '../../protocol/time/ukTime.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { decodeUtf8, parseJson } from '../../protocol/safeJson.ts';
import type { Command } from '../../client/cli/commandLine.ts';

const HELP = `Usage: flexgate mol opportunities --cla FILE --mol FILE [--flexible-service CONTRACT]...
       flexgate mol trade --mol FILE --trades FILE [--cla FILE] [--format json|tsv]
                          [--scenario N] [--received-at TIME] [--flexible-service CONTRACT]...

opportunities  what each contract may trade under each constraint of the look-ahead (JSON)
trade          the merit order list re-ordered by the matched trades in FILE (a JSON list)

  --cla FILE               constraint look-ahead (.json, .csv, else the ANM's TSV); without it,
                           trade assumes one constraint over the whole list, curtailing every buyer
  --mol FILE               the ANM's original merit order list (.json, .csv or TSV)
  --format json|tsv        output of trade: JSON (default) or figure 7's TSV columns
  --scenario N             scenario number recorded in the re-ordered list
  --received-at TIME       received time recorded in the re-ordered list (default now)
  --flexible-service ID    a contract already contracted as a flexible service (may not trade)
A refused trade exits 1 with the problem (RFC 9457 JSON) on stderr; a usage error exits 2.`;

export interface MolIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Buffer;
  now(): number;
}

const processIo: MolIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path),
  now: () => Date.now(),
};

export const molCommand: Command = {
  run: (args) => runMol(args, processIo),
};

const validateTrades = compileValidator(MatchedTradeList);

/** `flexgate mol …` with its input and output passed in, so tests run it in-process. */
export async function runMol(args: string[], io: MolIo): Promise<number> {
  let parsed: ReturnType<typeof parseMolArgs>;
  try {
    parsed = parseMolArgs(args);
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${HELP}\n`);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0) return usage(io, `unexpected argument "${extra[0]}"`);
  if (values.format !== 'json' && values.format !== 'tsv') return usage(io, `--format must be json or tsv, not "${values.format}"`);
  if (values.scenario !== undefined && !/^\d{1,9}$/.test(values.scenario)) return usage(io, '--scenario must be a whole number');
  const eligibility = tradingEligibility(values['flexible-service']);
  const read = <K extends AnmDocumentKind>(kind: K, path: string) => decodeAnmDocument(kind, io.readFile(path), mediaTypeOf(path));

  try {
    if (action === 'opportunities') {
      if (!values.cla || !values.mol) return usage(io, 'opportunities needs --cla FILE and --mol FILE');
      const list = read('merit-order-list', values.mol);
      requireOriginalList(list);
      const report: OpportunityReport = { constraints: tradingOpportunities(read('constraint-look-ahead', values.cla), list, eligibility) };
      io.stdout(`${pretty(report)}\n`);
      return 0;
    }
    if (action === 'trade') {
      if (!values.mol || !values.trades) return usage(io, 'trade needs --mol FILE and --trades FILE');
      const list = read('merit-order-list', values.mol);
      const trades = validateTrades(parseJson(decodeUtf8(io.readFile(values.trades))));
      const lookAhead: ConstraintLookAhead = values.cla ? read('constraint-look-ahead', values.cla) : impliedLookAhead(list, trades);
      const state = agreeTrades({ lookAhead, list, eligibility }, undefined, trades);
      const receivedAt = formatUtc(values['received-at'] ? parseInstant(values['received-at']) : io.now());
      const { list: reordered } = reorderMeritOrder({
        list,
        view: viewConstraint(constraintUnder(lookAhead, state.terms), list, eligibility),
        trades: state.trades,
        periodStart: state.terms.start,
        ...(values.scenario !== undefined ? { scenario: Number(values.scenario) } : {}),
        receivedAt,
      });
      io.stdout(values.format === 'tsv' ? renderMeritOrderTable(reordered) : `${pretty(reordered)}\n`);
      return 0;
    }
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    io.stderr(`${JSON.stringify(error.toDocument(), null, 2)}\n`);
    return 1;
  }
  return usage(io, action ? `unknown action "${action}"` : 'name an action: opportunities or trade');
}

function parseMolArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      cla: { type: 'string' },
      mol: { type: 'string' },
      trades: { type: 'string' },
      format: { type: 'string', default: 'json' },
      scenario: { type: 'string' },
      'received-at': { type: 'string' },
      'flexible-service': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function usage(io: MolIo, message: string): number {
  io.stderr(`flexgate mol: ${message}\n\n${HELP}\n`);
  return 2;
}

function mediaTypeOf(path: string): AnmMediaType {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'application/json';
  if (extension === '.csv') return 'text/csv';
  return 'text/tab-separated-values';
}

/** Canonical key order, indented for people. */
const pretty = (value: unknown) => JSON.stringify(JSON.parse(canonicalJson(value)), null, 2);
