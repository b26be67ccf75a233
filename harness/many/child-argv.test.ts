import { describe, expect, test } from 'vitest';
import { checkApplicable, childArgv, userRunFlags } from './child-argv.js';
import type { TargetEntry } from './targets-file.js';

const server: TargetEntry = { target: 'https://a.example:8443', kind: 'url', where: 'line 1' };
const client: TargetEntry = { target: 'node c.js {url}', kind: 'client', where: 'line 2 (entry 2)', profile: 'modern', args: ['--timeout', '9s'] };

describe('childArgv', () => {
  const tokens = ['--targets-file', 't.yaml', '--sign-key', 'k.pem', '-p', 'intermediate', '--parallel=2', '--report-dir', 'out', '--only', 'a/*', '--shard', '1/2', '-q', '--only=b/*'];

  test("the user's tokens as written, minus the multi-target flags, with the child's own --report-dir", () => {
    expect(childArgv(server, userRunFlags('t.yaml', tokens), '/out/001')).toEqual([
      'run', '--target', 'https://a.example:8443', '--sign-key', 'k.pem', '-p', 'intermediate', '--only', 'a/*', '-q', '--only=b/*', '--report-dir', '/out/001',
    ]);
  });

  test("an entry's own profile replaces the user's; its args come last (they win where a flag is given once)", () => {
    expect(childArgv(client, userRunFlags('t.yaml', tokens), '/out/002')).toEqual([
      'run', '--target-client', 'node c.js {url}', '--sign-key', 'k.pem', '--only', 'a/*', '-q', '--only=b/*', '--profile', 'modern', '--report-dir', '/out/002', '--timeout', '9s',
    ]);
  });
});

describe('userRunFlags and checkApplicable refuse what cannot apply', () => {
  test.each([['--target', 'builtin:strict'], ['-tbuiltin:strict'], ['--target-client=x'], ['--target-image', 'i'], ['--target-env', 'A=B'], ['--target-port', '1'], ['--target-cmd', 'x'], ['--target-client-image', 'i']])(
    '%s with --targets-file is a usage error',
    (...target) => {
      expect(() => userRunFlags('t.yaml', ['--targets-file', 't.yaml', ...target])).toThrow(/^error: --targets-file "t.yaml" and ".*" both given/);
    },
  );

  test.each([['--target-ca', 'ca.pem'], ['--http-path', '/x'], ['--http-method', 'POST'], ['--protocol', 'tls'], ['--servername', 'x'], ['--slow']])('%s cannot apply to a client entry', (...flag) => {
    expect(() => checkApplicable('t.yaml', client, userRunFlags('t.yaml', flag))).toThrow(`error: --targets-file "t.yaml" line 2 (entry 2): ${flag[0]} applies only to server targets`);
    expect(() => checkApplicable('t.yaml', server, userRunFlags('t.yaml', flag))).not.toThrow();
  });

  test('--client-cert-ca cannot apply to a server entry, from the command line or from its args', () => {
    expect(() => checkApplicable('t.yaml', server, userRunFlags('t.yaml', ['--client-cert-ca', 'ca.pem']))).toThrow('line 1: --client-cert-ca applies only to client programs');
    expect(() => checkApplicable('t.yaml', { ...server, args: ['--client-cert-ca=ca.pem'] }, [])).toThrow('line 1: "args": --client-cert-ca applies only to client programs');
    expect(() => checkApplicable('t.yaml', { ...client, args: ['--client-cert-ca=ca.pem'] }, [])).not.toThrow();
  });
});
