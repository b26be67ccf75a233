import { UsageError, quote } from '../errors.js';

/** `--shard i/n`: the i-th of n slices (1-based), by position in the targets file. */
export interface Shard {
  index: number;
  count: number;
  /** With --shard auto, where the slice came from, for the first line of the run: `CI_NODE_INDEX=2 CI_NODE_TOTAL=4`; empty for i/n. */
  from: string;
}

const AUTO_HELP =
  'GitLab "parallel: N" sets CI_NODE_INDEX (1..N) and CI_NODE_TOTAL (N); in a GitHub matrix set them from the matrix (docs/ci.md); a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX (0..N-1): add CI_NODE_TOTAL=N to its env. Or pass --shard i/n';

function autoError(why: string): UsageError {
  return new UsageError('shard-invalid', `--shard auto: ${why}. ${AUTO_HELP}.`);
}

/** A whole number written in decimal digits, nothing else (no sign, no blanks, no "1e3"). */
function digits(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw autoError(`${name}=${quote(value)} is not a whole number`);
  return Number(value);
}

/**
 * `--shard auto`: the slice a CI engine gives this job. CI_NODE_INDEX is 1-based as GitLab sets it;
 * a Kubernetes Indexed Job's JOB_COMPLETION_INDEX is 0-based and is used (plus one) only when
 * CI_NODE_INDEX is absent. The total is always CI_NODE_TOTAL.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv): Shard {
  const total = env.CI_NODE_TOTAL;
  if (total === undefined || total === '') throw autoError('CI_NODE_TOTAL is not set');
  const count = digits('CI_NODE_TOTAL', total);
  if (count < 1) throw autoError(`CI_NODE_TOTAL=${quote(total)} must be at least 1`);
  let index: number;
  let from: string;
  if (env.CI_NODE_INDEX !== undefined && env.CI_NODE_INDEX !== '') {
    index = digits('CI_NODE_INDEX', env.CI_NODE_INDEX);
    if (index < 1 || index > count) throw autoError(`CI_NODE_INDEX=${quote(env.CI_NODE_INDEX)} must be between 1 and CI_NODE_TOTAL (${count}); it counts from 1`);
    from = `CI_NODE_INDEX=${index} CI_NODE_TOTAL=${count}`;
  } else if (env.JOB_COMPLETION_INDEX !== undefined && env.JOB_COMPLETION_INDEX !== '') {
    const zero = digits('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX);
    if (zero >= count) throw autoError(`JOB_COMPLETION_INDEX=${quote(env.JOB_COMPLETION_INDEX)} must be between 0 and CI_NODE_TOTAL-1 (${count - 1}); it counts from 0`);
    index = zero + 1;
    from = `JOB_COMPLETION_INDEX=${zero} CI_NODE_TOTAL=${count}`;
  } else {
    throw autoError('CI_NODE_INDEX is not set (nor JOB_COMPLETION_INDEX)');
  }
  return { index, count, from };
}

export function parseShard(value: string, env: NodeJS.ProcessEnv = process.env): Shard {
  if (value === 'auto') return shardFromEnv(env);
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError('shard-invalid', `--shard ${quote(value)} must be i/n with 1 ≤ i ≤ n, e.g. 2/4, or "auto" (from CI_NODE_INDEX and CI_NODE_TOTAL).`);
  return { index, count, from: '' };
}

/** The items of one shard: every n-th, starting at the i-th, so each shard gets a share of every part of the file. */
export function shardOf<T>(items: T[], shard?: Shard): T[] {
  return shard ? items.filter((_, i) => i % shard.count === shard.index - 1) : items;
}
