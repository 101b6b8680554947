const LINE_FEED = 0x0a;

export interface BundleLine {
  /** 1-based. */
  number: number;
  /** The line's exact bytes, without its line feed: what the manifest hashes. */
  bytes: Buffer;
  /** False for a last line that does not end with a line feed. */
  terminated: boolean;
}

/** Splits a bundle into lines on raw bytes, so hashes cover exactly what is in the file, valid UTF-8 or not. */
export async function* bundleLines(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<BundleLine> {
  const chunks = source instanceof Uint8Array ? [source] : source;
  let pending: Buffer[] = [];
  let number = 0;
  for await (const chunk of chunks) {
    let buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let end = buffer.indexOf(LINE_FEED); end !== -1; end = buffer.indexOf(LINE_FEED)) {
      pending.push(buffer.subarray(0, end));
      yield { number: ++number, bytes: Buffer.concat(pending), terminated: true };
      pending = [];
      buffer = buffer.subarray(end + 1);
    }
    if (buffer.length > 0) pending.push(buffer);
  }
  if (pending.length > 0) yield { number: ++number, bytes: Buffer.concat(pending), terminated: false };
}
