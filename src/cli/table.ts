/** Prints rows as an aligned text table (the CLI's human-readable output). */
export function printTable(headers: string[], rows: string[][], out: NodeJS.WritableStream = process.stdout): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  out.write(line(headers));
  out.write(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) out.write(line(row));
}
