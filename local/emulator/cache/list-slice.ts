/**
 * Resolves Momento's list (and sorted-set rank) range to array indexes: start inclusive, end
 * exclusive, either unbounded, negative counting from the end, as Python's slice notation does
 * (the contract written in Momento's cacheclient.proto next to ListFetchRequest).
 */
export function sliceBounds(length: number, start: number | undefined, end: number | undefined): [number, number] {
  const resolve = (index: number): number => (index < 0 ? Math.max(0, length + index) : Math.min(index, length));
  const from = start === undefined ? 0 : resolve(start);
  const to = end === undefined ? length : resolve(end);
  return [from, Math.max(from, to)];
}
