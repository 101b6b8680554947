import { withCanonicalMembers } from '../../protocol/canonicalJson.ts';
import type { StoredDocument } from '../store/anmDocuments.ts';

/** Characters of representations kept in all, and the longest one kept. */
const KEPT_CHARACTERS = 8 * 1024 * 1024;
const LONGEST_KEPT = 256 * 1024;

/** The JSON representation of a stored ANM document: the canonical document with its identity and revision (spliced into the stored canonical text). */
export function representationOf(stored: StoredDocument): string {
  return withCanonicalMembers(stored.body, { id: stored.id, revision: stored.revision, acceptedAt: stored.acceptedAt });
}

/**
 * Representations of committed revisions as they are read. A stored
 * revision never changes, so those of recently read revisions are kept (the
 * least recently used go first): parties polling the current list get it
 * without the document being parsed and serialised again for every read.
 */
export class Representations {
  private readonly kept = new Map<string, string>();
  private characters = 0;

  of(stored: StoredDocument): string {
    const key = `${stored.kind} ${stored.id} ${stored.revision}`;
    const hit = this.kept.get(key);
    if (hit !== undefined) {
      // Map order is use order: the hit moves to the end.
      this.kept.delete(key);
      this.kept.set(key, hit);
      return hit;
    }
    const json = representationOf(stored);
    if (json.length <= LONGEST_KEPT) this.keep(key, json);
    return json;
  }

  private keep(key: string, json: string): void {
    this.kept.set(key, json);
    this.characters += json.length;
    for (const [oldest, representation] of this.kept) {
      if (this.characters <= KEPT_CHARACTERS) break;
      this.kept.delete(oldest);
      this.characters -= representation.length;
    }
  }
}
