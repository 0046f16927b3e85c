/** `streamproof setup`: the host checked (installed only with --install), then every image. */
import type { Command } from 'commander';
import { ensureDockerAnswers } from '../../docker/engine.ts';
import { readSettings } from '../../settings.ts';
import { prepareImages } from '../prepare-images.ts';
import { applyRunOptions, helpSection, log, withRunOptions, type RunOptions } from '../run-options.ts';

export function register(program: Command): void {
  withRunOptions(
    program
      .command('setup')
      .description('check this host (Docker engine, images) and prepare the proxy images; with --install, also install and start what is missing')
      .option('--install', 'as root with apt-get, one call at a time: Debian docker.io (dockerd started detached), debootstrap where images must be built, Chromium with --browser')
      .option('--install-docker', 'the same as --install')
      .option('--browser', 'also require Chromium (the browser-eventsource client, the HTML report check)'),
  )
    .addHelpText(
      'after',
      helpSection('Examples', [
        'npx streamproof setup                      # says what is missing; pulls or builds the images',
        'sudo npx streamproof setup --install       # a CI machine without Docker: installs docker.io and starts dockerd',
      ]),
    )
    .action(async (options: RunOptions & { install?: boolean; installDocker?: boolean; browser?: boolean }) => {
      applyRunOptions(options);
      const { ensurePrerequisites } = await import('../../host/prerequisites.ts');
      const { ensureDockerEngine } = await import('../../docker/daemon.ts');
      const host = { install: (options.install ?? false) || (options.installDocker ?? false), log, lockWaitMs: readSettings().packageLockWaitSeconds * 1000 };
      const engineAnswers = await ensureDockerAnswers().then(
        () => true,
        () => false,
      );
      // Everything missing in one package-manager call before any parallel work (or, without
      // --install, every missing one named at once); debootstrap follows only if a build needs it.
      await ensurePrerequisites([...(engineAnswers ? [] : ['docker' as const]), ...(options.browser ? ['chromium' as const] : [])], host);
      await ensureDockerEngine(host);
      await prepareImages(host);
    });
}
