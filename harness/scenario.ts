/**
 * The scenario API. A scenario file states what the mock LLM does, which client runs, which checks
 * judge it, and the verdict it expects on each path, measured:
 *
 *   scenario({
 *     name: 'tool pause, no heartbeats',
 *     llm: { script: { toolCall: { afterTokens: 8, pauseSeconds: 70 } } },
 *     client: 'recorder',
 *     checks: ['heartbeat', 'completion'],
 *     expect: { direct: PASS, 'nginx:default': { heartbeat: 'fail', completion: 'fail' }, 'nginx:hardened': PASS },
 *   });
 *
 * Each path of the matrix (`direct`, and every nginx profile × proxy version of the run) becomes one
 * concurrent vitest test with its own stack (fixture), torn down with the test. Options are
 * validated when the file loads, every problem reported at once.
 */
import { test } from 'vitest';
import { z } from 'zod';
import { CHECK_NAMES, type CheckName, type ClientRun, type StreamEvidence, type Verdict } from './model.ts';
import { StreamproofError } from './errors.ts';
import { parseStreamScript, StreamScriptError, type StreamScript } from './mock-llm/index.ts';
import type { MockLlm } from './mock-llm/index.ts';
import {
  afterTokenEvents,
  onToolCall,
  runNaiveClient,
  runResumableClient,
  runSingleConnectionClient,
  type RecordOptions,
} from './clients/index.ts';
import { DEFAULT_THRESHOLDS, evaluateChecks, type Thresholds } from './checks/index.ts';
import { nginxProfiles, nginxIdleTimeoutMs, loadNginxSite } from './proxies/nginx-config.ts';
import { readSettings, scaledMs, type ProxyVersion } from './settings.ts';
import { Stack, type HopSpec } from './stack.ts';
import type { ProxyInfo, ScenarioOutcome } from './results.ts';

export const PASS = 'pass' as const;
export const FAIL = 'fail' as const;

const VerdictSchema = z.enum(['pass', 'fail']);
const ExpectationSchema = z.union([VerdictSchema, z.partialRecord(z.enum(CHECK_NAMES), VerdictSchema)]);

const ScenarioSchema = z.strictObject({
  name: z.string().min(1),
  /** One line for people: what this scenario shows. */
  description: z.string().optional(),
  format: z.enum(['openai', 'anthropic']).default('openai'),
  llm: z.strictObject({
    mode: z.enum(['stateless', 'resumable']).default('stateless'),
    script: z.record(z.string(), z.unknown()).default({}),
  }),
  client: z.enum(['recorder', 'naive', 'resumable']),
  /** Reconnect attempts for naive/resumable clients. */
  maxReconnects: z.int().nonnegative().default(2),
  /** Abort the client on purpose: as soon as the tool call starts, or after N token events. */
  abort: z.union([z.literal('on-tool-call'), z.strictObject({ afterTokens: z.int().positive() })]).optional(),
  checks: z.array(z.enum(CHECK_NAMES)).min(1),
  /** Paths to run: `direct` and `kind:profile`; each proxy path runs at every version of the run. */
  paths: z.array(z.string().regex(/^(direct|nginx:[\w.-]+)$/, 'a path is `direct` or `nginx:<profile>`')).min(1)
    .default(['direct', 'nginx:default', 'nginx:hardened']),
  /** Overrides of the checks' thresholds (harness/checks/thresholds.ts); an unknown name is an error. */
  thresholds: z
    .strictObject(Object.fromEntries(Object.keys(DEFAULT_THRESHOLDS).map((key) => [key, z.number().nonnegative().optional()])))
    .default({}),
  /**
   * Expected verdicts, from measured runs. Keys: `direct`, `nginx:profile`, or `nginx:profile@version`
   * (the version key wins). A value is a verdict for every check, or a verdict per check.
   */
  expect: z.record(z.string(), ExpectationSchema),
});
export type ScenarioSpec = z.input<typeof ScenarioSchema>;
type Scenario = z.output<typeof ScenarioSchema>;

interface MatrixPath {
  label: string;
  hop?: HopSpec;
}

function validate(spec: ScenarioSpec, versions: readonly ProxyVersion[]): { scenario: Scenario; script: StreamScript } {
  const problems: string[] = [];
  const parsed = ScenarioSchema.safeParse(spec);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || '(scenario)'}: ${issue.message}`);
  }
  let script: StreamScript | undefined;
  try {
    script = parseStreamScript((spec.llm as { script?: unknown } | undefined)?.script ?? {});
  } catch (error) {
    if (!(error instanceof StreamScriptError)) throw error;
    problems.push(...error.problems.map((problem) => `llm.script.${problem}`));
  }
  if (parsed.success) {
    const profiles = nginxProfiles();
    for (const path of parsed.data.paths) {
      const profile = path.split(':')[1];
      if (profile && !profiles.includes(profile)) problems.push(`paths: no nginx profile '${profile}' (have: ${profiles.join(', ')})`);
    }
    for (const key of Object.keys(parsed.data.expect)) {
      const [base, version] = key.split('@');
      if (!parsed.data.paths.includes(base!)) problems.push(`expect.${key}: not a path of this scenario (${parsed.data.paths.join(', ')})`);
      if (version && !(versions as readonly string[]).concat(['bookworm', 'trixie', 'sid']).includes(version)) {
        problems.push(`expect.${key}: unknown version '${version}'`);
      }
    }
  }
  if (problems.length > 0 || !parsed.success || !script) {
    throw new StreamproofError(
      'STREAMPROOF_BAD_OPTIONS',
      `scenario '${spec.name ?? '?'}' has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`,
      'correct the scenario options named above (see harness/scenario.ts for each option)',
    );
  }
  return { scenario: parsed.data, script };
}

function matrixPaths(paths: string[], versions: readonly ProxyVersion[]): MatrixPath[] {
  return paths.flatMap((path): MatrixPath[] => {
    if (path === 'direct') return [{ label: 'direct' }];
    const [kind, profile] = path.split(':') as ['nginx', string];
    return versions.map((version) => ({ label: `${path}@${version}`, hop: { kind, profile, version } }));
  });
}

function expectedVerdict(scenario: Scenario, path: MatrixPath, check: CheckName): Verdict | undefined {
  const base = path.label.split('@')[0]!;
  for (const key of [path.label, base]) {
    const value = scenario.expect[key];
    if (value === undefined) continue;
    const verdict = typeof value === 'string' ? value : value[check];
    if (verdict) return verdict;
  }
  return undefined;
}

function requestBody(format: 'openai' | 'anthropic', prompt: string) {
  const messages = [{ role: 'user', content: prompt }];
  return format === 'openai'
    ? { model: 'mock-gpt', messages, stream: true, stream_options: { include_usage: true } }
    : { model: 'mock-claude', max_tokens: 1024, messages, stream: true };
}

function runClient(scenario: Scenario, options: RecordOptions): Promise<ClientRun> {
  switch (scenario.client) {
    case 'recorder':
      return runSingleConnectionClient(options);
    case 'naive':
      return runNaiveClient({ ...options, maxReconnects: scenario.maxReconnects });
    case 'resumable':
      return runResumableClient({ ...options, maxReconnects: scenario.maxReconnects });
  }
}

/** The vitest fixture: each test gets a fresh stack, disposed when the test ends, pass or fail. */
export const streamTest = test.extend<{ stack: Stack }>({
  // biome-ignore lint: vitest fixtures take their dependencies by destructuring
  stack: async ({}, use) => {
    const stack = new Stack();
    try {
      await use(stack);
    } finally {
      await stack[Symbol.asyncDispose]();
    }
  },
});

/** How long to wait for the origin to notice an abort before judging it unnoticed. */
const ABORT_NOTICE_WAIT_MS = 5_000;

export function scenario(spec: ScenarioSpec): void {
  const settings = readSettings();
  const { scenario, script } = validate(spec, settings.versions);
  const timeScale = settings.timeScale;
  const intentBase = {
    toolPauseMs: script.toolCall ? scaledMs(script.toolCall.pauseSeconds, timeScale) : undefined,
    heartbeatIntervalMs: script.heartbeatSeconds ? scaledMs(script.heartbeatSeconds, timeScale) : undefined,
  };
  // Long waits scale; the bound leaves room for reconnects and container start.
  const pauseMs = intentBase.toolPauseMs ?? 0;
  const timeoutMs = 60_000 + pauseMs * (scenario.maxReconnects + 2);

  for (const path of matrixPaths(scenario.paths, settings.versions)) {
    streamTest.concurrent(path.label, { timeout: timeoutMs }, async ({ stack, task, expect }) => {
      const llm: MockLlm = await stack.mockLlm({ mode: scenario.llm.mode, timeScale, script });
      const proxy = path.hop ? await stack.proxy(path.hop, llm.port, timeScale) : undefined;

      const run = await runClient(scenario, {
        url: proxy?.url ?? llm.url('127.0.0.1'),
        format: scenario.format,
        body: requestBody(scenario.format, `${scenario.name} via ${path.label}`),
        abortWhen:
          scenario.abort === undefined ? undefined
          : scenario.abort === 'on-tool-call' ? onToolCall()
          : afterTokenEvents(scenario.abort.afterTokens),
      });

      const clientAbortAtMs = run.outcome === 'aborted' ? run.connections.at(-1)?.end.atMs : undefined;
      if (clientAbortAtMs !== undefined) {
        // Await the origin's notice (an event), bounded: a proxy that never tells it is a finding.
        await llm
          .waitFor('peer-gone', () => true, ABORT_NOTICE_WAIT_MS)
          .catch(() => {});
      }

      const evidence: StreamEvidence = {
        run,
        served: llm.ledger.servedFor(run.logicalKey),
        generations: llm.ledger.generationsFor(run.logicalKey),
        intent: {
          ...intentBase,
          idleTimeoutMs: path.hop ? nginxIdleTimeoutMs(loadNginxSite(path.hop.profile).text, timeScale) : undefined,
          clientAbortAtMs,
        },
      };
      const results = evaluateChecks(scenario.checks, evidence, scenario.thresholds as Partial<Thresholds>);

      const missing = scenario.checks.filter((check) => !expectedVerdict(scenario, path, check));
      const proxies: ProxyInfo[] = proxy
        ? [{ kind: proxy.kind, profile: proxy.profile, image: proxy.image, version: proxy.version, matrixVersion: proxy.matrixVersion }]
        : [];
      const outcome: ScenarioOutcome = {
        scenario: scenario.name,
        pathLabel: path.label,
        path: proxy ? [proxy.id] : [],
        proxies,
        client: run.client,
        timeScale,
        checks: results.map((r) => ({ ...r, expectedVerdict: expectedVerdict(scenario, path, r.check) ?? 'pass' })),
      };
      (task.meta as { streamproof?: ScenarioOutcome }).streamproof = outcome;

      expect(missing, `no expected verdict stated for ${path.label}: measure it and add it to 'expect'`).toEqual([]);
      for (const result of outcome.checks) {
        expect
          .soft(result.verdict, `${result.check}: expected ${result.expected}; measured ${result.measured} (${result.detail})`)
          .toBe(result.expectedVerdict);
      }
    });
  }
}
