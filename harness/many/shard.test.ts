import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { parseShard } from './shard.js';

function refusal(value: string, env: NodeJS.ProcessEnv): string {
  try {
    parseShard(value, env);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    return (err as Error).message;
  }
  throw new Error(`--shard ${value} accepted`);
}

describe('--shard', () => {
  test('i/n as written', () => {
    expect(parseShard('2/4', {})).toMatchObject({ index: 2, count: 4 });
    expect(refusal('0/4', {})).toContain('--shard "0/4" must be i/n');
  });

  test('auto: GitLab parallel counts from 1 (CI_NODE_INDEX 1..N)', () => {
    expect(parseShard('auto', { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' })).toMatchObject({ index: 1, count: 3 });
    expect(parseShard('auto', { CI_NODE_INDEX: '3', CI_NODE_TOTAL: '3' })).toMatchObject({ index: 3, count: 3, from: 'CI_NODE_INDEX=3 CI_NODE_TOTAL=3' });
    expect(refusal('auto', { CI_NODE_INDEX: '0', CI_NODE_TOTAL: '3' })).toContain('CI_NODE_INDEX="0" must be between 1 and CI_NODE_TOTAL (3); it counts from 1');
    expect(refusal('auto', { CI_NODE_INDEX: '4', CI_NODE_TOTAL: '3' })).toContain('CI_NODE_INDEX="4"');
  });

  test('auto: a Kubernetes Indexed Job counts from 0 (JOB_COMPLETION_INDEX), CI_NODE_INDEX wins when both are set', () => {
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '0', CI_NODE_TOTAL: '2' })).toMatchObject({ index: 1, count: 2 });
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '1', CI_NODE_TOTAL: '2' })).toMatchObject({ index: 2, count: 2 });
    expect(refusal('auto', { JOB_COMPLETION_INDEX: '2', CI_NODE_TOTAL: '2' })).toContain('between 0 and CI_NODE_TOTAL-1 (1)');
    expect(parseShard('auto', { CI_NODE_INDEX: '1', JOB_COMPLETION_INDEX: '1', CI_NODE_TOTAL: '2' })).toMatchObject({ index: 1 });
  });

  test.each([
    [{}, 'CI_NODE_TOTAL is not set'],
    [{ CI_NODE_TOTAL: '2' }, 'CI_NODE_INDEX is not set (nor JOB_COMPLETION_INDEX)'],
    [{ CI_NODE_INDEX: '1', CI_NODE_TOTAL: 'two' }, 'CI_NODE_TOTAL="two" is not a whole number'],
    [{ CI_NODE_INDEX: ' 1', CI_NODE_TOTAL: '2' }, 'CI_NODE_INDEX=" 1" is not a whole number'],
    [{ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '0' }, 'CI_NODE_TOTAL="0" must be at least 1'],
    [{ JOB_COMPLETION_INDEX: '-1', CI_NODE_TOTAL: '2' }, 'JOB_COMPLETION_INDEX="-1" is not a whole number'],
  ])('auto with %j: one line, exit 2', (env, fragment) => {
    const msg = refusal('auto', env as NodeJS.ProcessEnv);
    expect(msg).toContain(`error: --shard auto: ${fragment}`);
    expect(msg).toContain('Or pass --shard i/n.');
  });
});
