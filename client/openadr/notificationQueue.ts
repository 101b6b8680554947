import { FlexgateError } from '../../protocol/errors.ts';
import type { NotificationRefused, VerifiedNotification } from './notificationVerifier.ts';

/** No notification came in the time a caller was willing to wait. */
export class NoNotification extends FlexgateError {
  readonly code = 'client.no-notification';
}

/**
 * Notifications as a push channel (webhook, MQTT) hands them on: every
 * verified one kept in `received` and offered, in order, to `next()` and to
 * `for await`; every refused one kept in `refused`.
 */
export abstract class NotificationQueue implements AsyncIterable<VerifiedNotification> {
  readonly received: VerifiedNotification[] = [];
  readonly refused: NotificationRefused[] = [];
  private read = 0;
  private waiters: Array<() => void> = [];
  private ended = false;

  protected deliver(notification: VerifiedNotification): void {
    this.received.push(notification);
    this.wake();
  }

  protected refuse(error: NotificationRefused): void {
    this.refused.push(error);
    this.wake();
  }

  protected end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** The next notification not yet handed out; refused with `NoNotification` after `timeoutMs` (never, without one) or once closed. */
  async next(timeoutMs?: number): Promise<VerifiedNotification> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    while (this.read >= this.received.length) {
      if (this.ended) throw new NoNotification('The channel is closed');
      if (!(await this.wait(deadline))) throw new NoNotification(`No notification within ${timeoutMs} ms`);
    }
    return this.received[this.read++]!;
  }

  /** The first refusal recorded after the `after`-th (tests of forged notifications). */
  async nextRefusal(timeoutMs: number, after = this.refused.length): Promise<NotificationRefused> {
    const deadline = Date.now() + timeoutMs;
    while (this.refused.length <= after) {
      if (this.ended || !(await this.wait(deadline))) throw new NoNotification(`No refusal within ${timeoutMs} ms`);
    }
    return this.refused[after]!;
  }

  /** Until something arrives (true) or the deadline passes (false). */
  private async wait(deadline: number | undefined): Promise<boolean> {
    const left = deadline === undefined ? undefined : deadline - Date.now();
    if (left !== undefined && left <= 0) return false;
    return new Promise<boolean>((resolve) => {
      const timer = left === undefined ? undefined : setTimeout(() => resolve(false), left);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<VerifiedNotification> {
    for (;;) {
      try {
        yield await this.next();
      } catch (error) {
        if (error instanceof NoNotification) return;
        throw error;
      }
    }
  }
}
