/** A certificate serial as CRLs list it: upper-case hex without separators or leading zeros; accepts `1a2b…`, `1A:2B:…`; undefined when it is not hex at all. */
export function normaliseSerial(text: string): string | undefined {
  const hex = text.replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return hex.replace(/^0+(?=.)/, '').toUpperCase();
}
