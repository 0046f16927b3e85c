/**
 * Files that configs commonly `include` but that come with the nginx package, the image or a tool
 * (Certbot) rather than with the user's config. When one is not among the user's files it is
 * reported as unresolved with this note, instead of as a mistake.
 * Keys are nginx paths: relative to nginx's prefix (/etc/nginx), or absolute.
 */
export const STOCK_INCLUDES: Readonly<Record<string, string>> = {
  'mime.types': 'MIME type map shipped with every nginx package and image',
  proxy_params:
    'Debian/Ubuntu nginx package; sets proxy_set_header Host $http_host, X-Real-IP, X-Forwarded-For and X-Forwarded-Proto',
  fastcgi_params: 'FastCGI parameters shipped with nginx',
  'fastcgi.conf': 'FastCGI parameters shipped with nginx',
  scgi_params: 'SCGI parameters shipped with nginx',
  uwsgi_params: 'uWSGI parameters shipped with nginx',
  'snippets/fastcgi-php.conf': 'Debian/Ubuntu nginx package',
  'snippets/snakeoil.conf': 'Debian/Ubuntu nginx package (self-signed certificate)',
  'modules-enabled/*.conf': 'Debian/Ubuntu nginx package: loaders of dynamic modules',
  'sites-enabled/*': 'Debian/Ubuntu layout: the enabled site files',
  'conf.d/*.conf': "the image's site directory",
  '/etc/letsencrypt/options-ssl-nginx.conf': 'Certbot: ssl_session_cache, ssl_protocols, ssl_ciphers and related TLS settings',
};

/** The stock note for an include, by its nginx path (absolute) and nginx's prefix. */
export function stockIncludeNote(nginxPath: string, nginxPrefix: string): string | undefined {
  const prefix = nginxPrefix.endsWith('/') ? nginxPrefix : `${nginxPrefix}/`;
  const relative = nginxPath.startsWith(prefix) ? nginxPath.slice(prefix.length) : undefined;
  return (relative !== undefined ? STOCK_INCLUDES[relative] : undefined) ?? STOCK_INCLUDES[nginxPath];
}
