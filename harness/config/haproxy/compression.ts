/**
 * Whether HAProxy compresses a response of a given Content-Type (flt_http_comp.c): the backend's
 * `compression type` list if it has one, else the frontend's; each entry matches as a
 * case-insensitive prefix of the Content-Type (so `text/` covers `text/event-stream`); an
 * algorithm must be set on either side; multipart types are never compressed.
 */
import type { HaproxyProxy } from './proxy.ts';

export function compressesContentType(frontend: HaproxyProxy | undefined, backend: HaproxyProxy | undefined, contentType: string): boolean {
  const algorithms = [...(backend?.compression.algorithms ?? []), ...(frontend?.compression.algorithms ?? [])];
  if (algorithms.length === 0) return false;
  const type = contentType.toLowerCase();
  if (type.startsWith('multipart')) return false;
  const types = backend?.compression.types.length ? backend.compression.types : (frontend?.compression.types ?? []);
  // No type list on either side: HAProxy compresses every type.
  return types.length === 0 || types.some((t) => type.startsWith(t.toLowerCase()));
}
