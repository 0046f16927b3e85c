/**
 * `include` resolution. nginx resolves a relative include against its prefix (the directory of
 * nginx.conf, /etc/nginx in the images), never against the including file, and expands globs in
 * sorted order (ngx_conf_include + ngx_open_glob). The user's files do not sit at those paths, so
 * nginx paths are mapped to the user's directories:
 * - `prefixDir` stands for nginx's prefix;
 * - each file read stands for the nginx path it was found for, so an absolute include of that
 *   file's own directory (onyx: `include /etc/nginx/conf.d/mcp*.conf` from a conf.d site) is
 *   looked up beside it;
 * - a relative include is also tried beside the including file, where users keep snippets;
 * - `NAME.template` is accepted for `NAME`: the official image renders templates with envsubst
 *   by dropping that suffix.
 * An include none of the user's files match is kept in the tree, flagged, and reported as
 * "unresolved" (mime.types, proxy_params, Certbot's files come with the image, not the user).
 */
import { basename, dirname, isAbsolute, join, posix } from 'node:path';
import { walkDirectives, type NginxDirective, type SourceRef } from './ast.ts';
import type { ConfigFileSource } from './file-source.ts';
import { hasGlobMagic } from './glob-match.ts';
import { parseNginxConfig } from './parser.ts';
import { stockIncludeNote } from './stock-includes.ts';

export interface NginxInclude extends SourceRef {
  /** The argument as written. */
  pattern: string;
  /** The path nginx opens: the pattern made absolute against nginx's prefix. */
  nginxPattern: string;
  status: 'resolved' | 'unresolved';
  /** The user's files spliced in, in nginx's order. */
  files: string[];
  /** Where nginx opens each of `files` (same order): the path to place it at in the container. */
  nginxPaths: string[];
  /** For an unresolved include: why, and where the reader looked. */
  reason?: string;
  /** For an unresolved include of a file that comes with the image or a tool: what it is. */
  stock?: string;
  /** nginx fails on a missing plain path; a glob matching nothing is accepted. */
  glob: boolean;
}

export interface NginxIncludeContext {
  /** nginx's prefix as nginx sees it, e.g. /etc/nginx. */
  nginxPrefix: string;
  /** The user's directory standing for nginxPrefix. */
  prefixDir: string;
  /** Further nginx directory → user directory pairs. */
  mounts: Readonly<Record<string, string>>;
  /** Suffixes of template files rendered to the name without them. */
  templateSuffixes: readonly string[];
  files: ConfigFileSource;
  /** Whether a file is an envsubst template whose lone `${NAME}` lines are placeholders. */
  isTemplate: (localPath: string) => boolean;
}

/** One file as read: where it is on the user's disk and where nginx will see it. */
export interface NginxSourceFile {
  localPath: string;
  nginxPath: string;
}

export interface ResolvedIncludes {
  directives: NginxDirective[];
  includes: NginxInclude[];
  /** Include cycles and nesting too deep, which nginx would loop on or refuse. */
  problems: { file: string; line: number; message: string }[];
}

const MAX_DEPTH = 32;

function isUnder(path: string, dir: string): boolean {
  const rel = posix.relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
}

class IncludeResolver {
  readonly includes: NginxInclude[] = [];
  readonly problems: ResolvedIncludes['problems'] = [];
  private readonly context: NginxIncludeContext;

  constructor(context: NginxIncludeContext) {
    this.context = context;
  }

  /** User-side path for an nginx path, through the longest matching mount. */
  private toLocal(nginxPath: string, source: NginxSourceFile): string | undefined {
    const mounts: [string, string][] = [
      [dirname(source.nginxPath), dirname(source.localPath)],
      ...Object.entries(this.context.mounts),
      [this.context.nginxPrefix, this.context.prefixDir],
    ];
    const best = mounts
      .filter(([nginxDir]) => isUnder(nginxPath, nginxDir))
      .sort((a, b) => b[0].length - a[0].length)[0];
    return best ? join(best[1], posix.relative(best[0], nginxPath)) : undefined;
  }

  private stripTemplateSuffix(path: string): string {
    const suffix = this.context.templateSuffixes.find((s) => path.endsWith(s));
    return suffix ? path.slice(0, -suffix.length) : path;
  }

  private candidates(pattern: string, nginxPattern: string, source: NginxSourceFile): string[] {
    const list: string[] = [];
    const mapped = this.toLocal(nginxPattern, source);
    if (mapped) list.push(mapped);
    if (!isAbsolute(pattern)) list.push(join(dirname(source.localPath), pattern));
    return [...new Set(list)];
  }

  private match(candidate: string): string[] {
    const direct = this.context.files.glob(candidate);
    if (direct.length > 0) return direct;
    for (const suffix of this.context.templateSuffixes) {
      const rendered = this.context.files.glob(candidate + suffix);
      if (rendered.length > 0) return rendered;
    }
    return [];
  }

  splice(directives: readonly NginxDirective[], source: NginxSourceFile, stack: readonly string[]): NginxDirective[] {
    const out: NginxDirective[] = [];
    for (const directive of directives) {
      if (directive.name === 'include' && !directive.block && directive.args.length === 1) {
        out.push(...this.include(directive, source, stack));
      } else if (directive.block) {
        out.push({ ...directive, block: this.splice(directive.block, source, stack) });
      } else {
        out.push(directive);
      }
    }
    return out;
  }

  private include(directive: NginxDirective, source: NginxSourceFile, stack: readonly string[]): NginxDirective[] {
    const pattern = directive.args[0]!;
    const nginxPattern = isAbsolute(pattern) ? pattern : posix.join(this.context.nginxPrefix, pattern);
    const record: NginxInclude = {
      file: directive.file,
      line: directive.line,
      pattern,
      nginxPattern,
      status: 'unresolved',
      files: [],
      nginxPaths: [],
      glob: hasGlobMagic(pattern),
    };
    this.includes.push(record);
    const unresolved = (reason: string): NginxDirective[] => {
      record.reason = reason;
      const stock = stockIncludeNote(nginxPattern, this.context.nginxPrefix);
      if (stock) record.stock = stock;
      return [{ ...directive, unresolvedInclude: true }];
    };
    if (pattern.includes('$')) {
      return unresolved('the path holds a variable or template placeholder; nginx does not expand variables in include');
    }
    const candidates = this.candidates(pattern, nginxPattern, source);
    const found = candidates.map((c) => this.match(c)).find((m) => m.length > 0);
    if (!found) return unresolved(`none of your files match (looked for ${candidates.join(', ') || 'nothing mappable'})`);
    if (stack.length >= MAX_DEPTH) {
      this.problems.push({ file: directive.file, line: directive.line, message: `includes nested more than ${MAX_DEPTH} deep` });
      return unresolved('includes nested too deep');
    }
    record.status = 'resolved';
    record.files = found;
    const spliced: NginxDirective[] = [];
    for (const localPath of found) {
      if (stack.includes(localPath)) {
        this.problems.push({ file: directive.file, line: directive.line, message: `include cycle: ${localPath} includes itself` });
        continue;
      }
      const text = this.context.files.read(localPath);
      if (text === undefined) continue;
      const nginxPath = hasGlobMagic(nginxPattern) ? posix.join(dirname(nginxPattern), this.stripTemplateSuffix(basename(localPath))) : nginxPattern;
      record.nginxPaths.push(nginxPath);
      const parsed = parseNginxConfig(text, localPath, { templatePlaceholders: this.context.isTemplate(localPath) });
      const from: SourceRef = { file: directive.file, line: directive.line };
      for (const child of walkDirectives(parsed)) child.includedFrom ??= from;
      spliced.push(...this.splice(parsed, { localPath, nginxPath }, [...stack, localPath]));
    }
    return spliced;
  }
}

/** Splice every include of `directives` (read from `source`) with the user's files it names. */
export function resolveIncludes(directives: readonly NginxDirective[], source: NginxSourceFile, context: NginxIncludeContext): ResolvedIncludes {
  const resolver = new IncludeResolver(context);
  const spliced = resolver.splice(directives, source, [source.localPath]);
  return { directives: spliced, includes: resolver.includes, problems: resolver.problems };
}
