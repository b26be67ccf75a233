import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

// Every JSON the tool writes, as it really writes it, against the schema shipped in schemas/.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Formats (date-time) are not checked: ajv-formats is not a dependency; the zod schemas check them where the tool writes.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
const schema = (name: string) => compiled.get(name) ?? compiled.set(name, ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', name), 'utf8')))).get(name)!;
function expectValid(validate: ReturnType<typeof schema>, doc: unknown, what: string): void {
  expect(validate(doc), `${what}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
}

const certs = mkdtempSync(join(tmpdir(), 'mtls-schemas-certs-'));

beforeAll(async () => {
  expect((await runCli(['certs', 'init', certs])).code).toBe(0);
}, 60_000);

describe('schemas/ against real outputs', () => {
  test('manifest.json of a run (and report.json beside it)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-schemas-r-'));
    const run = await runCli(['run', '--certs', certs, '--report-dir', out, '-q', '--only', 'server/client-auth/*']);
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expectValid(schema('manifest.schema.json'), manifest, 'manifest.json');
    expectValid(schema('report.schema.json'), JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), 'report.json');
    // and the schema can fail: a manifest without its file hashes is refused
    expect(schema('manifest.schema.json')({ ...manifest, files: { 'report.json': 'not a hash' } })).toBe(false);
  });

  test('lint --json over certificates of both roles, a CA and a bundle', async () => {
    const files = ['client/valid.pem', 'client/rsa-1024.pem', 'target/server-fullchain.pem', 'trust/client-ca.pem'].map((f) => join(certs, f));
    const run = await runCli(['lint', '--json', ...files]);
    expect([0, 1]).toContain(run.code);
    const doc = JSON.parse(run.stdout);
    expect(doc.objects.length).toBeGreaterThanOrEqual(4);
    expectValid(schema('lint.schema.json'), doc, 'lint --json');
    expect(schema('lint.schema.json')({ ...doc, summary: { ...doc.summary, verdict: 'maybe' } })).toBe(false);
  });

  test('cases --json under each built-in profile', async () => {
    for (const profile of ['intermediate', 'modern']) {
      const run = await runCli(['cases', '--json', '--profile', profile]);
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout) as { role: string }[];
      expect(new Set(doc.map((c) => c.role))).toEqual(new Set(['server', 'client']));
      expectValid(schema('cases.schema.json'), doc, `cases --json --profile ${profile}`);
    }
    expect(schema('cases.schema.json')([{ id: 'x', title: 't' }])).toBe(false);
  });

  describe('serve --json: the servers line and a connection line', () => {
    let child: ChildProcess;
    let stdout = '';
    const lines = () => stdout.split('\n').filter(Boolean);
    const until = async (ok: () => boolean, ms: number, what: string) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    beforeAll(async () => {
      child = spawn(process.execPath, [CLI, 'serve', '--json', '--certs', certs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      await until(() => lines().length >= 1, 30_000, 'servers line');
    }, 40_000);
    afterAll(() => {
      // Only the process this file spawned, by its handle.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    });

    test('both kinds of line validate against serve.schema.json', async () => {
      const validate = schema('serve.schema.json');
      const doc = JSON.parse(lines()[0]!) as { servers: { id: string; url: string }[]; caFile: string; clientCertFile: string; clientKeyFile: string };
      expectValid(validate, doc, 'serve --json servers line');
      const url = new URL(doc.servers.find((s) => s.id === 'client/server-auth/valid')!.url);
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: Number(url.port), ca: readFileSync(doc.caFile), cert: readFileSync(doc.clientCertFile), key: readFileSync(doc.clientKeyFile), servername: 'localhost', ALPNProtocols: ['http/1.1'] }, () => {
          socket.end('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
        });
        socket.on('data', () => undefined);
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      await until(() => lines().length >= 2, 5000, 'connection line');
      const event = JSON.parse(lines()[1]!);
      expect(event).toMatchObject({ event: 'connection', id: 'client/server-auth/valid', judgement: 'correct' });
      expectValid(validate, event, 'serve --json connection line');
      expect(validate({ event: 'connection', id: 'x' })).toBe(false);
    });
  });
});
