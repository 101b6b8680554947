import express, { type Request, type Response, type Router } from 'express';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { Problem } from '../../protocol/problem.ts';
import { decodeUtf8, parseJson } from '../../protocol/safeJson.ts';
import { VerificationRequest } from '../../schemas/settlement/settlement.ts';
import { chooseRepresentation } from '../http/negotiation.ts';
import type { Store } from '../store/store.ts';
import { findCaller } from '../trust/caller.ts';
import { linesOfFsp, settleDispatch, settlementChain, type ChainKey } from './settlementRecords.ts';
import { statementCsv, type SettlementStatement } from './statement.ts';
import { checkStatementReader } from './statementAccess.ts';

export const SETTLEMENT_PATH = '/admin/v1/settlement';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const validRequest = compileValidator(VerificationRequest);

/**
 * `/admin/v1/settlement`: administrators (accessRules.ts); an FSP may read its own statements.
 *
 * - `POST …/dispatches/{eventId}/verification`: baseline (and readings, else the VENs' USAGE reports on the event) → the verification, stored as settlement lines
 * - `GET …/statements?fsp=&from=&to=`: one FSP's statement, JSON or (Accept: text/csv) CSV; an FSP names itself
 * - `GET …/chain?event=|trade=|contract=|asset=`: every link from any one
 */
export function adminSettlementRouter({ store }: { store: Store }): Router {
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: '16mb' });
  router.post(`${SETTLEMENT_PATH}/dispatches/:eventId/verification`, rawBody, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verification = await settleDispatch(store, String(req.params.eventId), validRequest(parseJson(decodeUtf8(body))), new Date().toISOString());
    sendJson(res, 201, verification);
  });
  router.get(`${SETTLEMENT_PATH}/statements`, async (req, res) => {
    const fspPartyId = query(req, 'fsp');
    const from = instantQuery(req, 'from');
    const to = instantQuery(req, 'to');
    await checkStatementReader(store.db, fspPartyId, findCaller(req)?.party);
    const lines = await linesOfFsp(store.db, fspPartyId, from, to);
    const availabilityTotal = lines.reduce((sum, l) => sum + l.availabilityPayment.amount, 0);
    const utilisationTotal = lines.reduce((sum, l) => sum + l.utilisationPayment.amount, 0);
    const statement: SettlementStatement = {
      fspPartyId,
      from,
      to,
      currency: lines[0]?.availabilityPayment.currency ?? 'GBP',
      lines,
      availabilityTotal,
      utilisationTotal,
      total: availabilityTotal + utilisationTotal,
    };
    res.setHeader('Vary', 'Accept');
    if (chooseRepresentation(req, ['application/json', 'text/csv'] as const) === 'text/csv') res.type('text/csv; charset=utf-8').send(statementCsv(statement));
    else sendJson(res, 200, statement);
  });
  router.get(`${SETTLEMENT_PATH}/chain`, async (req, res) => {
    const given = (['event', 'trade', 'contract', 'asset'] as const).filter((name) => typeof req.query[name] === 'string');
    if (given.length !== 1) throw new Problem('request.invalid-query', 'Give exactly one of event, trade, contract, asset');
    const name = given[0]!;
    sendJson(res, 200, await settlementChain(store.db, { [name]: query(req, name) } as ChainKey));
  });
  return router;
}

function query(req: Request, name: string): string {
  const value = req.query[name];
  if (typeof value !== 'string' || value === '') throw new Problem('request.invalid-query', `${name} must be given once, not empty`, { pointer: `/${name}` });
  return value;
}

function instantQuery(req: Request, name: string): string {
  const value = query(req, name);
  if (!INSTANT.test(value)) throw new Problem('request.invalid-query', `${name} must be an instant in UTC, e.g. 2024-10-18T00:00:00Z`, { pointer: `/${name}` });
  return value;
}

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(canonicalJson(body));
}
