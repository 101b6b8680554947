import type { StoreExecutor } from '../store/store.ts';
import { reserveOutboundSequences } from './replayGuard.ts';

/**
 * How many outbound sequence numbers one reservation takes. Instances
 * interleave by blocks, so a receiver keeping a replay window of
 * REPLAY_WINDOW numbers accepts them all while fewer than
 * REPLAY_WINDOW / OUTBOUND_BLOCK (8) instances answer one audience; a
 * reservation is a commit of its own, which 128 answers share.
 */
export const OUTBOUND_BLOCK = 128;

/**
 * The gateway's sequence numbers for its responses, per audience, handed
 * out from blocks reserved in the store: one small commit per block instead
 * of one per response. Numbers left in a block at exit are never used.
 */
export class OutboundSequences {
  private readonly blocks = new Map<string, { next: number; last: number }>();
  private readonly reserving = new Map<string, Promise<void>>();

  constructor(
    private readonly db: StoreExecutor,
    private readonly issuer: string,
    private readonly blockSize = OUTBOUND_BLOCK,
  ) {}

  async next(audience: string): Promise<string> {
    for (;;) {
      const block = this.blocks.get(audience);
      if (block && block.next <= block.last) return String(block.next++);
      let reservation = this.reserving.get(audience);
      if (!reservation) {
        reservation = this.reserve(audience).finally(() => this.reserving.delete(audience));
        this.reserving.set(audience, reservation);
      }
      await reservation;
    }
  }

  private async reserve(audience: string): Promise<void> {
    const last = await reserveOutboundSequences(this.db, this.issuer, audience, this.blockSize);
    this.blocks.set(audience, { next: last - this.blockSize + 1, last });
  }
}
