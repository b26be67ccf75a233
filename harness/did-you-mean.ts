/**
 * "Did you mean" for a mistyped name (a flag, a command, a profile field, a directory): the closest
 * candidate by edit distance, as commander's own suggestion picks it (Damerau-Levenshtein, an
 * adjacent swap costs one), but returned as data so each caller writes it into its own one-line error.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `input`, if it is close enough to be a typo: at most 2 edits and less
 * than 40% of the input changed (commander's threshold), case ignored. Undefined when nothing is.
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const needle = input.toLowerCase();
  for (const c of candidates) {
    if (c === input) continue;
    const distance = editDistance(needle, c.toLowerCase());
    const similarity = (Math.max(needle.length, c.length) - distance) / Math.max(needle.length, c.length);
    if (distance <= 2 && similarity > 0.6 && distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` Did you mean "x"?` (with its leading space), or the empty string: appended to an error line. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closestMatch(input, candidates);
  return match === undefined ? '' : ` Did you mean ${JSON.stringify(match)}?`;
}
