import { apiVersionOfPath, type ApiVersion } from '../../schemas/envelope.ts';
import { FlexgateError } from '../errors.ts';

/** A path outside every flexgate API: nothing to sign it for. */
export class PathOutsideApi extends FlexgateError {
  readonly code = 'envelope.path-outside-api';
}

/** The API version a request path is signed for (`ver`); a path outside every API is an error. */
export function apiVersionFor(path: string): ApiVersion {
  const version = apiVersionOfPath(path);
  if (!version) throw new PathOutsideApi(`${path} is not under a flexgate API (/anm/v1, /cim/v1, /admin/v1, /openadr/3.1.0, /openadr/3.0.1, /openadr/2.0b)`);
  return version;
}
