import type { SignedResponse } from '../../client/flexgateClient.ts';
import type { PartyName, VectorStep } from '../vectors/model.ts';
import { sendStep, substitute, type Variables } from './exchange.ts';
import type { Target } from './target.ts';

const REGISTRY = '/admin/v1/registry';
const OPENADR = /^\/openadr\/[0-9.]+\//;

/**
 * What a case left on the target, undone when the case ends: the OpenADR
 * objects it created (deleted by their creator, subscriptions first, then
 * newest first, so a program goes after its events) and the registry it
 * changed (put back as it was).
 * Without it every run would leave subscriptions whose webhook host has gone,
 * which the target keeps retrying, and a registry that makes later cases'
 * merit order lists contradict it.
 */
export class Cleanup {
  private readonly created: { as: PartyName; path: string }[] = [];
  private registryBefore: unknown;
  private registryChanged = false;

  constructor(
    private readonly target: Target,
    private readonly variables: Variables,
  ) {}

  /** Before a registry write, the registry as it is (the first time only). */
  async beforeSend(step: VectorStep): Promise<void> {
    if (this.registryBefore !== undefined || !isRegistryWrite(step, this.variables)) return;
    const answer = await this.target.client('admin').request('GET', REGISTRY);
    if (answer.status === 200) this.registryBefore = answer.json<unknown>();
  }

  /** Records what the answer says the step created or changed. */
  afterSend(step: VectorStep, response: SignedResponse | undefined): void {
    if (!response || response.status >= 300) return;
    if (isRegistryWrite(step, this.variables)) this.registryChanged = true;
    const path = substitute(step.request.path, this.variables);
    if (step.request.method !== 'POST' || response.status !== 201 || !OPENADR.test(path) || path.includes('?')) return;
    const id = idOf(response);
    if (id !== undefined) this.created.push({ as: step.as, path: `${path}/${encodeURIComponent(id)}` });
  }

  /** Deletes and restores; returns what it did, for the case's notes. A failure here is reported, never judged. */
  async undo(): Promise<string[]> {
    const done: string[] = [];
    const attempt = async (label: string, action: () => Promise<string>) => {
      try {
        done.push(`cleanup: ${label} → ${await action()}`);
      } catch (error) {
        done.push(`cleanup: ${label} failed: ${(error as Error).message}`);
      }
    };
    // Subscriptions first: deleting the other objects would otherwise notify the case's webhook host, gone by now.
    const newestFirst = this.created.splice(0).reverse();
    const subscriptionsFirst = [...newestFirst.filter(isSubscription), ...newestFirst.filter((entry) => !isSubscription(entry))];
    for (const { as, path } of subscriptionsFirst) {
      await attempt(`DELETE ${path}`, async () => {
        const step: VectorStep = { as, request: { method: 'DELETE', path, auth: 'bearer' }, expect: { status: 200 } };
        const { response, exchange } = await sendStep(this.target, step, new Map());
        return String(response?.status ?? exchange.error ?? 'no answer');
      });
    }
    if (this.registryChanged && this.registryBefore !== undefined) {
      const before = JSON.stringify(this.registryBefore);
      this.registryChanged = false;
      await attempt(`PUT ${REGISTRY} (the registry as the case found it)`, async () => {
        const answer = await this.target.client('admin').request('PUT', REGISTRY, { body: before, contentType: 'application/json' });
        return String(answer.status);
      });
    }
    return done;
  }
}

const isSubscription = ({ path }: { path: string }) => /\/subscriptions\/[^/]+$/.test(path);

function isRegistryWrite(step: VectorStep, variables: Variables): boolean {
  const path = substitute(step.request.path, variables);
  return step.request.method !== 'GET' && (path === REGISTRY || path.startsWith(`${REGISTRY}/`));
}

function idOf(response: SignedResponse): string | undefined {
  try {
    const { id } = response.json<{ id?: unknown }>();
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
