/** `streamproof init`: a starter scenario and CI jobs, written into the user's repository. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { StreamproofError } from '../../errors.ts';
import { helpSection, log } from '../run-options.ts';
import { starterFiles } from '../starter-files.ts';

export function register(program: Command): void {
  // Boxes in command-line order, client side first: commander calls each parser as it meets the option.
  const boxes: Array<{ kind: 'nginx' | 'haproxy'; file: string }> = [];
  const box = (kind: 'nginx' | 'haproxy') => (file: string) => {
    boxes.push({ kind, file });
    return file;
  };
  program
    .command('init')
    .description('write a starter scenario (streamproof/streams.scenario.ts) and CI jobs (GitHub Actions, GitLab) into this repository')
    .option('--nginx <file>', 'put your nginx site file on the starter path; repeat, in order, for a chain', box('nginx'))
    .option('--haproxy <file>', 'put your haproxy.cfg on the starter path', box('haproxy'))
    .option('--force', 'overwrite files that exist')
    .addHelpText('after', helpSection('Examples', ['npx streamproof init --nginx ./deploy/site.conf', 'npx streamproof init --haproxy ./edge/haproxy.cfg --nginx ./deploy/site.conf']))
    .action((options: { force?: boolean }) => {
      const root = process.cwd();
      const missing = boxes.filter(({ file }) => !existsSync(resolve(root, file)));
      if (missing.length > 0) {
        throw new StreamproofError(
          'STREAMPROOF_BAD_OPTIONS',
          `no such file: ${missing.map(({ file }) => resolve(root, file)).join(', ')}`,
          'pass your config files by their path from this directory (the repository root)',
        );
      }
      const files = starterFiles({ boxes: boxes.map(({ kind, file }) => `${kind}:./${relative(root, resolve(root, file))}`) });
      for (const file of files) {
        const target = resolve(root, file.path);
        if (existsSync(target) && !options.force) {
          log(`kept ${file.path} (it exists; --force overwrites it)`);
          continue;
        }
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, file.content);
        log(`wrote ${file.path}: ${file.note}`);
      }
      if (!existsSync(resolve(root, 'node_modules', 'streamproof'))) log('add streamproof to this repository: npm install --save-dev streamproof');
    });
}
