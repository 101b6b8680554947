import { CRITICAL_MEMBERS, RECEIPT_MEMBER, STATUS_MEMBER } from '../../schemas/envelope.ts';

/** Every member jose must let through `crit` on both sides; presence and meaning are checked by readHeader.ts and verify.ts. */
export const JOSE_CRIT: Record<string, boolean> = Object.fromEntries(
  [...CRITICAL_MEMBERS, STATUS_MEMBER, RECEIPT_MEMBER].filter((name) => name !== 'b64').map((name) => [name, true]),
);
