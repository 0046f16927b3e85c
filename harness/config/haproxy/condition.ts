/**
 * Conditions after `if` / `unless` (configuration.txt 7.2): terms side by side are AND-ed,
 * `||` or `or` separates OR groups, `!` negates the next term (it may be glued: `!{`, `!is_api`),
 * `{ criterion ... }` is an anonymous ACL.
 */
import { parseAclPattern, type HaproxyAclPattern } from './acl.ts';

export type HaproxyConditionTerm =
  | { negate: boolean; acl: string }
  | { negate: boolean; anonymous: HaproxyAclPattern; text: string };

export interface HaproxyCondition {
  polarity: 'if' | 'unless';
  /** OR of AND groups. */
  groups: HaproxyConditionTerm[][];
  /** The condition words as written, for messages. */
  text: string;
}

export function parseCondition(polarity: 'if' | 'unless', words: readonly string[]): HaproxyCondition {
  const groups: HaproxyConditionTerm[][] = [[]];
  let negate = false;
  for (let i = 0; i < words.length; i++) {
    let word = words[i]!;
    while (word.startsWith('!')) {
      negate = !negate;
      word = word.slice(1);
    }
    if (word === '') continue;
    if (word === '||' || word.toLowerCase() === 'or') {
      groups.push([]);
      negate = false;
      continue;
    }
    if (word === '{') {
      const close = words.indexOf('}', i + 1);
      const inner = words.slice(i + 1, close < 0 ? words.length : close);
      groups.at(-1)!.push({ negate, anonymous: parseAclPattern(inner), text: `{ ${inner.join(' ')} }` });
      i = close < 0 ? words.length : close;
    } else {
      groups.at(-1)!.push({ negate, acl: word });
    }
    negate = false;
  }
  return { polarity, groups: groups.filter((g) => g.length > 0), text: `${polarity} ${words.join(' ')}` };
}

/** Split a rule's words at its first top-level `if`/`unless` (after the action words). */
export function splitRuleCondition(args: readonly string[]): { action: string[]; condition?: HaproxyCondition } {
  let depth = 0;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word.endsWith('{')) depth++;
    else if (word === '}') depth--;
    else if (depth === 0 && (word === 'if' || word === 'unless')) {
      return { action: args.slice(0, i), condition: parseCondition(word, args.slice(i + 1)) };
    }
  }
  return { action: [...args] };
}
