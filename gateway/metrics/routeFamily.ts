/** The API a request belongs to, as a bounded metrics label (never the raw path: ids would explode the series). */
export function routeFamily(path: string): string {
  const [, first = '', second = '', third = ''] = path.split('?')[0]!.split('/');
  switch (first) {
    case 'anm':
      return /^(trades|verify|opportunities|revisions)$/.test(path.split('/')[4]?.split('?')[0] ?? '') ? 'adapter' : 'anm';
    case 'cim':
      return 'cim';
    case 'openadr':
      return second === '3.1.0' || second === '3.0.1' || second === '2.0b' ? `openadr-${second}` : 'other';
    case 'admin':
      return third === '' ? 'admin' : `admin-${third}`;
    case 'metrics':
    case 'healthz':
    case 'readyz':
    case 'openapi':
      return 'operations';
    default:
      return 'other';
  }
}
