import { createHash } from 'node:crypto';

/** SHA-256, base64url without padding: how receipts name a body and a protected header. */
export const sha256Base64url = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('base64url');

/**
 * What a message id is bound to: the method, the path with its query and the
 * body, as signed. Only the identical request may reuse its message id.
 */
export const requestSha256 = (method: string, path: string, bodySha256: string) => sha256Base64url(`${method.toUpperCase()} ${path}\n${bodySha256}`);
