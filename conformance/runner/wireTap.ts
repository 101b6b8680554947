import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { partyFromCertificate } from '../../protocol/identity/certificateIdentity.ts';
import { PROBLEM_TYPE_PREFIX } from '../../schemas/problems.ts';

/** One request the test VTN answered, as a proxy in front of it would log it. */
export interface TappedRequest {
  at: number;
  /** The party of the client certificate the request came with. */
  party: string | undefined;
  method: string;
  path: string;
  status: number;
  /** The problem code when the answer was problem+json. */
  problem?: string;
}

/**
 * Records what reaches the test VTN on the wire (who asked, for what, and
 * the answer's status and problem type) without touching the answer: how
 * the `ven` role sees a VEN poll, or try what the VTN refused — things the
 * VTN's API keeps no object for.
 */
export class WireTap {
  readonly requests: TappedRequest[] = [];

  constructor(server: Server) {
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => this.watch(req, res));
  }

  private watch(req: IncomingMessage, res: ServerResponse): void {
    const at = Date.now();
    const path = req.url ?? '/';
    const raw = (req.socket as TLSSocket).getPeerCertificate?.()?.raw;
    const party = raw ? partyFromCertificate(raw)?.urn : undefined;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    let body = '';
    res.end = ((...args: unknown[]) => {
      const chunk = args[0];
      if (Buffer.isBuffer(chunk) || typeof chunk === 'string') body = chunk.toString();
      return end(...args);
    }) as ServerResponse['end'];
    res.once('finish', () => {
      this.requests.push({ at, party, method: req.method ?? 'GET', path, status: res.statusCode, ...problemIn(res, body) });
    });
  }

  /** The requests of one party since a time (epoch ms). */
  of(party: string, since = 0): TappedRequest[] {
    return this.requests.filter((r) => r.party === party && r.at >= since);
  }
}

function problemIn(res: ServerResponse, body: string): { problem?: string } {
  if (!String(res.getHeader('content-type') ?? '').startsWith('application/problem+json')) return {};
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    return typeof type === 'string' && type.startsWith(PROBLEM_TYPE_PREFIX) ? { problem: type.slice(PROBLEM_TYPE_PREFIX.length) } : {};
  } catch {
    return {};
  }
}
