/**
 * validate's findings where CI shows them: the line of the user's file a fix belongs at (read by
 * the real config readers), SARIF 2.1.0 for code scanning, and GitHub Actions annotations. The
 * configs are the ones tests/integration/validate.test.ts runs for real.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CheckResult } from '../../harness/model.ts';
import { toGithubAnnotations } from '../../harness/report/github-annotations.ts';
import { artifactUri, toSarif } from '../../harness/report/sarif.ts';
import type { ResultsFile, ValidateFinding } from '../../harness/results.ts';
import { badInputResults } from '../../harness/validate.ts';
import { fixLine } from '../../harness/validate/static-pass.ts';

const failed = (check: CheckResult['check'], figures: CheckResult['figures'] = {}): CheckResult => ({
  check,
  verdict: 'fail',
  expected: '',
  measured: '',
  figures,
  thresholds: {},
  detail: '',
});

const hop = (file: string, listenPort: number) => {
  const path = resolve(file);
  return { text: readFileSync(path, 'utf8'), where: { file: path, listenPort } };
};

describe('fixLine: where in the user file the fix goes', () => {
  test('nginx: the routed location when the directive is left to its default, the directive itself when written', () => {
    const site = hop('tests/fixtures/user-configs/nginx-default.conf', 80);
    // location /v1/ is line 17; none of proxy_buffering, proxy_read_timeout, proxy_http_version is written.
    expect(fixLine('nginx', site.text, '1.22.1', 'streaming', failed('buffering'), undefined, site.where)).toBe(17);
    expect(fixLine('nginx', site.text, '1.22.1', 'pause-silent', failed('heartbeat', { survived: 0 }), undefined, site.where)).toBe(17);
    const written = hop('tests/fixtures/user-configs/nginx-web-and-api.conf', 80);
    // In location /v1/: proxy_http_version 1.1 (line 23), proxy_buffering off (25), proxy_read_timeout 3600s (26).
    expect(fixLine('nginx', written.text, '1.22.1', 'streaming', failed('buffering'), undefined, written.where)).toBe(25);
    expect(fixLine('nginx', written.text, '1.22.1', 'pause-silent', failed('heartbeat', { survived: 0 }), undefined, written.where)).toBe(26);
    expect(fixLine('nginx', written.text, '1.22.1', 'streaming', failed('completion', { silentTruncation: 1 }), undefined, written.where)).toBe(23);
  });

  test('HAProxy: the `timeout server` that applies (from defaults), else the backend', () => {
    const cfg = hop('tests/fixtures/user-configs/haproxy.cfg', 8000);
    expect(fixLine('haproxy', cfg.text, '2.6.12', 'pause-silent', failed('heartbeat', { survived: 0 }), undefined, cfg.where)).toBe(16);
    expect(fixLine('haproxy', cfg.text, '2.6.12', 'streaming', failed('buffering'), undefined, cfg.where)).toBe(22);
  });

  test('no place without a routed request', () => {
    const site = hop('tests/fixtures/user-configs/nginx-default.conf', 80);
    expect(fixLine('nginx', site.text, '1.22.1', 'streaming', failed('buffering'))).toBeUndefined();
  });
});

const finding = (over: Partial<ValidateFinding> = {}): ValidateFinding => ({
  check: 'buffering',
  stream: 'token streaming (60 tokens, 20 ms apart)',
  path: ['nginx:nginx-default@1.22.1'],
  matrixVersion: 'bookworm',
  file: resolve('deploy/site.conf'),
  line: 17,
  attribution: 'only-box',
  measured: 'delay p95 451 ms, max 470 ms; 52 burst events',
  fix: 'proxy_buffering on (default) with the upstream spoken to in HTTP/1.0: add `proxy_buffering off;`',
  ...over,
});

const resultsWith = (findings: ValidateFinding[]): ResultsFile => ({ ...badInputResults([], new Error('x')), errors: [], summary: { checks: 6, asExpected: 5, unexpected: 1, errors: 0 }, findings });

describe('SARIF', () => {
  test('each finding is an error result of its check rule, at the file relative to the working directory and its line', () => {
    const sarif = toSarif(resultsWith([finding(), finding({ check: 'heartbeat', line: undefined, stream: '70 s tool pause, no heartbeats' })]));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0]!;
    expect(run.invocations?.[0]?.executionSuccessful).toBe(true);
    expect(run.tool.driver.rules?.map((rule) => rule.id)).toContain('streamproof/buffering');
    const [first, second] = run.results!;
    expect(first!.ruleId).toBe('streamproof/buffering');
    expect(run.tool.driver.rules?.[first!.ruleIndex!]?.id).toBe('streamproof/buffering');
    expect(first!.level).toBe('error');
    expect(first!.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'deploy/site.conf' }, region: { startLine: 17 } });
    expect(first!.message.text).toContain('add `proxy_buffering off;`');
    // Code scanning refuses a result without a location; a file without a line is file-level.
    expect(second!.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'deploy/site.conf' } });
    expect(first!.partialFingerprints).not.toEqual(second!.partialFingerprints);
  });

  test('a run with no verdict is an unsuccessful invocation with its error, and no results', () => {
    const error = Object.assign(new Error('3 stream(s) never reached the mock LLM'), { code: 'STREAMPROOF_CANNOT_TEST' });
    const run = toSarif(badInputResults(['site.conf'], error)).runs[0]!;
    expect(run.results).toEqual([]);
    expect(run.invocations?.[0]).toMatchObject({ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: 'STREAMPROOF_CANNOT_TEST: 3 stream(s) never reached the mock LLM' } }] });
  });

  test('a file outside the working directory is a file URL', () => {
    expect(artifactUri('/etc/nginx/conf.d/site.conf', '/home/ci/repo')).toBe('file:///etc/nginx/conf.d/site.conf');
    expect(artifactUri('./deploy/site.conf', '/home/ci/repo')).toBe('deploy/site.conf');
  });
});

describe('GitHub annotations', () => {
  test('one ::error per finding at file and line, properties and data escaped', () => {
    const [line] = toGithubAnnotations(resultsWith([finding({ fix: 'raise it: 50%,\nthen rerun' })]));
    expect(line).toBe(
      '::error file=deploy/site.conf,line=17,title=streamproof buffering%3A token streaming (60 tokens%2C 20 ms apart) (bookworm)::' +
        'delay p95 451 ms, max 470 ms; 52 burst events. raise it: 50%25,%0Athen rerun',
    );
  });

  test('no verdict: one ::error with the reason', () => {
    const error = Object.assign(new Error('no upstream'), { code: 'STREAMPROOF_BAD_OPTIONS' });
    expect(toGithubAnnotations(badInputResults(['site.conf'], error))).toEqual(['::error title=streamproof%3A no verdict::STREAMPROOF_BAD_OPTIONS: no upstream']);
  });
});
