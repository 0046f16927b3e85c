import { defineConfig } from 'vitest/config';
import { scenarioTestOptions } from './harness/vitest/scenario-project.ts';

export default defineConfig({
  test: {
    // progress.ts is vitest's default reporter plus live progress of scenario tests (phases, time
    // left); without the scenarios project in the run it is the default reporter alone.
    reporters: ['./harness/report/progress.ts', './harness/report/reporter.ts'],
    projects: [
      {
        test: {
          // Installs on this host for real (removes debootstrap, holds dpkg's lock, builds two
          // images): a group of its own, before the others, so its load never meets a timed stream.
          name: 'machine',
          include: ['tests/machine/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          maxWorkers: 2,
          pool: 'forks',
          testTimeout: 120_000,
        },
      },
      {
        test: {
          // npm pack, installed into a new project on Node 22 and 24, run as a user runs it: in the
          // first group too (it runs scenarios of its own, which must not meet the matrix's).
          name: 'package',
          include: ['tests/package/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          maxWorkers: 2,
          pool: 'forks',
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 1 },
          maxWorkers: 2, // one group with the scenarios: vitest wants the same maxWorkers
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          // The harness's own behaviour against real Docker: cleanup on signals, errors on bad input.
          name: 'integration',
          sequence: { groupOrder: 1 },
          maxWorkers: 2, // one group with the scenarios: vitest wants the same maxWorkers
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['./harness/vitest/global-setup.ts'],
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Toxiproxy API conformance: streamproof's server and the official image, same tests.
          name: 'conformance',
          sequence: { groupOrder: 1 },
          maxWorkers: 2, // one group with the scenarios: vitest wants the same maxWorkers
          include: ['tests/conformance/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // The HTML report in Debian's headless Chromium (skipped, with the reason, when it is absent).
          name: 'browser',
          sequence: { groupOrder: 1 },
          maxWorkers: 2, // one group with the scenarios: vitest wants the same maxWorkers
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'scenarios',
          sequence: { groupOrder: 1 },
          include: ['scenarios/**/*.scenario.ts'],
          // The same as `streamproof run` in a user's repository (harness/vitest/scenario-project.ts).
          ...scenarioTestOptions(),
        },
      },
    ],
  },
});
