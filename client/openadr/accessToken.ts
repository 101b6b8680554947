/** How a VEN presents its client credentials to /auth/token (RFC 6749 §2.3.1): in the form body, or as HTTP Basic. */
export type ClientAuthentication = 'form' | 'basic';

/** A token as the VEN keeps it: when it stops working, and what it may do. */
export interface AccessToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** The scopes granted, as the token response named them. */
  scope?: string;
}

/** Where a token outlives one process (the CLI keeps it in its state folder); memory otherwise. */
export interface TokenCache {
  load(): AccessToken | undefined;
  save(token: AccessToken): void;
}

/** Assumed when a token response names no lifetime: short, so a token the VTN expired early is not held long. */
export const DEFAULT_LIFETIME_SECONDS = 300;
const MIN_MARGIN_MS = 30_000;

/**
 * Refresh before the token runs out rather than after a refusal: with a
 * tenth of its lifetime left, and never later than 30 s before expiry, so a
 * request started with it does not arrive with it expired.
 */
export function needsRefresh(token: AccessToken | undefined, lifetimeMs: number, now: number): boolean {
  if (!token) return true;
  const margin = Math.max(MIN_MARGIN_MS, lifetimeMs / 10);
  return token.expiresAt - now <= margin;
}

/** application/x-www-form-urlencoded, as RFC 6749 Appendix B encodes a client id or secret. */
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * The token request's body and headers. HTTP Basic (RFC 6749 §2.3.1): the
 * client id and secret are each form-urlencoded (the URN's colons become
 * `%3A`), joined by a colon and base64-encoded; the body then names neither.
 */
export function tokenRequest(
  authentication: ClientAuthentication,
  credentials: { clientId: string; clientSecret: string },
  scope: string | undefined,
): { body: string; headers: Record<string, string> } {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) form.set('scope', scope);
  if (authentication === 'form') {
    form.set('client_id', credentials.clientId);
    form.set('client_secret', credentials.clientSecret);
    return { body: form.toString(), headers: {} };
  }
  const basic = Buffer.from(`${formEncode(credentials.clientId)}:${formEncode(credentials.clientSecret)}`).toString('base64');
  return { body: form.toString(), headers: { authorization: `Basic ${basic}` } };
}
