import { itemField } from '../machinery/bindings.ts';
import { textCodec } from '../machinery/codecs.ts';
import { group, leaf, type GroupDecl, type ReasonKind } from '../machinery/declaration.ts';
import { reasons } from '../machinery/repetitions.ts';
import { codeType } from '../machinery/simpleType.ts';
import { ReasonText } from './types.ts';

const REASON_TITLES: Readonly<Record<string, string>> = {
  A73: 'Bid accepted',
  A95: 'Complementary information',
};

/** A `Reason` element holding the given kinds of reason; its code list is theirs. */
export function reasonElement(codeTypeName: string, meaning: string, kinds: readonly ReasonKind[]): GroupDecl {
  const codes = [...new Set(kinds.map((kind) => kind.code))].map((code) => ({ code, title: REASON_TITLES[code] ?? code }));
  return group('Reason', reasons(kinds), meaning, [
    leaf('code', codeType(codeTypeName, 'Reason code', codes), { ...itemField('code', textCodec), describe: "the reason's code" }, { meaning: 'Reason code' }),
    leaf('text', ReasonText, { ...itemField('text', textCodec), describe: "the reason's text" }, { meaning: 'Reason text', optional: true }),
  ]);
}
