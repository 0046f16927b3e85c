/**
 * The HTML report in a real browser: Debian's headless Chromium, driven by playwright-core (no
 * browser download). Renders report.html from a results.json of a real run (tests/fixtures),
 * screenshots it to reports/latest/report.png for a person to look at, and asserts the matrix and
 * the SVG timelines are laid out and visible.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH as CHROMIUM } from '../../harness/host/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../../harness/results.ts';
import { writeReports } from '../../harness/report/write.ts';
import { readSettings } from '../../harness/settings.ts';

const FIXTURE = new URL('../fixtures/results.json', import.meta.url);
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  process.stderr.write(`streamproof: skipping the browser check: no Chromium at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium, as .ci/run does)\n`);
}

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;
  const results = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ResultsFile;
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-html-'));
  writeReports(results, dir, {});

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the verdict matrix and a timeline per path; screenshot in reports/latest/report.png', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);

    const scenarios = new Set(results.results.map((r) => r.scenario)).size;
    const matrixRows = page.locator('table.matrix tbody tr');
    expect(await matrixRows.count()).toBe(scenarios);
    const matrixBox = await page.locator('table.matrix').boundingBox();
    expect(matrixBox!.width).toBeGreaterThan(300);
    expect(matrixBox!.height).toBeGreaterThan(20 * scenarios);
    expect(await page.locator('table.matrix .chip').count()).toBe(results.results.length);

    // The client matrix: a table per fault, a cell per (client, path), numbered advice.
    const faults = new Set(results.clients.map((c) => c.fault)).size;
    expect(await page.locator('#clients table.clients').count()).toBe(faults);
    expect(await page.locator('#clients td.co').count()).toBe(results.clients.length);
    expect(await page.locator('#clients td.co.bad').count()).toBeGreaterThan(0);
    expect(await page.locator('#clients ol.advice li').count()).toBe(new Set(results.clients.flatMap((c) => c.advice ?? [])).size);

    const timelines = page.locator('svg.tl');
    const withTimeline = results.paths.filter((p) => p.timeline).length;
    expect(withTimeline).toBeGreaterThan(0);
    expect(await timelines.count()).toBe(withTimeline);
    const first = await timelines.first().boundingBox();
    expect(first!.width).toBeGreaterThan(600);
    expect(first!.height).toBeGreaterThan(100);
    // Every plot draws emissions and arrivals; the fixture's runs include a cut and a tool pause.
    expect(await page.locator('svg.tl path.emit').count()).toBeGreaterThanOrEqual(withTimeline);
    expect(await page.locator('svg.tl path.arrive').count()).toBeGreaterThanOrEqual(withTimeline);
    expect(await page.locator('svg.tl rect.pause').count()).toBeGreaterThan(0);
    const cut = page.locator('svg.tl path.cut').first();
    await expect.poll(async () => (await cut.boundingBox())?.height ?? 0).toBeGreaterThan(10);
    expect(await page.locator('svg.tl circle.hb-arrived').count()).toBeGreaterThan(0);

    // Self-contained: the page fetched nothing but itself.
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    expect(errors).toEqual([]);

    const out = readSettings().reportDir;
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, 'report.png'), fullPage: true });
    // A closer look at the first scenario with a cut, for people.
    await page.locator('figure.timeline', { has: page.locator('path.cut') }).first().screenshot({ path: join(out, 'report-timeline.png') });
    await page.close();
  });
});
