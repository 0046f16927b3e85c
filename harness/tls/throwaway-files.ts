/**
 * Throwaway TLS material for a user's config: one self-signed certificate (made once per process,
 * valid two days) written at every path the config names, so nginx and HAProxy start with the
 * file as written and the client streams over TLS (it does not verify: the stream is under test,
 * not the certificate). selfsigned makes the X.509 certificate; Node has no API for that.
 */
import { createDiffieHellmanGroup } from 'node:crypto';
import { generate } from 'selfsigned';
import type { TlsFileNeeds } from '../config/tls-needs.ts';

interface Material {
  certificate: string;
  key: string;
}

let material: Promise<Material> | undefined;

function throwawayCertificate(): Promise<Material> {
  material ??= generate([{ name: 'commonName', value: 'streamproof.invalid' }], {
    notBeforeDate: new Date(Date.now() - 3_600_000),
    notAfterDate: new Date(Date.now() + 2 * 86_400_000),
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'streamproof.invalid' }, { type: 7, ip: '127.0.0.1' }] }],
  }).then((pems) => ({ certificate: pems.cert, key: pems.private }));
  return material;
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(value: Buffer): Buffer {
  const body = value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

/** RFC 3526's 2048-bit MODP group as PKCS#3 DH parameters: a well-known group, nothing to generate. */
function dhParametersPem(): string {
  const group = createDiffieHellmanGroup('modp14');
  const body = Buffer.concat([derInteger(group.getPrime()), derInteger(group.getGenerator())]);
  const der = Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
  const lines = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN DH PARAMETERS-----\n${lines}\n-----END DH PARAMETERS-----\n`;
}

/** Container path → content: a throwaway certificate, key or both at every path the config names. */
export async function throwawayTlsFiles(needs: TlsFileNeeds): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  if (needs.certificates.length + needs.keys.length + needs.combined.length + needs.authorities.length > 0) {
    const { certificate, key } = await throwawayCertificate();
    for (const path of needs.certificates) files[path] = certificate;
    for (const path of needs.authorities) files[path] = certificate;
    for (const path of needs.keys) files[path] = key;
    for (const path of needs.combined) files[path] = `${certificate.trimEnd()}\n${key}`;
  }
  if (needs.dhParams.length > 0) {
    const dh = dhParametersPem();
    for (const path of needs.dhParams) files[path] = dh;
  }
  return files;
}
