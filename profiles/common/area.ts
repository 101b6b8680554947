import { fixed } from '../machinery/bindings.ts';
import { codingScheme, leaf, type LeafDecl } from '../machinery/declaration.ts';
import { AreaCodingScheme, GbArea } from './types.ts';

/** An area id element: always the GB area, with its EIC coding scheme. */
export function gbDomain(name: string, meaning: string): LeafDecl {
  return leaf(name, GbArea, fixed(GbArea), { meaning, attribute: codingScheme(AreaCodingScheme, fixed(AreaCodingScheme)) });
}
