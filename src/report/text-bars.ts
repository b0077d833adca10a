/** How many characters the longest bar takes. */
export const TEXT_BAR_WIDTH = 20;

export type TextBarRow = { label: string; value: number; shown: string };

/**
 * Bars drawn in characters, one row each, labels padded to one column, for
 * a monospace block (an incoming webhook cannot carry the chart). A row
 * with a value above 0 gets at least one block.
 */
export function textBars(rows: readonly TextBarRow[], width = TEXT_BAR_WIDTH): string[] {
  const largest = Math.max(0, ...rows.map((row) => row.value));
  const labelWidth = Math.max(0, ...rows.map((row) => [...row.label].length));
  return rows.map((row) => {
    const length = largest <= 0 || row.value <= 0 ? 0 : Math.max(1, Math.round((row.value / largest) * width));
    const label = row.label + " ".repeat(labelWidth - [...row.label].length);
    return `${label} ${"█".repeat(length)}${"·".repeat(width - length)} ${row.shown}`;
  });
}
