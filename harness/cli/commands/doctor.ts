/** `streamproof doctor`: what a run needs, checked; changes nothing. */
import type { Command } from 'commander';
import { readSettings } from '../../settings.ts';
import { applyRunOptions, withRunOptions } from '../run-options.ts';

export function register(program: Command): void {
  withRunOptions(
    program.command('doctor').description('check what a run needs (Node, Docker, addresses, images, leftovers, Chromium) and say what to fix; changes nothing'),
  ).action(async (options) => {
    applyRunOptions(options);
    const { diagnose, renderFindings } = await import('../../doctor.ts');
    const findings = await diagnose(readSettings());
    process.stdout.write(`${renderFindings(findings)}\n`);
    process.exitCode = findings.some((f) => f.status === 'fail') ? 1 : 0;
  });
}
