import { loadTlsCredentials } from '../certs/index.ts';
import { AnmClient } from '../client/anm/anmClient.ts';
import { CimClient } from '../client/anm/cimClient.ts';
import { FlexgateClient } from '../client/flexgateClient.ts';
import { VenClient } from '../client/openadr/venClient.ts';
import { refusalOf } from '../client/refusal.ts';

export const SANDBOX_ANM = 'urn:flexgate:anm:anm-dev';
export const SANDBOX_DSO = 'urn:flexgate:dso:dso-dev';
export const SANDBOX_ADMIN = 'urn:flexgate:admin:admin-dev';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}

/** Provisions (or rotates) a party's OAuth client credentials, as an administrator does. */
export async function provisionCredentials(admin: FlexgateClient, party: string): Promise<ClientCredentials> {
  const path = '/admin/v1/openadr/clients';
  const answer = await admin.request('POST', path, { body: JSON.stringify({ party }), contentType: 'application/json' });
  if (answer.status !== 201) throw refusalOf(answer.status, answer.body, `POST ${path}`);
  return answer.json<ClientCredentials>();
}

/**
 * The DSO side of the sandbox, each party with its own certificate from the
 * PKI and its own signing client: the ANM (look-aheads, lists,
 * verification), the trading platform (trades, as the DSO), the DSO's
 * OpenADR business logic (grants targets, sees every event), the CIM reader
 * and the administrator (credentials, deliveries).
 */
export class DsoParties {
  private constructor(
    readonly anm: AnmClient,
    readonly market: AnmClient,
    readonly businessLogic: VenClient,
    readonly cim: CimClient,
    readonly admin: FlexgateClient,
    private readonly clients: FlexgateClient[],
  ) {}

  static async connect(url: string, pkiDir: string): Promise<DsoParties> {
    const client = async (urn: string) => new FlexgateClient(url, await loadTlsCredentials(pkiDir, urn), { userAgent: 'flexgate-sandbox/0.1' });
    const [anm, dso, admin] = await Promise.all([client(SANDBOX_ANM), client(SANDBOX_DSO), client(SANDBOX_ADMIN)]);
    const businessLogic = new VenClient(dso, { credentials: await provisionCredentials(admin, SANDBOX_DSO) });
    return new DsoParties(new AnmClient(anm), new AnmClient(dso), businessLogic, new CimClient(dso), admin, [anm, dso, admin]);
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}
