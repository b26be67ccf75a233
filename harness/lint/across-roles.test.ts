import { describe, expect, test } from 'vitest';
import { acrossRoles } from './across-roles.js';
import { failed, passed } from './check.js';

describe('acrossRoles', () => {
  test('the same failure in every role is one FAIL row, the rule written with <role>', () => {
    const row = acrossRoles('key-strength', [
      ['server', failed('key-strength', 'certificates.server.minRsaBits', 'RSA 1024 bits; the profile requires ≥ 2048')],
      ['client', failed('key-strength', 'certificates.client.minRsaBits', 'RSA 1024 bits; the profile requires ≥ 2048')],
    ]);
    expect(row).toEqual({ check: 'key-strength', rule: 'certificates.<role>.minRsaBits', status: 'fail', severity: 'required', message: 'RSA 1024 bits; the profile requires ≥ 2048' });
  });

  test('messages that differ only in the role name read "server or client"; others are given per role', () => {
    const ee = acrossRoles('end-entity', [
      ['server', failed('end-entity', 'RFC 5280 §4.2.1.9', 'cA TRUE on a server certificate')],
      ['client', failed('end-entity', 'RFC 5280 §4.2.1.9', 'cA TRUE on a client certificate')],
    ]);
    expect(ee?.message).toBe('cA TRUE on a server or client certificate');
    const ks = acrossRoles('key-strength', [
      ['server', passed('key-strength', 'certificates.server.minRsaBits', 'RSA 4096 bits; the profile requires ≥ 2048')],
      ['client', passed('key-strength', 'certificates.client.minRsaBits', 'RSA 4096 bits; the profile requires ≥ 3072')],
    ]);
    expect(ks).toMatchObject({ status: 'pass', message: 'as a server certificate: RSA 4096 bits; the profile requires ≥ 2048; as a client certificate: RSA 4096 bits; the profile requires ≥ 3072' });
  });

  test('roles that disagree leave the row not checked, naming --role and each role\'s answer', () => {
    const row = acrossRoles('key-strength', [
      ['server', passed('key-strength', 'certificates.server.minRsaBits', 'RSA 2048 bits; the profile requires ≥ 2048')],
      ['client', failed('key-strength', 'certificates.client.minRsaBits', 'RSA 2048 bits; the profile requires ≥ 3072')],
    ]);
    expect(row?.status).toBe('not-checked');
    expect(row?.message).toBe(
      'not checked: the answer depends on the role: as a server certificate it passes (RSA 2048 bits; the profile requires ≥ 2048); as a client certificate it fails (RSA 2048 bits; the profile requires ≥ 3072); pass --role server or --role client',
    );
  });

  test('a check that applies in one role only: a pass there is a pass; a failure there is not checked; nowhere is no row', () => {
    const ok = acrossRoles('identity', [['server', null], ['client', passed('identity', 'clientIdentity', 'cn "device-1" matches /^device-/')]]);
    expect(ok).toMatchObject({ status: 'pass', rule: 'clientIdentity', message: 'cn "device-1" matches /^device-/ (as a client certificate; it does not apply to a server certificate)' });
    const bad = acrossRoles('identity', [['server', null], ['client', failed('identity', 'clientIdentity', 'cn "laptop" does not match')]]);
    expect(bad?.status).toBe('not-checked');
    expect(bad?.message).toContain('as a server certificate it does not apply');
    expect(acrossRoles('identity', [['server', null], ['client', null]])).toBeNull();
  });

  test('a failure shared by every role counts with the mildest severity any role gives it', () => {
    const row = acrossRoles('hostname', [
      ['server', failed('hostname', 'x', 'm', 'recommended')],
      ['client', failed('hostname', 'x', 'm', 'required')],
    ]);
    expect(row).toMatchObject({ status: 'fail', severity: 'recommended' });
  });
});
