/** One element of a sorted set: its value (latin1 string of its bytes) and score. */
export interface ScoredElement {
  readonly value: string;
  readonly score: number;
}

// Assumption: Momento breaks score ties lexicographically by value, as Redis does, and descending
// order is the exact reverse of ascending.
/** Elements in ascending order: by score, ties by value bytes (latin1 strings compare byte-wise). */
export function orderedElements(elements: Map<string, number>, descending: boolean): ScoredElement[] {
  const ordered = [...elements].map(([value, score]) => ({ value, score }));
  ordered.sort((a, b) => a.score - b.score || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return descending ? ordered.reverse() : ordered;
}

/** A score bound; `undefined` is unbounded. */
export interface ScoreBound {
  readonly score: number;
  readonly exclusive: boolean;
}

export function withinScores(score: number, min: ScoreBound | undefined, max: ScoreBound | undefined): boolean {
  if (min !== undefined && (min.exclusive ? score <= min.score : score < min.score)) return false;
  if (max !== undefined && (max.exclusive ? score >= max.score : score > max.score)) return false;
  return true;
}
