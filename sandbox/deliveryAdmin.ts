import type { Static, TSchema } from '@sinclair/typebox';
import { DeliveryDetail, DeliveryPage, QueueList } from '../schemas/admin/deliveries.ts';
import { compileValidator } from '../protocol/jsonSchema.ts';
import type { FlexgateClient } from '../client/flexgateClient.ts';
import { refusalOf } from '../client/refusal.ts';

const PATH = '/admin/v1/deliveries';
const validators = { page: compileValidator(DeliveryPage), queues: compileValidator(QueueList), detail: compileValidator(DeliveryDetail) };

async function read<S extends TSchema>(
  admin: FlexgateClient,
  method: string,
  path: string,
  validate: (value: unknown) => Static<S>,
  ok = 200,
): Promise<Static<S>> {
  const answer = await admin.request(method, path);
  if (answer.status !== ok) throw refusalOf(answer.status, answer.body, `${method} ${path}`);
  return validate(answer.json());
}

/** The gateway's delivery outbox through its admin API (`/admin/v1/deliveries`), as an operator sees it. */
export class DeliveryAdmin {
  constructor(private readonly admin: FlexgateClient) {}

  async recent(limit = 100): Promise<DeliveryPage['deliveries']> {
    return (await read<typeof DeliveryPage>(this.admin, 'GET', `${PATH}?limit=${limit}`, validators.page)).deliveries;
  }

  async queues(): Promise<QueueList['queues']> {
    return (await read<typeof QueueList>(this.admin, 'GET', `${PATH}/queues`, validators.queues)).queues;
  }

  detail(id: string): Promise<Static<typeof DeliveryDetail>> {
    return read<typeof DeliveryDetail>(this.admin, 'GET', `${PATH}/${encodeURIComponent(id)}`, validators.detail);
  }

  async redeliver(id: string): Promise<void> {
    await read<typeof DeliveryDetail>(this.admin, 'POST', `${PATH}/${encodeURIComponent(id)}/redeliver`, validators.detail, 202);
  }
}

type DeliveryPage = Static<typeof DeliveryPage>;
type QueueList = Static<typeof QueueList>;
