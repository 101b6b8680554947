import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';

/** Follows a list's `next` cursors from `first`: each page at most `limit` items and its Link header naming the next; the ids in order. */
export async function followPages(app: Express, first: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let next: string | null = first;
  while (next) {
    const page: request.Response = await request(app).get(next).expect(200);
    assert.ok(page.body.items.length <= limit);
    seen.push(...page.body.items.map((item: { id: string }) => item.id));
    if (page.body.next) assert.equal(page.headers.link, `<${page.body.next}>; rel="next"`);
    next = page.body.next;
  }
  return seen;
}
