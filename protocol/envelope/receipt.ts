import type { Receipt } from '../../schemas/envelope.ts';
import { FlexgateError } from '../errors.ts';
import { sha256Base64url } from './digest.ts';
import type { VerifiedEnvelope } from './verifiedEnvelope.ts';

/** A receipt that names another request than the one its holder sent. */
export class ReceiptMismatch extends FlexgateError {
  readonly code = 'envelope.receipt-mismatch';
}

/** The receipt a response gives for a verified request: its message id and the SHA-256 of its body and of its protected header. */
export function receiptFor(request: Pick<VerifiedEnvelope, 'messageId' | 'bodySha256' | 'protectedHeaderSha256'>): Receipt {
  return { jti: request.messageId, 'body#S256': request.bodySha256, 'protected#S256': request.protectedHeaderSha256 };
}

/**
 * Checks that a receipt acknowledges exactly the request sent: the same
 * message id, body bytes and protected header (`<protected>` of the request's
 * `<protected>..<signature>`, hashed as its base64url text).
 */
export function checkReceipt(receipt: Receipt, sent: { signature: string; body: Uint8Array }): void {
  const [protectedPart = ''] = sent.signature.split('.');
  const messageId = (JSON.parse(Buffer.from(protectedPart, 'base64url').toString('utf8')) as { jti?: unknown }).jti;
  if (receipt.jti !== messageId) throw new ReceiptMismatch(`The receipt names message ${receipt.jti}, not ${String(messageId)}`);
  if (receipt['body#S256'] !== sha256Base64url(sent.body)) throw new ReceiptMismatch('The receipt names another body than the one sent');
  if (receipt['protected#S256'] !== sha256Base64url(protectedPart)) throw new ReceiptMismatch('The receipt names another protected header than the one sent');
}
