import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { appendJournal } from './journal.ts';
import { addRevision, createdInTransaction, getRevision, insertDocument } from './anmDocuments.ts';
import type { Store, StoreExecutor } from './store.ts';
import { forEachBackend, unsignedJournalEntry } from './testStores.ts';

forEachBackend((backend) => {
  describe(`ANM documents in the store (${backend.name})`, () => {
    let store: Store;
    beforeEach(async function () {
      store = await backend.open(this);
    });
    afterEach(() => store?.close());

    const at = '2026-12-02T10:00:00.000Z';
    const journal = (tx: StoreExecutor, id: string) => appendJournal(tx, unsignedJournalEntry(id, Buffer.from('{}'), at));

    it('reads back, in the transaction that created it, what was stored; a revision added there is read from the store', async () => {
      const seen = await store.transaction(async (tx) => {
        await journal(tx, 'j1');
        await insertDocument(tx, { id: 'd1', kind: 'merit-order-list', acceptedAt: at, journalId: 'j1', body: '{"a":1}' });
        const created = { first: await getRevision(tx, 'merit-order-list', 'd1', 1), isNew: createdInTransaction(tx, 'merit-order-list', 'd1') };
        const otherKind = { read: await getRevision(tx, 'constraint-look-ahead', 'd1', 1), isNew: createdInTransaction(tx, 'constraint-look-ahead', 'd1') };
        await addRevision(tx, { documentId: 'd1', basedOn: 1, createdAt: at, journalId: 'j1', body: '{"a":2}' });
        const revised = { second: await getRevision(tx, 'merit-order-list', 'd1', 2), isNew: createdInTransaction(tx, 'merit-order-list', 'd1') };
        return { created, otherKind, revised };
      });
      assert.deepEqual(seen.created, {
        first: { id: 'd1', kind: 'merit-order-list', acceptedAt: at, revision: 1, journalId: 'j1', body: '{"a":1}' },
        isNew: true,
      });
      assert.deepEqual(seen.otherKind, { read: undefined, isNew: false });
      assert.equal(seen.revised.second?.body, '{"a":2}');
      assert.equal(seen.revised.isNew, false, 'once revised, the document is no longer new to its transaction');
      // Another transaction, and the store outside one, read what was committed.
      assert.equal(createdInTransaction(store.db, 'merit-order-list', 'd1'), false);
      assert.equal((await getRevision(store.db, 'merit-order-list', 'd1', 1))?.body, '{"a":1}');
      assert.equal(await store.transaction((tx) => Promise.resolve(createdInTransaction(tx, 'merit-order-list', 'd1'))), false);
    });

    it('writes a revision with its summary, in the one insert', async () => {
      await store.transaction(async (tx) => {
        await journal(tx, 'j2');
        await insertDocument(tx, { id: 'd2', kind: 'merit-order-list', acceptedAt: at, journalId: 'j2', body: '{}', summary: '{"entryCount":0}' });
        await addRevision(tx, { documentId: 'd2', basedOn: 1, createdAt: at, journalId: 'j2', body: '{}', summary: '{"entryCount":1}' });
        await addRevision(tx, { documentId: 'd2', basedOn: 2, createdAt: at, journalId: 'j2', body: '{}' });
      });
      const { rows } = await sql<{ revision: number; summary: string | null }>`select revision, summary from anm_document_revisions
        where document_id = ${'d2'} order by revision`.execute(store.db);
      assert.deepEqual(rows, [
        { revision: 1, summary: '{"entryCount":0}' },
        { revision: 2, summary: '{"entryCount":1}' },
        { revision: 3, summary: null },
      ]);
    });
  });
});
