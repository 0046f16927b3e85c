/**
 * Which `defaults` section a proxy takes its initial settings from (configuration.txt 4,
 * "Proxies"): the one named by `from <name>` on its section line, else the last `defaults`
 * section before it. A defaults section may itself take settings `from` another, so settings
 * can come through several levels.
 */
import type { HaproxySection } from './parser.ts';

export interface DefaultsResolution {
  /** The defaults section used directly; undefined when none precedes the proxy. */
  defaults?: HaproxySection;
  /** Every defaults section contributing settings, outermost first, `defaults` last. */
  chain: HaproxySection[];
  /** A `from` naming no defaults section, or a `from` cycle. */
  problem?: string;
}

function namedDefaults(sections: readonly HaproxySection[], name: string): HaproxySection | undefined {
  return sections.filter((s) => s.kind === 'defaults' && s.name === name).at(-1);
}

export function resolveDefaults(sections: readonly HaproxySection[], section: HaproxySection): DefaultsResolution {
  const index = sections.indexOf(section);
  let first: HaproxySection | undefined;
  if (section.from !== undefined) {
    first = namedDefaults(sections, section.from);
    if (!first) return { chain: [], problem: `'from' names no defaults section "${section.from}"` };
  } else if (section.kind !== 'defaults') {
    first = sections.slice(0, index).filter((s) => s.kind === 'defaults').at(-1);
  }
  const chain: HaproxySection[] = [];
  for (let current = first; current; ) {
    if (chain.includes(current)) return { defaults: first, chain, problem: `defaults 'from' cycle through "${current.name ?? ''}"` };
    chain.unshift(current);
    if (current.from === undefined) break;
    const parent = namedDefaults(sections, current.from);
    if (!parent) return { defaults: first, chain, problem: `'from' names no defaults section "${current.from}"` };
    current = parent;
  }
  return { defaults: first, chain };
}
