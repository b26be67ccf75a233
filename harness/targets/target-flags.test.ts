import { describe, expect, test } from 'vitest';
import { ConformanceError } from '../errors.js';
import { demuxLog } from './client-image-target.js';
import { commandWords, parseEnvFlags, TARGET_FLAGS, targetFromFlags, targetGiven, type TargetFlags } from './target-flags.js';

function refusal(fn: () => unknown): { exitCode: number; code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConformanceError) return { exitCode: err.exitCode, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

const flags = (f: Partial<TargetFlags>): TargetFlags => ({ targetEnv: [], ...f });

describe('the flag table decides the kind once', () => {
  test.each([
    [{}, 'server', '--target "builtin:strict"'],
    [{ target: 'builtin:lenient' }, 'server', '--target "builtin:lenient"'],
    [{ target: 'https://127.0.0.1:8443' }, 'server', '--target "https://127.0.0.1:8443"'],
    [{ target: 'tls://127.0.0.1:9000' }, 'server', '--target "tls://127.0.0.1:9000"'],
    [{ targetImage: 'img:1', targetPort: 8443 }, 'server', '--target-image "img:1"'],
    [{ targetClient: 'curl {url}' }, 'client', '--target-client "curl {url}"'],
    [{ targetClientImage: 'cli:1', targetCmd: '{url}' }, 'client', '--target-client-image "cli:1"'],
  ] as const)('%j -> a %s target named %s', (f, role, source) => {
    const t = targetFromFlags(flags(f));
    expect(t.role).toBe(role);
    expect(t.source).toBe(source);
    expect(targetGiven(flags(f))).toBe(Object.keys(f).some((k) => TARGET_FLAGS.some((row) => row.key === k)));
  });

  test('every row names a distinct flag', () => {
    const names = TARGET_FLAGS.map((row) => row.flag);
    expect(new Set(names).size).toBe(names.length);
  });

  test.each([
    [{ target: 'https://a:1', targetClient: 'curl {url}' }, '--target "https://a:1" and --target-client "curl {url}" given together'],
    [{ targetImage: 'img', targetPort: 1, targetClientImage: 'cli' }, '--target-image "img" and --target-client-image "cli" given together'],
    [{ target: 'builtin:strict', targetImage: 'img', targetPort: 1 }, '--target "builtin:strict" and --target-image "img" given together'],
  ])('two targets: exit 2 naming both (%j)', (f, says) => {
    const r = refusal(() => targetFromFlags(flags(f)));
    expect(r).toMatchObject({ exitCode: 2, code: 'target-conflict' });
    expect(r.message).toBe(`error: ${says}: a run tests one target. Pass one of them.`);
  });

  test.each([
    [{ targetPort: 8443 }, '--target-port only goes'],
    [{ target: 'https://a:1', targetEnv: ['A=1'] }, '--target-env only goes'],
    [{ targetClient: 'curl {url}', targetCmd: 'x', targetPort: 1 }, '--target-port, --target-cmd only go'],
  ])('an image flag without an image is refused, not dropped (%j)', (f, says) => {
    const r = refusal(() => targetFromFlags(flags(f)));
    expect(r).toMatchObject({ exitCode: 2, code: 'target-flag-without-image' });
    expect(r.message).toContain(says);
  });

  test('--target-image without --target-port: exit 2', () => {
    expect(refusal(() => targetFromFlags(flags({ targetImage: 'img' })))).toMatchObject({ exitCode: 2, code: 'target-port-missing' });
  });

  test('a refused target value is refused by the flag table, before anything starts', () => {
    expect(refusal(() => targetFromFlags(flags({ target: 'http://127.0.0.1:80' })))).toMatchObject({ exitCode: 2, code: 'target-invalid' });
    expect(refusal(() => targetFromFlags(flags({ target: 'builtin:nginx' })))).toMatchObject({ exitCode: 2, code: 'target-invalid' });
    expect(refusal(() => targetFromFlags(flags({ targetClient: '  ' })))).toMatchObject({ exitCode: 2, code: 'target-client-empty' });
    expect(refusal(() => targetFromFlags(flags({ targetImage: 'img', targetPort: 1, targetEnv: ['=x'] })))).toMatchObject({ exitCode: 2, code: 'target-env-invalid' });
    expect(refusal(() => targetFromFlags(flags({ targetClientImage: 'cli', targetCmd: 'a; rm -rf /' })))).toMatchObject({ exitCode: 2, code: 'target-cmd-shell' });
  });
});

describe('--target-cmd and --target-env', () => {
  test('words split as a shell would, never run by one', () => {
    expect(commandWords('--target-cmd', `sh -c 'echo "$X" {url}' --flag=a\\ b`)).toEqual(['sh', '-c', 'echo "$X" {url}', '--flag=a b']);
  });
  test.each([['a | b', '|'], ['a && b', '&&'], ['a > f', '>'], ['ls *.pem', '*.pem']])('%s is refused, naming %s', (value, op) => {
    const r = refusal(() => commandWords('--target-cmd', value));
    expect(r.exitCode).toBe(2);
    expect(r.message).toContain(`the shell syntax ${JSON.stringify(op)}`);
  });
  test('KEY=VALUE, the value may hold "="', () => {
    expect(parseEnvFlags(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
  });
});

describe('a client container log', () => {
  const frame = (stream: 1 | 2, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  test('the engine frames split into stdout and stderr, in order', () => {
    const raw = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    expect(demuxLog(raw)).toEqual({ stdout: 'out 1\nout 2\n', stderr: 'err 1\n' });
  });
  test('a cut last frame keeps what arrived whole', () => {
    const raw = Buffer.concat([frame(2, 'whole\n'), frame(1, 'cut').subarray(0, 6)]);
    expect(demuxLog(raw)).toEqual({ stdout: '', stderr: 'whole\n' });
  });
});
