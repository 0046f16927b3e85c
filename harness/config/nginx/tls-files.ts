/**
 * The certificate, key, trust and DH-parameter files an nginx config names (any context), as
 * nginx resolves them: a relative path is relative to nginx's prefix (ngx_conf_full_name with the
 * conf prefix), /etc/nginx/ for Debian's and the official images.
 */
import { posix } from 'node:path';
import { walkDirectives } from './ast.ts';
import type { NginxConfig } from './reader.ts';
import { noTlsFileNeeds, type TlsFileNeeds } from '../tls-needs.ts';

const NGINX_PREFIX = '/etc/nginx';

const ROLES: Record<string, Exclude<keyof TlsFileNeeds, 'unsupported' | 'combined'>> = {
  ssl_certificate: 'certificates',
  ssl_certificate_key: 'keys',
  ssl_trusted_certificate: 'authorities',
  ssl_client_certificate: 'authorities',
  ssl_dhparam: 'dhParams',
};

export function nginxTlsFiles(config: NginxConfig): TlsFileNeeds {
  const needs = noTlsFileNeeds();
  for (const directive of walkDirectives(config.directives)) {
    const role = ROLES[directive.name];
    const value = directive.args[0];
    if (!role || value === undefined) continue;
    if (value.includes('$')) {
      needs.unsupported.push({ file: directive.file, line: directive.line, what: `${directive.name} ${value}`, why: 'a path holding a variable is only known per request' });
      continue;
    }
    // `data:` certificates (nginx ≥ 1.15.10) and `engine:` keys carry no file.
    if (/^(data|engine):/.test(value)) continue;
    const path = posix.isAbsolute(value) ? value : posix.join(NGINX_PREFIX, value);
    if (!needs[role].includes(path)) needs[role].push(path);
  }
  return needs;
}
