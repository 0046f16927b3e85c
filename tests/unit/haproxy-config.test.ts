import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  HAPROXY_CONFIG_PATH,
  haproxyIdleTimeoutMs,
  haproxyProfiles,
  haproxyTimeMs,
  haproxyTimeoutModel,
  loadHaproxyProfile,
  renderHaproxyConfig,
  scaleHaproxyTimeouts,
} from '../../harness/proxies/haproxy-config.ts';

const tmp = mkdtempSync(join(tmpdir(), 'streamproof-haproxy-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('profiles', () => {
  test('built-in and emulation profiles are listed and load by name', () => {
    const profiles = haproxyProfiles();
    expect(profiles).toEqual(expect.arrayContaining(['default', 'hardened', 'compressed']));
    for (const name of ['default', 'hardened', 'compressed']) {
      const profile = loadHaproxyProfile(name);
      expect(profile.name).toBe(name);
      expect(profile.text).toMatch(/^\s*bind :8080\b/m);
      expect(profile.text).toContain('server llm "${STREAMPROOF_UPSTREAM}"');
    }
  });

  test('an emulation profile loads from proxies/haproxy/emulation/ with the Lua files of its folder', () => {
    const emulations = ['alb', 'cloudflare', 'gcp-lb', 'apigw-rest', 'envoy-ecs'].filter((name) => haproxyProfiles().includes(name));
    for (const name of emulations) {
      const profile = loadHaproxyProfile(name);
      expect(profile.file).toContain('/emulation/');
      for (const lua of profile.text.matchAll(/lua-load\s+\/etc\/haproxy\/(\S+)/g)) expect(Object.keys(profile.luaFiles)).toContain(lua[1]);
    }
  });

  test('a user path: named after the file, Lua files beside it copied', () => {
    const file = join(tmp, 'mine.cfg');
    writeFileSync(file, 'frontend f\n\tbind :8080\n');
    writeFileSync(join(tmp, 'x.lua'), '-- lua');
    const profile = loadHaproxyProfile(file);
    expect(profile).toMatchObject({ name: 'mine', file, luaFiles: { 'x.lua': '-- lua' } });
    const rendered = renderHaproxyConfig(profile, { host: 'h', port: 1 }, 1);
    expect(rendered.files['/etc/haproxy/x.lua']).toBe('-- lua');
  });

  test('an unknown profile: STREAMPROOF_UNKNOWN_PROFILE listing the available ones', () => {
    expect(() => loadHaproxyProfile('nope')).toThrow(/STREAMPROOF_UNKNOWN_PROFILE: no haproxy profile 'nope'[\s\S]*default, /);
  });
});

describe('time values and scaling', () => {
  test('HAProxy time units: bare number = ms', () => {
    expect(haproxyTimeMs('50000')).toBe(50_000);
    expect(haproxyTimeMs('500us')).toBe(0.5);
    expect(haproxyTimeMs('250ms')).toBe(250);
    expect(haproxyTimeMs('5s')).toBe(5000);
    expect(haproxyTimeMs('2m')).toBe(120_000);
    expect(haproxyTimeMs('1h')).toBe(3_600_000);
    expect(haproxyTimeMs('1d')).toBe(86_400_000);
    expect(() => haproxyTimeMs('1m30s')).toThrow();
  });

  test('scale 1 leaves every profile byte for byte', () => {
    for (const name of haproxyProfiles()) {
      const profile = loadHaproxyProfile(name);
      expect(renderHaproxyConfig(profile, { host: 'h', port: 1 }, 1).files[HAPROXY_CONFIG_PATH]).toBe(profile.text);
    }
  });

  test('every `timeout` line is scaled, nothing else changes', () => {
    const text = [
      'global',
      '\tstats timeout 30s',
      'defaults',
      '        timeout connect 5000',
      '        timeout client  50000 # a comment',
      '\ttimeout server 3600s',
      '\ttimeout http-keep-alive 1m',
      '\toption http-no-delay',
      '# timeout server 9s (a comment)',
      '',
    ].join('\n');
    const scaled = scaleHaproxyTimeouts(text, 0.1);
    expect(scaled.split('\n')).toEqual([
      'global',
      '\tstats timeout 30s',
      'defaults',
      '        timeout connect 500ms',
      '        timeout client  5000ms # a comment',
      '\ttimeout server 360000ms',
      '\ttimeout http-keep-alive 6000ms',
      '\toption http-no-delay',
      '# timeout server 9s (a comment)',
      '',
    ]);
    // Line numbers stay: an error HAProxy reports points at the profile file's own line.
    expect(scaled.split('\n').length).toBe(text.split('\n').length);
  });

  test('the container gets the upstream and the time scale as environment', () => {
    const rendered = renderHaproxyConfig(loadHaproxyProfile('default'), { host: 'streamproof-llm', port: 4321 }, 0.1);
    expect(rendered.environment).toEqual({ STREAMPROOF_UPSTREAM: 'streamproof-llm:4321', STREAMPROOF_TIME_SCALE: '0.1' });
    expect(rendered.files[HAPROXY_CONFIG_PATH]).toMatch(/timeout server\s+5000ms/);
  });
});

describe('idle timeout of a streaming response (timeout server, decisions/0010)', () => {
  test('built-in profiles', () => {
    expect(haproxyIdleTimeoutMs(loadHaproxyProfile('default').text, 0.1)).toBe(5000);
    expect(haproxyIdleTimeoutMs(loadHaproxyProfile('default').text, 1)).toBe(50_000);
    expect(haproxyIdleTimeoutMs(loadHaproxyProfile('compressed').text, 0.1)).toBe(5000);
    expect(haproxyIdleTimeoutMs(loadHaproxyProfile('hardened').text, 0.1)).toBe(360_000);
  });

  test('the backend wins over its defaults; timeout client and tunnel do not count', () => {
    const cfg = (backend: string) =>
      `defaults\n\ttimeout client 1s\n\ttimeout tunnel 1h\n\ttimeout server 50s\nfrontend f\n\tbind :8080\n\tdefault_backend b\nbackend other\n\ttimeout server 1s\nbackend b\n${backend}\tserver llm "\${STREAMPROOF_UPSTREAM}"\n`;
    expect(haproxyIdleTimeoutMs(cfg(''), 1)).toBe(50_000);
    expect(haproxyIdleTimeoutMs(cfg('\ttimeout server 2m\n'), 1)).toBe(120_000);
  });

  test('a new defaults section starts from nothing; no timeout server at all: none', () => {
    const cfg = 'defaults\n\ttimeout server 5s\ndefaults\n\ttimeout client 5s\nbackend b\n\tserver llm x:1\n';
    expect(haproxyIdleTimeoutMs(cfg, 1)).toBeUndefined();
  });

  test('a listen section is frontend and backend at once', () => {
    expect(haproxyIdleTimeoutMs('listen l\n\tbind :8080\n\ttimeout server 7s\n', 0.5)).toBe(3500);
  });
});

describe('timeout model header (emulation profiles)', () => {
  test('deadline and idle', () => {
    expect(haproxyTimeoutModel('# streamproof-timeout: deadline 30s\nglobal\n')).toEqual({ kind: 'deadline', ms: 30_000 });
    expect(haproxyTimeoutModel('# x\n# streamproof-timeout: idle 60s\n')).toEqual({ kind: 'idle', ms: 60_000 });
    expect(haproxyTimeoutModel(loadHaproxyProfile('default').text)).toBeUndefined();
  });
});

describe('wait-for-body', () => {
  test('its time is scaled like a timeout (the API Gateway REST emulation)', async () => {
    const { scaleHaproxyTimeouts } = await import('../../harness/proxies/haproxy-config.ts');
    expect(scaleHaproxyTimeouts('    http-response wait-for-body time 29s\n', 0.1)).toBe('    http-response wait-for-body time 2900ms\n');
  });
});
