import assert from 'node:assert/strict';
import type { AnmClient } from '../../../client/anm/anmClient.ts';
import { GatewayRefusal } from '../../../client/refusal.ts';
import type { VenAnswer, VenClient, VenClientOptions } from '../../../client/openadr/venClient.ts';
import type { OfficialSpec } from '../../../client/testing/officialSpec.ts';
import { OfficialVen } from '../../../client/testing/officialVen.ts';
import { FIGURE_7_TRADES } from '../../adapter/testing/bitraderCase.ts';
import { bitraderFixture } from '../../testing/fixtures.ts';
import { PARTIES, type PartyName, type RunningVtn } from './vtnServer.ts';

type Json = Record<string, unknown>;

/** Which resources and contracts of figures 6/7 each FSP's VEN holds (granted as targets by the DSO). */
export const HOLDINGS = {
  fsp1: [
    { resourceName: 'G1_Agg1', targets: ['G1_Agg1', 'Agg_Seller_1'] },
    { resourceName: 'G1_A1', targets: ['G1_A1', 'A1_Buyer'] },
  ],
  fsp2: [
    { resourceName: 'G1_Agg2', targets: ['G1_Agg2', 'Agg_Seller_2'] },
    { resourceName: 'G1_A2', targets: ['G1_A2', 'A2_Buyer'] },
  ],
} as const;

/**
 * An ANM posting through the ANM API with client/'s typed ANM client
 * (signed, as the ANM API requires): figures 5 and 6 as the ANM exports
 * them, then the matched trades.
 */
export class AnmSide {
  private constructor(readonly client: AnmClient) {}

  static async of(vtn: RunningVtn): Promise<AnmSide> {
    return new AnmSide(await vtn.anm());
  }

  async post(collection: 'constraint-look-aheads' | 'merit-order-lists', table: Buffer | string, format: 'tsv' | 'json' = 'tsv'): Promise<string> {
    const document = format === 'json' ? (JSON.parse(String(table)) as never) : { table };
    const accepted = collection === 'constraint-look-aheads' ? await this.client.postLookAhead(document) : await this.client.postMeritOrderList(document);
    assert.equal(accepted.response.status, 201);
    return accepted.document.id;
  }

  async figures5And6(context: Mocha.Context): Promise<{ lookAheadId: string; listId: string }> {
    const lookAheadId = await this.post('constraint-look-aheads', bitraderFixture(context, 'cla-figure5.tsv'));
    const listId = await this.post('merit-order-lists', bitraderFixture(context, 'mol-original-figure6.tsv'));
    return { lookAheadId, listId };
  }

  /** Figure 6 plus figure 7's two trades: the re-ordered list (figure 7) becomes revision 2. */
  async tradeToFigure7(listId: string, lookAheadId: string): Promise<void> {
    const traded = await this.client.trade(listId, FIGURE_7_TRADES, { constraintLookAheadId: lookAheadId });
    assert.equal(traded.response.status, 201);
    assert.equal(traded.document.revision, 2);
  }

  /** The day's look-ahead with the given resources behind C1; trades whose parties are no longer together are cancelled. */
  async verifyOnTheDay(listId: string, resources: string[]): Promise<void> {
    const day = {
      constraints: [
        {
          constraintId: 'C1',
          start: '2024-10-18T08:00:00+01:00',
          end: '2024-10-18T08:30:00+01:00',
          size_kW: 2000,
          resources: resources.map((resourceId) => ({ resourceId })),
        },
      ],
    };
    const dayId = (await this.client.postLookAhead(day)).document.id;
    await this.client.verify(dayId, listId);
  }
}

// ---- VENs through client/'s VEN client

/**
 * Holds every answer of a VEN client to the official OpenADR file: each
 * body must be what the file defines for its operation and status, and
 * every request that succeeded must be one the file accepts (HTTP Basic
 * token requests aside: the file knows only the form).
 */
export function officialObserver(spec: OfficialSpec): (answer: VenAnswer) => void {
  return (answer) => {
    const op = spec.operation(answer.operationId);
    const errors = spec.responseErrors(op, answer.status, answer.body);
    assert.deepEqual(errors, [], `${answer.operationId} answered ${answer.status} outside the official contract`);
    const pointer = spec.requestPointer(op);
    const basic = /^Basic /.test(answer.request.headers.authorization ?? '');
    if (answer.status >= 300 || answer.request.body === undefined || !pointer || basic) return;
    const sent =
      op.requestSchema?.contentType === 'application/x-www-form-urlencoded'
        ? Object.fromEntries(new URLSearchParams(answer.request.body))
        : JSON.parse(answer.request.body);
    assert.deepEqual(spec.errorsAt(pointer, sent), [], `${answer.operationId}: the VEN client sent a body the official file refuses`);
  };
}

export interface EnrolledVen {
  ven: VenClient;
  venId: string;
  resourceIds: string[];
}

/** A party's VEN client with a token, every answer held to the official file. */
export async function signedInVen(spec: OfficialSpec, vtn: RunningVtn, party: PartyName, options: Partial<VenClientOptions> = {}): Promise<VenClient> {
  const ven = await vtn.ven(party, { observe: officialObserver(spec), ...options });
  await ven.fetchToken();
  return ven;
}

/**
 * An FSP's VEN registers itself and its resources (VEN_* requests) with
 * client/'s VEN client; the DSO (business logic) then grants the targets
 * that decide which events it sees.
 */
export async function enrolVen(
  spec: OfficialSpec,
  vtn: RunningVtn,
  dso: VenClient,
  party: 'fsp1' | 'fsp2',
  options: Partial<VenClientOptions> = {},
): Promise<EnrolledVen> {
  const ven = await signedInVen(spec, vtn, party, options);
  const registered = await ven.registerVen(`${party}-ven`);
  const resourceIds: string[] = [];
  for (const holding of HOLDINGS[party]) {
    const resource = await ven.registerResource(registered.id, holding.resourceName);
    const granted = await dso.updateResource(resource.id, {
      objectType: 'BL_RESOURCE_REQUEST',
      clientID: PARTIES[party],
      resourceName: holding.resourceName,
      venID: registered.id,
      targets: [...holding.targets],
    });
    assert.deepEqual(granted.targets, holding.targets);
    resourceIds.push(resource.id);
  }
  return { ven, venId: registered.id, resourceIds };
}

// ---- VENs built only from the official file: the independent check of the contract

export interface RegisteredVen {
  ven: OfficialVen;
  venId: string;
  resourceIds: string[];
}

/** Token for a party, through the official /auth/token of the spec's version (3.0.1 or 3.1.0). */
export async function signedIn(
  spec: OfficialSpec,
  vtn: RunningVtn,
  party: PartyName,
  observe?: ConstructorParameters<typeof OfficialVen>[3],
): Promise<OfficialVen> {
  const ven = new OfficialVen(spec, vtn.client(party), spec.version === '3.0.1' ? vtn.base301 : vtn.base, observe);
  const { clientId, clientSecret } = await vtn.credentialsOf(party);
  await ven.obtainToken(clientId, clientSecret);
  return ven;
}

/** An FSP's VEN registers itself and its resources with the official-file VEN; the DSO grants targets. */
export async function registerVen(spec: OfficialSpec, vtn: RunningVtn, dso: OfficialVen, party: 'fsp1' | 'fsp2'): Promise<RegisteredVen> {
  const ven = await signedIn(spec, vtn, party);
  const created = await ven.call('createVen', { body: { objectType: 'VEN_VEN_REQUEST', venName: `${party}-ven` } });
  assert.equal(created.status, 201, created.text);
  const venId = (created.json as Json).id as string;
  const resourceIds: string[] = [];
  for (const holding of HOLDINGS[party]) {
    const resource = await ven.call('createResource', { body: { objectType: 'VEN_RESOURCE_REQUEST', resourceName: holding.resourceName, venID: venId } });
    assert.equal(resource.status, 201, resource.text);
    const resourceId = (resource.json as Json).id as string;
    const granted = await dso.call('updateVenResource', {
      params: { resourceID: resourceId },
      body: { objectType: 'BL_RESOURCE_REQUEST', clientID: PARTIES[party], resourceName: holding.resourceName, venID: venId, targets: [...holding.targets] },
    });
    assert.equal(granted.status, 200, granted.text);
    resourceIds.push(resourceId);
  }
  return { ven, venId, resourceIds };
}

export const eventsOf = async (ven: OfficialVen, query: Record<string, string | number | boolean | string[]> = {}) => {
  const answer = await ven.call('searchAllEvents', { query });
  assert.equal(answer.status, 200, answer.text);
  return answer.json as Json[];
};

/**
 * The same registration through OpenADR 3.0.1: the VEN registers itself and
 * its resources under /vens/{venID}/resources, and the DSO grants targets as
 * 3.0.1 writes them (valuesMaps).
 */
export async function registerVen301(
  spec301: OfficialSpec,
  vtn: RunningVtn,
  dso301: OfficialVen,
  party: 'fsp1' | 'fsp2',
  observe?: ConstructorParameters<typeof OfficialVen>[3],
): Promise<RegisteredVen> {
  const ven = await signedIn(spec301, vtn, party, observe);
  const created = await ven.call('createVen', { body: { venName: `${party}-ven-301` } });
  assert.equal(created.status, 201, created.text);
  const venId = (created.json as Json).id as string;
  const resourceIds: string[] = [];
  for (const holding of HOLDINGS[party]) {
    const resource = await ven.call('createResource', { params: { venID: venId }, body: { resourceName: holding.resourceName } });
    assert.equal(resource.status, 201, resource.text);
    const resourceId = (resource.json as Json).id as string;
    const granted = await dso301.call('updateVenResource', {
      params: { venID: venId, resourceID: resourceId },
      body: { resourceName: holding.resourceName, venID: venId, targets: [{ type: 'GROUP', values: [...holding.targets] }] },
    });
    assert.equal(granted.status, 200, granted.text);
    resourceIds.push(resourceId);
  }
  return { ven, venId, resourceIds };
}

/** The refusal a call ends in (a `GatewayRefusal`); fails the test when the call succeeds. */
export async function refusal(call: Promise<unknown>): Promise<GatewayRefusal> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GatewayRefusal) return error;
    throw error;
  }
  return assert.fail('The call succeeded; a refusal was expected');
}
