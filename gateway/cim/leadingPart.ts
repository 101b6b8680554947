import type { Profile } from '../../profiles/machinery/declaration.ts';

/** Most of a document's text its leading part keeps; a header is a few hundred bytes. */
const MAX_LEADING_BYTES = 64 * 1024;

/** Names of the root's children declared before its first repeated one: the header and the parts that occur once. */
function leadingNames(profile: Profile): ReadonlySet<string> {
  const end = profile.children.findIndex((decl) => decl.kind === 'group' && decl.repeat.max === 'unbounded');
  return new Set(profile.children.slice(0, end < 0 ? undefined : end).map((decl) => decl.name));
}

/**
 * The well-formed document made of the root and its leading children only,
 * each at most once, at most 64 KiB of it, every element left open closed:
 * all a refused document's header can be read from, so a hostile body of
 * millions of elements is never parsed twice. `text` is well-formed XML.
 */
export function leadingPart(profile: Profile, text: string): string {
  const names = leadingNames(profile);
  const seen = new Set<string>();
  const open: string[] = [];
  let at = 0;
  for (;;) {
    const lt = text.indexOf('<', at);
    if (lt < 0 || lt > MAX_LEADING_BYTES) break;
    const skip = text.startsWith('<!--', lt) ? '-->' : text.startsWith('<![CDATA[', lt) ? ']]>' : text.startsWith('<?', lt) ? '?>' : undefined;
    if (skip !== undefined) {
      const close = text.indexOf(skip, lt);
      if (close < 0) break;
      at = close + skip.length;
      continue;
    }
    const end = tagEnd(text, lt);
    if (text[lt + 1] === '/') {
      open.pop();
      at = end + 1;
      continue;
    }
    const qualified = /^<([^\s/>]+)/.exec(text.slice(lt, Math.min(end, lt + 256)))?.[1] ?? '';
    if (open.length === 1) {
      const name = qualified.slice(qualified.indexOf(':') + 1);
      if (!names.has(name) || seen.has(name)) return closed(text.slice(0, lt), open);
      seen.add(name);
    }
    if (text[end - 1] !== '/') open.push(qualified);
    at = end + 1;
  }
  return closed(text.slice(0, at), open);
}

/** Where the start or end tag at `lt` ends (its `>`), quoted attribute values skipped. */
function tagEnd(text: string, lt: number): number {
  let quote = '';
  for (let k = lt + 1; k < text.length; k++) {
    const ch = text[k];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '>') return k;
  }
  return text.length;
}

const closed = (prefix: string, open: readonly string[]) =>
  `${prefix}${[...open]
    .reverse()
    .map((name) => `</${name}>`)
    .join('')}`;
