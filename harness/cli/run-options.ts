/**
 * Options shared by the commands that run proxies. They become STREAMPROOF_* variables, so vitest
 * workers (other processes) read the same settings.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PROXY_VERSIONS, readSettings, SETTINGS_ENV } from '../settings.ts';

export const log = (line: string) => process.stderr.write(`streamproof: ${line}\n`);

export interface RunOptions {
  timeScale?: string;
  versions?: string;
  imageSource?: string;
  image?: string[];
  reportDir?: string;
}

export function timeScale(value: string): string {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('a number in (0, 1], e.g. 0.1 (60 s idle timeouts become 6 s) or 1 (real time)');
  return value;
}

function versions(value: string): string {
  const bad = value.split(',').filter((v) => !(PROXY_VERSIONS as readonly string[]).includes(v.trim()));
  if (bad.length) throw new InvalidArgumentError(`unknown version(s) ${bad.join(', ')}; choose from ${PROXY_VERSIONS.join(', ')}`);
  return value;
}

export function withRunOptions(command: Command): Command {
  return command
    .addOption(new Option('--time-scale <factor>', 'multiply tool pauses, heartbeat intervals and proxy idle timeouts').argParser(timeScale))
    .addOption(new Option('--versions <list>', `proxy versions, comma-separated (${PROXY_VERSIONS.join(', ')})`).argParser(versions))
    .addOption(new Option('--image-source <source>', 'where images come from').choices(['auto', 'public', 'local']))
    .addOption(
      new Option('--image <kind=image>', 'run this image for a kind instead of the versions of the matrix, e.g. nginx=nginx:1.27.3-alpine; repeatable').argParser(
        (value: string, previous: string[] = []) => [...previous, value],
      ),
    );
}

export function applyRunOptions(options: RunOptions): void {
  if (options.timeScale) process.env[SETTINGS_ENV.timeScale] = options.timeScale;
  if (options.versions) process.env[SETTINGS_ENV.versions] = options.versions;
  if (options.imageSource) process.env[SETTINGS_ENV.imageSource] = options.imageSource;
  if (options.reportDir) process.env[SETTINGS_ENV.reportDir] = options.reportDir;
  if (options.image?.length) process.env[SETTINGS_ENV.proxyImages] = options.image.join(',');
  readSettings(); // fail now, with every problem, rather than in a worker
}

/** Text for `--help`: a heading and indented lines. */
export function helpSection(title: string, lines: readonly string[]): string {
  return `\n${title}:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}
