/**
 * The `listen` directive: `80`, `*:80`, `127.0.0.1:8080`, `localhost`, `[::]:443`, `unix:/path`,
 * followed by parameters (default_server, ssl, http2, quic, proxy_protocol, ...).
 * A server without any listen listens on *:80 (nginx's default when run as root).
 */
import type { NginxDirective, SourceRef } from './ast.ts';

export interface NginxListen extends SourceRef {
  /** The address argument as written. */
  raw: string;
  /** Host part as written (`*` when only a port was given); undefined for unix sockets. */
  address?: string;
  /** undefined for unix sockets and unrendered placeholders (`${NGINX_PORT}`). */
  port?: number;
  unix?: string;
  family: 'ipv4' | 'ipv6' | 'unix';
  /** Listens on every address of its family (`*`, `0.0.0.0`, `[::]`, or a bare port). */
  wildcard: boolean;
  ssl: boolean;
  /** `listen ... http2` (deprecated since nginx 1.25.1 in favour of the `http2` directive). */
  http2: boolean;
  quic: boolean;
  defaultServer: boolean;
  proxyProtocol: boolean;
  /** The address or port holds a variable/placeholder, so it is unknown until rendered. */
  placeholder: boolean;
  /** True for the *:80 nginx assumes when a server has no listen. */
  implicit: boolean;
}

const DEFAULT_PORT = 80;

function parseAddress(raw: string): Pick<NginxListen, 'address' | 'port' | 'unix' | 'family' | 'wildcard' | 'placeholder'> {
  const placeholder = raw.includes('$');
  // `listen ${NGINX_PORT};`: address and port are both unknown until the template is rendered.
  if (/^\$\{?\w+\}?$/.test(raw)) return { family: 'ipv4', wildcard: false, placeholder };
  if (raw.startsWith('unix:')) return { unix: raw.slice(5), family: 'unix', wildcard: false, placeholder };
  if (/^\d+$/.test(raw)) return { address: '*', port: Number(raw), family: 'ipv4', wildcard: true, placeholder };
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    const address = raw.slice(0, close + 1);
    const portText = raw.slice(close + 2);
    const port = /^\d+$/.test(portText) ? Number(portText) : portText === '' ? DEFAULT_PORT : undefined;
    return { address, port, family: 'ipv6', wildcard: address === '[::]', placeholder };
  }
  const colon = raw.lastIndexOf(':');
  const address = colon >= 0 ? raw.slice(0, colon) : raw;
  const portText = colon >= 0 ? raw.slice(colon + 1) : '';
  const port = /^\d+$/.test(portText) ? Number(portText) : colon < 0 && !placeholder ? DEFAULT_PORT : undefined;
  return { address, port, family: 'ipv4', wildcard: address === '*' || address === '0.0.0.0', placeholder };
}

export function parseListen(directive: NginxDirective): NginxListen {
  const [raw = '', ...params] = directive.args;
  return {
    file: directive.file,
    line: directive.line,
    raw,
    ...parseAddress(raw),
    ssl: params.includes('ssl'),
    http2: params.includes('http2'),
    quic: params.includes('quic'),
    defaultServer: params.includes('default_server') || params.includes('default'),
    proxyProtocol: params.includes('proxy_protocol'),
    implicit: false,
  };
}

/** The listen nginx assumes for a server that has none, attributed to the server line. */
export function implicitListen(server: SourceRef): NginxListen {
  return {
    file: server.file,
    line: server.line,
    raw: '*:80',
    address: '*',
    port: DEFAULT_PORT,
    family: 'ipv4',
    wildcard: true,
    ssl: false,
    http2: false,
    quic: false,
    defaultServer: false,
    proxyProtocol: false,
    placeholder: false,
    implicit: true,
  };
}
