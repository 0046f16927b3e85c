/** The request a route is evaluated for: what a streaming client sends. */

export interface HaproxyRequest {
  /** The port the client connected to. */
  port: number;
  /** The local address it connected to; absent: any. */
  address?: string;
  /** The Host header (as sent, port included if any). Absent: no Host header. */
  host?: string;
  /** The request target, e.g. `/v1/chat/completions?x=1`. */
  path: string;
  /** Default GET. */
  method?: string;
  /** Whether the connection is TLS; default: whether the bind that received it has `ssl`. */
  ssl?: boolean;
  /** The client's address; ACLs on `src` cannot be evaluated without it. */
  src?: string;
  /** Further request headers, names in any case. Headers not given are absent. */
  headers?: Readonly<Record<string, string>>;
  /** HTTP version of the request, default "1.1". */
  httpVersion?: string;
}
