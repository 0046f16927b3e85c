/**
 * The Markdown summary for a CI job summary ($GITHUB_STEP_SUMMARY), from results.json only:
 * unexpected verdicts first, then the verdict matrix (one line per path), chain blame and sweep
 * figures, versions and time scale.
 */
import type { ResultsFile } from '../results.ts';
import { cellText, cellTone, clientMatrix } from './client-matrix.ts';
import { groupResults, headline, pathName, pathNotes, versionLines } from './common.ts';

/** A table cell: no line breaks, pipes escaped, no raw HTML. */
function cell(value: string): string {
  return value.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderMarkdown(results: ResultsFile): string {
  const s = results.summary;
  const ok = s.unexpected === 0 && s.errors === 0;
  const lines: string[] = [
    `## streamproof: ${ok ? '✅ every verdict as expected' : `❌ ${s.unexpected} unexpected verdict(s), ${s.errors} scenario error(s)`}`,
    '',
    `${s.checks} checks: ${s.asExpected} as expected, ${s.unexpected} unexpected, ${s.errors} scenario errors. ` +
      `streamproof ${results.streamproof}, time scale ${results.timeScale}, wall time ${(results.durationMs / 1000).toFixed(1)} s, generated ${results.generatedAt}.`,
  ];

  const unexpected = results.results.filter((r) => !r.asExpected);
  if (unexpected.length > 0) {
    lines.push('', '### Verdicts that differ from the measured expectation', '', '| scenario | path | check | expected | measured | detail |', '|---|---|---|---|---|---|');
    for (const r of unexpected) {
      lines.push(
        `| ${cell(r.scenario)} | ${cell(pathName(r.path))} | ${r.check} | ${r.expected} | **${r.verdict}**: ${cell(headline(r))} | ${cell(`${r.requirement}; measured ${r.measured}. ${r.detail}`)} |`,
      );
    }
  }
  if (results.errors.length > 0) {
    lines.push('', '### Scenario errors', '');
    for (const e of results.errors) lines.push(`- **${cell(e.scenario)}** / ${cell(e.test)}: ${cell(e.message.split('\n')[0] ?? '')}`);
  }

  lines.push('', '### Verdicts');
  for (const group of groupResults(results)) {
    lines.push('', `#### ${cell(group.scenario)}`, '', `| path | client | ${group.checks.join(' | ')} |`, `|---|---|${group.checks.map(() => '---|').join('')}`);
    const notes: string[] = [];
    for (const path of group.paths) {
      const cells = group.checks.map((check) => {
        const e = path.entries.find((entry) => entry.check === check);
        if (!e) return '';
        return `${e.verdict === 'pass' ? '✅' : '❌'} ${e.verdict.toUpperCase()} ${cell(headline(e))}${e.asExpected ? '' : ` ⚠️ **unexpected** (expected ${e.expected})`}`;
      });
      lines.push(`| \`${cell(pathName(path.path))}\` | ${path.client} | ${cells.join(' | ')} |`);
      for (const note of pathNotes(path.report)) notes.push(`- \`${cell(pathName(path.path))}\`: ${cell(note)}`);
    }
    if (notes.length) lines.push('', ...notes);
  }

  const matrix = clientMatrix(results);
  if (matrix.tables.length) {
    lines.push('', '### Client matrix', '', 'What the caller got and the generations billed; [n]: what to do, below.');
    const mark = { ok: '✅', visible: '⚠️', bad: '❌', none: '' } as const;
    for (const table of matrix.tables) {
      lines.push('', `#### ${cell(table.fault)}`, '', `| client | ${table.paths.map((p) => `\`${cell(p)}\``).join(' | ')} |`, `|---|${table.paths.map(() => '---|').join('')}`);
      for (const row of table.rows) lines.push(`| ${cell(row.client)} | ${row.cells.map((c) => `${mark[cellTone(c)]} ${cell(cellText(matrix, c))}`.trim()).join(' | ')} |`);
    }
    if (matrix.advice.length) lines.push('', '**What to do**', '', ...matrix.advice.map((text, i) => `${i + 1}. ${cell(text)}`));
  }

  lines.push('', '### Versions', '', `- streamproof ${results.streamproof}; time scale ${results.timeScale} (tool pauses, heartbeat intervals and proxy idle timeouts multiplied by it)`);
  for (const line of versionLines(results)) lines.push(`- ${cell(line)}`);
  return lines.join('\n') + '\n';
}
