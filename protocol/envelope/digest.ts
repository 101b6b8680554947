import { createHash } from 'node:crypto';

/** SHA-256, base64url without padding: how receipts name a body and a protected header. */
export const sha256Base64url = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('base64url');
