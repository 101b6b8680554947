import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { FIGURE_7_TRADES } from '../../adapter/testing/bitraderCase.ts';
import { bitraderFixture } from '../../testing/fixtures.ts';
import type { FlexgateClient } from '../../../client/flexgateClient.ts';
import type { OfficialSpec } from '../../../client/testing/officialSpec.ts';
import { OfficialVen } from '../../../client/testing/officialVen.ts';
import { PARTIES, type PartyName, type RunningVtn } from './vtnServer.ts';

const TSV = 'text/tab-separated-values';

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
 * An ANM posting through the ANM API: figures 5 and 6 as the ANM exports
 * them, then the matched trades. Behind the trust layer it signs (the ANM API
 * requires it), with the trust layer's own client.
 */
export class AnmSide {
  constructor(
    private readonly vtn: RunningVtn,
    private readonly signer?: FlexgateClient,
  ) {}

  private async send(path: string, body: Buffer | string, contentType: string): Promise<{ status: number; text: string; json: unknown }> {
    if (this.signer) {
      const answer = await this.signer.request('POST', path, { body, contentType });
      return { status: answer.status, text: answer.text(), json: answer.json() };
    }
    return this.vtn.client('anm').request('POST', path, { headers: { 'content-type': contentType, 'idempotency-key': randomUUID() }, body });
  }

  async post(collection: 'constraint-look-aheads' | 'merit-order-lists', body: Buffer | string, contentType: string): Promise<string> {
    const answer = await this.send(`/anm/v1/${collection}`, body, contentType);
    assert.equal(answer.status, 201, answer.text);
    return (answer.json as { id: string }).id;
  }

  async figures5And6(context: Mocha.Context): Promise<{ lookAheadId: string; listId: string }> {
    const lookAheadId = await this.post('constraint-look-aheads', bitraderFixture(context, 'cla-figure5.tsv'), TSV);
    const listId = await this.post('merit-order-lists', bitraderFixture(context, 'mol-original-figure6.tsv'), TSV);
    return { lookAheadId, listId };
  }

  /** Figure 6 plus figure 7's two trades: the re-ordered list (figure 7) becomes revision 2. */
  async tradeToFigure7(listId: string, lookAheadId: string): Promise<void> {
    const answer = await this.send(
      `/anm/v1/merit-order-lists/${listId}/trades?constraintLookAheadId=${lookAheadId}`,
      JSON.stringify(FIGURE_7_TRADES),
      'application/json',
    );
    assert.equal(answer.status, 201, answer.text);
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
    const dayId = await this.post('constraint-look-aheads', JSON.stringify(day), 'application/json');
    const answer = await this.send(`/anm/v1/constraint-look-aheads/${dayId}/verify`, JSON.stringify({ meritOrderListId: listId }), 'application/json');
    assert.equal(answer.status, 200, answer.text);
  }
}

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

/**
 * An FSP's VEN registers itself and its resources (VEN_* requests); the DSO
 * (business logic) then grants the targets that decide which events it sees.
 */
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
