/**
 * TLS files a user's config names, found where its proxy looks for them, and the throwaway
 * material put there: a certificate and key that belong together, DH parameters nginx can load.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { tlsFileNeedsOf, portIsTls } from '../../harness/config/request-under-test.ts';
import { throwawayTlsFiles } from '../../harness/tls/throwaway-files.ts';

const FIXTURES = 'tests/fixtures/user-configs';
const text = (name: string) => readFileSync(`${FIXTURES}/${name}`, 'utf8');

describe('the TLS files a config names', () => {
  test('nginx: certificate, key and DH parameters of the Certbot layout, absolute; the 443 listen is TLS, the 80 one is not', () => {
    const needs = tlsFileNeedsOf('nginx', `${FIXTURES}/nginx-tls-certbot.conf`, text('nginx-tls-certbot.conf'), '/etc/haproxy');
    expect(needs).toMatchObject({
      certificates: ['/etc/letsencrypt/live/chat.example.com/fullchain.pem'],
      keys: ['/etc/letsencrypt/live/chat.example.com/privkey.pem'],
      dhParams: ['/etc/letsencrypt/ssl-dhparams.pem'],
      unsupported: [],
    });
    expect(portIsTls('nginx', `${FIXTURES}/nginx-tls-certbot.conf`, text('nginx-tls-certbot.conf'), 443)).toBe(true);
    expect(portIsTls('nginx', `${FIXTURES}/nginx-tls-certbot.conf`, text('nginx-tls-certbot.conf'), 80)).toBe(false);
  });

  test("nginx: a relative path is under nginx's prefix; a variable path cannot be stood for; data: certificates need no file", () => {
    const site = 'server { listen 443 ssl; ssl_certificate ssl/site.crt; ssl_certificate_key $ssl_server_name.key; ssl_trusted_certificate data:-----BEGIN; location / { proxy_pass http://a:1; } }';
    const needs = tlsFileNeedsOf('nginx', '/tmp/site.conf', site, '/etc/haproxy');
    expect(needs.certificates).toEqual(['/etc/nginx/ssl/site.crt']);
    expect(needs.keys).toEqual([]);
    expect(needs.authorities).toEqual([]);
    expect(needs.unsupported).toEqual([expect.objectContaining({ what: 'ssl_certificate_key $ssl_server_name.key', why: expect.stringContaining('variable') })]);
  });

  test('HAProxy: a relative crt beside the config; crt-base and ca-base when global sets them; a crt-list cannot be stood for', () => {
    expect(tlsFileNeedsOf('haproxy', `${FIXTURES}/haproxy-tls.cfg`, text('haproxy-tls.cfg'), '/etc/haproxy').combined).toEqual(['/etc/haproxy/site.pem']);
    expect(portIsTls('haproxy', `${FIXTURES}/haproxy-tls.cfg`, text('haproxy-tls.cfg'), 8443)).toBe(true);
    expect(portIsTls('haproxy', `${FIXTURES}/haproxy-tls.cfg`, text('haproxy-tls.cfg'), 8080)).toBe(false);
    const cfg = [
      'global',
      '  crt-base /etc/ssl/private',
      '  ca-base /etc/ssl/certs',
      'frontend f',
      '  bind :443 ssl crt site.pem ca-file clients.pem verify optional',
      '  bind :8443 ssl crt-list /etc/haproxy/certs.list',
      '  default_backend b',
      'backend b',
      '  server s1 api:443 ssl crt client.pem ca-file @system-ca',
    ].join('\n');
    const needs = tlsFileNeedsOf('haproxy', '/tmp/h.cfg', cfg, '/etc/haproxy');
    expect(needs.combined).toEqual(['/etc/ssl/private/site.pem', '/etc/ssl/private/client.pem']);
    expect(needs.authorities).toEqual(['/etc/ssl/certs/clients.pem']);
    expect(needs.unsupported).toEqual([expect.objectContaining({ what: 'crt-list /etc/haproxy/certs.list' })]);
  });
});

describe('throwaway material', () => {
  test('a certificate and its key at every path; HAProxy gets both in one PEM; the certificate is valid now and for 127.0.0.1', async () => {
    const files = await throwawayTlsFiles({ certificates: ['/a/cert.pem'], keys: ['/a/key.pem'], combined: ['/b/site.pem'], authorities: ['/c/ca.pem'], dhParams: [], unsupported: [] });
    expect(Object.keys(files).sort()).toEqual(['/a/cert.pem', '/a/key.pem', '/b/site.pem', '/c/ca.pem']);
    const certificate = new X509Certificate(files['/a/cert.pem']!);
    expect(certificate.checkPrivateKey(createPrivateKey(files['/a/key.pem']!))).toBe(true);
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(certificate.validFrom)).toBeLessThan(Date.now());
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(Date.now() + 86_400_000);
    expect(files['/b/site.pem']).toContain('-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----');
    expect(createPublicKey(files['/b/site.pem']!).export({ format: 'pem', type: 'spki' })).toBe(createPublicKey(files['/a/key.pem']!).export({ format: 'pem', type: 'spki' }));
    expect(files['/c/ca.pem']).toBe(files['/a/cert.pem']);
  });

  test('DH parameters: PKCS#3 PEM of a 2048-bit prime with generator 2', async () => {
    const files = await throwawayTlsFiles({ certificates: [], keys: [], combined: [], authorities: [], dhParams: ['/etc/letsencrypt/ssl-dhparams.pem'], unsupported: [] });
    const pem = files['/etc/letsencrypt/ssl-dhparams.pem']!;
    expect(pem).toMatch(/^-----BEGIN DH PARAMETERS-----\n[A-Za-z0-9+/=\n]+-----END DH PARAMETERS-----\n$/);
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\n/g, ''), 'base64');
    // SEQUENCE (long form, 2 length bytes) { INTEGER 257 bytes (a leading 0 before the high bit), INTEGER 2 }
    expect([der[0], der[1]]).toEqual([0x30, 0x82]);
    expect([der[4], der[5], der[6], der[7], der[8]]).toEqual([0x02, 0x82, 0x01, 0x01, 0x00]);
    expect([...der.subarray(-3)]).toEqual([0x02, 0x01, 0x02]);
  });
});
