/**
 * Reads a haproxy.cfg into sections and proxy models (frontends, backends, listens with their
 * effective settings), plus the problems HAProxy would report for it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseHaproxyConfig, type HaproxyLine, type HaproxySection, type SourceRef } from './parser.ts';
import { buildProxy, type HaproxyProxy } from './proxy.ts';
import { routeHaproxyRequest, type HaproxyRoute } from './routing.ts';
import type { HaproxyRequest } from './request.ts';
import { REMOVED_KEYWORDS } from './setting-tables.ts';
import type { TokenizeOptions } from './line-tokenizer.ts';

export interface HaproxyDiagnostic extends SourceRef {
  severity: 'error' | 'warning';
  message: string;
}

export interface HaproxyConfig {
  file: string;
  sections: HaproxySection[];
  global?: HaproxySection;
  defaults: HaproxySection[];
  /** Every frontend, backend and listen, in file order. */
  proxies: HaproxyProxy[];
  /** Sections that accept connections: frontends and listens. */
  frontends: HaproxyProxy[];
  /** Sections that hold servers: backends and listens. */
  backends: HaproxyProxy[];
  diagnostics: HaproxyDiagnostic[];
}

export type ReadHaproxyConfigOptions = TokenizeOptions;

const PROXY_KINDS = new Set(['frontend', 'backend', 'listen']);

function diagnosticsFor(sections: readonly HaproxySection[], orphans: readonly HaproxyLine[], proxies: readonly HaproxyProxy[]): HaproxyDiagnostic[] {
  const diagnostics: HaproxyDiagnostic[] = orphans.map((l) => ({ severity: 'error', file: l.file, line: l.line, message: `unknown keyword '${l.keyword}' out of section` }));
  for (const section of sections) {
    for (const line of section.lines) {
      const replacement = REMOVED_KEYWORDS[line.keyword];
      if (replacement) diagnostics.push({ severity: 'error', file: line.file, line: line.line, message: `'${line.keyword}' is HAProxy 1.x syntax that HAProxy 2.x/3.x refuses: ${replacement}` });
    }
    if (PROXY_KINDS.has(section.kind) && section.extraArgs.length > 0) {
      diagnostics.push({
        severity: 'error',
        file: section.file,
        line: section.line,
        message: `listening address on the '${section.kind}' line (${section.extraArgs.join(' ')}) is HAProxy 1.x syntax: use a 'bind' line`,
      });
    }
  }
  for (const proxy of proxies) {
    for (const problem of proxy.problems) diagnostics.push({ severity: 'error', file: proxy.file, line: proxy.line, message: problem });
    const names = new Set(proxies.filter((p) => p.kind !== 'frontend').map((p) => p.name));
    for (const rule of proxy.useBackends) {
      const name = rule.action[0] ?? '';
      if (!name.includes('%[') && !names.has(name)) diagnostics.push({ severity: 'error', file: rule.file, line: rule.line, message: `use_backend names no backend "${name}"` });
    }
    if (proxy.defaultBackend && !names.has(proxy.defaultBackend.value) && proxy.defaultBackend.source !== 'default') {
      const { source } = proxy.defaultBackend;
      diagnostics.push({ severity: 'error', file: source.file, line: source.line, message: `default_backend names no backend "${proxy.defaultBackend.value}"` });
    }
  }
  return diagnostics;
}

export function readHaproxyConfigText(text: string, file: string, options: ReadHaproxyConfigOptions = {}): HaproxyConfig {
  const path = resolve(file);
  const { sections, orphans } = parseHaproxyConfig(text, path, options);
  const proxies = sections.filter((s) => PROXY_KINDS.has(s.kind)).map((s) => buildProxy(sections, s));
  const config: HaproxyConfig = {
    file: path,
    sections,
    defaults: sections.filter((s) => s.kind === 'defaults'),
    proxies,
    frontends: proxies.filter((p) => p.kind === 'frontend' || p.kind === 'listen'),
    backends: proxies.filter((p) => p.kind === 'backend' || p.kind === 'listen'),
    diagnostics: diagnosticsFor(sections, orphans, proxies),
  };
  const global = sections.find((s) => s.kind === 'global');
  if (global) config.global = global;
  return config;
}

export function readHaproxyConfig(path: string, options: ReadHaproxyConfigOptions = {}): HaproxyConfig {
  return readHaproxyConfigText(readFileSync(resolve(path), 'utf8'), path, options);
}

/** The backend (or listen) named `name`. */
export function haproxyBackend(config: HaproxyConfig, name: string): HaproxyProxy | undefined {
  return config.backends.find((b) => b.name === name);
}

/** The frontend (or listen) named `name`. */
export function haproxyFrontend(config: HaproxyConfig, name: string): HaproxyProxy | undefined {
  return config.frontends.find((f) => f.name === name);
}

/** Which backend serves `request` (see routing.ts). */
export function routeHaproxyConfigRequest(config: HaproxyConfig, request: HaproxyRequest): HaproxyRoute {
  return routeHaproxyRequest(config.proxies, request);
}
