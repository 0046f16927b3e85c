/**
 * The `streamproof` command.
 *   streamproof setup [--install]  check the host (Docker engine, images) and prepare images; --install
 *                                  installs and starts what is missing (apt-get, as root)
 *   streamproof run [pattern...]   run scenario files; prints the verdict table, writes results.json
 *   streamproof validate (--nginx site.conf | --haproxy haproxy.cfg [--upstream host:port])... [--report-dir DIR]
 *                                  the standard checks against your own configs, unmodified: one
 *                                  proxy, or a chain in command-line order, client side first
 *   streamproof images             prepare proxy images (pull, or build from Debian packages)
 *   streamproof report [file]      regenerate JUnit XML, Markdown and HTML from an existing results.json
 *   streamproof mock-llm           serve the mock LLM on its own
 *   streamproof toxiproxy-server   serve streamproof's Toxiproxy-API-compatible server on its own
 * Options become STREAMPROOF_* variables, so vitest workers see the same settings.
 * Exit codes: 0 all good, 1 a check failed, 2 bad input (a usage error included: an unknown
 * option or command, a missing argument), each with a STREAMPROOF_* code and a "To fix:" line.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { ensureDockerAnswers } from '../docker/engine.ts';
import { resolveImage, resolveToxiproxyImage, resolveToxiproxyServerImage } from '../docker/images.ts';
import { isStreamproofError, StreamproofError } from '../errors.ts';
import { PROXY_VERSIONS, readSettings, SETTINGS_ENV } from '../settings.ts';
import type { HopArg } from '../validate.ts';

const log = (line: string) => process.stderr.write(`streamproof: ${line}\n`);

function timeScale(value: string): string {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('a number in (0, 1], e.g. 0.1 (60 s idle timeouts become 6 s) or 1 (real time)');
  return value;
}

function versions(value: string): string {
  const bad = value.split(',').filter((v) => !(PROXY_VERSIONS as readonly string[]).includes(v.trim()));
  if (bad.length) throw new InvalidArgumentError(`unknown version(s) ${bad.join(', ')}; choose from ${PROXY_VERSIONS.join(', ')}`);
  return value;
}

/** Options shared by the commands that run proxies; applied to the environment. */
function withRunOptions(command: Command): Command {
  return command
    .addOption(new Option('--time-scale <factor>', 'multiply tool pauses, heartbeat intervals and proxy idle timeouts').argParser(timeScale))
    .addOption(new Option('--versions <list>', `proxy versions, comma-separated (${PROXY_VERSIONS.join(', ')})`).argParser(versions))
    .addOption(new Option('--image-source <source>', 'where images come from').choices(['auto', 'public', 'local']));
}

function applyRunOptions(options: { timeScale?: string; versions?: string; imageSource?: string }): void {
  if (options.timeScale) process.env[SETTINGS_ENV.timeScale] = options.timeScale;
  if (options.versions) process.env[SETTINGS_ENV.versions] = options.versions;
  if (options.imageSource) process.env[SETTINGS_ENV.imageSource] = options.imageSource;
  readSettings(); // fail now, with every problem, rather than in a worker
}

async function prepareImages(options: { install?: boolean } = {}): Promise<void> {
  const settings = readSettings();
  await ensureDockerAnswers();
  const kinds = ['nginx', 'haproxy'] as const;
  const supply = { source: settings.imageSource, log, install: options.install ?? false };
  const [images, toxiproxy] = await Promise.all([
    Promise.all(settings.versions.flatMap((v) => kinds.map((kind) => resolveImage(kind, v, supply)))),
    // Fault boxes (official Toxiproxy where it can be pulled) and the chains' taps (always streamproof's server).
    resolveToxiproxyImage(supply),
    resolveToxiproxyServerImage(supply),
  ]);
  for (const image of images) log(`image for ${image.kind}@${image.version}: ${image.image} (${image.source})`);
  log(`image for toxiproxy: ${toxiproxy.image} (${toxiproxy.source})`);
}

/** A commander error (unknown option or command, missing argument, invalid value) as STREAMPROOF_USAGE. */
function usageError(error: CommanderError, program: Command, argv: string[]): StreamproofError {
  const command = program.commands.find((c) => argv.slice(2).includes(c.name()));
  const help = `streamproof ${command ? `${command.name()} ` : ''}--help`;
  const problem = error.code === 'commander.help' ? 'no command given' : error.message.replace(/^error:\s*/, '').trim();
  return new StreamproofError('STREAMPROOF_USAGE', problem, `see \`${help}\` for the ${command ? 'options' : 'commands'}`, { cause: error });
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('streamproof')
    .description('Does an LLM token stream over SSE survive your proxies? Real nginx, real sockets, measured verdicts.')
    // Commander's own errors exit 1, which for validate means "a check failed": they are thrown
    // instead (subcommands inherit both settings) and end as STREAMPROOF_USAGE, exit 2, below.
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  withRunOptions(
    program
      .command('setup')
      .description('check this host (Docker engine, images) and prepare the proxy images; with --install, also install and start what is missing')
      .option('--install', 'as root with apt-get, one call at a time: Debian docker.io (dockerd started detached), debootstrap where images must be built, Chromium with --browser')
      .option('--browser', 'also require Chromium (the browser-eventsource client, the HTML report check)'),
  ).action(async (options: { install?: boolean; browser?: boolean; timeScale?: string; versions?: string; imageSource?: string }) => {
    applyRunOptions(options);
    const { ensurePrerequisites } = await import('../host/prerequisites.ts');
    const { ensureDockerEngine } = await import('../docker/daemon.ts');
    const host = { install: options.install ?? false, log, lockWaitMs: readSettings().packageLockWaitSeconds * 1000 };
    const engineAnswers = await ensureDockerAnswers().then(() => true, () => false);
    // Everything missing in one package-manager call before any parallel work (or, without
    // --install, every missing one named at once); debootstrap follows only if a build needs it.
    await ensurePrerequisites([...(engineAnswers ? [] : ['docker' as const]), ...(options.browser ? ['chromium' as const] : [])], host);
    await ensureDockerEngine(host);
    await prepareImages(host);
  });

  withRunOptions(program.command('images').description('prepare proxy images: pull the official ones, or build them from Debian packages')).action(
    async (options) => {
      applyRunOptions(options);
      await prepareImages();
    },
  );

  withRunOptions(
    program
      .command('run')
      .description('run scenario files (all built-in ones by default) and print the verdict table')
      .argument('[patterns...]', 'only scenario files whose path contains one of these'),
  ).action(async (patterns: string[], options) => {
    applyRunOptions(options);
    const { startVitest } = await import('vitest/node');
    const vitest = await startVitest('test', patterns, { run: true, project: 'scenarios', watch: false });
    await vitest?.close();
    process.exitCode = process.exitCode ?? 0;
  });

  // Hops in command-line order: commander calls each parser as it meets the option.
  const hopArgs: HopArg[] = [];
  const hopArg = (option: HopArg['option']) => (value: string) => {
    hopArgs.push({ option, value });
    return value;
  };
  withRunOptions(
    program
      .command('validate')
      .description(
        'run the standard checks (token streaming, a 70 s tool pause with and without heartbeats) against your own nginx sites and haproxy.cfg files, unmodified: ' +
          'one, or several for a chain, client side first, in command-line order; exit 0 only when all pass',
      )
      .option('--nginx <file>', 'your nginx site config (a server {} block, placed in conf.d beside the stock nginx.conf); repeat for a chain', hopArg('nginx'))
      .option('--haproxy <file>', 'your complete haproxy.cfg; repeat for a chain', hopArg('haproxy'))
      .option(
        '--upstream <host:port>',
        'the upstream the file before it proxies to (default: read from that file); it resolves to the next hop, or the mock LLM after the last',
        hopArg('upstream'),
      )
      .option('--report-dir <dir>', 'also write results.json, junit.xml, summary.md and report.html there (and append the summary to $GITHUB_STEP_SUMMARY)'),
  ).action(async (options: { reportDir?: string; timeScale?: string; versions?: string; imageSource?: string }) => {
    applyRunOptions(options);
    const { hopsFromArgs, validateConfig, writeBadInputReports } = await import('../validate.ts');
    const files = hopArgs.filter((arg) => arg.option !== 'upstream').map((arg) => arg.value);
    // Bad input still leaves report files when asked for: CI publishes why (exit 2), not nothing.
    const reportingBadInput = async <T>(work: () => Promise<T> | T): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        if (options.reportDir && isStreamproofError(error)) writeBadInputReports(options.reportDir, files, error);
        throw error;
      }
    };
    const hops = await reportingBadInput(() => hopsFromArgs(hopArgs));
    const { beginRun, removeRunContainersNow, startReaper } = await import('../docker/run-registry.ts');
    await ensureDockerAnswers();
    const run = beginRun();
    if (run.isNew) startReaper(run);
    const onSignal = (signal: NodeJS.Signals) => {
      log(`${signal}: removing this run's containers`);
      removeRunContainersNow(run.runId);
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const settings = readSettings();
    process.exitCode = await reportingBadInput(() =>
      validateConfig({
        hops,
        timeScale: settings.timeScale,
        versions: settings.versions,
        print: (line) => process.stdout.write(`${line}\n`),
        ...(options.reportDir ? { reportDir: options.reportDir } : {}),
      }),
    );
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

  withRunOptions(
    program.command('doctor').description('check what a run needs (Node, Docker, addresses, images, leftovers, Chromium) and say what to fix; changes nothing'),
  ).action(async (options) => {
    applyRunOptions(options);
    const { diagnose, renderFindings } = await import('../doctor.ts');
    const findings = await diagnose(readSettings());
    process.stdout.write(`${renderFindings(findings)}\n`);
    process.exitCode = findings.some((f) => f.status === 'fail') ? 1 : 0;
  });

  program
    .command('report')
    .description('regenerate the reports (junit.xml, summary.md, report.html) next to an existing results.json')
    .argument('[results]', 'the results.json to read (default: results.json in STREAMPROOF_REPORT_DIR, reports/latest)')
    .action(async (file?: string) => {
      const { existsSync, readFileSync } = await import('node:fs');
      const { dirname, join } = await import('node:path');
      const { writeReports } = await import('../report/write.ts');
      const path = file ?? join(readSettings().reportDir, 'results.json');
      if (!existsSync(path)) {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `no results file at ${path}`, 'run the scenarios first (streamproof run), or pass the path of a results.json');
      }
      let results: import('../results.ts').ResultsFile;
      try {
        results = JSON.parse(readFileSync(path, 'utf8')) as import('../results.ts').ResultsFile;
      } catch (error) {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `${path} is not JSON: ${(error as Error).message}`, 'pass a results.json written by streamproof', { cause: error });
      }
      if (!Array.isArray(results.results) || typeof results.schemaVersion !== 'number') {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `${path} is not a streamproof results file (no schemaVersion or results[])`, 'pass a results.json written by streamproof');
      }
      for (const written of writeReports({ ...results, paths: results.paths ?? [], errors: results.errors ?? [] }, dirname(path))) log(`wrote ${written}`);
    });

  program
    .command('mock-llm')
    .description('serve the mock LLM on its own (OpenAI and Anthropic streaming endpoints), e.g. to curl it through your proxy')
    .option('--host <address...>', 'addresses to bind (never a wildcard)', ['127.0.0.1'])
    .option('--port <port>', 'port', '8000')
    .addOption(new Option('--mode <mode>', 'stateless bills every request; resumable resumes on Last-Event-ID').choices(['stateless', 'resumable']).default('stateless'))
    .option('--time-scale <factor>', 'multiply pauses and heartbeat intervals', timeScale, '1')
    .option('--script <json>', 'the stream script, e.g. \'{"tokens":40,"toolCall":{"afterTokens":10,"pauseSeconds":70},"heartbeatSeconds":15}\'', '{}')
    .action(async (options: { host: string[]; port: string; mode: 'stateless' | 'resumable'; timeScale: string; script: string }) => {
      const { MockLlm, parseStreamScript } = await import('../mock-llm/index.ts');
      let script: unknown;
      try {
        script = JSON.parse(options.script);
      } catch {
        throw new InvalidArgumentError(`--script is not JSON: ${options.script}`);
      }
      const llm = await MockLlm.start({
        mode: options.mode,
        timeScale: Number(options.timeScale),
        hosts: options.host,
        port: Number(options.port),
        script: parseStreamScript(script),
      });
      log(`mock LLM (${options.mode}) on ${options.host.map((h) => llm.url(h)).join(', ')}: POST /v1/chat/completions, POST /v1/messages, GET /healthz`);
      const stop = () => void llm.close().finally(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('toxiproxy-server')
    .description("serve streamproof's Toxiproxy-compatible server (Toxiproxy 2.x API, plus recording taps) on its own")
    .option('--host <address>', 'address the API binds', '127.0.0.1')
    .option('--port <port>', 'API port', '8474')
    .option('--config <file>', 'JSON array of proxies to create at start, as POST /populate')
    .action(async (options: { host: string; port: string; config?: string }) => {
      const { existsSync } = await import('node:fs');
      const { closeOnSignals, startFromFlags } = await import('../toxiproxy/main.ts');
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `--port must be an integer in 0..65535, got ${options.port}`, 'pass e.g. --port 8474 (0 picks a free port)');
      }
      if (options.config && !existsSync(options.config)) {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `--config ${options.config} does not exist`, 'pass a JSON file holding an array of {name, listen, upstream} proxies, or leave --config out');
      }
      try {
        const server = await startFromFlags({ host: options.host, port, ...(options.config ? { config: options.config } : {}) }, (line) =>
          process.stdout.write(`${line}\n`),
        );
        closeOnSignals(server);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new StreamproofError('STREAMPROOF_PORT_TAKEN', `${options.host}:${port} is already in use`, 'stop what listens there (e.g. another Toxiproxy), or pass another --port', { cause: error });
        }
        throw new StreamproofError('STREAMPROOF_BIND_FAILED', `cannot listen on ${options.host}:${port}: ${(error as Error).message}`, 'pass an address of this machine with --host (default 127.0.0.1)', { cause: error });
      }
    });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) process.exit(0); // --help, --version
    const usage = error instanceof CommanderError ? usageError(error, program, argv) : error;
    if (isStreamproofError(usage)) {
      process.stderr.write(`${pc.red(usage.message)}\n`);
      process.exit(2);
    }
    // Neither a verdict (1) nor bad input (2): CI must not read a crash as a failed check.
    process.stderr.write(
      `${pc.red(`streamproof: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)}\n` +
        'To fix: this is a bug in streamproof, not in your config; report it with the output above.\n',
    );
    process.exit(3);
  }
}
