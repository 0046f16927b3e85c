/**
 * The tree an nginx config parses into: one node per directive, in file order, each knowing the
 * file and line it was written on, so a finding can point at the directive to change.
 */

/** Where a directive was written: the user's file (as read) and its 1-based line. */
export interface SourceRef {
  file: string;
  line: number;
}

export interface NginxDirective extends SourceRef {
  /** The first word, e.g. `proxy_pass`. Inside `map`/`types` blocks this is the map key. */
  name: string;
  /** The remaining words, quotes removed and escapes resolved as nginx does. */
  args: string[];
  /** Children of a `{ ... }` block; absent for a `;`-terminated directive. */
  block?: NginxDirective[];
  /** Raw Lua source of an OpenResty `*_by_lua_block { ... }` (never parsed as nginx directives). */
  luaCode?: string;
  /**
   * A lone `${NAME}` line of an envsubst template (`${HTTPS_CONFIG}`) that stands for whole
   * directives once rendered. nginx itself would reject the unrendered file.
   */
  placeholder?: true;
  /** Set on directives spliced in from an `include`: where that include was written. */
  includedFrom?: SourceRef;
  /** An `include` kept in the tree because none of the user's files matched it. */
  unresolvedInclude?: true;
}

/** Directives named `name` directly in `directives` (not in nested blocks). */
export function directivesNamed(directives: readonly NginxDirective[], name: string): NginxDirective[] {
  return directives.filter((d) => d.name === name);
}

/** Blocks named `name` directly in `directives`. */
export function blocksNamed(directives: readonly NginxDirective[], name: string): NginxDirective[] {
  return directives.filter((d) => d.name === name && d.block !== undefined);
}

/** Every directive in the tree, depth first, in file order. */
export function* walkDirectives(directives: readonly NginxDirective[]): Generator<NginxDirective> {
  for (const directive of directives) {
    yield directive;
    if (directive.block) yield* walkDirectives(directive.block);
  }
}

/** `file:line`, the form nginx itself uses in its messages. */
export function formatSourceRef(ref: SourceRef): string {
  return `${ref.file}:${ref.line}`;
}
