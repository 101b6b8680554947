import { loadSchema, schemaViolations } from './xsdValidation.ts';

/**
 * Child process for the interoperability tests: validates documents against
 * an official XSD, which libxml2 recompiles (with its 600 kB code list) on
 * every validation, about 10 ms each; run in parallel with the tests.
 */
interface Request {
  readonly id: number;
  readonly schemaPath: string;
  readonly xml: string;
}

process.on('message', (message: Request) => {
  const violations = schemaViolations(message.xml, loadSchema(message.schemaPath)).map((item) => `${item.pointer ?? ''} ${item.detail}`);
  process.send?.({ id: message.id, violations });
});
