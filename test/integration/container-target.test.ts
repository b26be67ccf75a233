import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, verdictsOf } from '../helpers/cli.js';

// A locally built image (no registry is reachable) run through the CLI with testcontainers.
const IMAGE = 'mtls-conformance/openssl:test';
const engine = (() => {
  try {
    execSync('docker info', { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();
// .ci/run sets this once it has started dockerd: there a missing engine is a failure, not a skip.
if (process.env.CONFORMANCE_REQUIRE_DOCKER === '1' && !engine) throw new Error('CONFORMANCE_REQUIRE_DOCKER=1 but no Docker engine answers');

const certs = join(mkdtempSync(join(tmpdir(), 'mtls-container-')), 'certs');
mkdirSync(certs, { recursive: true });
const S_SERVER = 'openssl s_server -accept 127.0.0.1:{port} -cert /conformance/target/server-cert.pem -key /conformance/target/server-key.pem -CAfile /conformance/trust/client-ca.pem -Verify 1';
let port = 0;

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function containersOf(image: string): string {
  return execSync(`docker ps -aq --filter ancestor=${image}`).toString().trim();
}

describe.skipIf(!engine)('--target-image (Docker engine present)', () => {
  beforeAll(async () => {
    execFileSync('bash', [fileURLToPath(new URL('../../scripts/build-test-image.sh', import.meta.url)), IMAGE], { stdio: 'ignore', timeout: 120_000 });
    expect((await runCli(['certs', 'init', certs])).code).toBe(0);
    port = await freePort();
  }, 180_000);

  async function run(cmd: string, extra: string[] = []) {
    const out = mkdtempSync(join(tmpdir(), 'mtls-container-r-'));
    const res = await runCli(['run', '--target-image', IMAGE, '--target-port', String(port), '--target-cmd', cmd, '--certs', certs, '--report-dir', out, '--concurrency', '1', ...extra], { timeoutMs: 120_000 });
    const report = existsSync(join(out, 'report.json')) ? JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) : null;
    return { res, report, out };
  }

  test('a correctly configured image: verdicts, the container log kept, the container removed', async () => {
    const { res, report, out } = await run(`${S_SERVER} -verify_return_error -cipher ECDHE+AESGCM:ECDHE+CHACHA20 -www`);
    expect(res.code, res.stderr).toBe(0);
    expect(report.target).toMatchObject({ kind: 'container', image: IMAGE, port });
    const v = verdictsOf(report);
    // Both recommended: s_server accepts a certificate without EKU, and checks no revocation without -crl_check.
    expect(Object.entries(v).filter(([, x]) => x === 'fail')).toEqual([
      ['server/client-auth/eku-absent', 'fail'],
      ['server/client-auth/revoked', 'fail'],
      ['server/client-auth/revoked-intermediate', 'fail'],
      ['server/client-auth/revoked-under-intermediate', 'fail'],
    ]);
    expect(v['server/client-auth/expired']).toBe('pass');
    expect(readFileSync(join(out, 'container.log'), 'utf8')).toContain('ACCEPT');
    expect(containersOf(IMAGE)).toBe('');
  });

  test('a misconfigured image (no -verify_return_error: any client certificate gets in) fails the rejections', async () => {
    const { res, report } = await run(`${S_SERVER} -www`);
    expect(res.code).toBe(1);
    const v = verdictsOf(report);
    for (const id of ['self-signed', 'untrusted-ca', 'expired', 'not-yet-valid', 'issuer-not-ca']) expect(v[`server/client-auth/${id}`], id).toBe('fail');
    expect(v['server/client-auth/no-cert']).toBe('pass'); // -Verify 1 still demands a certificate
    expect(containersOf(IMAGE)).toBe('');
  });

  test('an image that exits before listening: exit 3 with its last log lines, removed', async () => {
    const { res } = await run('openssl version');
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/exited before answering TLS\. Last log lines: "OpenSSL 3/);
    expect(containersOf(IMAGE)).toBe('');
  });

  test('an image that does not exist locally: exit 3, one line', async () => {
    const out = mkdtempSync(join(tmpdir(), 'r-'));
    const res = await runCli(['run', '--target-image', 'mtls-conformance/no-such-image:none', '--target-port', '9', '--certs', certs, '--report-dir', out]);
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^error: --target-image "mtls-conformance\/no-such-image:none" is not an image the engine has locally/);
  });
});

describe.skipIf(!engine)('--target-client-image (Docker engine present)', () => {
  // The same image as a client: openssl s_client inside, reading CONFORMANCE_* from its environment.
  const client = (verify: string) =>
    // It also checks that --target-env reached it: without MARKER it exits 7 and never connects.
    `sh -c 'test "$MARKER" = from-target-env || exit 7; printf "GET / HTTP/1.0\\r\\n\\r\\n" | openssl s_client -connect $CONFORMANCE_HOST:$CONFORMANCE_PORT -CAfile $CONFORMANCE_CA_FILE -cert $CONFORMANCE_CLIENT_CERT -key $CONFORMANCE_CLIENT_KEY ${verify} -verify_ip 127.0.0.1 -quiet'`;
  async function run(args: string) {
    const out = mkdtempSync(join(tmpdir(), 'mtls-client-image-'));
    const res = await runCli(['run', '--target-client-image', IMAGE, '--target-env', 'MARKER=from-target-env', '--target-cmd', args, '--certs', certs, '--report-dir', out, '--only', 'client/server-auth/*'], { timeoutMs: 120_000 });
    return { res, report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) };
  }

  test('a verifying client image refuses every bad server; the containers are removed', async () => {
    const { res, report } = await run(client('-verify_return_error'));
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(report.target).toMatchObject({ kind: 'container', role: 'client', image: IMAGE });
    // Every case passes but revocation (recommended): s_client checks no CRL unless told to.
    expect(Object.entries(verdictsOf(report)).filter(([, v]) => v !== 'pass')).toEqual([
      ['client/server-auth/revoked', 'fail'],
      ['client/server-auth/revoked-intermediate', 'fail'],
    ]);
    expect(containersOf(IMAGE)).toBe('');
  });

  test('a client image that does not verify the server fails the server-auth cases', async () => {
    const { res, report } = await run(client(''));
    expect(res.code).toBe(1);
    const v = verdictsOf(report);
    expect(v['client/server-auth/valid']).toBe('pass');
    expect(v['client/server-auth/expired']).toBe('fail');
    expect(v['client/server-auth/self-signed']).toBe('fail');
    expect(containersOf(IMAGE)).toBe('');
  });

  test(
    'a hostname case (--suite deep): the client dials api.mtls-conformance.localhost inside the container and reaches the reference server',
    async () => {
      // It dials {host} by name and verifies {name} (-verify_ip for the cases that verify 127.0.0.1):
      // glibc in the image maps no *.localhost name, so only the container's /etc/hosts entry gets it there.
      const dialByName = `sh -c 'case "$CONFORMANCE_SERVERNAME" in *[a-z]*) v=-verify_hostname;; *) v=-verify_ip;; esac; printf "GET / HTTP/1.0\\r\\n\\r\\n" | openssl s_client -connect $CONFORMANCE_HOST:$CONFORMANCE_PORT -servername $CONFORMANCE_SERVERNAME $v $CONFORMANCE_SERVERNAME -CAfile $CONFORMANCE_CA_FILE -cert $CONFORMANCE_CLIENT_CERT -key $CONFORMANCE_CLIENT_KEY -verify_return_error -quiet'`;
      const out = mkdtempSync(join(tmpdir(), 'mtls-client-image-'));
      const res = await runCli(['run', '--suite', 'deep', '--only', 'client/hostname/dns-other-name', '--target-client-image', IMAGE, '--target-cmd', dialByName, '--certs', certs, '--report-dir', out], { timeoutMs: 240_000 });
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      const byId = Object.fromEntries(report.results.map((r: { id: string }) => [r.id, r]));
      const control = byId['client/hostname/dns-name-control'];
      // The name control is run, not skipped for an unreachable name, and the client got through under the name.
      expect(control.verdict, JSON.stringify(control)).toBe('pass');
      expect(control.observed.outcome).toBe('accepted');
      // The case it guards is judged on what the client did: it refused a certificate for another host.
      expect(byId['client/hostname/dns-other-name'].verdict, JSON.stringify(byId['client/hostname/dns-other-name'])).toBe('pass');
      expect(byId['client/hostname/dns-other-name'].observed.outcome).toBe('handshake-alert');
      expect(res.code, res.stderr + res.stdout).toBe(0);
      expect(containersOf(IMAGE)).toBe('');
    },
    300_000,
  );

  test('a client container that never exits is bounded by --timeout and removed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-client-image-'));
    const started = Date.now();
    const res = await runCli(['run', '--target-client-image', IMAGE, '--target-cmd', "sh -c 'while true; do true; done'", '--timeout', '2s', '--certs', certs, '--report-dir', out, '--only', 'client/server-auth/valid'], { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(3);
    expect(Date.now() - started).toBeLessThan(20_000);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.results[0].observed.client.timedOut).toBe(true);
    expect(containersOf(IMAGE)).toBe('');
  });

  test('a client command the image lacks: exit 2, one line, and no container is left created', async () => {
    const res = await runCli(['run', '--target-client-image', IMAGE, '--target-cmd', 'no-such-client {url}', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-')), '--only', 'client/server-auth/valid'], { timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^error: --target-client-image "mtls-conformance\/openssl:test" could not be started \(exit 127: .*no-such-client/);
    expect(containersOf(IMAGE)).toBe('');
  });
});

describe('--target-image without a container engine', () => {
  test('exit 3 with one line saying how to get one; other targets keep working', async () => {
    const out = mkdtempSync(join(tmpdir(), 'r-'));
    const res = await runCli(['run', '--target-image', IMAGE, '--target-port', '9443', '--report-dir', out], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('needs a container engine');
    expect(res.stderr).toContain('--target https://host:port');
    const builtin = await runCli(['run', '--only', 'server/protocol/*', '--report-dir', out], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(builtin.code).toBe(0);
  });

  test('--target-client-image without an engine: exit 3, one line', async () => {
    const res = await runCli(['run', '--target-client-image', IMAGE, '--report-dir', mkdtempSync(join(tmpdir(), 'r-'))], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('--target-client-image "mtls-conformance/openssl:test" needs a container engine');
  });

  test('--target-image without --target-port: exit 2', async () => {
    const res = await runCli(['run', '--target-image', IMAGE]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('needs --target-port');
  });
});
