import { expect, test } from 'vitest';
import { resolveCases } from '../cases/resolve.js';
import { loadProfile } from '../profile/load.js';
import { runCaseWithControl, type RolePlan } from './case-body.js';

const profile = loadProfile('intermediate').profile;
const pathological = resolveCases(profile, 'server', 'deep').find((c) => c.id === 'server/pathological/long-chain-12')!;

test('a harness fault while probing an answer-within case is inconclusive, never the target\'s failure', async () => {
  expect(pathological.answerWithin).toBe(true);
  // A plan without a target: the probe throws before any socket is opened (a fault of the harness).
  const broken = { role: 'server', plan: { timeoutMs: 500, profile, certs: {} } } as unknown as RolePlan;
  const r = await runCaseWithControl(broken, pathological, Promise.resolve(null));
  expect(r.verdict.verdict).toBe('inconclusive');
  expect(r.verdict.reason).toMatch(/^harness fault while probing: /);
  expect(r.observation).toBeNull();
});
