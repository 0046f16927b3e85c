/** `streamproof validate`: the standard streams through the user's own config files. */
import { Option, type Command } from 'commander';
import { ensureDockerAnswers } from '../../docker/engine.ts';
import { isStreamproofError } from '../../errors.ts';
import { readSettings } from '../../settings.ts';
import type { HopArg } from '../../validate/hops-from-args.ts';
import { VALIDATE_FORMATS, type ValidateFormat, type ValidateFormatName } from '../../report/validate-formats.ts';
import { applyRunOptions, helpSection, log, withRunOptions } from '../run-options.ts';

export function register(program: Command): void {
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
      .option('--path <path>', 'the request path streamed (default: /v1/chat/completions); the location or backend serving it is the one tested')
      .option('--host <host>', 'the Host header sent to the first file (default: 127.0.0.1, or the first server_name whose server proxies the path)')
      .addHelpText('after', helpSection('Examples', [
        'npx streamproof validate --nginx ./deploy/site.conf',
        'npx streamproof validate --haproxy ./edge/haproxy.cfg --nginx ./deploy/site.conf --report-dir reports/validate',
        'npx streamproof validate --nginx ./site.conf --image nginx=nginx:1.27.3-alpine   # the image you deploy',
        'npx streamproof validate --nginx ./site.conf --path /api/chat --host chat.example.com',
        'npx streamproof validate --nginx ./site.conf --format json > results.json          # results.json on stdout, the report on stderr',
        'npx streamproof validate --nginx ./site.conf --format sarif > streamproof.sarif    # for github/codeql-action/upload-sarif',
        'npx streamproof validate --nginx ./site.conf --format github                        # annotations on the pull request',
      ]))
      .option('--report-dir <dir>', 'also write results.json, results.sarif, junit.xml, summary.md and report.html there (and append the summary to $GITHUB_STEP_SUMMARY)')
      .addOption(
        new Option('--format <format>', Object.entries(VALIDATE_FORMATS).map(([name, format]) => `${name}: ${format.describe}`).join('; '))
          .choices(Object.keys(VALIDATE_FORMATS))
          .default('text'),
      ),
  ).action(async (options: { reportDir?: string; format: ValidateFormatName; path?: string; host?: string; timeScale?: string; versions?: string; imageSource?: string }) => {
    applyRunOptions(options);
    const { badInputResults, validateConfig, writeBadInputReports } = await import('../../validate.ts');
    const format: ValidateFormat = VALIDATE_FORMATS[options.format];
    const { hopsFromArgs, requestFromArgs } = await import('../../validate/hops-from-args.ts');
    const files = hopArgs.filter((arg) => arg.option !== 'upstream').map((arg) => arg.value);
    // Bad input still leaves report files when asked for: CI publishes why (exit 2), not nothing.
    const reportingBadInput = async <T>(work: () => Promise<T> | T): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        if (options.reportDir && isStreamproofError(error)) writeBadInputReports(options.reportDir, files, error);
        // A machine format still gets its document: no check, and the error that says why.
        if (format.render && isStreamproofError(error)) process.stdout.write(format.render(badInputResults(files, error)));
        throw error;
      }
    };
    const hops = await reportingBadInput(() => hopsFromArgs(hopArgs));
    const request = await reportingBadInput(() => requestFromArgs(options));
    const { beginRun, removeRunContainersNow, startReaper } = await import('../../docker/run-registry.ts');
    await reportingBadInput(() => ensureDockerAnswers());
    // An image the user named is pulled now, once: one that cannot be is bad input, before any container.
    const { resolvePinnedImage } = await import('../../docker/images.ts');
    await reportingBadInput(() => Promise.all(Object.values(readSettings().proxyImages).map((image) => resolvePinnedImage(image, log))));
    const run = beginRun();
    if (run.isNew) startReaper(run);
    log(`run ${run.runId}: its containers are removed when it ends`);
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
        request,
        timeScale: settings.timeScale,
        // Every file's kind given an image (--image): that image is the one version.
        versions: hops.every((hop) => settings.proxyImages[hop.kind]) ? settings.versions.slice(0, 1) : settings.versions,
        print: (line) => process[format.peopleTo].write(`${line}\n`),
        ...(format.render ? { emitResults: (results) => process.stdout.write(format.render!(results)) } : {}),
        ...(options.reportDir ? { reportDir: options.reportDir } : {}),
      }),
    );
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}
