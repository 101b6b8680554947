import { acknowledgementProfile } from './acknowledgement.ts';
import { constraintLookAheadProfile } from './constraintLookAhead.ts';
import { deliveryVerificationProfile } from './deliveryVerification.ts';
import { dispatchInstructionProfile } from './dispatchInstruction.ts';
import { meritOrderListProfile } from './meritOrderList.ts';

/** Every CIM profile flexgate speaks, one per document kind. */
export const PROFILES = [
  constraintLookAheadProfile,
  meritOrderListProfile,
  dispatchInstructionProfile,
  deliveryVerificationProfile,
  acknowledgementProfile,
] as const;

export type CimProfile = (typeof PROFILES)[number];
export type CimProfileId = CimProfile['id'];

export function profileById(id: string): CimProfile | undefined {
  return PROFILES.find((profile) => profile.id === id);
}

export function profileByRoot(root: string): CimProfile | undefined {
  return PROFILES.find((profile) => profile.root === root);
}
