/** `streamproof images`: pull the official images, or build them from Debian packages. */
import type { Command } from 'commander';
import { prepareImages } from '../prepare-images.ts';
import { applyRunOptions, withRunOptions } from '../run-options.ts';

export function register(program: Command): void {
  withRunOptions(program.command('images').description('prepare proxy images: pull the official ones, or build them from Debian packages')).action(async (options) => {
    applyRunOptions(options);
    await prepareImages();
  });
}
