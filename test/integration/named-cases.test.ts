import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createSecureServer } from 'node:http2';
import { createConnection, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli, verdictsOf } from '../helpers/cli.js';
import { findNginx, findOpenssl, freePort, have, HOST, runConformance, startNginx, startOpensslServer, type StartedPeer } from '../helpers/peers.js';

/**
 * The issue-16 cases of the default suite against real peers (nginx 1.22, OpenSSL 3.0 s_server,
 * HAProxy 2.6, curl 7.88, node:tls): each must tell a correct configuration from the broken one
 * that production reports show. Every run is the built CLI as a child process.
 */

const NGINX = findNginx();
const OPENSSL = findOpenssl();
const CURL = have('curl');
const HAPROXY = have('haproxy') ? 'haproxy' : existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : null;
const T = 90_000;

const CA = 'server/client-auth/';
const id = (name: string) => `${CA}${name}`;

let root: string;
let certsDir: string;
const trust = (f: string) => join(certsDir, 'trust', f);

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build).`);
  root = await mkdtemp(join(tmpdir(), 'mtls-named-'));
  certsDir = join(root, 'certs');
  const init = await runCli(['certs', 'init', certsDir]);
  expect(init.code, `${init.stdout}\n${init.stderr}`).toBe(0);
}, T);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function against(peer: StartedPeer, only: string[], extra: string[] = []) {
  const run = await runConformance(peer, { certsDir, profile: 'intermediate', args: [...only.flatMap((o) => ['--only', o]), ...extra], timeoutMs: 80_000 });
  return run;
}

describe.skipIf(!NGINX)('nginx', () => {
  test(
    'valid-two-intermediates: refused at the default ssl_verify_depth 1 (fail), accepted at 3 (pass)',
    async () => {
      // nginx's default depth 1 allows the leaf and one CA above it before the anchor: OpenSSL stops
      // building there (access log verify="FAILED:unable to get local issuer certificate").
      {
        await using nginx = await startNginx({ certsDir, verifyClient: 'on' });
        const r = await against(nginx, [id('valid-two-intermediates'), id('valid-chain')]);
        expect(r.verdicts[id('valid-two-intermediates')], await r.explain()).toBe('fail');
        expect(r.verdicts[id('valid-chain')], await r.explain()).toBe('pass');
        expect(await nginx.logs()).toMatch(/verify="FAILED:unable to get local issuer certificate"/);
      }
      {
        await using nginx = await startNginx({ certsDir, verifyClient: 'on', verifyDepth: 3 });
        const r = await against(nginx, [id('valid-two-intermediates')]);
        expect(r.verdicts[id('valid-two-intermediates')], await r.explain()).toBe('pass');
      }
    },
    T,
  );

  test(
    'issued-by-server-ca: refused when only client-ca is trusted (pass); accepted when the server CA is trusted as well (fail)',
    async () => {
      {
        await using nginx = await startNginx({ certsDir, verifyClient: 'on' });
        const r = await against(nginx, [id('issued-by-server-ca')]);
        expect(r.verdicts[id('issued-by-server-ca')], await r.explain()).toBe('pass');
      }
      {
        // The misconfiguration: the server's own CA bundle among the client trust (ssl_trusted_certificate adds it to verification).
        await using nginx = await startNginx({ certsDir, verifyClient: 'on', extraServerDirectives: [`ssl_trusted_certificate ${trust('server-ca.pem')};`] });
        const r = await against(nginx, [id('issued-by-server-ca')]);
        expect(r.verdicts[id('issued-by-server-ca')], await r.explain()).toBe('fail');
      }
    },
    T,
  );

  test(
    'eku-intermediate-server-only and dual-eku: nginx (OpenSSL purpose sslclient) refuses the first, accepts the second',
    async () => {
      await using nginx = await startNginx({ certsDir, verifyClient: 'on' });
      const r = await against(nginx, [id('eku-intermediate-server-only'), id('dual-eku')]);
      expect(r.verdicts[id('eku-intermediate-server-only')], await r.explain()).toBe('pass');
      expect(r.verdicts[id('dual-eku')], await r.explain()).toBe('pass');
      expect(await nginx.logs()).toMatch(/verify="FAILED:unsuitable certificate purpose"/);
    },
    T,
  );

  test(
    'revoked-intermediate and revoked-under-intermediate: nginx ssl_crl with every CRL of the hierarchy refuses both, accepts the valid chain',
    async () => {
      await using nginx = await startNginx({ certsDir, verifyClient: 'on', extraServerDirectives: [`ssl_crl ${trust('client-crl.pem')};`] });
      const r = await against(nginx, [id('revoked-intermediate'), id('revoked-under-intermediate'), id('valid-chain')]);
      expect(r.verdicts, await r.explain()).toMatchObject({ [id('revoked-intermediate')]: 'pass', [id('revoked-under-intermediate')]: 'pass', [id('valid-chain')]: 'pass' });
      expect(await nginx.logs()).toMatch(/verify="FAILED:certificate revoked"/);
    },
    T,
  );

  test(
    'certificate-verify-wrong-key: nginx refuses the wrong key on TLS 1.3 and 1.2 (pass); requests-client-ca: names the client CA',
    async () => {
      await using nginx = await startNginx({ certsDir, verifyClient: 'on' });
      const r = await against(nginx, [id('certificate-verify-wrong-key'), 'server/certificate/requests-client-ca']);
      expect(r.verdicts[id('certificate-verify-wrong-key')], await r.explain()).toBe('pass');
      expect(r.byId[id('certificate-verify-wrong-key')]!.reason).toMatch(/TLS 1\.3: right key accepted, wrong key refused.*TLS 1\.2: right key accepted, wrong key refused/);
      expect(r.verdicts['server/certificate/requests-client-ca'], await r.explain()).toBe('pass');
    },
    T,
  );

  test(
    'requests-client-ca: a server that names another CA than the one it trusts for clients fails',
    async () => {
      // The client CA trusted through ssl_trusted_certificate only; ssl_client_certificate (what is named) holds the server CA.
      await using nginx = await startNginx({
        certsDir,
        verifyClient: 'on',
        extraServerDirectives: [`ssl_trusted_certificate ${trust('client-ca.pem')};`],
        clientCertificate: trust('server-ca.pem'),
      });
      const r = await against(nginx, ['server/certificate/requests-client-ca', id('valid')]);
      expect(r.verdicts[id('valid')], await r.explain()).toBe('pass');
      expect(r.verdicts['server/certificate/requests-client-ca'], await r.explain()).toBe('fail');
      expect(r.byId['server/certificate/requests-client-ca']!.reason).toMatch(/server CA.*not the client CA/);
    },
    T,
  );

  test(
    '--protocol grpc: certificate-verify-wrong-key is skipped with the reason, never a pass',
    async () => {
      await using nginx = await startNginx({ certsDir, verifyClient: 'on' });
      const r = await against(nginx, [id('certificate-verify-wrong-key')], ['--protocol', 'grpc']);
      expect(r.verdicts[id('certificate-verify-wrong-key')], await r.explain()).toBe('skip');
      expect(r.byId[id('certificate-verify-wrong-key')]!.reason).toMatch(/HTTP\/1\.1 only/);
    },
    T,
  );
});

describe.skipIf(!OPENSSL)('openssl s_server -verify_return_error', () => {
  test(
    'eku-intermediate-server-only refused (OpenSSL checks EKU on intermediates); certificate-verify-wrong-key refused',
    async () => {
      await using s = await startOpensslServer({ certsDir });
      const r = await against(s, [id('eku-intermediate-server-only'), id('certificate-verify-wrong-key')], ['--concurrency', '1']);
      expect(r.verdicts[id('eku-intermediate-server-only')], await r.explain()).toBe('pass');
      expect(r.verdicts[id('certificate-verify-wrong-key')], await r.explain()).toBe('pass');
    },
    T,
  );

  test(
    'revoked-intermediate tells -crl_check (the leaf only: fail) from -crl_check_all (every CA: pass)',
    async () => {
      // Every CA certificate and CRL of the client hierarchy in a hashed directory (openssl rehash):
      // s_server loads each CRL it needs by issuer hash, which -CRL (one CRL) cannot.
      const dir = join(root, 'capath');
      await mkdir(dir, { recursive: true });
      await copyFile(trust('client-ca.pem'), join(dir, 'client-ca.pem'));
      const crlDir = join(certsDir, 'crl');
      for (const f of await readdir(crlDir)) if (f.startsWith('client-') && f.endsWith('.crl.pem')) await copyFile(join(crlDir, f), join(dir, f));
      execFileSync(OPENSSL!, ['rehash', dir]);
      const only = [id('valid-chain'), id('revoked-intermediate'), id('revoked-under-intermediate')];
      {
        await using s = await startOpensslServer({ certsDir, args: ['-CApath', dir, '-crl_check'] });
        const r = await against(s, only, ['--concurrency', '1']);
        // The leaf only: its own issuer's CRL says nothing about the revoked intermediate.
        expect(r.verdicts, await r.explain()).toMatchObject({ [id('valid-chain')]: 'pass', [id('revoked-under-intermediate')]: 'pass', [id('revoked-intermediate')]: 'fail' });
      }
      {
        await using s = await startOpensslServer({ certsDir, args: ['-CApath', dir, '-crl_check_all'] });
        const r = await against(s, only, ['--concurrency', '1']);
        expect(r.verdicts, await r.explain()).toMatchObject({ [id('valid-chain')]: 'pass', [id('revoked-under-intermediate')]: 'pass', [id('revoked-intermediate')]: 'pass' });
      }
    },
    T,
  );
});

describe.skipIf(!HAPROXY)('HAProxy crl-file', () => {
  test(
    'refuses revoked-intermediate and revoked-under-intermediate, accepts valid-two-intermediates and the valid chain',
    async () => {
      await using h = await startHaproxy(trust('client-crl.pem'));
      const r = await against(h, [id('valid-chain'), id('valid-two-intermediates'), id('revoked-intermediate'), id('revoked-under-intermediate')]);
      expect(r.verdicts, await r.explain()).toMatchObject({
        [id('valid-chain')]: 'pass',
        [id('valid-two-intermediates')]: 'pass',
        [id('revoked-intermediate')]: 'pass',
        [id('revoked-under-intermediate')]: 'pass',
      });
    },
    T,
  );
});

/** A node:tls server with the store's certificates; `admit(n)` decides for the n-th unauthorized client whether to let it in anyway. */
async function startNodeServer(admit: (n: number) => boolean): Promise<StartedPeer & { server: Server }> {
  const read = (p: string) => readFile(join(certsDir, p), 'utf8');
  let unauthorized = 0;
  const server = createHttpsServer(
    { key: await read('target/server-key.pem'), cert: await read('target/server-cert.pem'), ca: await read('trust/client-ca.pem'), requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      if (socket.authorized || admit(++unauthorized)) {
        res.writeHead(200).end('ok\n');
      } else {
        res.writeHead(403).end('refused\n');
      }
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return { name: 'node:tls', host: HOST, port, url: `https://${HOST}:${port}`, pid: process.pid, dir: root, logs: async () => '', stop, [Symbol.asyncDispose]: stop, server } as StartedPeer & { server: Server };
}

describe('node:tls server', () => {
  test(
    'certificate-verify-wrong-key: refused on TLS 1.3 and 1.2 (OpenSSL checks the signature even without rejectUnauthorized)',
    async () => {
      await using s = await startNodeServer(() => false);
      const r = await against(s, [id('certificate-verify-wrong-key')]);
      expect(r.verdicts[id('certificate-verify-wrong-key')], await r.explain()).toBe('pass');
    },
    T,
  );

  test(
    '--repeat 6: a server that lets an untrusted certificate in every third time fails "accepted 2 of 6"; without --repeat it can pass',
    async () => {
      await using s = await startNodeServer((n) => n % 3 === 0);
      const r = await against(s, [id('untrusted-ca')], ['--repeat', '6', '--concurrency', '4']);
      expect(r.verdicts[id('untrusted-ca')], await r.explain()).toBe('fail');
      expect(r.byId[id('untrusted-ca')]!.reason).toMatch(/^accepted 2 of 6: accepted \(HTTP 200/);
      expect(r.byId[id('untrusted-ca')]!.observed).toMatchObject({ outcome: 'http-status', httpStatus: 200 });
      expect(r.code).toBe(1);
    },
    T,
  );

  test(
    '--repeat: a server that always refuses passes "refused N of N"; --repeat 0 and 101 are usage errors',
    async () => {
      await using s = await startNodeServer(() => false);
      const r = await against(s, [id('untrusted-ca')], ['--repeat', '3']);
      expect(r.verdicts[id('untrusted-ca')], await r.explain()).toBe('pass');
      expect(r.byId[id('untrusted-ca')]!.reason).toMatch(/^refused 3 of 3: /);
      for (const bad of ['0', '101']) {
        const u = await runCli(['run', '--target', s.url, '--certs', certsDir, '--repeat', bad]);
        expect(u.code).toBe(2);
        expect(u.stderr).toMatch(new RegExp(`--repeat "${bad}"`));
      }
    },
    T,
  );
});

describe('an HTTP/2-only node:http2 server (allowHTTP1 false)', () => {
  test(
    'certificate-verify-wrong-key is skipped (alert 120 to the prober\'s ALPN http/1.1), never passed; requests-client-ca is still read',
    async () => {
      const read = (p: string) => readFile(join(certsDir, p), 'utf8');
      const server = createSecureServer({ key: await read('target/server-key.pem'), cert: await read('target/server-cert.pem'), ca: await read('trust/client-ca.pem'), requestCert: true, rejectUnauthorized: true, allowHTTP1: false }, (_req, res) => {
        res.writeHead(200).end('ok\n');
      });
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
      const port = (server.address() as AddressInfo).port;
      const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
      try {
        const peer = { name: 'node:http2', host: HOST, port, url: `https://${HOST}:${port}`, pid: process.pid, dir: root, logs: async () => '', stop, [Symbol.asyncDispose]: stop } as StartedPeer;
        const r = await against(peer, [id('certificate-verify-wrong-key'), 'server/certificate/requests-client-ca']);
        expect(r.verdicts[id('certificate-verify-wrong-key')], await r.explain()).toBe('skip');
        expect(r.byId[id('certificate-verify-wrong-key')]!.reason).toMatch(/HTTP\/2-only/);
        expect(r.verdicts['server/certificate/requests-client-ca'], await r.explain()).toBe('pass');
      } finally {
        await stop();
      }
    },
    T,
  );
});

describe.skipIf(!CURL)('client targets: curl', () => {
  test(
    'valid-two-intermediates accepted; revoked-intermediate refused with --crlfile {crl} (pass), accepted without (fail, recommended)',
    async () => {
      const curl = 'curl -sS --max-time 3 --cacert {ca} --cert {cert} --key {key}';
      const only = ['--only', 'client/server-auth/valid-two-intermediates', '--only', 'client/server-auth/revoked-intermediate'];
      const run = async (cmd: string) => {
        const out = await mkdtemp(join(root, 'client-'));
        const r = await runCli(['run', '--target-client', cmd, '--certs', certsDir, '--report-dir', out, ...only]);
        return { r, verdicts: verdictsOf(JSON.parse(await readFile(join(out, 'report.json'), 'utf8'))) };
      };
      const withCrl = await run(`${curl} --crlfile {crl} {url}`);
      expect(withCrl.verdicts, `${withCrl.r.stdout}\n${withCrl.r.stderr}`).toMatchObject({ 'client/server-auth/valid-two-intermediates': 'pass', 'client/server-auth/revoked-intermediate': 'pass' });
      const without = await run(`${curl} {url}`);
      expect(without.verdicts, `${without.r.stdout}\n${without.r.stderr}`).toMatchObject({ 'client/server-auth/valid-two-intermediates': 'pass', 'client/server-auth/revoked-intermediate': 'fail' });
    },
    T,
  );
});

describe.skipIf(!CURL)('client/certificate/sends-intermediates with curl', () => {
  const only = ['--only', 'client/certificate/sends-intermediates', '--only', 'client/certificate/presented'];
  const run = async (cmd: string, extra: string[] = []) => {
    const out = await mkdtemp(join(root, 'client-'));
    const r = await runCli(['run', '--target-client', cmd, '--certs', certsDir, '--report-dir', out, ...only, ...extra]);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { results: { id: string; verdict: string; reason: string }[] };
    return { r, verdicts: verdictsOf(report), reason: report.results.find((x) => x.id === 'client/certificate/sends-intermediates')?.reason ?? '' };
  };
  const curl = (cert: string) => `curl -sS --max-time 3 --cacert {ca} --cert ${join(certsDir, 'client', cert)} --key ${join(certsDir, 'private', 'client', 'valid-chain-key.pem')} {url}`;

  test(
    'the generated {cert} hangs off the client CA: skipped with the reason; a chain file under an intermediate passes, the leaf alone fails',
    async () => {
      const generated = await run('curl -sS --max-time 3 --cacert {ca} --cert {cert} --key {key} {url}');
      expect(generated.verdicts['client/certificate/sends-intermediates'], generated.r.stdout).toBe('skip');
      expect(generated.reason).toMatch(/issued directly by the client CA/);
      const chain = await run(curl('valid-chain-chain.pem'), ['--client-cert-ca', trust('client-ca.pem')]);
      expect(chain.verdicts, `${chain.r.stdout}\n${chain.r.stderr}`).toMatchObject({ 'client/certificate/sends-intermediates': 'pass', 'client/certificate/presented': 'pass' });
      const leafOnly = await run(curl('valid-chain.pem'), ['--client-cert-ca', trust('client-ca.pem')]);
      expect(leafOnly.verdicts['client/certificate/sends-intermediates'], `${leafOnly.r.stdout}\n${leafOnly.r.stderr}`).toBe('fail');
      expect(leafOnly.reason).toMatch(/without the intermediate/);
    },
    T,
  );
});

/** HAProxy in the foreground (-db) on a free port of 127.0.0.1, stopped by the PID this test spawned. */
async function startHaproxy(crlFile: string): Promise<StartedPeer> {
  const dir = await mkdtemp(join(root, 'haproxy-'));
  const port = await freePort();
  const pem = join(dir, 'server.pem');
  await writeFile(pem, (await readFile(join(certsDir, 'target', 'server-cert.pem'), 'utf8')) + (await readFile(join(certsDir, 'target', 'server-key.pem'), 'utf8')), { mode: 0o600 });
  const cfg = join(dir, 'haproxy.cfg');
  await writeFile(
    cfg,
    [
      'global',
      '  log stderr format raw local0 info',
      'defaults',
      '  mode http',
      '  log global',
      '  timeout connect 5s',
      '  timeout client 5s',
      '  timeout server 5s',
      'frontend mtls',
      `  bind ${HOST}:${port} ssl crt ${pem} ca-file ${trust('client-ca.pem')} verify required crl-file ${crlFile}`,
      '  http-request return status 200 content-type text/plain string "ok"',
      '',
    ].join('\n'),
  );
  const child = spawn(HAPROXY!, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log = (log + d).slice(-65536)));
  child.stderr.on('data', (d: Buffer) => (log = (log + d).slice(-65536)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
  };
  const deadline = Date.now() + 5000;
  while (!(await tcpAccepts(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`haproxy did not listen on ${HOST}:${port}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name: 'haproxy', host: HOST, port, url: `https://${HOST}:${port}`, pid: child.pid!, dir, logs: async () => log, stop, [Symbol.asyncDispose]: stop } as StartedPeer;
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: HOST, port }, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}
