import type { ApiDocument } from './documents.ts';

const escape = (text: unknown) => String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d2733}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-top:1px solid #ccd;padding-top:1rem}
.op{margin:1rem 0;padding:.6rem .8rem;border-left:4px solid #5b7;background:#f6f8f7}.m{font-weight:700;text-transform:uppercase;margin-right:.5rem}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem}pre{background:#eef;padding:.6rem;overflow:auto;max-height:24rem}
table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:.2rem .5rem;text-align:left;vertical-align:top}`;

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: { name?: string; in?: string; required?: boolean; description?: string; $ref?: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string; $ref?: string }>;
};

const METHODS = ['get', 'post', 'put', 'delete', 'head', 'patch'] as const;

/** The index of every API's documentation. */
export function docsIndexPage(documents: readonly ApiDocument[]): string {
  const items = documents
    .map((d) => `<li><a href="/docs/${escape(d.name)}">${escape(d.title)}</a> — <a href="${escape(d.jsonPath)}"><code>${escape(d.jsonPath)}</code></a></li>`)
    .join('');
  return page('flexgate APIs', `<h1>flexgate APIs</h1><p>OpenAPI documents of every API this gateway serves, as JSON and browsable.</p><ul>${items}</ul>`);
}

/** One API's document as a readable page: every operation with its parameters, bodies and responses; the schemas as JSON. */
export function apiDocPage(api: ApiDocument): string {
  const doc = api.document as {
    info?: { title?: string; description?: string; version?: string };
    paths?: Record<string, Record<string, Operation>>;
    components?: { schemas?: object };
  };
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => renderOperation(method, path, item[method]!)),
  );
  const schemas = doc.components?.schemas
    ? `<h2>Schemas</h2><details><summary>components.schemas (JSON)</summary><pre>${escape(JSON.stringify(doc.components.schemas, null, 2))}</pre></details>`
    : '';
  return page(
    api.title,
    `<p><a href="/docs">All APIs</a></p><h1>${escape(doc.info?.title ?? api.title)} <small>${escape(doc.info?.version ?? '')}</small></h1>
<p>${escape(doc.info?.description ?? '')}</p><p>JSON: <a href="${escape(api.jsonPath)}"><code>${escape(api.jsonPath)}</code></a></p>
<h2>Operations</h2>${operations.join('')}${schemas}`,
  );
}

function renderOperation(method: string, path: string, op: Operation): string {
  const parameters = (op.parameters ?? [])
    .map((p) =>
      p.$ref
        ? `<tr><td colspan="3"><code>${escape(p.$ref)}</code></td></tr>`
        : `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}${p.required ? ', required' : ''}</td><td>${escape(p.description ?? '')}</td></tr>`,
    )
    .join('');
  const body = op.requestBody?.content
    ? `<p>Body: ${Object.keys(op.requestBody.content)
        .map((t) => `<code>${escape(t)}</code>`)
        .join(', ')}</p>`
    : '';
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<tr><td>${escape(status)}</td><td>${escape(r.description ?? r.$ref ?? '')}</td></tr>`)
    .join('');
  return `<div class="op" id="${escape(op.operationId ?? `${method}-${path}`)}"><span class="m">${escape(method)}</span><code>${escape(path)}</code>
<p>${escape(op.summary ?? '')}${op.description ? ` — ${escape(op.description)}` : ''}</p>
${parameters ? `<table><tr><th>parameter</th><th>in</th><th></th></tr>${parameters}</table>` : ''}${body}
<table><tr><th>status</th><th>meaning</th></tr>${responses}</table></div>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}
