/** Printing: section headings, markdown tables, progress lines, and the targets summary. */

export function heading(title: string): void {
  console.log(`\n## ${title}\n`);
}

/** Prints lines of text. */
export function note(...lines: string[]): void {
  console.log(lines.join('\n'));
}

/** A progress line, on stderr so that stdout holds only the figures. */
export function progress(line: string): void {
  process.stderr.write(`  … ${line}\n`);
}

/** Prints a markdown table with padded columns. */
export function table(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) =>
    Math.max(3, ...cells.map((row) => (row[column] ?? '').length)),
  );
  console.log('');
  const line = (row: string[]): string =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
  for (const row of cells.slice(1)) console.log(line(row));
}

export interface TargetResult {
  section: string;
  target: string;
  figure: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
}

const results: TargetResult[] = [];

export function target(result: TargetResult): void {
  results.push(result);
}

export const verdict = (met: boolean | undefined): string =>
  met === undefined ? 'not measured' : met ? 'met' : 'MISSED';

export function printTargets(): void {
  console.log('\n## Targets');
  if (results.length === 0) {
    note('(no target was measured in this run)');
    return;
  }
  table(
    ['section', 'target', 'figure', 'verdict'],
    results.map((r) => [r.section, r.target, r.figure, verdict(r.met)]),
  );
  const missed = results.filter((r) => r.met === false).length;
  note(`\n${results.length - missed} of ${results.length} targets met, ${missed} missed.`);
}
