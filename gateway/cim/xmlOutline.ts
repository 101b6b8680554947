/**
 * The longest run of same-named children of the root (the TimeSeries of a
 * large document), cut into batches of about `batchBytes` bytes: the
 * points where a large document can be split into small ones that each keep
 * the root, everything around the run and one batch of it. `undefined` when
 * the text has no run longer than one element.
 */
export interface RunOutline {
  readonly name: string;
  /** Where the run's first element starts; everything before it is in every part. */
  readonly start: number;
  /** Where the run's last element ends; everything from here on is in every part. */
  readonly end: number;
  /** Where each batch starts (the first at `start`); a batch runs to the next one, the last to `end`. */
  readonly batchStarts: readonly number[];
}

/** Whether `ascii` occurs in `bytes` at `at`. */
function bytesAt(bytes: Buffer, at: number, ascii: string): boolean {
  for (let k = 0; k < ascii.length; k++) if (bytes[at + k] !== ascii.charCodeAt(k)) return false;
  return true;
}

/**
 * One linear pass over the markup bytes (comments, CDATA, processing
 * instructions and quoted attribute values skipped), as `checkXmlSafety`
 * does: the document is never decoded as a whole. It only finds element
 * boundaries; well-formedness is the parser's to check on each part, and a
 * part of a text that is not well-formed is not either. Offsets are bytes.
 */
export function runOutline(bytes: Buffer, batchBytes: number): RunOutline | undefined {
  let depth = 0;
  let best: { name: string; starts: number[]; end: number } | undefined;
  let run: { name: string; starts: number[]; end: number } | undefined;
  let childName = '';
  let childStart = 0;
  const childEnded = (end: number) => {
    if (run?.name === childName) {
      run.starts.push(childStart);
      run.end = end;
    } else {
      run = { name: childName, starts: [childStart], end };
    }
    if (run.starts.length > 1 && (!best || run.starts.length > best.starts.length)) best = run;
  };
  const skipTo = (from: number, terminator: string) => {
    const found = bytes.indexOf(terminator, from, 'latin1');
    return found < 0 ? bytes.length : found + terminator.length;
  };
  let at = 0;
  for (;;) {
    const lt = bytes.indexOf(0x3c /* < */, at);
    if (lt < 0) break;
    const next = bytes[lt + 1];
    if (next === 0x3f /* ? */) at = skipTo(lt + 2, '?>');
    else if (bytesAt(bytes, lt, '<!--')) at = skipTo(lt + 4, '-->');
    else if (bytesAt(bytes, lt, '<![CDATA[')) at = skipTo(lt + 9, ']]>');
    else if (next === 0x21 /* ! */) at = skipTo(lt + 2, '>');
    else if (next === 0x2f /* / */) {
      at = skipTo(lt + 2, '>');
      depth--;
      if (depth === 1) childEnded(at);
    } else {
      let end = lt + 1;
      let quote = 0;
      for (; end < bytes.length; end++) {
        const code = bytes[end]!;
        if (quote !== 0) {
          if (code === quote) quote = 0;
        } else if (code === 0x22 || code === 0x27) quote = code;
        else if (code === 0x3e /* > */) break;
      }
      at = end + 1;
      const selfClosing = bytes[end - 1] === 0x2f;
      if (depth === 1) {
        childStart = lt;
        childName = /^<([^\s/>]+)/.exec(bytes.toString('utf8', lt, Math.min(end, lt + 256)))?.[1] ?? '';
        if (selfClosing) childEnded(at);
      }
      if (!selfClosing) depth++;
    }
  }
  if (!best) return undefined;
  const batchStarts: number[] = [];
  let batchStart = -Infinity;
  for (const start of best.starts) {
    if (start - batchStart >= batchBytes) {
      batchStarts.push(start);
      batchStart = start;
    }
  }
  return { name: best.name, start: best.starts[0]!, end: best.end, batchStarts };
}
