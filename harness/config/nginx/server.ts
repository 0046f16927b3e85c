/** `server {}` blocks of the http context: listens, names and locations. */
import type { NginxDirective, SourceRef } from './ast.ts';
import { buildLocation, type NginxLocation } from './location.ts';
import { implicitListen, parseListen, type NginxListen } from './listen.ts';
import { parseServerName, type NginxServerName } from './server-name.ts';

export interface NginxServer extends SourceRef {
  directive: NginxDirective;
  /** Position among all servers, in nginx's reading order (decides the default server). */
  index: number;
  listens: NginxListen[];
  /** Every server_name entry; a server without one has the single name "" (nginx's default). */
  serverNames: NginxServerName[];
  /** Top-level locations (named `@` ones included), in file order; nested ones hang below. */
  locations: NginxLocation[];
}

export function buildServer(directive: NginxDirective, index: number): NginxServer {
  const block = directive.block ?? [];
  const listens = block.filter((d) => d.name === 'listen').map(parseListen);
  const nameDirectives = block.filter((d) => d.name === 'server_name');
  const serverNames = nameDirectives.flatMap((d) => d.args.map((name) => parseServerName(name, d)));
  return {
    file: directive.file,
    line: directive.line,
    directive,
    index,
    listens: listens.length > 0 ? listens : [implicitListen(directive)],
    serverNames: serverNames.length > 0 ? serverNames : [parseServerName('', directive)],
    locations: block.filter((d) => d.name === 'location' && d.block).map((d) => buildLocation(d)),
  };
}

/** Every location of the server, nested ones included, depth first in file order. */
export function allLocations(server: NginxServer): NginxLocation[] {
  const out: NginxLocation[] = [];
  const visit = (locations: readonly NginxLocation[]): void => {
    for (const location of locations) {
      out.push(location);
      visit(location.children);
    }
  };
  visit(server.locations);
  return out;
}
