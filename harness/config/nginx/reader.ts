/**
 * Reads a user's nginx config (a whole nginx.conf, a conf.d site file, or a snippet), resolves its
 * includes against the user's own files and builds the model the checks ask questions of:
 * servers with listens, names and locations, upstream blocks, proxy_pass targets, unresolved
 * includes and problems nginx would report.
 */
import { basename, dirname, posix, resolve } from 'node:path';
import { walkDirectives, type NginxDirective, type SourceRef } from './ast.ts';
import { detectConfigKind, type NginxConfigKind } from './config-kind.ts';
import { checkPlacement } from './directive-context.ts';
import { diskFileSource, type ConfigFileSource } from './file-source.ts';
import { resolveIncludes, type NginxInclude } from './include-resolver.ts';
import { parseNginxConfig } from './parser.ts';
import { collectProxyPasses, type NginxProxyPass } from './proxy-pass.ts';
import { buildServer, type NginxServer } from './server.ts';
import { serversForTarget } from './server-select.ts';
import { parseUpstream, type NginxUpstream } from './upstreams.ts';

export interface NginxDiagnostic extends SourceRef {
  severity: 'error' | 'warning';
  message: string;
}

export interface NginxPlaceholder extends SourceRef {
  /** `NGINX_PORT` for `${NGINX_PORT}`. */
  name: string;
}

export interface NginxConfig {
  /** The root file as read. */
  file: string;
  kind: NginxConfigKind;
  /** The root file's directives with every resolved include spliced in place. */
  directives: NginxDirective[];
  /**
   * The http-level directive lists servers inherit from, outermost first: `enclosingHttp` (the
   * nginx.conf a site file is placed under), then this config's own http level.
   */
  httpLevels: NginxDirective[][];
  servers: NginxServer[];
  upstreams: NginxUpstream[];
  proxyPasses: NginxProxyPass[];
  includes: NginxInclude[];
  /** `${NAME}` envsubst placeholders left in the text (values unknown until rendered). */
  placeholders: NginxPlaceholder[];
  diagnostics: NginxDiagnostic[];
}

export interface ReadNginxConfigOptions {
  /** nginx's prefix (where nginx.conf lives) as nginx sees it. Default /etc/nginx. */
  nginxPrefix?: string;
  /** The user's directory standing for nginxPrefix. Default: the root file's directory. */
  prefixDir?: string;
  /**
   * Where nginx will see the root file. Default: <prefix>/nginx.conf for a whole nginx.conf,
   * <prefix>/conf.d/<name> for a site file or snippet.
   */
  nginxPath?: string;
  /** More nginx directory → user directory pairs, e.g. { '/etc/nginx/snippets': './snippets' }. */
  mounts?: Record<string, string>;
  /** Suffixes of templates rendered to the name without them (the official image: `.template`). */
  templateSuffixes?: string[];
  /** Read lone `${NAME}` lines as placeholders. Default: for files named like `x.template`. */
  template?: boolean;
  /** Where files are read from. Default: disk, limited to prefixDir, the root's directory and mounts. */
  files?: ConfigFileSource;
  /** http-level directives of the nginx.conf a site file sits under (e.g. the image's stock one). */
  enclosingHttp?: NginxDirective[];
}

const TEMPLATE_NAME = /\.(template|tmpl)(\.|$)/;

function placeholdersIn(directives: readonly NginxDirective[]): NginxPlaceholder[] {
  const found: NginxPlaceholder[] = [];
  for (const d of walkDirectives(directives)) {
    for (const word of [d.name, ...d.args]) {
      for (const match of word.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) found.push({ file: d.file, line: d.line, name: match[1]! });
    }
  }
  return found;
}

/** nginx warns "conflicting server name" and ignores every later server claiming a name on the same port. */
function conflictingNames(servers: readonly NginxServer[]): NginxDiagnostic[] {
  const diagnostics: NginxDiagnostic[] = [];
  const ports = new Set(servers.flatMap((s) => s.listens.map((l) => l.port)).filter((p): p is number => p !== undefined));
  for (const port of ports) {
    const seen = new Map<string, NginxServer>();
    for (const { server } of serversForTarget(servers, { port })) {
      for (const name of server.serverNames) {
        if (name.kind === 'regex') continue;
        const key = `${name.kind}:${name.name}`;
        const first = seen.get(key);
        if (first && first !== server) {
          diagnostics.push({
            severity: 'warning',
            file: name.file,
            line: name.line,
            message: `conflicting server name "${name.raw}" on port ${port}, ignored (the server at ${first.file}:${first.line} keeps it)`,
          });
        } else seen.set(key, server);
      }
    }
  }
  return diagnostics;
}

function httpLevelOf(kind: NginxConfigKind, directives: readonly NginxDirective[]): NginxDirective[] {
  if (kind === 'nginx.conf') return directives.filter((d) => d.name === 'http' && d.block).flatMap((d) => d.block ?? []);
  return kind === 'site' ? [...directives] : [];
}

/** Read a config from its text. `file` labels it and anchors relative includes. */
export function readNginxConfigText(text: string, file: string, options: ReadNginxConfigOptions = {}): NginxConfig {
  const localPath = resolve(file);
  const nginxPrefix = options.nginxPrefix ?? '/etc/nginx';
  const prefixDir = resolve(options.prefixDir ?? dirname(localPath));
  const mounts = Object.fromEntries(Object.entries(options.mounts ?? {}).map(([nginxDir, localDir]) => [nginxDir, resolve(localDir)]));
  const isTemplate = (path: string): boolean => options.template ?? TEMPLATE_NAME.test(basename(path));
  const parsed = parseNginxConfig(text, localPath, { templatePlaceholders: isTemplate(localPath) });
  const kind = detectConfigKind(parsed);
  const templateSuffixes = options.templateSuffixes ?? ['.template'];
  const stripped = templateSuffixes.reduce((name, suffix) => (name.endsWith(suffix) ? name.slice(0, -suffix.length) : name), basename(localPath));
  const nginxPath = options.nginxPath ?? (kind === 'nginx.conf' ? posix.join(nginxPrefix, 'nginx.conf') : posix.join(nginxPrefix, 'conf.d', stripped));
  const files = options.files ?? diskFileSource([prefixDir, dirname(localPath), ...Object.values(mounts)]);
  const resolved = resolveIncludes(parsed, { localPath, nginxPath }, { nginxPrefix, prefixDir, mounts, templateSuffixes, files, isTemplate });

  const directives = resolved.directives;
  const ownHttp = httpLevelOf(kind, directives);
  const httpLevels = options.enclosingHttp ? [options.enclosingHttp, ownHttp] : [ownHttp];
  const servers = ownHttp.filter((d) => d.name === 'server' && d.block).map((d, index) => buildServer(d, index));
  const upstreams = ownHttp.filter((d) => d.name === 'upstream' && d.block).map(parseUpstream);
  // An upstream pulled into a server by an include is refused by nginx, but still names a target.
  for (const server of servers) upstreams.push(...(server.directive.block ?? []).filter((d) => d.name === 'upstream' && d.block).map(parseUpstream));

  const topContext = kind === 'nginx.conf' ? 'main' : kind === 'site' ? 'http' : 'other';
  const diagnostics: NginxDiagnostic[] = [
    ...resolved.problems.map((p) => ({ severity: 'error' as const, ...p })),
    ...checkPlacement(directives, topContext).map((p) => ({ severity: 'error' as const, ...p })),
    ...conflictingNames(servers),
  ];
  for (const d of walkDirectives(directives)) {
    if (d.placeholder) diagnostics.push({ severity: 'error', file: d.file, line: d.line, message: `${d.name} stands alone on its line: render the template (envsubst) before nginx reads it` });
  }
  const config: NginxConfig = {
    file: localPath,
    kind,
    directives,
    httpLevels,
    servers,
    upstreams,
    proxyPasses: [],
    includes: resolved.includes,
    placeholders: placeholdersIn(directives),
    diagnostics,
  };
  config.proxyPasses = collectProxyPasses(servers, upstreams);
  for (const { target } of config.proxyPasses) {
    if (target.invalid) diagnostics.push({ severity: 'error', file: target.file, line: target.line, message: target.invalid });
  }
  return config;
}

/** Read a config file (and the includes it names) from the user's files. */
export function readNginxConfig(path: string, options: ReadNginxConfigOptions = {}): NginxConfig {
  const localPath = resolve(path);
  const prefixDir = resolve(options.prefixDir ?? dirname(localPath));
  const files = options.files ?? diskFileSource([prefixDir, dirname(localPath), ...Object.values(options.mounts ?? {}).map((d) => resolve(d))]);
  const text = files.read(localPath);
  if (text === undefined) throw new Error(`cannot read nginx config ${localPath}`);
  return readNginxConfigText(text, localPath, { ...options, files });
}
