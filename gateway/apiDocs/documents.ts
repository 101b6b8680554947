import { PROFILES } from '../../profiles/catalogue.ts';
import { adminOpenApi } from '../../schemas/openapi/admin.ts';
import { anmOpenApi } from '../../schemas/openapi/anm.ts';
import { cimOpenApi } from '../../schemas/openapi/cim.ts';
import { OPENADR_BASE_PATH, openadrOpenApi } from '../../schemas/openadr/openapi.ts';
import { OPENADR_301_BASE_PATH, openadr301OpenApi } from '../../schemas/openadr/openapi301.ts';

export interface ApiDocument {
  /** Path segment of its browsable page, `/docs/<name>`. */
  name: string;
  title: string;
  /** Where its JSON is served: under the API's own root. */
  jsonPath: string;
  document: object;
}

/** Every API the gateway serves, with its OpenAPI document: the same definitions the gateway routes and validates with. */
export const API_DOCUMENTS: readonly ApiDocument[] = [
  { name: 'anm-v1', title: 'ANM API v1', jsonPath: '/anm/v1/openapi.json', document: anmOpenApi },
  { name: 'cim-v1', title: 'CIM API v1', jsonPath: '/cim/v1/openapi.json', document: cimOpenApi(PROFILES) },
  { name: 'openadr-3.1.0', title: 'OpenADR 3.1.0 VTN', jsonPath: `${OPENADR_BASE_PATH}/openapi.json`, document: openadrOpenApi },
  { name: 'openadr-3.0.1', title: 'OpenADR 3.0.1 VTN (deprecated)', jsonPath: `${OPENADR_301_BASE_PATH}/openapi.json`, document: openadr301OpenApi },
  { name: 'admin-v1', title: 'Admin API v1 and operations', jsonPath: '/admin/v1/openapi.json', document: adminOpenApi },
];
