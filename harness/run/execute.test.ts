import { describe, expect, test } from 'vitest';
import { resolveCases } from '../cases/resolve.js';
import { loadProfile } from '../profile/load.js';
import { observesControl, type RolePlan } from './case-body.js';
import { startOrder } from './execute.js';

const cases = resolveCases(loadProfile('intermediate').profile, 'server');

describe('the order cases start in', () => {
  const order = startOrder(cases);
  test('every case starts exactly once', () => {
    expect([...order].sort((a, b) => a - b)).toEqual(cases.map((_, i) => i));
  });
  test('the suite sweeps start before any one-handshake case', () => {
    const kinds = order.map((i) => cases[i]!.recipe.kind);
    const lastSweep = kinds.lastIndexOf('suite-sweep');
    expect(lastSweep).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('client-handshake')).toBeGreaterThan(lastSweep);
  });
  test('the one-handshake cases keep plan order', () => {
    const handshakes = order.filter((i) => cases[i]!.recipe.kind === 'client-handshake');
    expect(handshakes).toEqual([...handshakes].sort((a, b) => a - b));
  });
});

describe('which cases wait for the control before probing', () => {
  // Only the role is read: the plan itself is not needed to decide.
  const server = { role: 'server' } as unknown as RolePlan;
  test('the control and the checks that read what it saw wait; cases with their own probe do not', () => {
    const waits = (id: string) => observesControl(server, cases.find((c) => c.id === id)!);
    expect(waits('server/client-auth/valid')).toBe(true);
    expect(waits('server/certificate/trusted')).toBe(true);
    expect(waits('server/client-auth/expired')).toBe(false);
    expect(waits('server/cipher/tls1.2-suites')).toBe(false);
  });
});
