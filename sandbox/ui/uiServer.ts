import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { DeliveryAdmin } from '../deliveryAdmin.ts';
import { verifiedJournal } from '../journalView.ts';
import type { RunningGateway } from '../../gateway/index.ts';
import type { SimulatedFsp } from '../fsps/simulatedFsp.ts';
import type { ScenarioPlayer } from '../orchestrator/scenarioPlayer.ts';
import type { DsoParties } from '../sandboxParties.ts';
import type { Catalogue } from '../scenarioCatalogue.ts';
import { cimView, deliveriesView, deliveryView, eventsView, journalView, layout, meritOrderView, scenarioView, SPEEDS, VIEWS } from './pages.ts';
import type { SafeHtml } from './html.ts';

/** Shipped in the package beside the sources (no CDN), read from there when running from dist/ too. */
const ASSETS_DIR = join(PACKAGE_ROOT, 'sandbox', 'ui', 'assets');
const ASSETS: Record<string, string> = { 'style.css': 'text/css; charset=utf-8', 'live.js': 'text/javascript; charset=utf-8' };
const LIVE_THROTTLE_MS = 250;
const MAX_FORM_BYTES = 4096;

export interface UiServer {
  url: string;
  close(): Promise<void>;
}

/** What the UI shows and drives: the running sandbox. */
export interface SandboxView {
  on(event: 'change', listener: () => void): unknown;
  player: ScenarioPlayer;
  catalogue: Catalogue;
  fsps: readonly SimulatedFsp[];
  fspProblems: readonly string[];
  parties: DsoParties;
  gateway: RunningGateway;
  rootCertificatePath: string;
}

class NotFound extends Error {}

/**
 * The sandbox's web UI: server-rendered pages (README: why), one small
 * script for live updates over server-sent events, no assets from anywhere
 * but this folder. Plain HTTP, so it binds to loopback unless told
 * otherwise: a browser has no client certificate for the gateway's mTLS.
 */
export async function startUiServer(sandbox: SandboxView, options: { port: number; host: string }): Promise<UiServer> {
  const deliveries = new DeliveryAdmin(sandbox.parties.admin);
  const listeners = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;
  sandbox.on('change', () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      for (const res of listeners) res.write('event: change\ndata: {}\n\n');
    }, LIVE_THROTTLE_MS);
  });

  const page = async (path: string, query: URLSearchParams, fragment: boolean, res: ServerResponse) => {
    const { player } = sandbox;
    let main: SafeHtml;
    let live = true;
    if (path === '/') main = scenarioView(player, sandbox.catalogue.scenarios, sandbox.fspProblems);
    else if (path === '/mol') main = meritOrderView(player.run.meritOrderLists);
    else if (path === '/events') main = eventsView(sandbox.fsps, await sandbox.parties.businessLogic.events());
    else if (path === '/deliveries') main = deliveriesView(await deliveries.recent(50), await deliveries.queues());
    else if (path.startsWith('/deliveries/')) main = deliveryView(await deliveries.detail(decodeURIComponent(path.slice('/deliveries/'.length))));
    else if (path === '/journal') {
      main = journalView(await verifiedJournal(sandbox.gateway, sandbox.rootCertificatePath), sandbox.rootCertificatePath);
      live = false;
    } else if (path === '/cim') {
      const id = query.get('list') ?? undefined;
      const revision = query.has('revision') ? Number(query.get('revision')) : undefined;
      const xml = id ? await sandbox.parties.cim.document(id, revision) : undefined;
      if (id && query.get('download') === '1') {
        res.writeHead(200, {
          'content-type': 'application/xml; charset=utf-8',
          'content-disposition': `attachment; filename="merit-order-list-${id}${revision ? `-r${revision}` : ''}.xml"`,
        });
        res.end(xml);
        return;
      }
      main = cimView(player.run.meritOrderLists, id ? { id, ...(revision ? { revision } : {}) } : undefined, xml);
      live = false;
    } else throw new NotFound();
    const title = VIEWS.find(([href]) => href === path)?.[1] ?? 'Delivery';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(String(fragment ? main : layout(path.startsWith('/deliveries/') ? '/deliveries' : path, title, main, { live, gatewayUrl: sandbox.gateway.url })));
  };

  const control = async (form: URLSearchParams) => {
    const { player } = sandbox;
    const action = form.get('action');
    if (action === 'play') player.play();
    else if (action === 'pause') player.pause();
    else if (action === 'reset') player.reset();
    else if (action === 'speed') {
      const speed = Number(form.get('speed'));
      if ((SPEEDS as readonly number[]).includes(speed)) player.setSpeed(speed);
    } else if (action === 'load') {
      const scenario = sandbox.catalogue.scenarios.find((s) => s.id === Number(form.get('scenario')));
      if (scenario) player.load(scenario);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    // A page elsewhere must not drive the sandbox from the user's browser: form posts come from the UI's own origin.
    if (req.method === 'POST' && req.headers.origin !== undefined && req.headers.origin !== `http://${req.headers.host}`) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('Cross-origin form posts are refused');
      return;
    }
    const path = url.pathname;
    if (req.method === 'GET' && path === '/live') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 2000\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    if (req.method === 'GET' && path.startsWith('/assets/')) {
      const name = path.slice('/assets/'.length);
      const type = ASSETS[name];
      if (!type) throw new NotFound();
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(await readFile(join(ASSETS_DIR, name)));
      return;
    }
    if (req.method === 'GET' && path === '/journal/bundle') {
      const journal = await verifiedJournal(sandbox.gateway, sandbox.rootCertificatePath);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-disposition': 'attachment; filename="journal.bundle"' });
      res.end(journal.bundle);
      return;
    }
    if (req.method === 'POST') {
      const form = await readForm(req);
      const redeliver = /^\/deliveries\/([^/]+)\/redeliver$/.exec(path);
      if (path === '/control') await control(form);
      else if (redeliver) await deliveries.redeliver(decodeURIComponent(redeliver[1]!));
      else throw new NotFound();
      res.writeHead(303, { location: redeliver ? path.slice(0, -'/redeliver'.length) : '/' });
      res.end();
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET, POST' });
      res.end();
      return;
    }
    await page(path, url.searchParams, req.headers['x-fragment'] === '1', res);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      const status = error instanceof NotFound ? 404 : 500;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(status === 404 ? 'Not found' : `The sandbox could not answer: ${(error as Error).message}`);
    });
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    async close() {
      clearTimeout(timer);
      for (const res of listeners) res.end();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
