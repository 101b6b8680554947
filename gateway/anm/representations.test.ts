import assert from 'node:assert/strict';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import type { StoredDocument } from '../store/anmDocuments.ts';
import { Representations } from './representations.ts';

const stored = (id: string, revision: number, body: object): StoredDocument => ({
  id,
  kind: 'merit-order-list',
  acceptedAt: '2026-12-01T10:00:00.000Z',
  revision,
  journalId: `journal-${id}`,
  body: canonicalJson(body),
});

describe('representations of stored ANM documents', () => {
  it('are the canonical document with its identity and revision', () => {
    const document = stored('mol-1', 2, { periodStart: '2026-12-01T10:00:00Z', entries: [{ order: 1, contractId: 'C1' }] });
    assert.equal(
      new Representations().of(document),
      '{"acceptedAt":"2026-12-01T10:00:00.000Z","entries":[{"contractId":"C1","order":1}],"id":"mol-1","periodStart":"2026-12-01T10:00:00Z","revision":2}',
    );
  });

  it('are kept per revision (a stored revision never changes), and a new revision is its own', () => {
    const representations = new Representations();
    const first = representations.of(stored('mol-1', 1, { entries: [] }));
    // Were the first one not kept, this body would show.
    assert.equal(representations.of(stored('mol-1', 1, { entries: [{ order: 9 }] })), first);
    assert.match(representations.of(stored('mol-1', 2, { entries: [{ order: 9 }] })), /"order":9/);
  });

  it('keep at most 8 Mi characters, the least recently read going first, and never one over 256 Ki', () => {
    const representations = new Representations();
    const filler = 'x'.repeat(200 * 1024);
    representations.of(stored('read-again', 1, { note: 'kept' }));
    representations.of(stored('read-once', 1, { note: 'kept' }));
    for (let n = 0; n < 60; n++) {
      representations.of(stored(`filler-${n}`, 1, { filler }));
      // Read throughout: the most recently used stays.
      assert.match(representations.of(stored('read-again', 1, { note: 'changed' })), /kept/);
    }
    assert.match(representations.of(stored('read-once', 1, { note: 'changed' })), /changed/, 'evicted once 12 MB went through');
    const large = 'y'.repeat(300 * 1024);
    representations.of(stored('large', 1, { large }));
    assert.match(representations.of(stored('large', 1, { large: 'changed' })), /changed/, 'too large to keep');
  });
});
