/** A count with its noun: "1 lead", "3 leads", "2 replies" (give `many` when adding "s" is wrong). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
