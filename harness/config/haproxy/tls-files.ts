/**
 * The certificate files an haproxy.cfg names: `crt` and `ca-file` of `bind` and `server` lines,
 * `ssl-dh-param-file` of global, resolved as HAProxy does: against `crt-base` / `ca-base` when
 * global sets them, else against the directory HAProxy runs in, which streamproof makes the
 * config's own (the usual `haproxy -f haproxy.cfg` beside its certificates).
 */
import { posix } from 'node:path';
import type { HaproxyConfig } from './reader.ts';
import { noTlsFileNeeds, type TlsFileNeeds } from '../tls-needs.ts';

export function haproxyTlsFiles(config: HaproxyConfig, configDir: string): TlsFileNeeds {
  const needs = noTlsFileNeeds();
  const global = config.global?.lines ?? [];
  const base = (keyword: string) => global.find((line) => line.keyword === keyword)?.args[0];
  const crtBase = base('crt-base') ?? configDir;
  const caBase = base('ca-base') ?? configDir;
  const add = (list: string[], path: string) => {
    if (!list.includes(path)) list.push(path);
  };
  const at = (dir: string, value: string) => (posix.isAbsolute(value) ? value : posix.join(dir, value));
  const dh = base('ssl-dh-param-file');
  if (dh) add(needs.dhParams, at(configDir, dh));
  for (const proxy of config.proxies) {
    for (const bind of proxy.binds) {
      for (const crt of bind.crt) {
        // A directory holds every certificate in it: one throwaway one stands for them.
        add(needs.combined, crt.endsWith('/') ? posix.join(at(crtBase, crt), 'streamproof.pem') : at(crtBase, crt));
      }
      for (const list of bind.crtList) needs.unsupported.push({ file: bind.file, line: bind.line, what: `crt-list ${list}`, why: 'a crt-list names its certificates in another file' });
      const ca = bind.params['ca-file'];
      if (typeof ca === 'string') add(needs.authorities, at(caBase, ca));
    }
  }
  // `server ... ssl crt client.pem ca-file ca.pem`: HAProxy loads them at start too.
  for (const section of config.sections) {
    for (const line of section.lines) {
      if (line.keyword !== 'server' && line.keyword !== 'default-server') continue;
      for (let i = 0; i < line.args.length - 1; i++) {
        if (line.args[i] === 'crt') add(needs.combined, at(crtBase, line.args[i + 1]!));
        if (line.args[i] === 'ca-file' && !line.args[i + 1]!.startsWith('@system-ca')) add(needs.authorities, at(caBase, line.args[i + 1]!));
      }
    }
  }
  return needs;
}
