import type { ElementDecl, FieldTarget, Profile } from './declaration.ts';
import type { ModelError } from './modelCheck.ts';
import type { ProfileIssue, ProfileIssueCode } from './violation.ts';

/** Where a model field travels: its JSON pointer pattern (`*` for array indexes) and the element path (`[$]` for positions). */
export interface FieldPlacement {
  readonly on: 'header' | 'model';
  readonly pattern: readonly string[];
  readonly xpath: string;
}

const POSITION = '[$]';

/** Every field placement a profile declares, derived from its element tree. */
export function fieldPlacements(profile: Profile): FieldPlacement[] {
  const placements: FieldPlacement[] = [];
  const add = (target: FieldTarget | undefined, itemPattern: readonly string[], xpath: string, arrays: ReadonlySet<string>) => {
    if (!target) return;
    const key = target.key.split('.');
    if (target.on === 'header') placements.push({ on: 'header', pattern: key, xpath });
    else if (target.on === 'root') placements.push({ on: 'model', pattern: key, xpath: xpath.replaceAll(POSITION, '[1]') });
    else {
      placements.push({ on: 'model', pattern: [...itemPattern, ...key, ...(arrays.has(target.key) ? ['*'] : [])], xpath });
    }
  };
  const walk = (decls: readonly ElementDecl[], itemPattern: readonly string[], xpath: string, arrays: ReadonlySet<string>) => {
    for (const decl of decls) {
      if (decl.kind === 'leaf') {
        add(decl.value.target, itemPattern, `${xpath}/${decl.name}`, arrays);
        if (decl.attribute) add(decl.attribute.value.target, itemPattern, `${xpath}/${decl.name}/@${decl.attribute.name}`, arrays);
        continue;
      }
      const { repeat } = decl;
      if (repeat.reasons) {
        for (const kind of repeat.reasons) {
          for (const target of kind.targets) add(target, itemPattern, `${xpath}/${decl.name}[code='${kind.code}']`, arrays);
        }
      } else if (repeat.target) {
        walk(decl.children, [...itemPattern, ...repeat.target.key.split('.'), '*'], `${xpath}/${decl.name}${POSITION}`, new Set());
      } else if (repeat.arrays) {
        walk(decl.children, itemPattern, `${xpath}/${decl.name}${POSITION}`, new Set(repeat.arrays));
      } else {
        walk(decl.children, itemPattern, `${xpath}/${decl.name}${repeat.max === 1 ? '' : '[1]'}`, arrays);
      }
    }
  };
  walk(profile.children, [], `/${profile.root}`, new Set());
  return placements;
}

const locators = new WeakMap<Profile, (pointer: string, on: FieldPlacement['on']) => string>();

/**
 * The element path of a model field given by JSON pointer, e.g.
 * `/entries/3/mic_kW` → `/MeritOrderList_MarketDocument/TimeSeries[4]/Reason[code='A95']`.
 * Falls back to the nearest enclosing field, then to the root.
 */
export function locateField(profile: Profile, pointer: string, on: FieldPlacement['on'] = 'model'): string {
  let locate = locators.get(profile);
  if (!locate) {
    const placements = fieldPlacements(profile).sort((a, b) => b.pattern.length - a.pattern.length);
    locate = (wanted, side) => {
      const segments = wanted.split('/').slice(1);
      for (let length = segments.length; length > 0; length--) {
        const prefix = segments.slice(0, length);
        for (const placement of placements) {
          if (placement.on !== side || placement.pattern.length !== length) continue;
          const indexes: number[] = [];
          const matches = placement.pattern.every((part, k) => {
            const segment = prefix[k] ?? '';
            if (part !== '*') return part === segment;
            if (!/^\d+$/.test(segment)) return false;
            indexes.push(Number(segment) + 1);
            return true;
          });
          if (matches) {
            let n = 0;
            return placement.xpath.replaceAll(POSITION, () => `[${indexes[n++] ?? 1}]`);
          }
        }
      }
      return `/${profile.root}`;
    };
    locators.set(profile, locate);
  }
  return locate(pointer, on);
}

/** Schema errors of a model or header as profile issues, each at the element carrying the field. */
export function issuesAt(profile: Profile, code: ProfileIssueCode, errors: readonly ModelError[], on: FieldPlacement['on']): ProfileIssue[] {
  return errors.map((error) => ({ code, detail: error.message, path: locateField(profile, error.pointer, on) }));
}
