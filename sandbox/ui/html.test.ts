import assert from 'node:assert/strict';
import { html, type SafeHtml } from './html.ts';

/** Prettier lays out html`` templates; whitespace between tags is not what is tested. */
const compact = (markup: SafeHtml) => String(markup).replace(/>\s+</g, '><').replace(/\s+</g, '<').replace(/>\s+/g, '>');

describe('sandbox UI templates', () => {
  it('escape everything interpolated: names that reach the page from documents cannot inject markup', () => {
    const contract = `A1"><script>alert(1)</script>&'`;
    assert.equal(
      String(html`<td title="${contract}">${contract}</td>`),
      '<td title="A1&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;">A1&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;</td>',
    );
  });

  it('nest templates unescaped, join arrays, and leave out null, undefined and false', () => {
    const rows = ['<a>', 'b'].map((cell) => html`<td>${cell}</td>`);
    assert.equal(
      compact(
        html`<tr>
          ${rows}${null}${undefined}${false}${0}
        </tr>`,
      ),
      '<tr><td>&lt;a&gt;</td><td>b</td>0</tr>',
    );
  });
});
