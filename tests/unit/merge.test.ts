/**
 * `streamproof merge`: shards of one run joined without losing or doubling a check, and every
 * reason a set of files is not that, at once. Built from tests/fixtures/results.json (a real run's
 * results), split the way `streamproof run --shard i/n` splits: by scenario file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseShard } from '../../harness/cli/commands/run.ts';
import { StreamproofError } from '../../harness/errors.ts';
import { mergeShards, type ShardFile } from '../../harness/report/merge.ts';
import type { ResultsFile } from '../../harness/results.ts';

const whole = JSON.parse(readFileSync('tests/fixtures/results.json', 'utf8')) as ResultsFile;

/** The real run cut into `count` shards by scenario, each as its runner would have written it. */
function shardsOf(count: number): ShardFile[] {
  const scenarios = [...new Set(whole.results.map((r) => r.scenario))];
  return Array.from({ length: count }, (_, i) => {
    const mine = new Set(scenarios.filter((_, j) => j % count === i));
    const results = whole.results.filter((r) => mine.has(r.scenario));
    return {
      source: `reports/shard-${i + 1}/results.json`,
      results: {
        ...whole,
        durationMs: 1000 * (i + 1),
        results,
        paths: whole.paths.filter((p) => mine.has(p.scenario)),
        clients: whole.clients.filter((c) => mine.has(c.scenario)),
        proxies: whole.proxies,
        errors: i === 0 ? [{ scenario: 'x', test: 'y', message: 'STREAMPROOF_PROXY_START: z' }] : [],
        summary: { checks: results.length, asExpected: results.filter((r) => r.asExpected).length, unexpected: results.filter((r) => !r.asExpected).length, errors: i === 0 ? 1 : 0 },
        shard: { index: i + 1, count },
      },
    };
  });
}

const problemOf = (files: ShardFile[]) => {
  try {
    mergeShards(files);
  } catch (error) {
    expect(error).toBeInstanceOf(StreamproofError);
    return (error as StreamproofError).problem;
  }
  throw new Error('merged');
};

describe('mergeShards', () => {
  test('every check of every shard once, the summary recounted, the run as long as its longest shard', () => {
    const merged = mergeShards(shardsOf(3).reverse());
    expect(merged.results).toHaveLength(whole.results.length);
    expect(new Set(merged.results.map((r) => `${r.scenario}|${r.path.join()}|${r.client}|${r.check}`)).size).toBe(new Set(whole.results.map((r) => `${r.scenario}|${r.path.join()}|${r.client}|${r.check}`)).size);
    expect(merged.paths).toHaveLength(whole.paths.length);
    expect(merged.clients).toHaveLength(whole.clients.length);
    expect(merged.summary).toEqual({ checks: whole.results.length, asExpected: whole.summary.asExpected, unexpected: whole.summary.unexpected, errors: 1 });
    expect(merged.durationMs).toBe(3000);
    expect(merged.shards!.map((s) => [s.index, s.count, s.durationMs])).toEqual([[1, 3, 1000], [2, 3, 2000], [3, 3, 3000]]);
    expect(merged.shard).toBeUndefined();
    expect(merged.proxies).toHaveLength(new Set(whole.proxies.map((p) => `${p.kind}:${p.profile}@${p.version}:${p.image}`)).size);
  });

  test('a missing shard, one given twice, another split, a whole run: every problem at once', () => {
    const [one, two, three] = shardsOf(3);
    const problem = problemOf([one!, one!, { ...two!, results: { ...two!.results, shard: { index: 2, count: 4 } } }, { source: 'reports/latest/results.json', results: whole }]);
    expect(problem).toContain('reports/latest/results.json is not a shard');
    expect(problem).toContain('shards of different splits');
    expect(problemOf([one!, one!, three!])).toContain('shard 1/3 given twice');
    expect(problemOf([one!, three!])).toContain('missing shard 2/3: its checks would be lost');
    expect(problemOf([one!, { ...two!, results: { ...two!.results, timeScale: 1 } }, three!])).toContain('different time scales');
    expect(problemOf([])).toContain('no results given');
  });
});

describe('--shard', () => {
  test('i/n with 1 ≤ i ≤ n, else a usage error with its fix', () => {
    expect(parseShard('2/4')).toBe('2/4');
    expect(parseShard(' 1/1 ')).toBe('1/1');
    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '-1/2']) expect(() => parseShard(bad), bad).toThrow(/STREAMPROOF_BAD_OPTIONS: --shard must be i\/n[\s\S]*To fix: /);
  });
});
