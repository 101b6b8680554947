import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki } from '../../certs/index.ts';
import { FIGURE_7_TRADES } from '../adapter/testing/bitraderCase.ts';
import type { RunningGateway } from '../index.ts';
import type { StoreOptions } from '../store/store.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { DEV_ANM, DEV_DSO, startTestGateway, type TestGateway } from '../testing/testGateway.ts';
import type { FlexgateClient } from '../../client/flexgateClient.ts';

const TSV = 'text/tab-separated-values';

/** A real gateway over mutual TLS whose journal holds the BiTraDER case, sent signed by two parties. */
export interface RecordedJournal {
  gateway: RunningGateway;
  /** A fresh folder for bundles (and the SQLite store unless another store was given). */
  dataDir: string;
  rootCertificatePath: string;
  /** The journalled messages in journal order. */
  messages: { journalId: string; sender: string; path: string }[];
  close(): Promise<void>;
}

/**
 * Starts the gateway (a fresh dev PKI, the given store) and sends, as the
 * ANM: figure 5's look-ahead, figure 6's list, a read (it consumes a
 * sequence number but is not journalled), figure 7's trades against them;
 * then as the DSO: figure 7's list.
 */
export async function recordJournal(context: Mocha.Context, store?: StoreOptions): Promise<RecordedJournal> {
  const fixtures = {
    lookAhead: bitraderFixture(context, 'cla-figure5.tsv'),
    list: bitraderFixture(context, 'mol-original-figure6.tsv'),
    traded: bitraderFixture(context, 'mol-traded-figure7.tsv'),
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'flexgate-journal-'));
  const running = await startTestGateway(store ?? { dataDir });
  const close = async () => {
    await running.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const messages = await sendBitraderCase(running, fixtures);
    const { rootCertificatePath } = await ensureDevPki(running.pkiDir);
    return { gateway: running.gateway, dataDir, rootCertificatePath, messages, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function sendBitraderCase(running: TestGateway, fixtures: { lookAhead: Buffer; list: Buffer; traded: Buffer }): Promise<RecordedJournal['messages']> {
  const anm = await running.client(DEV_ANM);
  const dso = await running.client(DEV_DSO);
  const sent: { sender: string; path: string }[] = [];
  const send = async (client: FlexgateClient, path: string, body: Buffer | string, contentType: string) => {
    const response = await client.request('POST', path, { body, contentType });
    assert.equal(response.status, 201, response.text());
    sent.push({ sender: client.party, path });
    return response.json<{ id?: string }>().id ?? '';
  };
  const lookAheadId = await send(anm, '/anm/v1/constraint-look-aheads', fixtures.lookAhead, TSV);
  const listId = await send(anm, '/anm/v1/merit-order-lists', fixtures.list, TSV);
  assert.equal((await anm.request('GET', '/anm/v1/merit-order-lists')).status, 200);
  await send(anm, `/anm/v1/merit-order-lists/${listId}/trades?constraintLookAheadId=${lookAheadId}`, JSON.stringify(FIGURE_7_TRADES), 'application/json');
  await send(dso, '/anm/v1/merit-order-lists', fixtures.traded, TSV);
  const rows = await running.gateway.store.db.selectFrom('journal').select(['id', 'path']).orderBy('seq').execute();
  assert.deepEqual(
    rows.map((row) => row.path),
    sent.map((message) => message.path),
  );
  return sent.map((message, index) => ({ ...message, journalId: rows[index]!.id }));
}

/**
 * A copy of `bundle` with one bit flipped: the case bit of the first ASCII
 * letter at or after `from`, so base64, PEM and JSON stay well-formed and
 * only the checks that look at the value can notice.
 */
export function flipLetter(bundle: Buffer, from: number): Buffer {
  const copy = Buffer.from(bundle);
  for (let offset = from; offset < copy.length; offset++) {
    const byte = copy[offset]!;
    if ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) {
      copy[offset] = byte ^ 0x20;
      return copy;
    }
  }
  throw new Error(`No letter after offset ${from}`);
}
