import { UsageError, quote } from '../errors.js';

/** `--shard i/n`: the i-th of n slices (1-based), by position in the targets file. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError('shard-invalid', `error: --shard ${quote(value)} must be i/n with 1 ≤ i ≤ n, e.g. 2/4.`);
  return { index, count };
}

/** The items of one shard: every n-th, starting at the i-th, so each shard gets a share of every part of the file. */
export function shardOf<T>(items: T[], shard?: Shard): T[] {
  return shard ? items.filter((_, i) => i % shard.count === shard.index - 1) : items;
}
