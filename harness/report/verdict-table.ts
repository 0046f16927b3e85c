/** The verdict table people read in the terminal, rendered from results.json data only. */
import pc from 'picocolors';
import type { ResultEntry, ResultsFile } from '../results.ts';
import { cellText, cellTone, clientMatrix } from './client-matrix.ts';
import { clientLabel, HEADLINE } from './common.ts';

function cell(entry: ResultEntry | undefined, color: boolean): string {
  if (!entry) return '';
  const paint = (s: string) => (!color ? s : entry.verdict === 'pass' ? pc.green(s) : pc.red(s));
  const mark = entry.asExpected ? '' : color ? pc.bold(pc.yellow(' (unexpected!)')) : ' (unexpected!)';
  return `${paint(entry.verdict.toUpperCase())} ${HEADLINE[entry.check](entry.figures)}${mark}`;
}

const visibleLength = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - visibleLength(s)));

export function renderVerdictTable(results: ResultsFile, color = pc.isColorSupported): string {
  const lines: string[] = [];
  const versions = [...new Set(results.proxies.map((p) => `${p.kind} ${p.version} (${p.matrixVersion}, ${p.image})`))];
  const emulations = [...new Set(results.proxies.flatMap((p) => (p.emulationOf ? [`${p.kind}:${p.profile} = emulation of ${p.emulationOf}`] : [])))];
  lines.push(`streamproof ${results.streamproof}: time scale ${results.timeScale}; ${versions.join('; ') || 'no proxies'}`);
  if (emulations.length) lines.push(`Emulations (real HAProxy configs reproducing one documented timeout each, not the services): ${emulations.join('; ')}`);

  const scenarios = [...new Set(results.results.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const entries = results.results.filter((r) => r.scenario === scenario);
    const checks = [...new Set(entries.map((r) => r.check))];
    const rows = [...new Set(entries.map((r) => `${r.path.join(' → ') || 'direct'}|${clientLabel(r, results.streamproof)}`))];
    const table = [['path', 'client', ...checks]];
    for (const row of rows) {
      const [path, client] = row.split('|') as [string, string];
      const ofRow = entries.filter((r) => (r.path.join(' → ') || 'direct') === path && clientLabel(r, results.streamproof) === client);
      table.push([path, client, ...checks.map((check) => cell(ofRow.find((r) => r.check === check), color))]);
    }
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => visibleLength(r[i] ?? ''))));
    lines.push('', color ? pc.bold(scenario) : scenario);
    for (const [i, row] of table.entries()) {
      const text = '  ' + row.map((c, j) => pad(c, widths[j]!)).join('  ');
      lines.push(i === 0 && color ? pc.dim(text) : text);
    }
    for (const report of results.paths.filter((p) => p.scenario === scenario)) {
      const path = report.path.join(' → ');
      if (report.chain) lines.push(`  ${path}: ${report.chain.summary}`);
      if (report.sweep) {
        const safe = report.sweep.largestSafeHeartbeatSeconds;
        const largestTried = Math.max(...report.sweep.tried.map((t) => t.heartbeatSeconds));
        const figure =
          safe === null ? `none survived${report.sweep.note ? ` (${report.sweep.note})` : ''}`
          : safe === largestTried ? `${safe} s or more (the largest tried)`
          : `${safe} s`;
        lines.push(
          `  ${path}: largest safe heartbeat interval: ${figure}` +
            ` (tried ${report.sweep.tried.map((t) => `${t.heartbeatSeconds} s ${t.verdict}`).join(', ')})`,
        );
      }
    }
  }

  lines.push(...renderClientMatrix(results, color));

  const unexpected = results.results.filter((r) => !r.asExpected);
  if (unexpected.length > 0) {
    lines.push('', 'Verdicts that differ from the scenario\'s measured expectation:');
    for (const r of unexpected) {
      lines.push(`  ${r.scenario} / ${r.path.join(' → ') || 'direct'} / ${r.check}: expected ${r.expected}, got ${r.verdict}. Requirement: ${r.requirement}; measured: ${r.measured}`);
    }
  }
  for (const e of results.errors) lines.push(`  ERROR ${e.scenario} / ${e.test}: ${e.message.split('\n')[0]}`);
  const s = results.summary;
  lines.push(
    '',
    `${s.checks} checks: ${s.asExpected} as expected, ${s.unexpected} unexpected, ${s.errors} scenario errors. ` +
      `Wall time ${(results.durationMs / 1000).toFixed(1)} s.`,
  );
  return lines.join('\n');
}

const TONES = { ok: pc.green, visible: pc.yellow, bad: pc.red, none: (s: string) => s };

/** Per fault: clients × paths, the outcome the caller saw and what it was billed; then what to do. */
function renderClientMatrix(results: ResultsFile, color: boolean): string[] {
  const matrix = clientMatrix(results);
  if (matrix.tables.length === 0) return [];
  const lines = ['', color ? pc.bold('Client matrix: what the caller got, and generations billed') : 'Client matrix: what the caller got, and generations billed'];
  for (const table of matrix.tables) {
    const rows = [
      ['client', ...table.paths],
      ...table.rows.map((row) => [row.client, ...row.cells.map((c) => (color ? TONES[cellTone(c)](cellText(matrix, c)) : cellText(matrix, c)))]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => visibleLength(r[i] ?? ''))));
    lines.push('', `  ${table.fault}`);
    for (const [i, row] of rows.entries()) {
      const text = '    ' + row.map((c, j) => pad(c, widths[j]!)).join('  ');
      lines.push(i === 0 && color ? pc.dim(text) : text);
    }
  }
  if (matrix.advice.length) {
    lines.push('', 'What to do ([n] in a cell above):');
    for (const [i, advice] of matrix.advice.entries()) lines.push(`  [${i + 1}] ${advice}`);
  }
  return lines;
}
