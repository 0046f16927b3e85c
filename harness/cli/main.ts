/**
 * The `streamproof` command: one file per command under commands/. Options become STREAMPROOF_*
 * variables, so vitest workers see the same settings.
 * Exit codes: 0 all good, 1 a check failed, 2 cannot test (bad input, a usage error, a config that
 * did not start, no Docker engine), 3 a bug in streamproof; each but 0 and 1 with a STREAMPROOF_*
 * code and a "To fix:" line.
 */
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { isStreamproofError, StreamproofError } from '../errors.ts';
import { PACKAGE_VERSION } from '../package-files.ts';
import { SETTINGS_ENV } from '../settings.ts';
import { COMMANDS } from './commands/index.ts';
import { helpSection } from './run-options.ts';

const EXIT_CODES = [
  '0  every check as expected (validate: every check passed)',
  '1  a check failed (run: a verdict differs from what the scenario expects)',
  '2  cannot test (no verdict): bad input or usage, a config the proxy did not start, a stream that never reached the mock LLM, no Docker engine, a missing prerequisite',
  '3  a bug in streamproof (never a verdict)',
];

const ENVIRONMENT: ReadonlyArray<[string, string]> = [
  [SETTINGS_ENV.timeScale, 'scale of tool pauses, heartbeats and idle timeouts (default 0.1)'],
  [SETTINGS_ENV.versions, 'proxy versions: bookworm, trixie, sid (default bookworm,sid)'],
  [SETTINGS_ENV.imageSource, 'auto (public, else a local build), public, local'],
  [SETTINGS_ENV.reportDir, 'where reports go (default reports/latest)'],
  [SETTINGS_ENV.debianMirror, 'the Debian mirror of local image builds'],
  [SETTINGS_ENV.packageLockWaitSeconds, 'seconds an install waits for another package manager (300)'],
  ['STREAMPROOF_CHROMIUM', 'Chromium executable (default /usr/bin/chromium)'],
  ['DOCKER_HOST', 'the Docker engine, as for the docker CLI and testcontainers'],
];
const columns = (rows: ReadonlyArray<[string, string]>) => {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, text]) => `${name.padEnd(width)}  ${text}`);
};

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
    .description('Does an LLM token stream over SSE survive your proxies? Real nginx and HAProxy, real sockets, measured verdicts.')
    .version(PACKAGE_VERSION, '-V, --version', 'print the version')
    // Commander's own errors exit 1, which means "a check failed": they are thrown instead
    // (subcommands inherit both settings) and end as STREAMPROOF_USAGE, exit 2, below.
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .addHelpText(
      'after',
      helpSection('Exit codes', EXIT_CODES) +
        helpSection('Environment', columns(ENVIRONMENT)) +
        helpSection('Examples', [
          'npx streamproof validate --nginx ./deploy/site.conf        # your config against the standard streams',
          'npx streamproof init --nginx ./deploy/site.conf            # a starter scenario and CI jobs in this repository',
          'npx streamproof run                                        # every *.scenario.ts here',
          'npx streamproof <command> --help                           # each command\'s options and examples',
        ]),
    );
  for (const register of COMMANDS) register(program);

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
