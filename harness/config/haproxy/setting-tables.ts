/**
 * What HAProxy does when a setting is not written anywhere (configuration.txt section 4.2), as
 * data. Unset client/server/connect timeouts are infinite (HAProxy only warns); several others
 * fall back to a related timeout.
 */

export const TIMEOUT_NAMES = ['client', 'server', 'connect', 'tunnel', 'http-request', 'http-keep-alive', 'queue', 'client-fin', 'server-fin', 'check', 'tarpit'] as const;

export type HaproxyTimeoutName = (typeof TIMEOUT_NAMES)[number];

/** Timeouts that apply in a timeout's place when it is unset, in order. */
export const TIMEOUT_FALLBACKS: Readonly<Record<HaproxyTimeoutName, readonly HaproxyTimeoutName[]>> = {
  client: [],
  server: [],
  connect: [],
  // Tunnels (WebSocket, CONNECT) keep client and server timeouts when unset.
  tunnel: [],
  'http-request': ['client'],
  'http-keep-alive': ['http-request', 'client'],
  queue: ['connect'],
  'client-fin': ['client'],
  'server-fin': ['server'],
  check: ['connect'],
  tarpit: ['connect'],
};

/** HAProxy 1.x timeout keywords, removed in 2.x, and the timeout each stood for. */
export const LEGACY_TIMEOUTS: Readonly<Record<string, HaproxyTimeoutName>> = {
  clitimeout: 'client',
  srvtimeout: 'server',
  contimeout: 'connect',
};

/** Built-in state of the options the streaming checks read (configuration.txt 4.2 "option"). */
export const OPTION_DEFAULTS: Readonly<Record<string, boolean>> = {
  'http-keep-alive': true,
  'http-server-close': false,
  httpclose: false,
  'http-buffer-request': false,
  abortonclose: false,
  'http-pretend-keepalive': false,
  'http-no-delay': false,
  forwardfor: false,
  redispatch: false,
};

/** HAProxy's mode when no section sets one. */
export const DEFAULT_MODE = 'tcp';

/** HAProxy's load-balancing algorithm when no section sets one. */
export const DEFAULT_BALANCE = 'roundrobin';

/** Keywords of HAProxy 1.x that 2.x/3.x refuse, with what replaces them. */
export const REMOVED_KEYWORDS: Readonly<Record<string, string>> = {
  block: 'use "http-request deny"',
  reqrep: 'use "http-request replace-header" / "replace-uri"',
  reqirep: 'use "http-request replace-header" / "replace-uri"',
  reqadd: 'use "http-request add-header"',
  reqdel: 'use "http-request del-header"',
  reqidel: 'use "http-request del-header"',
  reqallow: 'use "http-request allow"',
  reqdeny: 'use "http-request deny"',
  reqtarpit: 'use "http-request tarpit"',
  rsprep: 'use "http-response replace-header"',
  rspirep: 'use "http-response replace-header"',
  rspadd: 'use "http-response add-header"',
  rspdel: 'use "http-response del-header"',
  rspidel: 'use "http-response del-header"',
  rspdeny: 'use "http-response deny"',
  clitimeout: 'use "timeout client"',
  srvtimeout: 'use "timeout server"',
  contimeout: 'use "timeout connect"',
  redispatch: 'use "option redispatch"',
  nbproc: 'removed in HAProxy 2.5: use "nbthread"',
};
