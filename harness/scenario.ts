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
import { CHECK_NAMES, type CheckName, type ClientRun, type ServedRequest, type StreamEvidence, type Verdict } from './model.ts';
import { blameChain } from './chain/blame.ts';
import { summarizeClientRun } from './client-outcome.ts';
import { observeTap } from './chain/observation.ts';
import { now } from './clock.ts';
import { isStreamproofError, StreamproofError } from './errors.ts';
import { parseStreamScript, SCRIPT_HEADER, StreamScriptError, type StreamScript } from './mock-llm/index.ts';
import type { MockLlm } from './mock-llm/index.ts';
import { afterTokenEvents, onToolCall, runSingleConnectionClient, type RecordOptions } from './clients/index.ts';
import { CLIENT_NAMES, clientEntry, loadClient, missingPackageOf, type ClientRequest } from './clients/real/registry.ts';
import { DEFAULT_THRESHOLDS, evaluateChecks, type Thresholds } from './checks/index.ts';
import { haproxyIdleTimeoutMs, haproxyProfiles, haproxyTimeoutModel, loadHaproxyProfile } from './proxies/haproxy-config.ts';
import { nginxProfiles, nginxIdleTimeoutMs, loadNginxSite } from './proxies/nginx-config.ts';
import type { ProxyHandle } from './proxies/proxy-handle.ts';
import type { StartedToxiproxyProxy } from './proxies/toxiproxy-proxy.ts';
import { PINNABLE_KINDS, PROXY_VERSIONS, readSettings, scaledMs, type PinnableKind, type ProxyVersion } from './settings.ts';
import { Stack, type BoxKind, type HopSpec } from './stack.ts';
import type { ProxyInfo, ScenarioOutcome, SweepOutcome } from './results.ts';
import { buildTimeline } from './timeline.ts';
import { readUserHops, type UserHopSpec } from './user-hops.ts';
import type { ProxyKind } from './docker/images.ts';
import { announce, setupAndTeardownMs, streamMs, toolPauseWindow, type TestPlan } from './report/progress-events.ts';

export const PASS = 'pass' as const;
export const FAIL = 'fail' as const;

/** A box: a built-in profile (`nginx:hardened`), or a user's own file by its path (`nginx:./deploy/site.conf`). */
const BOX = '(?:nginx|haproxy|toxiproxy)(?::(?:[\\w.-]+|\\.{0,2}/[^\\s>]+))?';
/** A box's profile that is a path to the user's own file, from the working directory (the repository root). */
const isUserFile = (profile: string) => /^\.{0,2}\//.test(profile);
const PATH_PATTERN = new RegExp(`^(?:direct|${BOX}(?: > ${BOX})*)$`);

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
  /** A registered client (harness/clients/real/registry.ts): the harness's own, or a real SDK. */
  client: z.enum(CLIENT_NAMES),
  /** Reconnect attempts for naive/resumable clients. */
  maxReconnects: z.int().nonnegative().default(2),
  /** SDK clients' options; each left out is the SDK's own default (recorded in results either way). */
  clientOptions: z.strictObject({ maxRetries: z.int().nonnegative().optional(), timeoutMs: z.number().positive().optional() }).default({}),
  /** Abort the client on purpose: as soon as the tool call starts, or after N token events. */
  abort: z.union([z.literal('on-tool-call'), z.strictObject({ afterTokens: z.int().positive() })]).optional(),
  checks: z.array(z.enum(CHECK_NAMES)).min(1),
  /**
   * Paths to run: `direct`, one box (`nginx:hardened`), or a chain, client side first
   * (`toxiproxy > haproxy:alb > nginx:default`). Each proxy path runs at every version of the run.
   */
  paths: z
    .array(z.string().regex(PATH_PATTERN, 'a path is `direct`, or boxes `kind:profile` or `kind:./your/file` joined by ` > ` (kinds: nginx, haproxy, toxiproxy)'))
    .min(1)
    .default(['direct', 'nginx:default', 'nginx:hardened']),
  /**
   * Toxics for the `toxiproxy` box of a path (Toxiproxy's own types and attributes; times in real
   * ms, not scaled). `when`: from the start, or once the client sees the tool call. A fault lasts
   * until the origin first notices a cut (`first-cut`, so a reconnect goes through) or to the end.
   */
  faults: z
    .array(
      z.strictObject({
        type: z.enum(['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data']),
        stream: z.enum(['upstream', 'downstream']).default('downstream'),
        toxicity: z.number().min(0).max(1).default(1),
        attributes: z.record(z.string(), z.number()).default({}),
        when: z.enum(['start', 'tool-call']).default('start'),
        until: z.enum(['first-cut', 'end']).default('first-cut'),
      }),
    )
    .default([]),
  /**
   * Run the stream once more per heartbeat interval (seconds, unscaled) on the same path, and
   * report the largest interval whose stream survived the tool pause with no gap over the allowance.
   */
  sweep: z.strictObject({ heartbeatSeconds: z.array(z.number().positive()).min(1) }).optional(),
  /**
   * The proxy versions (Debian suites) this scenario runs on, of those the run asks for; absent:
   * all of them. For what does not vary with the proxy (a client's own timeout) and costs minutes
   * per version. When the run asks for none of them, the run's first version stands in.
   */
  versions: z.array(z.enum(PROXY_VERSIONS)).min(1).optional(),
  /**
   * Images to run instead of the matrix's, per kind (`{ nginx: 'nginx:1.27.3-alpine' }`): the build
   * a team deploys. A path whose boxes all have one runs once, labelled with the image. The run's
   * --image gives the same for every scenario; this wins over it.
   */
  image: z.partialRecord(z.enum(PINNABLE_KINDS), z.string().min(1)).default({}),
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
  /** Client side first; [] for direct. */
  hops: HopSpec[];
}

/** `haproxy:alb > nginx` → hops at one version (a box without a profile is its `default`; toxiproxy's is `faults`). */
type ImagePins = Partial<Record<PinnableKind, string>>;

function parseHops(path: string, version: ProxyVersion, pins: ImagePins = {}): HopSpec[] {
  if (path === 'direct') return [];
  return path.split(' > ').map((box) => {
    const [kind, ...profile] = box.split(':') as [BoxKind, ...string[]];
    const image = pins[kind];
    return { kind, profile: profile.join(':') || (kind === 'toxiproxy' ? 'faults' : 'default'), version, ...(image ? { image } : {}) };
  });
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
    const { formats } = clientEntry(parsed.data.client);
    if (!formats.includes(parsed.data.format)) {
      problems.push(`client: '${parsed.data.client}' speaks ${formats.join(', ')}, not format '${parsed.data.format}'`);
    }
    const missing = missingPackageOf(parsed.data.client);
    if (missing) problems.push(`client: '${parsed.data.client}' drives the npm package ${missing}, which is not installed (npm install --save-dev ${missing})`);
    const profiles: Record<BoxKind, string[]> = { nginx: nginxProfiles(), haproxy: haproxyProfiles(), toxiproxy: ['faults'] };
    for (const path of parsed.data.paths) {
      const hops = parseHops(path, 'bookworm');
      if (hops.some((hop) => isUserFile(hop.profile))) {
        problems.push(...userPathProblems(path, hops));
        continue;
      }
      for (const hop of hops) {
        if (!profiles[hop.kind].includes(hop.profile)) {
          problems.push(`paths: no ${hop.kind} profile '${hop.profile}' in '${path}' (have: ${profiles[hop.kind].join(', ')}; or your own file as ${hop.kind}:./path/to/file)`);
        }
      }
    }
    if (parsed.data.faults.length > 0 && !parsed.data.paths.some((path) => parseHops(path, 'bookworm').some((hop) => hop.kind === 'toxiproxy'))) {
      problems.push('faults: no path has a toxiproxy box to inject them (add `toxiproxy > ...` to a path)');
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

/**
 * A path of the user's own files: every box a file (their upstream names resolve to the next box,
 * as in `streamproof validate`), each read now so every problem shows before anything starts.
 */
function userPathProblems(path: string, hops: HopSpec[]): string[] {
  if (!hops.every((hop) => isUserFile(hop.profile) && hop.kind !== 'toxiproxy')) {
    return [`paths: '${path}' mixes your own files with built-in profiles or toxiproxy; a path is either your files (nginx:./site.conf > ...) or built-in boxes`];
  }
  try {
    const [first] = readUserHops(userHopSpecs(hops));
    // A scenario's clients (the SDKs among them) connect in plain HTTP; validate streams over TLS.
    if (first?.tls) return [`paths: '${path}': ${first.file} listens with TLS on port ${first.listenPort}, and a scenario's clients connect in plain HTTP (run \`streamproof validate\` on it, which streams over TLS, or give the scenario a copy that listens without ssl)`];
    return [];
  } catch (error) {
    if (!isStreamproofError(error)) throw error;
    return [`paths: '${path}': ${error.problem.replace(/\n\s*/g, '; ')} (${error.fix})`];
  }
}

function userHopSpecs(hops: HopSpec[]): UserHopSpec[] {
  return hops.map((hop) => ({ kind: hop.kind as ProxyKind, file: hop.profile }));
}

function matrixPaths(paths: string[], versions: readonly ProxyVersion[], pins: ImagePins): MatrixPath[] {
  return paths.flatMap((path): MatrixPath[] => {
    if (path === 'direct') return [{ label: 'direct', hops: [] }];
    const hops = parseHops(path, versions[0]!, pins);
    // A path of Toxiproxy and named images alone does not vary with the proxies' versions.
    if (hops.every((hop) => hop.kind === 'toxiproxy' || hop.image)) {
      const images = [...new Set(hops.flatMap((hop) => (hop.image ? [hop.image] : [])))];
      return [{ label: `${path}@${images.length ? images.join('+') : versions[0]}`, hops }];
    }
    return versions.map((version) => ({ label: `${path}@${version}`, hops: parseHops(path, version, pins) }));
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

async function runClient(scenario: Scenario, request: ClientRequest): Promise<ClientRun> {
  return (await loadClient(scenario.client)).create({ maxReconnects: scenario.maxReconnects, ...scenario.clientOptions }).run(request);
}

/** The vitest fixture: each test gets a fresh stack, disposed when the test ends, pass or fail. */
export const streamTest = test.extend<{ stack: Stack }>({
  stack: async ({ task }, use) => {
    const stack = new Stack();
    try {
      await use(stack);
    } finally {
      announce(task, { phase: 'teardown' });
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
    heartbeatFormat: script.heartbeatSeconds ? script.heartbeatFormat : undefined,
  };
  // Long waits scale; the bound leaves room for reconnects and container start.
  const pauseMs = intentBase.toolPauseMs ?? 0;
  const timeoutMs = 60_000 + pauseMs * (scenario.maxReconnects + 2);
  // Each box of a chain is one more container to start, and the taps another.
  const timeoutFor = (path: MatrixPath) => timeoutMs + (path.hops.length > 1 ? 20_000 * (path.hops.length + 1) : 0);

  // What the progress reporter needs to know about each test before it runs (its time-left estimate).
  const plan = (path: MatrixPath): TestPlan => ({
    scenario: scenario.name,
    plannedMs: setupAndTeardownMs(path.hops.length) + streamMs(script, timeScale),
    timeScale,
  });

  const versions = scenario.versions ? settings.versions.filter((version) => scenario.versions!.includes(version)) : settings.versions;
  const pins = { ...settings.proxyImages, ...scenario.image };
  for (const path of matrixPaths(scenario.paths, versions.length ? versions : settings.versions.slice(0, 1), pins)) {
    streamTest.concurrent(path.label, { timeout: timeoutFor(path), meta: { streamproofPlan: plan(path) } }, async ({ stack, task, expect }) => {
      announce(task, { phase: 'containers', detail: 'mock LLM' });
      const llm: MockLlm = await stack.mockLlm({ mode: scenario.llm.mode, timeScale, script });
      announceStreams(task, llm, scenario.sweep ? 1 + scenario.sweep.heartbeatSeconds.length : 1, timeScale);
      if (path.hops.length > 0) announce(task, { phase: 'containers', detail: path.hops.map((hop) => `${hop.kind}:${hop.profile}`).join(' > ') });
      const started = path.hops.some((hop) => isUserFile(hop.profile))
        ? await stack.userPath(readUserHops(userHopSpecs(path.hops)), llm.port, timeScale, path.hops[0]!.version)
        : await stack.path(path.hops, llm.port, timeScale);
      const faults = await armFaults(scenario.faults, started.boxes, llm);
      const url = started.url ?? llm.url('127.0.0.1');
      const body = requestBody(scenario.format, `${scenario.name} via ${path.label}`);

      const [run, sweep] = await Promise.all([
        runClient(scenario, {
          url,
          format: scenario.format,
          body,
          onEvent: faults.onEvent,
          beforeReconnect: faults.beforeReconnect,
          abortWhen:
            scenario.abort === undefined ? undefined
            : scenario.abort === 'on-tool-call' ? onToolCall()
            : afterTokenEvents(scenario.abort.afterTokens),
        }),
        // The sweep's streams run beside the main one, through the same boxes, one script each.
        scenario.sweep ? runHeartbeatSweep(scenario, scenario.sweep.heartbeatSeconds, { url, llm, timeScale, path }) : undefined,
      ]);
      await faults.settled();
      announce(task, { phase: 'checks' });

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
          idleTimeoutMs: pathIdleTimeoutMs(path.hops, timeScale),
          clientAbortAtMs,
          ...(path.hops.some((hop) => hop.kind === 'toxiproxy') ? { injectedDelayMs: injectedDelayMs(scenario.faults) } : {}),
        },
      };
      const thresholds = scenario.thresholds as Partial<Thresholds>;
      const results = evaluateChecks(scenario.checks, evidence, thresholds);

      const taps = await started.collectTaps();
      const chain = taps
        ? blameChain(
            {
              boxes: started.boxes.map((box) => box.id),
              client: run.connections,
              taps: taps.map((recording) => observeTap(recording, scenario.format)),
            },
            evidence,
            thresholds,
          )
        : undefined;

      const missing = scenario.checks.filter((check) => !expectedVerdict(scenario, path, check));
      const proxies: ProxyInfo[] = started.boxes.map((box, i) => {
        const emulation = emulationOf(path.hops[i]!);
        return {
          kind: box.kind,
          profile: box.profile,
          image: box.image,
          version: box.version,
          matrixVersion: box.matrixVersion,
          ...(emulation ? { emulationOf: emulation } : {}),
        };
      });
      const outcome: ScenarioOutcome = {
        scenario: scenario.name,
        pathLabel: path.label,
        path: started.boxes.map((box) => box.id),
        proxies,
        client: run.client,
        ...(run.clientVersion !== undefined ? { clientVersion: run.clientVersion } : {}),
        ...(run.clientOptions !== undefined ? { clientOptions: run.clientOptions } : {}),
        timeScale,
        checks: results.map((r) => ({
          ...r,
          expectedVerdict: expectedVerdict(scenario, path, r.check) ?? 'pass',
          ...(chain ? { detail: `${r.detail} Chain: ${chain.summary}` } : {}),
        })),
        ...(chain ? { chain } : {}),
        ...(sweep ? { sweep } : {}),
        timeline: buildTimeline({ ...evidence, toolPauseMs: evidence.intent.toolPauseMs }),
        clientRun: summarizeClientRun(run, evidence.generations, {
          format: scenario.format,
          llmMode: scenario.llm.mode,
          ...(script.heartbeatSeconds !== undefined ? { heartbeatSeconds: script.heartbeatSeconds, heartbeatFormat: script.heartbeatFormat } : {}),
          ...(script.toolCall ? { toolPauseSeconds: script.toolCall.pauseSeconds } : {}),
          ...(evidence.intent.idleTimeoutMs !== undefined ? { idleTimeoutSeconds: evidence.intent.idleTimeoutMs / timeScale / 1000 } : {}),
          faults: scenario.faults.map((fault) => fault.type),
        }),
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

/**
 * Tells the progress reporter of every request the mock LLM serves (the first `streams` are the
 * test's own streams, later ones reconnects) with its generation's scripted tool pause, and of every
 * peer that hung up. Listeners of the mock's own events: nothing is added to the stream's path.
 */
function announceStreams(task: Parameters<typeof announce>[0], llm: MockLlm, streams: number, timeScale: number): void {
  // A sweep's requests run scripts that differ only in heartbeats: the same tool pause.
  const window = toolPauseWindow(llm.script, timeScale);
  const pauses = new Map<string, { startsAtMs: number; ms: number; seconds: number }>();
  let connections = 0;
  let ended = 0;
  llm.on('request', (served) => {
    connections++;
    if (window && !pauses.has(served.generationId)) {
      pauses.set(served.generationId, { startsAtMs: Date.now() + window.startsAfterMs, ms: window.ms, seconds: window.seconds });
    }
    const toolPause = pauses.get(served.generationId);
    announce(task, { phase: 'streaming', connection: connections, reconnect: Math.max(0, connections - streams), ...(toolPause ? { toolPause } : {}) });
  });
  llm.on('response-end', () => ended++);
  // 'peer-gone' comes just before that response's 'response-end'.
  llm.on('peer-gone', () => announce(task, { phase: 'cut', open: connections - ended - 1 }));
}

/** The shortest idle timeout any box of the path is known to put on a silent response, scaled. */
function pathIdleTimeoutMs(hops: HopSpec[], timeScale: number): number | undefined {
  const known = hops.flatMap((hop) => {
    if (hop.kind === 'nginx') return [nginxIdleTimeoutMs(loadNginxSite(hop.profile).text, timeScale)];
    if (hop.kind === 'haproxy') return [haproxyIdleTimeoutMs(loadHaproxyProfile(hop.profile).text, timeScale)].filter((ms) => ms !== undefined);
    return [];
  });
  return known.length ? Math.min(...known) : undefined;
}

/** For a managed-service emulation profile: the service it emulates, as its file states. */
function emulationOf(hop: HopSpec): string | undefined {
  if (hop.kind !== 'haproxy') return undefined;
  return emulationOfText(loadHaproxyProfile(hop.profile).text);
}

function emulationOfText(cfg: string): string | undefined {
  return /^#\s*streamproof-emulation:\s*(.+?)\s*$/m.exec(cfg)?.[1];
}

type Fault = Scenario['faults'][number];

/**
 * The per-event delay the downstream toxics add by design: latency + jitter; a bandwidth limit's
 * time to send 1 KiB (an event is a few hundred bytes); a slicer's pauses over 1 KiB of slices.
 */
function injectedDelayMs(faults: Fault[]): number {
  let total = 0;
  for (const fault of faults) {
    if (fault.stream !== 'downstream' || fault.toxicity === 0) continue;
    const a = fault.attributes;
    if (fault.type === 'latency') total += (a.latency ?? 0) + (a.jitter ?? 0);
    if (fault.type === 'bandwidth' && (a.rate ?? 0) > 0) total += 1000 / a.rate!;
    if (fault.type === 'slicer' && (a.average_size ?? 0) > 0) total += (1024 / a.average_size!) * ((a.delay ?? 0) / 1000);
  }
  return total;
}

/**
 * Puts the scenario's toxics on the path's toxiproxy box: `start` ones now, `tool-call` ones when
 * the client first sees the tool call; `first-cut` ones come off when the origin notices a cut, so
 * a reconnect meets a healthy path.
 */
async function armFaults(faults: Fault[], boxes: ProxyHandle[], llm: MockLlm) {
  const toxiproxy = boxes.find((box): box is StartedToxiproxyProxy => box.kind === 'toxiproxy');
  const pending: Promise<unknown>[] = [];
  const idle = { onEvent: undefined, beforeReconnect: undefined, settled: async () => {} };
  if (!toxiproxy || faults.length === 0) return idle;
  // Each first-cut toxic's removal, once: at the origin's first notice, or when the client is back.
  const comeOff: Array<() => Promise<void>> = [];
  const applied: Promise<unknown>[] = [];

  const apply = (fault: Fault, index: number) => {
    const name = `${fault.type}_${fault.stream}_${index}`;
    const added = toxiproxy.hop.addToxic({
      name,
      type: fault.type,
      stream: fault.stream,
      toxicity: fault.toxicity,
      attributes: fault.attributes,
    } as Parameters<typeof toxiproxy.hop.addToxic>[0]);
    pending.push(added);
    applied.push(added);
    if (fault.until === 'first-cut') {
      const addedAtMs = now();
      let removed: Promise<void> | undefined;
      const remove = () => (removed ??= added.then((toxic) => toxic.remove()).then(() => {}));
      comeOff.push(remove);
      pending.push(firstCutAfter(llm, addedAtMs - 1, 120_000).then(remove));
    }
  };
  // Toxiproxy resets (TCP RST) only a connection that opened with a reset_peer on the proxy (it sets
  // SO_LINGER 0 then); one added mid-stream closes with FIN. So a mid-stream reset is armed from the
  // start with a reset_peer that never fires (toxicity 0), taken off once the real one is on.
  const lingerArm = faults.some((fault) => fault.when === 'tool-call' && fault.type === 'reset_peer')
    ? toxiproxy.hop.addToxic({ name: 'reset_peer_linger', type: 'reset_peer', stream: 'downstream', toxicity: 0, attributes: { timeout: 0 } } as Parameters<typeof toxiproxy.hop.addToxic>[0])
    : undefined;
  faults.forEach((fault, index) => fault.when === 'start' && apply(fault, index));
  // On before the stream's connection opens: a toxic's effect can depend on it (reset_peer's RST).
  await Promise.all([...applied, lingerArm]);
  let toolCallArmed = false;
  const onEvent: RecordOptions['onEvent'] = (_event, progress) => {
    if (toolCallArmed || !progress.toolCallSeen) return;
    toolCallArmed = true;
    applied.length = 0;
    faults.forEach((fault, index) => fault.when === 'tool-call' && apply(fault, index));
    if (lingerArm) pending.push(Promise.all(applied).then(() => lingerArm).then((toxic) => toxic.remove()));
  };
  return {
    onEvent,
    // The client is back (a reconnect, an SDK retry): the cut has happened, whoever noticed it.
    beforeReconnect: async () => {
      await Promise.all(comeOff.map((remove) => remove().catch(() => {})));
    },
    // A fault that never fired (the stream ended first) must not hold the test: bounded by the run's own end.
    settled: async () => {
      await Promise.race([Promise.allSettled(pending), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    },
  };
}

/**
 * Resolves at the first cut since `sinceMs` that the origin can know of: a peer gone, or a client
 * back for a logical request it had already sent (a reconnect, a resume, a re-POST), whichever
 * comes first. A proxy that keeps its upstream connection after the client's cut (HAProxy 2.6
 * without abortonclose, decision 0012) tells the origin only at its next write, seconds later:
 * the client is back before that, and must not meet the fault again. Clients that reconnect
 * through the harness (its own, the SDKs' fetch, `eventsource`) take the faults off before they
 * send (`beforeReconnect`); this covers the browser's, which the harness cannot hold back.
 * Bounded by `timeoutMs`.
 */
function firstCutAfter(llm: MockLlm, sinceMs: number, timeoutMs: number): Promise<void> {
  const peerGone = (served: ServedRequest) => (served.peerGoneAtMs ?? 0) >= sinceMs;
  const clientBack = (served: ServedRequest) => {
    if (served.receivedAtMs < sinceMs) return false;
    const key = llm.ledger.generations().find((generation) => generation.generationId === served.generationId)?.logicalKey;
    return key !== undefined && llm.ledger.servedFor(key).some((earlier) => earlier.receivedAtMs < served.receivedAtMs);
  };
  if (llm.ledger.served().some((served) => peerGone(served) || clientBack(served))) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      llm.off('peer-gone', onPeerGone);
      llm.off('request', onRequest);
      resolve();
    };
    const onPeerGone = (served: ServedRequest) => peerGone(served) && done();
    const onRequest = (served: ServedRequest) => clientBack(served) && done();
    const timer = setTimeout(done, timeoutMs);
    llm.on('peer-gone', onPeerGone);
    llm.on('request', onRequest);
  });
}

/**
 * The heartbeat sweep: one stream per interval, concurrently, each with its own prompt and a
 * script that differs only in `heartbeatSeconds`; the largest interval whose stream passes the
 * heartbeat check is the figure.
 */
async function runHeartbeatSweep(
  scenario: Scenario,
  intervals: number[],
  context: { url: string; llm: MockLlm; timeScale: number; path: MatrixPath },
): Promise<SweepOutcome> {
  const base = context.llm.script;
  const tried = await Promise.all(
    [...intervals].sort((a, b) => a - b).map(async (heartbeatSeconds) => {
      const body = requestBody(scenario.format, `${scenario.name} via ${context.path.label}, heartbeat every ${heartbeatSeconds} s`);
      const run = await runSingleConnectionClient({
        url: context.url,
        format: scenario.format,
        body,
        headers: { [SCRIPT_HEADER]: JSON.stringify({ ...base, heartbeatSeconds }) },
      });
      const evidence: StreamEvidence = {
        run,
        served: context.llm.ledger.servedFor(run.logicalKey),
        generations: context.llm.ledger.generationsFor(run.logicalKey),
        intent: {
          toolPauseMs: base.toolCall ? scaledMs(base.toolCall.pauseSeconds, context.timeScale) : undefined,
          heartbeatIntervalMs: scaledMs(heartbeatSeconds, context.timeScale),
          idleTimeoutMs: pathIdleTimeoutMs(context.path.hops, context.timeScale),
        },
      };
      const [result] = evaluateChecks(['heartbeat'], evidence, scenario.thresholds as Partial<Thresholds>);
      return { heartbeatSeconds, verdict: result!.verdict, measured: result!.measured };
    }),
  );
  const safe = tried.filter((t) => t.verdict === 'pass').map((t) => t.heartbeatSeconds);
  const deadlines = context.path.hops.flatMap((hop) => {
    if (hop.kind !== 'haproxy') return [];
    const text = loadHaproxyProfile(hop.profile).text;
    const model = haproxyTimeoutModel(text);
    return model?.kind === 'deadline' ? [`${hop.kind}:${hop.profile} emulates a ${model.ms / 1000} s deadline on the whole response (emulation of ${emulationOfText(text) ?? hop.profile}): heartbeats do not help`] : [];
  });
  return {
    parameter: 'heartbeatSeconds',
    tried,
    largestSafeHeartbeatSeconds: safe.length ? Math.max(...safe) : null,
    ...(deadlines.length ? { note: deadlines.join('; ') } : {}),
  };
}
