/**
 * The self-contained HTML report, from results.json only: no external assets (inline CSS, inline
 * SVG). The verdict matrix (scenario × profile), then per scenario its verdicts and, per path, a
 * timeline: emissions at the origin above arrivals at the client, a line joining each event's two
 * ends (slanted and bunched = buffered), heartbeats, the tool pause, cuts, reconnects and billed
 * generations.
 */
import { cellText, cellTone, clientMatrix } from './client-matrix.ts';
import type { ResultEntry, ResultsFile, Timeline } from '../results.ts';
import { groupResults, headline, pathName, pathNotes, profileName, versionLines, versionsOf, type PathGroup, type ScenarioGroup } from './common.ts';

export function htmlEscape(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const h = htmlEscape;

const SHORT: Record<string, string> = {
  heartbeat: 'HB',
  buffering: 'BUF',
  billing: 'BILL',
  completion: 'END',
  abort: 'ABRT',
  integrity: 'INT',
};

const CSS = `
.clients td.co.ok{color:var(--pass)}.clients td.co.visible{color:var(--warn)}.clients td.co.bad{color:var(--fail);font-weight:600}
:root{--pass:#1a7f37;--fail:#cf222e;--warn:#bf8700;--ink:#1f2328;--mute:#656d76;--line:#d0d7de;--bg:#f6f8fa;--emit:#0969da;--arrive:#1a7f37;--hb:#e16f24;--pause:#fff3c4}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0;padding:24px 32px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.meta{color:var(--mute);margin:2px 0}.summary{font-size:16px;font-weight:600;margin:10px 0}.summary.ok{color:var(--pass)}.summary.bad{color:var(--fail)}
table{border-collapse:collapse}th,td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;text-align:left}th{background:var(--bg);font-weight:600}
.scroll{overflow-x:auto;max-width:100%}
table.matrix th.scn{position:sticky;left:0;background:#fff;min-width:220px;max-width:320px;font-weight:500}
table.matrix td{white-space:nowrap}.mline{display:flex;gap:3px;align-items:center;margin:1px 0}.ver{color:var(--mute);font-size:11px;min-width:44px}.ver:empty{display:none}
.chip{display:inline-block;font-size:10.5px;font-weight:700;padding:1px 5px;border-radius:3px;color:#fff}.chip.pass{background:var(--pass)}.chip.fail{background:var(--fail)}
.chip.unexpected{outline:3px solid var(--warn);outline-offset:1px}
.v{font-weight:700}.v.pass{color:var(--pass)}.v.fail{color:var(--fail)}.unexp{color:var(--warn);font-weight:700}
ul.notes{margin:6px 0;padding-left:20px;color:var(--ink)}
.timelines{display:flex;flex-wrap:wrap;gap:16px;margin-top:10px}
figure.timeline{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px 10px;width:900px;max-width:100%;background:#fff}
figure.timeline figcaption{font-size:12.5px;color:var(--mute);margin-bottom:4px}figure.timeline figcaption b{color:var(--ink)}
svg.tl{display:block;width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:var(--mute)}svg text.lane{fill:var(--ink);font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12.5px;color:var(--mute);margin:6px 0}.sw{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
`;

function chip(entry: ResultEntry): string {
  const title = `${entry.check}: ${entry.verdict.toUpperCase()} ${headline(entry)}${entry.asExpected ? '' : ` (unexpected: expected ${entry.expected})`}`;
  return `<span class="chip ${entry.verdict}${entry.asExpected ? '' : ' unexpected'}" title="${h(title)}">${h(SHORT[entry.check] ?? entry.check)}</span>`;
}

const anchor = (index: number) => `s${index + 1}`;

function renderMatrix(results: ResultsFile): string {
  const groups = groupResults(results);
  const profiles = [...new Set(groups.flatMap((g) => g.paths.map((p) => profileName(p.path))))];
  // direct first, then the profiles most scenarios ran on (a wide matrix scrolls; its busiest columns come first).
  const uses = (profile: string) => groups.filter((g) => g.paths.some((p) => profileName(p.path) === profile)).length;
  profiles.sort((a, b) => (a === 'direct' ? -1 : b === 'direct' ? 1 : uses(b) - uses(a)));
  const rows = groups.map((group, index) => {
    const cells = profiles.map((profile) => {
      const paths = group.paths.filter((p) => profileName(p.path) === profile);
      const lines = paths.map((p) => `<div class="mline"><span class="ver">${h(versionsOf(p.path))}</span>${p.entries.map(chip).join('')}</div>`);
      return `<td>${lines.join('')}</td>`;
    });
    return `<tr><th class="scn" scope="row"><a href="#${anchor(index)}">${h(group.scenario)}</a></th>${cells.join('')}</tr>`;
  });
  const legend = Object.entries(SHORT)
    .filter(([check]) => results.results.some((r) => r.check === check))
    .map(([check, short]) => `<span><b>${short}</b> ${check}</span>`)
    .join('');
  return `<section id="matrix"><h2>Verdict matrix</h2>
<div class="legend"><span><span class="sw" style="background:var(--pass)"></span>pass</span><span><span class="sw" style="background:var(--fail)"></span>fail</span><span><span class="sw" style="outline:3px solid var(--warn)"></span>differs from the measured expectation</span>${legend}</div>
<div class="scroll"><table class="matrix"><thead><tr><th class="scn">scenario</th>${profiles.map((p) => `<th>${h(p)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

/** Client × path per fault: what the caller got and what it was billed; numbered advice below. */
function renderClientMatrix(results: ResultsFile): string {
  const matrix = clientMatrix(results);
  if (matrix.tables.length === 0) return '';
  const tables = matrix.tables.map((table) => {
    const rows = table.rows.map(
      (row) =>
        `<tr><th scope="row">${h(row.client)}</th>${row.cells
          .map((c) => `<td class="co ${cellTone(c)}"${c?.error ? ` title="${h(c.error)}"` : ''}>${h(cellText(matrix, c))}</td>`)
          .join('')}</tr>`,
    );
    return `<h3>${h(table.fault)}</h3><div class="scroll"><table class="clients"><thead><tr><th>client</th>${table.paths.map((p) => `<th>${h(p)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  });
  const advice = matrix.advice.map((text, i) => `<li value="${i + 1}">${h(text)}</li>`).join('');
  return `<section id="clients"><h2>Client matrix</h2>
<p class="meta">What the caller got (ok: the whole answer once; threw: an error it could see; silent truncation: partial text as if whole; duplicated tokens: words twice) and the generations billed. [n]: what to do, below.</p>
${tables.join('\n')}
${advice ? `<h3>What to do</h3><ol class="advice">${advice}</ol>` : ''}</section>`;
}

// ─── Timeline plot ────────────────────────────────────────────────────────────────────────────

/** Literal colours in SVG attributes (CSS variables there are not honoured by every viewer). */
const COLOR = { pass: '#1a7f37', fail: '#cf222e', emit: '#0969da', arrive: '#1a7f37', hb: '#e16f24', pause: '#fff3c4', generation: '#8250df', pair: '#54aeff' };

const W = 880;
const LEFT = 64;
const RIGHT = 16;
const Y = { billed: 22, originTop: 56, origin: 70, originBottom: 84, clientTop: 132, client: 146, clientBottom: 160, axis: 186, height: 214 };

function niceStep(span: number): number {
  const raw = span / 8;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
}

const END_LABEL: Record<string, string> = {
  terminator: 'end',
  'error-event': 'error event',
  'eof-without-terminator': 'cut: closed, no terminator',
  reset: 'cut: reset',
  'http-error': 'HTTP error',
  aborted: 'client abort',
  'connect-error': 'connect error',
};

export function renderTimelineSvg(t: Timeline, title: string): string {
  const times = [
    ...t.origin.flatMap((o) => [o.receivedMs, o.endedMs ?? 0, o.peerGoneMs ?? 0, ...o.events, ...o.heartbeats]),
    ...t.client.flatMap((c) => [c.startMs, c.endMs, ...c.events, ...c.heartbeats]),
    ...t.generations.flatMap((g) => [g.startMs, g.endMs ?? 0]),
  ];
  const maxMs = Math.max(1, ...times) * 1.03;
  const x = (ms: number) => (LEFT + (Math.max(0, ms) / maxMs) * (W - LEFT - RIGHT)).toFixed(1);
  const parts: string[] = [`<title>${h(title)}</title>`];

  // A pause is drawn to the end of the plot at most (a cut or an abort ends the plot earlier).
  for (const pause of t.toolPauses ?? []) {
    const x1 = Number(x(pause.startMs));
    const x2 = Number(x(Math.min(pause.endMs, maxMs)));
    parts.push(
      `<rect class="pause" x="${x1}" y="${Y.originTop - 14}" width="${Math.max(1, x2 - x1).toFixed(1)}" height="${Y.clientBottom - Y.originTop + 18}" fill="${COLOR.pause}"><title>tool pause ${(pause.endMs - pause.startMs).toFixed(0)} ms (scripted)</title></rect>`,
      `<text x="${x1 + 4}" y="${Y.originTop - 4}">tool pause</text>`,
    );
  }
  // Axis and grid.
  const step = niceStep(maxMs);
  const seconds = maxMs >= 2000;
  for (let ms = 0; ms <= maxMs; ms += step) {
    parts.push(
      `<line x1="${x(ms)}" x2="${x(ms)}" y1="${Y.originTop - 14}" y2="${Y.axis}" stroke="#eaeef2"/>`,
      `<text x="${x(ms)}" y="${Y.axis + 14}" text-anchor="middle">${seconds ? `${+(ms / 1000).toFixed(2)} s` : `${+ms.toFixed(1)} ms`}</text>`,
    );
  }
  parts.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${Y.axis}" y2="${Y.axis}" stroke="#8c959f"/>`);
  parts.push(
    `<text class="lane" x="4" y="${Y.billed + 4}">billed</text>`,
    `<text class="lane" x="4" y="${Y.origin + 4}">origin</text>`,
    `<text x="4" y="${Y.origin + 17}">emitted</text>`,
    `<text class="lane" x="4" y="${Y.client + 4}">client</text>`,
    `<text x="4" y="${Y.client + 17}">arrived</text>`,
  );

  // Billed generations: a second one is a double bill.
  t.generations.forEach((g, i) => {
    const x1 = Number(x(g.startMs));
    const x2 = Number(x(g.endMs ?? maxMs));
    const color = i === 0 ? COLOR.generation : COLOR.fail;
    parts.push(
      `<rect class="generation" x="${x1}" y="${Y.billed - 6}" width="${Math.max(2, x2 - x1).toFixed(1)}" height="12" rx="3" fill="${color}" opacity="0.85"><title>generation ${i + 1} billed (${h(g.state)}, ${g.completionTokens} completion tokens)</title></rect>`,
      `<text x="${x1 + 4}" y="${Y.billed + 4}" style="fill:#fff;font-weight:600">generation ${i + 1}${i > 0 ? ' (billed again)' : ''}</text>`,
    );
  });

  // Event pairs: emission i → arrival i on the same request.
  const pairs: string[] = [];
  for (const c of t.client) {
    const o = t.origin.find((r) => r.requestId === c.requestId);
    if (!o || (t.thinned && o.events.length !== c.events.length)) continue;
    const n = Math.min(o.events.length, c.events.length);
    for (let i = 0; i < n; i++) pairs.push(`M${x(o.events[i]!)} ${Y.originBottom}L${x(c.events[i]!)} ${Y.clientTop}`);
  }
  // Heartbeats likewise: sent i → arrived i (a heartbeat held in a buffer draws a long slant).
  const hbPairs: string[] = [];
  for (const c of t.client) {
    const o = t.origin.find((r) => r.requestId === c.requestId);
    if (!o || (t.thinned && o.heartbeats.length !== c.heartbeats.length)) continue;
    const n = Math.min(o.heartbeats.length, c.heartbeats.length);
    for (let i = 0; i < n; i++) hbPairs.push(`M${x(o.heartbeats[i]!)} ${Y.origin + 4}L${x(c.heartbeats[i]!)} ${Y.client - 4}`);
  }
  if (hbPairs.length) parts.push(`<path class="hb-pairs" d="${hbPairs.join('')}" stroke="${COLOR.hb}" stroke-width="0.8" stroke-dasharray="3 2" opacity="0.7" fill="none"/>`);
  if (pairs.length) parts.push(`<path class="pairs" d="${pairs.join('')}" stroke="${COLOR.pair}" stroke-width="0.7" opacity="0.55" fill="none"/>`);

  const ticks = (at: number[], top: number, bottom: number) => at.map((ms) => `M${x(ms)} ${top}V${bottom}`).join('');
  const dots = (at: number[], y: number, cls: string, what: string) =>
    at.map((ms) => `<circle class="${cls}" cx="${x(ms)}" cy="${y}" r="3.2" fill="${COLOR.hb}"><title>${what} at ${ms} ms</title></circle>`).join('');

  for (const o of t.origin) {
    const end = o.endedMs ?? o.peerGoneMs ?? Math.max(o.receivedMs, ...o.events, ...o.heartbeats);
    parts.push(`<line x1="${x(o.receivedMs)}" x2="${x(end)}" y1="${Y.origin}" y2="${Y.origin}" stroke="#afb8c1" stroke-width="2"/>`);
    if (o.events.length) parts.push(`<path class="emit" d="${ticks(o.events, Y.originTop, Y.originBottom)}" stroke="${COLOR.emit}" stroke-width="1.2"/>`);
    parts.push(dots(o.heartbeats, Y.origin, 'hb-sent', 'heartbeat sent'));
    if (o.peerGoneMs !== null) {
      const px = Number(x(o.peerGoneMs));
      parts.push(
        `<path class="peer-gone" d="M${px - 5} ${Y.origin - 5}l10 10m0 -10l-10 10" stroke="${COLOR.fail}" stroke-width="2.2"><title>origin noticed the peer gone at ${o.peerGoneMs} ms</title></path>`,
      );
    }
  }
  t.client.forEach((c, i) => {
    parts.push(`<line x1="${x(c.startMs)}" x2="${x(c.endMs)}" y1="${Y.client}" y2="${Y.client}" stroke="#afb8c1" stroke-width="2"/>`);
    if (c.events.length) parts.push(`<path class="arrive" d="${ticks(c.events, Y.clientTop, Y.clientBottom)}" stroke="${COLOR.arrive}" stroke-width="1.2"/>`);
    parts.push(dots(c.heartbeats, Y.client, 'hb-arrived', 'heartbeat arrived'));
    if (i > 0) {
      parts.push(
        `<line class="reconnect" x1="${x(c.startMs)}" x2="${x(c.startMs)}" y1="${Y.originTop - 2}" y2="${Y.clientBottom + 4}" stroke="#8250df" stroke-dasharray="4 3" stroke-width="1.5"/>`,
        `<text x="${Number(x(c.startMs)) + 3}" y="${Y.clientBottom + 14}" style="fill:#8250df">reconnect ${i}</text>`,
      );
    }
    const ex = Number(x(c.endMs));
    const label = END_LABEL[c.end] ?? c.end;
    if (c.end === 'terminator') {
      parts.push(`<path class="end-ok" d="M${ex} ${Y.clientTop - 4}V${Y.clientBottom + 4}" stroke="${COLOR.pass}" stroke-width="3"><title>${h(label)} at ${c.endMs} ms</title></path>`);
    } else {
      parts.push(
        `<path class="cut" d="M${ex} ${Y.clientTop - 8}V${Y.clientBottom + 8}M${ex - 6} ${Y.client - 6}l12 12m0 -12l-12 12" stroke="${COLOR.fail}" stroke-width="2.5"><title>${h(label)} at ${c.endMs} ms</title></path>`,
        // Near the right edge the label ends at the cut instead of starting there.
        ex > W - 150
          ? `<text x="${ex - 5}" y="${Y.clientTop - 6}" text-anchor="end" style="fill:${COLOR.fail};font-weight:600">${h(label)}</text>`
          : `<text x="${ex + 5}" y="${Y.clientTop - 6}" style="fill:${COLOR.fail};font-weight:600">${h(label)}</text>`,
      );
    }
  });
  return `<svg class="tl" viewBox="0 0 ${W} ${Y.height}" width="${W}" height="${Y.height}" role="img" aria-label="${h(title)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function timelineCaption(path: PathGroup, t: Timeline): string {
  const emitted = t.origin.reduce((n, o) => n + o.events.length, 0);
  const arrived = t.client.reduce((n, c) => n + c.events.length, 0);
  const figures = path.entries.map((e) => `<span class="v ${e.verdict}">${e.check} ${e.verdict.toUpperCase()}</span> ${h(headline(e))}${e.asExpected ? '' : ` <span class="unexp">(unexpected, expected ${e.expected})</span>`}`);
  return (
    `<b>${h(pathName(path.path))}</b> · ${h(path.client)} · ${emitted} events emitted, ${arrived} arrived over ${t.client.length} connection(s), ` +
    `${t.generations.length} generation(s) billed${t.thinned ? ' · series thinned to 500 points' : ''}<br>${figures.join(' · ')}`
  );
}

const LEGEND = `<div class="legend">
<span><span class="sw" style="background:var(--emit)"></span>event emitted (origin)</span>
<span><span class="sw" style="background:var(--arrive)"></span>event arrived (client)</span>
<span><span class="sw" style="background:#54aeff"></span>same event, emission → arrival (slanted, bunched lines = buffering)</span>
<span><span class="sw" style="background:var(--hb);border-radius:50%"></span>heartbeat</span>
<span><span class="sw" style="background:var(--pause);border:1px solid var(--line)"></span>tool pause</span>
<span><span class="sw" style="background:var(--fail)"></span>cut / peer gone</span>
<span><span class="sw" style="background:#8250df"></span>billed generation, reconnect</span></div>`;

function renderScenario(group: ScenarioGroup, index: number): string {
  const rows = group.paths.map((p) => {
    const cells = group.checks.map((check) => {
      const e = p.entries.find((entry) => entry.check === check);
      return e
        ? `<td title="${h(`${e.requirement}; measured ${e.measured}. ${e.detail}`)}"><span class="v ${e.verdict}">${e.verdict.toUpperCase()}</span> ${h(headline(e))}${e.asExpected ? '' : ` <span class="unexp">unexpected (expected ${e.expected})</span>`}</td>`
        : '<td></td>';
    });
    return `<tr><td><code>${h(pathName(p.path))}</code></td><td>${h(p.client)}</td>${cells.join('')}</tr>`;
  });
  const notes = group.paths.flatMap((p) => pathNotes(p.report).map((note) => `<li><code>${h(pathName(p.path))}</code>: ${h(note)}</li>`));
  const figures = group.paths
    .filter((p) => p.report?.timeline)
    .map((p) => {
      const t = p.report!.timeline!;
      return `<figure class="timeline"><figcaption>${timelineCaption(p, t)}</figcaption>${renderTimelineSvg(t, `${group.scenario}: ${pathName(p.path)}`)}</figure>`;
    });
  return `<section class="scenario" id="${anchor(index)}"><h2>${h(group.scenario)}</h2>
<div class="scroll"><table class="verdicts"><thead><tr><th>path</th><th>client</th>${group.checks.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>
${notes.length ? `<ul class="notes">${notes.join('')}</ul>` : ''}
${figures.length ? `<div class="timelines">${figures.join('')}</div>` : ''}</section>`;
}

export function renderHtml(results: ResultsFile): string {
  const s = results.summary;
  const ok = s.unexpected === 0 && s.errors === 0;
  const unexpected = results.results.filter((r) => !r.asExpected);
  const problems = [
    ...unexpected.map(
      (r) => `<li><b>${h(r.scenario)}</b> / <code>${h(pathName(r.path))}</code> / ${r.check}: expected ${r.expected}, measured <span class="v ${r.verdict}">${r.verdict}</span>: ${h(r.requirement)}; measured ${h(r.measured)}. ${h(r.detail)}</li>`,
    ),
    ...results.errors.map((e) => `<li><b>ERROR ${h(e.scenario)}</b> / ${h(e.test)}: ${h(e.message.split('\n')[0] ?? '')}</li>`),
  ];
  const groups = groupResults(results);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>streamproof report ${h(results.generatedAt)}</title><style>${CSS}</style></head>
<body>
<header><h1>streamproof report</h1>
<p class="meta">streamproof ${h(results.streamproof)} · time scale ${h(results.timeScale)} (tool pauses, heartbeat intervals and proxy idle timeouts × ${h(results.timeScale)}; plot times are real ms) · generated ${h(results.generatedAt)} · wall time ${(results.durationMs / 1000).toFixed(1)} s</p>
<p class="meta">Proxies: ${versionLines(results).map(h).join('; ') || 'none'}</p>
<p class="summary ${ok ? 'ok' : 'bad'}">${s.checks} checks: ${s.asExpected} as expected, ${s.unexpected} unexpected, ${s.errors} scenario errors</p></header>
${problems.length ? `<section id="unexpected"><h2>Verdicts that differ from the measured expectation</h2><ul>${problems.join('')}</ul></section>` : ''}
${renderMatrix(results)}
${renderClientMatrix(results)}
<section id="timelines-legend"><h2>Scenarios</h2><p class="meta">Each timeline: the origin's emissions above the client's arrivals, on one clock, 0 = the first request.</p>${LEGEND}</section>
${groups.map((group, i) => renderScenario(group, i)).join('\n')}
</body></html>
`;
}
