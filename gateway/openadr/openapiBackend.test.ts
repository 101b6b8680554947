import assert from 'node:assert/strict';
import { OpenAPIBackend } from 'openapi-backend';
import { withWireFormats } from '../../schemas/openadr/formats.ts';
import { openadrOpenApi } from '../../schemas/openadr/openapi.ts';
import { openadr301OpenApi } from '../../schemas/openadr/openapi301.ts';

/**
 * The gateway starts its OpenADR backends without re-checking their
 * documents, and resolves their references another way (openapiBackend.ts):
 * the checks it skips run here, once, on both documents, and the two ways
 * must give the same document.
 */
describe("flexgate's OpenADR documents, checked as the gateway no longer does at each start", function () {
  this.timeout(120_000);

  for (const [version, definition] of [
    ['3.1.0', openadrOpenApi],
    ['3.0.1', openadr301OpenApi],
  ] as const) {
    it(`${version}: a valid OpenAPI document whose every request and response schema compiles against the JSON Schema meta-schema, resolved alike in quick mode`, async () => {
      const api = new OpenAPIBackend({
        definition: structuredClone(definition) as never,
        strict: true,
        validate: true,
        coerceTypes: true,
        ajvOpts: { allErrors: true, validateSchema: true },
        customizeAjv: (ajv) => withWireFormats(ajv),
      });
      // Strict: a definition or schema error rejects init instead of being logged.
      await api.init();
      // The gateway's backend (quick: another $ref resolver) must see the very document this full check resolved.
      const quick = new OpenAPIBackend({ definition: structuredClone(definition) as never, quick: true, validate: false });
      await quick.init();
      assert.deepEqual(quick.definition, api.definition);
    });
  }
});
