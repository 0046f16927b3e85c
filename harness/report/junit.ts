/**
 * JUnit XML for CI systems, from results.json only: one testsuite per scenario, one testcase per
 * (path, client, check); a verdict that differs from the scenario's measured expectation is a
 * <failure>, a scenario test that produced no result an <error>.
 */
import type { ResultsFile } from '../results.ts';
import { groupResults, headline, pathName } from './common.ts';

/** Text and attribute values: the five XML entities, and no characters XML 1.0 forbids. */
export function xmlEscape(value: unknown): string {
  return String(value)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([name, value]) => ` ${name}="${xmlEscape(value)}"`)
    .join('');

export function renderJunit(results: ResultsFile): string {
  const groups = groupResults(results);
  const scenarios = [...new Set([...groups.map((g) => g.scenario), ...results.errors.map((e) => e.scenario)])];
  const suites: string[] = [];
  for (const scenario of scenarios) {
    const group = groups.find((g) => g.scenario === scenario);
    const errors = results.errors.filter((e) => e.scenario === scenario);
    const entries = group?.paths.flatMap((p) => p.entries) ?? [];
    const failures = entries.filter((e) => !e.asExpected).length;
    const boxes = new Set(entries.flatMap((e) => e.path));
    const proxies = results.proxies.filter((p) => boxes.has(`${p.kind}:${p.profile}@${p.version}`));
    const properties = [
      ['streamproof', results.streamproof],
      ['timeScale', String(results.timeScale)],
      ['generatedAt', results.generatedAt],
      ...[...new Map(proxies.map((p) => [`${p.kind}:${p.profile}@${p.version}`, `${p.image} (${p.matrixVersion})`])).entries()].map(
        ([box, image]) => [`proxy ${box}`, image] as const,
      ),
    ];
    const lines = [
      `  <testsuite${attrs({ name: scenario, tests: entries.length + errors.length, failures, errors: errors.length, skipped: 0 })}>`,
      '    <properties>',
      ...properties.map(([name, value]) => `      <property${attrs({ name: name!, value: value! })}/>`),
      '    </properties>',
    ];
    for (const e of entries) {
      const name = `${pathName(e.path)} / ${e.check}`;
      lines.push(`    <testcase${attrs({ classname: scenario, name })}>`);
      if (!e.asExpected) {
        const message = `expected ${e.expected}, measured ${e.verdict}: ${headline(e)}`;
        const body = `Requirement: ${e.requirement}\nMeasured: ${e.measured}\n${e.detail}`;
        lines.push(`      <failure${attrs({ message, type: 'unexpected-verdict' })}>${xmlEscape(body)}</failure>`);
      }
      lines.push(
        `      <system-out>${xmlEscape(`client ${e.client}; verdict ${e.verdict} (expected ${e.expected}); ${headline(e)}\nRequirement: ${e.requirement}\nMeasured: ${e.measured}\n${e.detail}`)}</system-out>`,
        '    </testcase>',
      );
    }
    for (const e of errors) {
      lines.push(
        `    <testcase${attrs({ classname: scenario, name: e.test })}>`,
        `      <error${attrs({ message: e.message.split('\n')[0] ?? '', type: 'scenario-error' })}>${xmlEscape(e.message)}</error>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
    suites.push(lines.join('\n'));
  }
  const s = results.summary;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'streamproof', tests: s.checks + s.errors, failures: s.unexpected, errors: s.errors, time: (results.durationMs / 1000).toFixed(3) })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
