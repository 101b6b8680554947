/**
 * Text for xmlbuilder2's `txt()` and `att()`, which leave anything shaped
 * like `&name;` or `&#n;` unescaped (taking it for a reference the caller
 * wrote). Escaping every `&` first makes the text come out verbatim: `&amp;`
 * is then the only such shape, and it is left alone.
 */
export function verbatim(text: string): string {
  return text.replaceAll('&', '&amp;');
}
