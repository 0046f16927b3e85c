/**
 * The client matrix as the report formats show it: per fault, a table of clients × paths with the
 * outcome the caller saw and the generations billed, then "what to do", each piece of advice once
 * with the cells it applies to. Read from results.json's `clients[]` only.
 */
import { isFailingCell } from '../client-outcome.ts';
import type { ClientOutcome, ResultsFile } from '../results.ts';
import { clientLabel, pathName } from './common.ts';

export interface ClientMatrixTable {
  fault: string;
  /** Column labels: paths as people read them (boxes with versions). */
  paths: string[];
  rows: Array<{ client: string; cells: Array<ClientOutcome | undefined> }>;
}

export interface ClientMatrix {
  tables: ClientMatrixTable[];
  /** Each distinct piece of advice once; a failing cell names its advice by number (index + 1). */
  advice: string[];
}

/** Faults with more than one client: one client's scenario alone is not a matrix. */
export function clientMatrix(results: ResultsFile): ClientMatrix {
  const outcomes = results.clients ?? [];
  const faults = [...new Set(outcomes.map((o) => o.fault))].filter((fault) => new Set(outcomes.filter((o) => o.fault === fault).map((o) => o.client)).size > 1);
  const tables = faults.map((fault) => {
    const ofFault = outcomes.filter((o) => o.fault === fault);
    const paths = [...new Set(ofFault.map((o) => pathName(o.path)))];
    const clients = [...new Set(ofFault.map((o) => clientLabel(o, results.streamproof)))];
    return {
      fault,
      paths,
      rows: clients.map((client) => ({
        client,
        cells: paths.map((path) => ofFault.find((o) => clientLabel(o, results.streamproof) === client && pathName(o.path) === path)),
      })),
    };
  });
  const advice = [...new Set(tables.flatMap((t) => t.rows.flatMap((r) => r.cells.flatMap((c) => c?.advice ?? []))))];
  return { tables, advice };
}

/** The number of a cell's advice in `advice` (1-based), or undefined. */
export function adviceNumber(matrix: ClientMatrix, cell: ClientOutcome | undefined): number | undefined {
  const index = cell?.advice === undefined ? -1 : matrix.advice.indexOf(cell.advice);
  return index < 0 ? undefined : index + 1;
}

/** `SILENT TRUNCATION, 1 billed [2]`: failing outcomes in capitals, as verdicts are; [n] = what to do. */
export function cellText(matrix: ClientMatrix, cell: ClientOutcome | undefined): string {
  if (!cell) return '';
  const outcome = isFailingCell(cell) && cell.outcome !== 'ok' ? cell.outcome.toUpperCase() : cell.outcome;
  const advice = adviceNumber(matrix, cell);
  return `${outcome}, ${cell.billedGenerations} billed${advice === undefined ? '' : ` [${advice}]`}`;
}

/** For colouring: ok (whole, once, billed once), visible (threw), bad (silent, duplicated, billed again). */
export function cellTone(cell: ClientOutcome | undefined): 'ok' | 'visible' | 'bad' | 'none' {
  if (!cell) return 'none';
  if (!isFailingCell(cell)) return 'ok';
  if (cell.outcome === 'threw' && cell.billedGenerations <= 1) return 'visible';
  return 'bad';
}
