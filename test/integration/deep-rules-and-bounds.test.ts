import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { findNginx, runConformance, startNginx, type StartedPeer } from '../helpers/peers.js';

/**
 * Two choices the deep suite leaves to the profile and the run, against real peers:
 * - `certificates.rules`: the same nginx (OpenSSL) verdicts judged under `rfc5280` and `webpki`
 *   differ exactly where the two readings do; under `either` the cases are information.
 * - the pathological cases require an answer within --timeout: a Node server that holds its answer
 *   to one certificate past the bound fails that case, the same server answering at once passes.
 */

const NGINX = findNginx();
const T = 240_000;

let root: string;
let certsDir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build).`);
  root = await mkdtemp(join(tmpdir(), 'mtls-deep-rules-'));
  certsDir = join(root, 'certs');
  const init = await runCli(['certs', 'init', certsDir]);
  expect(init.code, init.stderr).toBe(0);
  // Generate the deep set once against the embedded server: the runs below reuse it.
  const warm = await runCli(['run', '--certs', certsDir, '--suite', 'deep', '--only', 'server/path/depth-0-valid', '--report-dir', join(root, 'warm'), '-q'], { timeoutMs: T });
  expect(warm.code, warm.stderr).toBe(0);
}, T);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function profileFile(rules: string): Promise<string> {
  const path = join(root, `rules-${rules}.yaml`);
  await writeFile(path, `name: rules-${rules}\nextends: intermediate\ncertificates:\n  rules: ${rules}\n`);
  return path;
}

describe.skipIf(!NGINX)('certificates.rules against nginx (ssl_verify_client on, ssl_verify_depth 40)', () => {
  // What OpenSSL 3.0 behind nginx does with each (deep-corpus-verdicts.ts): it accepts all but anyExtendedKeyUsage alone.
  const CASES: Record<string, { observed: 'accepted' | 'refused'; either: [string, string]; rfc5280: [string, string]; webpki: [string, string] }> = {
    'server/basic-constraints/leaf-ca-true': { observed: 'accepted', either: ['info', 'fail'], rfc5280: ['required', 'pass'], webpki: ['required', 'fail'] },
    'server/basic-constraints/ca1-non-critical': { observed: 'accepted', either: ['info', 'pass'], rfc5280: ['required', 'pass'], webpki: ['required', 'fail'] },
    'server/extensions/leaf-san-critical': { observed: 'accepted', either: ['info', 'pass'], rfc5280: ['required', 'pass'], webpki: ['required', 'fail'] },
    'server/encoding/leaf-version-1': { observed: 'accepted', either: ['info', 'fail'], rfc5280: ['required', 'pass'], webpki: ['required', 'fail'] },
    // RFC 5280 §4.2.1.12 lets an application that needs clientAuth refuse anyExtendedKeyUsage: recommended.
    'server/eku/leaf-any-only': { observed: 'refused', either: ['info', 'fail'], rfc5280: ['recommended', 'fail'], webpki: ['required', 'pass'] },
  };
  const only = Object.keys(CASES).flatMap((id) => ['--only', id]);
  let nginx: StartedPeer;

  beforeAll(async () => {
    nginx = await startNginx({ certsDir, verifyClient: 'on', verifyDepth: 40 });
  }, T);
  afterAll(async () => {
    await nginx?.stop();
  });

  for (const [rules, exit, summary] of [
    ['either', 0, 'conformant'],
    ['rfc5280', 0, 'conformant'],
    ['webpki', 1, 'non-conformant'],
  ] as const) {
    test(`under certificates.rules: ${rules}`, { timeout: T }, async () => {
      const run = await runConformance(nginx, { certsDir, profile: await profileFile(rules), args: ['--suite', 'deep', ...only], timeoutMs: T });
      const explain = await run.explain();
      expect(run.byId['server/client-auth/valid']?.verdict, explain).toBe('pass');
      for (const [id, want] of Object.entries(CASES)) {
        const r = run.byId[id];
        expect(r, `${id} missing\n${explain}`).toBeDefined();
        // The peer did the same thing under every profile: only the judgement moves.
        const accepted = r!.observed?.outcome === 'accepted' || (r!.observed?.outcome === 'http-status' && r!.observed.httpStatus === 200);
        expect(accepted ? 'accepted' : 'refused', `${id}: ${r!.observed?.detail}`).toBe(want.observed);
        expect([r!.severity, r!.verdict], `${id} under ${rules}: ${r!.reason}`).toEqual(want[rules]);
      }
      if (rules === 'webpki') expect(run.byId['server/basic-constraints/leaf-ca-true']!.reason).toMatch(/CA\/B BR §7\.1\.2\.7\.8/);
      if (rules === 'either') expect(run.byId['server/encoding/leaf-version-1']!.reason).toMatch(/RFC 5280 accepts: .*the Web PKI \(CA\/B BR\) refuses/i);
      expect(run.report.summary.verdict, explain).toBe(summary);
      expect(run.code, explain).toBe(exit);
    });
  }
});

describe('pathological cases: an answer within --timeout is required', () => {
  const SLOW = 'server/pathological/nc-64-subtrees-1024-names';
  const QUICK = 'server/pathological/nc-256-subtrees-256-names';

  /**
   * An HTTPS server that asks for a client certificate (client-ca) and answers 200 to a verified one,
   * 403 otherwise; with `holdManyNames`, it never answers a certificate carrying 1,000 names or more
   * (a validator that spins on name constraints × names), until the harness gives up.
   */
  async function nodeServer(holdManyNames: boolean): Promise<{ url: string; held: () => number; close: () => Promise<void> }> {
    const [cert, key, ca] = await Promise.all(['target/server-cert.pem', 'target/server-key.pem', 'trust/client-ca.pem'].map((f) => readFile(join(certsDir, f), 'utf8')));
    let held = 0;
    const server: Server = createServer({ cert, key, ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const socket = req.socket as TLSSocket;
      const names = (socket.getPeerCertificate().subjectaltname ?? '').split(', ').filter(Boolean).length;
      if (holdManyNames && names >= 1000) {
        held++;
        // Bounded all the same: the socket is dropped long after the harness stopped waiting.
        setTimeout(() => socket.destroy(), 20_000).unref();
        return;
      }
      res.writeHead(socket.authorized ? 200 : 403, { 'content-type': 'text/plain' }).end(socket.authorized ? 'ok\n' : `refused: ${socket.authorizationError}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      held: () => held,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  async function run(url: string): Promise<{ code: number | null; report: { summary: { verdict: string }; results: { id: string; severity: string; verdict: string; reason: string }[] }; explain: string }> {
    const out = join(root, `report-${url.split(':').pop()}`);
    const args = ['run', '--target', url, '--certs', certsDir, '--target-ca', join(certsDir, 'trust', 'server-ca.pem'), '--suite', 'deep', '--only', SLOW, '--only', QUICK, '--timeout', '1500', '--report-dir', out, '-q'];
    const r = await runCli(args, { timeoutMs: T });
    const explain = `$ conformance ${args.join(' ')}\nexit ${r.code}\n${r.stdout}\n${r.stderr}`;
    return { code: r.code, report: JSON.parse(await readFile(join(out, 'report.json'), 'utf8')), explain };
  }

  test('a server that holds its answer past the bound fails that case, with the bound in the reason', { timeout: T }, async () => {
    const server = await nodeServer(true);
    try {
      const r = await run(server.url);
      const by = Object.fromEntries(r.report.results.map((x) => [x.id, x]));
      expect(server.held(), r.explain).toBeGreaterThanOrEqual(1);
      expect(by['server/client-auth/valid']?.verdict, r.explain).toBe('pass');
      expect(by[SLOW], r.explain).toMatchObject({ severity: 'required', verdict: 'fail' });
      expect(by[SLOW]!.reason).toMatch(/^did not answer \(neither accepted nor refused\) within 1500 ms/);
      expect(by[QUICK], r.explain).toMatchObject({ severity: 'required', verdict: 'pass' });
      expect(by[QUICK]!.reason).toMatch(/^answered within 1500 ms: accepted \(HTTP 200\)/);
      expect(r.report.summary.verdict).toBe('non-conformant');
      expect(r.code, r.explain).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('the same server answering at once passes both, and the report says what it answered', { timeout: T }, async () => {
    const server = await nodeServer(false);
    try {
      const r = await run(server.url);
      const by = Object.fromEntries(r.report.results.map((x) => [x.id, x]));
      for (const id of [SLOW, QUICK]) {
        expect(by[id], r.explain).toMatchObject({ severity: 'required', verdict: 'pass' });
        expect(by[id]!.reason).toMatch(/^answered within 1500 ms: accepted \(HTTP 200\), as the reference expectation \(accept\)/);
      }
      expect(r.report.summary.verdict).toBe('conformant');
      expect(r.code, r.explain).toBe(0);
    } finally {
      await server.close();
    }
  });
});
