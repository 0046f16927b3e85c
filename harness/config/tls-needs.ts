/**
 * The TLS files a user's config names, as its proxy will look for them in the container: each must
 * exist for the proxy to start. validate puts a throwaway certificate at each path (harness/tls),
 * so a file written for production (`listen 443 ssl`, `bind :443 ssl crt site.pem`) runs as written.
 */
export interface TlsFileNeeds {
  /** A certificate alone (nginx `ssl_certificate`). */
  certificates: string[];
  /** A private key alone (nginx `ssl_certificate_key`). */
  keys: string[];
  /** A certificate and its key in one PEM (HAProxy `crt`). */
  combined: string[];
  /** Trust anchors (nginx `ssl_trusted_certificate`, `ssl_client_certificate`; HAProxy `ca-file`). */
  authorities: string[];
  /** Diffie-Hellman parameters (nginx `ssl_dhparam`, HAProxy `ssl-dh-param-file`). */
  dhParams: string[];
  /** What no throwaway file can stand for, each with its reason (a variable path, a crt-list). */
  unsupported: Array<{ file: string; line: number; what: string; why: string }>;
}

export const noTlsFileNeeds = (): TlsFileNeeds => ({ certificates: [], keys: [], combined: [], authorities: [], dhParams: [], unsupported: [] });

export const needsAnyTlsFile = (needs: TlsFileNeeds) =>
  needs.certificates.length + needs.keys.length + needs.combined.length + needs.authorities.length + needs.dhParams.length > 0;
