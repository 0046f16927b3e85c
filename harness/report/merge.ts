/**
 * `streamproof merge`: the results.json of every shard of one run (`streamproof run --shard i/n`
 * on parallel CI runners) joined into one, from which the usual reports are written. Joined from
 * results.json, the contract, rather than vitest's blob reports: a shard's artifact is then the
 * report directory CI already keeps, readable without the vitest version that wrote it.
 * Nothing is dropped silently: a missing or repeated shard, or shards of different time scales or
 * schema versions, is an error naming it.
 */
import { summaryOf, uniqueProxies, type ResultsFile } from '../results.ts';
import { StreamproofError } from '../errors.ts';

export interface ShardFile {
  /** Where it was read from, for messages and `shards[].source`. */
  source: string;
  results: ResultsFile;
}

export function mergeShards(files: readonly ShardFile[]): ResultsFile {
  const problems = shardProblems(files);
  if (problems.length > 0) {
    throw new StreamproofError(
      'STREAMPROOF_BAD_OPTIONS',
      `the results cannot be merged:\n  ${problems.join('\n  ')}`,
      'pass the report directory (or results.json) of every shard of one `streamproof run --shard i/n`, each once',
    );
  }
  const all = files.map((file) => file.results);
  const results = all.flatMap((r) => r.results);
  const errors = all.flatMap((r) => r.errors ?? []);
  const byShard = files.toSorted((a, b) => a.results.shard!.index - b.results.shard!.index);
  return {
    schemaVersion: all[0]!.schemaVersion,
    streamproof: all[0]!.streamproof,
    generatedAt: new Date().toISOString(),
    timeScale: all[0]!.timeScale,
    // The shards ran side by side: the run took as long as its longest shard.
    durationMs: Math.max(...all.map((r) => r.durationMs)),
    proxies: uniqueProxies(all.flatMap((r) => r.proxies)),
    results,
    paths: all.flatMap((r) => r.paths ?? []),
    clients: all.flatMap((r) => r.clients ?? []),
    errors,
    summary: summaryOf(results, errors),
    shards: byShard.map(({ source, results: r }) => ({ ...r.shard!, durationMs: r.durationMs, checks: r.results.length, generatedAt: r.generatedAt, source })),
  };
}

/** Every reason the files are not the complete shards of one run, at once. */
function shardProblems(files: readonly ShardFile[]): string[] {
  if (files.length === 0) return ['no results given'];
  const problems: string[] = [];
  for (const { source, results } of files) {
    if (!results.shard) problems.push(`${source} is not a shard's results (no "shard": it was not written by streamproof run --shard i/n)`);
  }
  const sharded = files.filter((file) => file.results.shard);
  const counts = new Set(sharded.map((file) => file.results.shard!.count));
  if (counts.size > 1) problems.push(`shards of different splits: ${sharded.map((f) => `${f.source} is ${f.results.shard!.index}/${f.results.shard!.count}`).join(', ')}`);
  const count = Math.max(0, ...counts);
  if (counts.size === 1) {
    const seen = new Map<number, string>();
    for (const { source, results } of sharded) {
      const earlier = seen.get(results.shard!.index);
      if (earlier) problems.push(`shard ${results.shard!.index}/${count} given twice: ${earlier} and ${source}`);
      seen.set(results.shard!.index, source);
    }
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !seen.has(index));
    if (missing.length > 0) problems.push(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}: its checks would be lost`);
  }
  const differing = (what: string, value: (r: ResultsFile) => unknown) => {
    const values = new Set(files.map((file) => value(file.results)));
    if (values.size > 1) problems.push(`different ${what}: ${files.map((f) => `${f.source} ${String(value(f.results))}`).join(', ')}`);
  };
  differing('schema versions', (r) => r.schemaVersion);
  differing('time scales', (r) => r.timeScale);
  return problems;
}
