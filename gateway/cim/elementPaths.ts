interface OpenElement {
  readonly name: string;
  readonly index: number;
  readonly parent: OpenElement | undefined;
  readonly counts: Map<string, number>;
}

function pathOf(element: OpenElement): string {
  const steps: string[] = [];
  for (let at: OpenElement | undefined = element; at?.parent; at = at.parent) {
    const repeated = (at.parent.counts.get(at.name) ?? 0) > 1;
    steps.push(repeated ? `${at.name}[${at.index}]` : at.name);
  }
  return `/${steps.reverse().join('/')}`;
}

/**
 * Maps "line L, element E" (how libxml2 reports schema errors) to an
 * XPath-like path such as `/MeritOrderList_MarketDocument/TimeSeries[3]/priority`.
 * One pass over the text; only the elements starting on the wanted lines are
 * kept. Positions are shown where a name repeats among its siblings.
 */
export function elementLocator(text: string, wantedLines: ReadonlySet<number>): (line: number, name: string | undefined) => string | undefined {
  const recorded = new Map<number, OpenElement[]>();
  const documentLevel: OpenElement = { name: '', index: 1, parent: undefined, counts: new Map() };
  let open = documentLevel;
  let line = 1;
  // The next line break not yet counted: each is found once, so the pass stays linear however long a line is.
  let nextBreak = text.indexOf('\n');
  const advance = (to: number) => {
    while (nextBreak >= 0 && nextBreak < to) {
      line++;
      nextBreak = text.indexOf('\n', nextBreak + 1);
    }
  };
  const skipTo = (from: number, terminator: string) => {
    const end = text.indexOf(terminator, from);
    return end < 0 ? text.length : end + terminator.length;
  };
  let at = 0;
  for (;;) {
    const lt = text.indexOf('<', at);
    if (lt < 0) break;
    advance(lt);
    if (text.startsWith('<?', lt)) at = skipTo(lt, '?>');
    else if (text.startsWith('<!--', lt)) at = skipTo(lt, '-->');
    else if (text.startsWith('<![CDATA[', lt)) at = skipTo(lt, ']]>');
    else if (text.startsWith('<!', lt)) at = skipTo(lt, '>');
    else if (text.startsWith('</', lt)) {
      open = open.parent ?? documentLevel;
      at = skipTo(lt, '>');
    } else {
      let end = lt + 1;
      let quote = '';
      for (; end < text.length; end++) {
        const ch = text[end]!;
        if (quote) {
          if (ch === quote) quote = '';
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '>') break;
      }
      const qualified = /^<([^\s/>]+)/.exec(text.slice(lt, Math.min(end, lt + 256)))?.[1] ?? '';
      const name = qualified.slice(qualified.indexOf(':') + 1);
      const index = (open.counts.get(name) ?? 0) + 1;
      open.counts.set(name, index);
      const element: OpenElement = { name, index, parent: open, counts: new Map() };
      if (wantedLines.has(line)) {
        const onLine = recorded.get(line);
        if (onLine) onLine.push(element);
        else recorded.set(line, [element]);
      }
      if (text[end - 1] !== '/') open = element;
      at = end + 1;
    }
    advance(at);
  }
  return (wanted, name) => {
    const candidates = recorded.get(wanted) ?? [];
    const element = candidates.find((c) => c.name === name) ?? candidates[0];
    return element ? pathOf(element) : undefined;
  };
}
