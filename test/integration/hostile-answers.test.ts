import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.js';

/**
 * Hostile answers, part two (issue 17): scripted gRPC servers that send trailers no gRPC server
 * sends, damaged certificate-directory locks, hostile requests to the CRL/OCSP responder, report
 * files that carry markup, a client whose stderr quotes long paths, a report directory with a
 * symlink, and a server that refuses every handshake. Each is made here, at test time. Every run
 * ends with its exit code and one line, no stack trace, no process left, and the results the run
 * could judge kept in its report.
 */

const root = mkdtempSync(join(tmpdir(), 'mtls-hostile-answers-'));
const certs = join(root, 'certs');
const closers: (() => void)[] = [];

beforeAll(async () => {
  const init = await runCli(['certs', 'init', certs]);
  expect(init.code, init.stderr).toBe(0);
});
afterAll(() => {
  for (const close of closers) close();
});

/** No stack frame, no internal fault; the last line of stderr contains every fragment; returns it. */
function expectOneLine(stderr: string, ...fragments: string[]): string {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/internal fault|Unhandled|URIError/);
  const line = stderr.trim().split('\n').pop()!;
  for (const f of fragments) expect(line).toContain(f);
  return line;
}

/** Exit 2 and exactly one line on stderr with every fragment. */
function expectUsageError(run: CliRun, ...fragments: string[]): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(2);
  expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
  expectOneLine(run.stderr, ...fragments);
}

interface ReportResult {
  id: string;
  verdict: string;
  reason: string;
  observed: { outcome: string; httpStatus: number | null; grpcStatus?: number | null; detail: string } | null;
}
function resultsOf(dir: string): Map<string, ReportResult> {
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { results: ReportResult[] };
  return new Map(report.results.map((r) => [r.id, r]));
}

// --- 1, 2: gRPC answers

/** What the scripted gRPC server sends on one stream: headers, an optional body, and trailers (or none). */
interface GrpcAnswer {
  headers: http2.OutgoingHttpHeaders;
  body?: string;
  trailers?: http2.OutgoingHttpHeaders;
}
const OK: GrpcAnswer = { headers: { ':status': 200, 'content-type': 'application/grpc' }, body: '\0\0\0\0\0', trailers: { 'grpc-status': '0' } };

/**
 * An HTTP/2 server with the store's server certificate that asks for a client certificate and lets
 * every one through the handshake; `answer` decides per stream, knowing whether the client's
 * certificate verified against the store's client CA. A real gRPC server never answers like this.
 */
async function grpcServer(answer: (authorized: boolean) => GrpcAnswer): Promise<string> {
  const server = http2.createSecureServer({
    key: readFileSync(join(certs, 'target', 'server-key.pem')),
    cert: readFileSync(join(certs, 'target', 'server-cert.pem')),
    ca: readFileSync(join(certs, 'trust', 'client-ca.pem')),
    requestCert: true,
    rejectUnauthorized: false,
    allowHTTP1: false,
  });
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    // Read the call to its end, then answer.
    stream.resume();
    stream.on('end', () => {
      const a = answer((stream.session?.socket as TLSSocket | undefined)?.authorized === true);
      stream.respond(a.headers, { waitForTrailers: a.trailers !== undefined, endStream: a.body === undefined && a.trailers === undefined });
      if (a.trailers) stream.once('wantTrailers', () => stream.sendTrailers(a.trailers!));
      if (a.body !== undefined || a.trailers) stream.end(a.body === undefined ? undefined : Buffer.from(a.body, 'latin1'));
    });
  });
  server.on('sessionError', () => undefined);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function grpcRun(url: string, name: string): Promise<{ run: CliRun; dir: string }> {
  const dir = join(root, `r-grpc-${name}`);
  const run = await runCli(['run', '--target', url, '--protocol', 'grpc', '--certs', certs, '--target-ca', join(certs, 'trust', 'server-ca.pem'), '--report-dir', dir, '--only', 'server/client-auth/*', '--timeout', '3s'], { timeoutMs: 90_000 });
  return { run, dir };
}

describe('gRPC answers no gRPC server sends', () => {
  test('1. grpc-message with invalid percent-encoding: the raw text is kept, the run completes and judges', async () => {
    const url = await grpcServer((authorized) => (authorized ? OK : { ...OK, trailers: { 'grpc-status': '16', 'grpc-message': 'bad %E0%A4%A' } }));
    const { run, dir } = await grpcRun(url, 'message');
    expectOneLine(run.stderr);
    // The recommended eku-absent refusal aside, every bad certificate got 16 UNAUTHENTICATED: conformant.
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = resultsOf(dir);
    expect(results.get('server/client-auth/valid')!.verdict).toBe('pass');
    const expired = results.get('server/client-auth/expired')!;
    expect(expired.verdict).toBe('pass');
    expect(expired.observed).toMatchObject({ outcome: 'grpc-status', grpcStatus: 16 });
    expect(expired.observed!.detail).toContain('UNAUTHENTICATED: bad %E0%A4%A');
  });

  test.each([
    ['zzz', 'grpc-status "zzz" is not a gRPC status code'],
    ['99999999999999999999999', 'grpc-status "99999999999999999999999" is not a gRPC status code'],
  ])('2. grpc-status %j to every bad certificate: each reject case fails with what was seen; the control passes; exit 1', async (status, seen) => {
    const url = await grpcServer((authorized) => (authorized ? OK : { ...OK, trailers: { 'grpc-status': status } }));
    const { run, dir } = await grpcRun(url, `status-${status.length}`);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expectOneLine(run.stderr);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/NaN|1e\+23/);
    const results = resultsOf(dir);
    expect(results.get('server/client-auth/valid')!.verdict).toBe('pass');
    for (const id of ['server/client-auth/expired', 'server/client-auth/untrusted-ca', 'server/client-auth/no-cert']) {
      const r = results.get(id)!;
      expect(r.observed, id).toMatchObject({ outcome: 'malformed-answer', grpcStatus: null, httpStatus: 200 });
      expect(r.verdict, id).toBe('fail');
      expect(r.reason, id).toContain(seen);
    }
  });

  test.each([
    ['no grpc-status at all', { headers: { ':status': 200, 'content-type': 'application/grpc' }, body: '\0\0\0\0\0' }, 'answered with HTTP 200 and no grpc-status'],
    ['HTTP 500 with a text body', { headers: { ':status': 500, 'content-type': 'text/plain' }, body: 'upstream exploded' }, 'answered with HTTP 500 and no grpc-status: upstream exploded'],
  ] as [string, GrpcAnswer, string][])('2. the control gets %s: exit 3, one line saying what was seen, every result kept', async (_name, bad, seen) => {
    const url = await grpcServer(() => bad);
    const { run, dir } = await grpcRun(url, `control-${bad.headers[':status']}-${bad.body?.length}`);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3);
    const line = expectOneLine(run.stderr, 'the positive control server/client-auth/valid was not accepted (a malformed gRPC answer', seen, '--http-path');
    expect(line.length).toBeLessThan(700);
    const results = resultsOf(dir);
    expect(results.get('server/client-auth/valid')).toMatchObject({ verdict: 'fail', observed: { outcome: 'malformed-answer' } });
    // Not a pass: the answer is not a refusal the profile names.
    expect(results.get('server/client-auth/expired')!.verdict).toBe('fail');
    expect(results.size).toBeGreaterThan(10);
  });
});
