#!/usr/bin/env node
// Wall time of one full `conformance run` (the built CLI, the package's bin dist/cli/conformance.js, spawned as a
// child process the way a user's CI runs it) in four settings:
//
//   builtin:strict cold   --certs is a fresh empty dir each run: the whole matrix is generated
//   builtin:strict warm   the same --certs dir every run, filled once before timing
//   nginx cold            a real nginx on 127.0.0.1 trusting the dir's client CA; before each run
//                         every certificate nginx has not loaded is deleted, so the run regenerates it
//   nginx warm            the same dir, nothing deleted
//
// Plus a small startup breakdown (bare node, CLI --version, a warm run of the positive control
// alone), the full run against the same nginx side by side with sslscan in alternating A/B pairs,
// the deep server suite (--suite deep) paired with the default run against that nginx,
// and where a run's time goes (the CLI's own phase marks, CONFORMANCE_TIMINGS=1). Prints figures;
// it is not a test.
// Every setting gets one discarded run first, then --runs N (default 5) timed runs.
//
// Usage: npm run build && node scripts/bench.mjs [--runs N] [--scanner-runs N] [--no-testssl] [--no-scanners] [--no-deep]
// Needs nginx (scripts/install-peers.sh) and, for the side-by-side rows, sslscan (apt-get install sslscan);
// without nginx the nginx rows are skipped with a note, without sslscan the comparison says so.
// nginx runs as our own child (daemon off, master_process off) with its config, pid file and logs
// in a temp dir, listens on 127.0.0.1 only, and is stopped by its PID at the end, also on Ctrl-C.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The package's bin, as a user's npx runs it.
const CLI = join(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin.conformance);
const RUN_TIMEOUT_MS = 120_000;

// --- arguments

function parseRuns(argv) {
  const i = argv.indexOf('--runs');
  if (i === -1) return 5;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 100) fail(`--runs ${argv[i + 1] ?? ''} must be a whole number from 1 to 100`);
  return n;
}

function fail(message) {
  console.error(`bench: error: ${message}`);
  process.exit(2);
}

const RUNS = parseRuns(process.argv.slice(2));
if (!existsSync(CLI)) fail(`${CLI} is missing: run "npm run build" first`);

// --- cleanup: temp dirs and the nginx we started, also on Ctrl-C

const tempDirs = [];
let nginxChild = null;
let cliChild = null;
let interrupted = false;

async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), `mtls-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

async function stopNginx() {
  const child = nginxChild;
  nginxChild = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function cleanup() {
  if (cliChild && cliChild.exitCode === null) cliChild.kill('SIGKILL');
  await stopNginx();
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

process.once('SIGINT', () => {
  interrupted = true;
  console.error('\nbench: interrupted, stopping nginx and removing temp dirs');
  cleanup().finally(() => process.exit(130));
});

// --- timing one child process

// The children get their own TMPDIR under a bench temp dir: whatever a run leaves there is counted
// and removed with it, instead of piling up in the system temp dir.
let childTmp = null;

/** Spawn `node args...`, bounded; resolves with exit code, wall seconds and output. */
function timeNode(args) {
  return new Promise((resolve, reject) => {
    if (interrupted) return reject(new Error('interrupted'));
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', TMPDIR: childTmp, CONFORMANCE_TIMINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    cliChild = child;
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish within ${RUN_TIMEOUT_MS / 1000} s\n${out}`));
    }, RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      clearTimeout(timer);
      cliChild = null;
      // The CLI's phase marks (CONFORMANCE_TIMINGS=1): ms since its process started.
      const m = /^timings (\{.*\})$/m.exec(out);
      resolve({ code: code ?? `signal ${signal}`, seconds, out, timings: m ? JSON.parse(m[1]) : null });
    });
  });
}

/** Spawn any command, bounded; for the scanners the suite is compared with. */
function timeCommand(bin, args, timeoutMs = 600_000) {
  return new Promise((resolve, reject) => {
    if (interrupted) return reject(new Error('interrupted'));
    const t0 = performance.now();
    const child = spawn(bin, args, { cwd: ROOT, env: { ...process.env, TMPDIR: childTmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    cliChild = child;
    let out = '';
    child.stdout.on('data', (d) => (out = (out + d).slice(-20000)));
    child.stderr.on('data', (d) => (out = (out + d).slice(-20000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} ${args.join(' ')} did not finish within ${timeoutMs / 1000} s\n${out}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      cliChild = null;
      resolve({ code: code ?? `signal ${signal}`, seconds: (performance.now() - t0) / 1000, out });
    });
  });
}

function which(bin) {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin'])) {
    if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return null;
}

/** One `conformance run`; also returns the in-process duration the report records. */
async function cliRun({ target, certs, targetCa, only = [], suite }) {
  const reportDir = await tempDir('report');
  const args = [CLI, 'run', '--target', target, '--certs', certs, '--report-dir', reportDir, '--profile', 'intermediate'];
  if (suite) args.push('--suite', suite);
  if (targetCa) args.push('--target-ca', targetCa);
  for (const o of only) args.push('--only', o);
  const r = await timeNode(args);
  let inProcess = null;
  try {
    inProcess = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')).durationMs / 1000;
  } catch {
    // no report (the run failed before writing one): the exit-code check reports it
  }
  await rm(reportDir, { recursive: true, force: true });
  return { ...r, inProcess };
}

// --- the certificate store

const index = (dir) => JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));

/** What nginx loads at start and must keep: it trusts client-ca, serves `server` (issued by server-ca). */
const NGINX_LOADED = new Set(['client-ca', 'server-ca', 'server']);

/**
 * Delete every certificate nginx has not loaded (files and index entries), so the next run
 * regenerates it; the store keeps client-ca, server-ca and the server certificate.
 */
async function coolStore(dir, pathsFor) {
  const idx = index(dir);
  for (const name of Object.keys(idx.entries)) {
    if (NGINX_LOADED.has(name)) continue;
    const { certPath, keyPath } = pathsFor(dir, name);
    await rm(certPath, { force: true });
    await rm(keyPath, { force: true });
    delete idx.entries[name];
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify(idx, null, 2) + '\n');
}

/** Names whose index entry was (re)generated at or after `since` (ms epoch). */
function regeneratedSince(dir, since) {
  return Object.entries(index(dir).entries)
    .filter(([, e]) => e.generatedAt >= since)
    .map(([name]) => name);
}

// --- nginx

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tcpAccepts(port) {
  return new Promise((done) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const finish = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), 250);
    sock.once('connect', () => finish(true));
    sock.once('error', () => finish(false));
  });
}

function nginxConf(certs, dir, port) {
  return `# Written by scripts/bench.mjs: one foreground process, everything under ${dir}.
daemon off;
master_process off;
pid ${dir}/nginx.pid;
lock_file ${dir}/nginx.lock;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  access_log ${dir}/access.log;
  default_type text/plain;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name localhost;
    ssl_certificate ${certs}/target/server-cert.pem;
    ssl_certificate_key ${certs}/target/server-key.pem;
    ssl_client_certificate ${certs}/trust/client-ca.pem;
    ssl_verify_client on;
    ssl_verify_depth 2;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "ok\\n"; }
  }
}
`;
}

async function startNginx(bin, certs) {
  if (interrupted) throw new Error('interrupted');
  const dir = await tempDir('nginx');
  const port = await freePort();
  await writeFile(join(dir, 'nginx.conf'), nginxConf(certs, dir, port));
  const child = spawn(bin, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  nginxChild = child;
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 5000;
  while (!(await tcpAccepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
      throw new Error(`nginx did not start listening on 127.0.0.1:${port}\n${out}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `https://127.0.0.1:${port}`, pid: child.pid };
}

function findNginx() {
  for (const d of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (d && existsSync(join(d, 'nginx'))) return join(d, 'nginx');
  }
  return null;
}

// --- statistics and output

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

const f2 = (x) => (x == null ? '-' : x.toFixed(2));

function printTable(title, rows) {
  const head = ['setting', 'median s', 'min s', 'max s', 'in-process s', 'exit codes'];
  const body = rows.map((r) => {
    const w = stats(r.runs.map((x) => x.seconds));
    const ip = r.runs.every((x) => x.inProcess != null) ? stats(r.runs.map((x) => x.inProcess)).median : null;
    const codes = [...new Set(r.runs.map((x) => x.code))].join(',');
    return [r.name, f2(w.median), f2(w.min), f2(w.max), f2(ip), codes];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i >= 1 && i <= 4 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const b of body) console.log(line(b));
  for (const r of rows) console.log(`  ${r.name}: ${r.note}`);
}

/** Run `prepare` + `once` 1 + RUNS times, discard the first, check every exit code. */
let scannerTable = null;
let phaseRuns = null;
let deepTable = null;

async function measure(name, note, opts) {
  return measureN(RUNS, name, note, opts);
}

async function measureN(n, name, note, { prepare = async () => {}, once, expect }) {
  const runs = [];
  for (let i = 0; i <= n; i++) {
    await prepare(i);
    const r = await once(i);
    if (!expect(r)) {
      throw new Error(`${name}: run ${i} exited ${r.code}, which is not expected here\n${r.out}`);
    }
    if (i > 0) runs.push(r);
    process.stderr.write(`  ${name}: run ${i === 0 ? 'warm-up (discarded)' : i}: ${r.seconds.toFixed(2)} s, exit ${r.code}\n`);
  }
  return { name, note, runs };
}

// --- main

async function main() {
  const { pathsFor } = await import(join(ROOT, 'dist', 'certs', 'store.js'));
  // Profile intermediate has no client identity rule, so a run uses the default matrix.
  const { matrixSpecs } = await import(join(ROOT, 'dist', 'certs', 'matrix.js'));
  const { caseChains } = await import(join(ROOT, 'dist', 'harness', 'cases', 'catalogue.js'));
  const specs = matrixSpecs(undefined, caseChains());
  const keyKinds = Object.entries(Object.groupBy(specs, (s) => s.key)).map(([k, v]) => `${v.length} ${k}`).join(', ');
  const nginxBin = findNginx();
  const nproc = (await $`nproc`.quiet()).stdout.trim();
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nginxVersion = nginxBin ? (await $`${nginxBin} -v`.nothrow().quiet()).stderr.trim() : 'not installed';
  childTmp = await tempDir('child-tmp');
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

  console.log(`mtls-conformance bench: wall time of "node dist/cli/conformance.js run --profile intermediate", ${RUNS} timed runs per row after 1 discarded`);
  console.log(`node ${process.version} · openssl ${process.versions.openssl} · nproc ${nproc} · CPU ${cpuModel} · ${nginxVersion} · load avg before ${loadBefore}`);

  const rows = [];
  const breakdown = [];
  const ok0 = (r) => r.code === 0;

  // 1. builtin:strict, cold: a fresh empty --certs dir each run.
  rows.push(
    await measure('builtin:strict cold', `cold = a fresh empty --certs dir each run: all ${specs.length} certs generated (${keyKinds})`, {
      once: async () => {
        const certs = await tempDir('certs-cold');
        const t = Date.now();
        const r = await cliRun({ target: 'builtin:strict', certs });
        const regen = regeneratedSince(certs, t).length;
        if (r.code === 0 && regen !== specs.length) throw new Error(`builtin cold: expected ${specs.length} certificates generated, index says ${regen}`);
        await rm(certs, { recursive: true, force: true });
        return r;
      },
      expect: ok0,
    }),
  );

  // 2. builtin:strict, warm: one dir, filled by the discarded warm-up run.
  const warmBuiltin = await tempDir('certs-warm');
  const warmOnce = async () => {
    const before = JSON.stringify(index(warmBuiltin).entries);
    const r = await cliRun({ target: 'builtin:strict', certs: warmBuiltin });
    if (JSON.stringify(index(warmBuiltin).entries) !== before) throw new Error('builtin warm: the store regenerated something');
    return r;
  };
  rows.push(
    await measure('builtin:strict warm', 'warm = the same --certs dir every run, nothing generated (checked against index.json)', {
      once: async (i) => (i === 0 ? cliRun({ target: 'builtin:strict', certs: warmBuiltin }) : warmOnce()),
      expect: ok0,
    }),
  );

  // Startup breakdown, warm: where the fixed cost of a run goes.
  breakdown.push(await measure('node -e 0', 'bare node process start and exit', { once: () => timeNode(['-e', '0']), expect: ok0 }));
  breakdown.push(await measure('CLI --version', 'node + the entry shim: --version answers before any import', { once: () => timeNode([CLI, '--version']), expect: ok0 }));
  breakdown.push(await measure('CLI cases --json', 'node + the CLI import graph (commander, zod, yaml; no x509, no run)', { once: () => timeNode([CLI, 'cases', '--json']), expect: ok0 }));
  breakdown.push(
    await measure('builtin warm, --only valid', 'CLI + read certs + reference server + 1 case (the positive control) + reports', {
      once: () => cliRun({ target: 'builtin:strict', certs: warmBuiltin, only: ['server/client-auth/valid'] }),
      expect: ok0,
    }),
  );

  // 3./4. nginx.
  let nginxNote = null;
  if (!nginxBin) {
    nginxNote = 'nginx rows skipped: nginx is not installed (run scripts/install-peers.sh as root)';
  } else {
    const dir = await tempDir('certs-nginx');
    const init = await timeNode([CLI, 'certs', 'init', dir]);
    if (init.code !== 0) throw new Error(`certs init exited ${init.code}\n${init.out}`);
    const nginx = await startNginx(nginxBin, dir);
    console.log(`nginx pid ${nginx.pid} on ${nginx.url}`);
    const run = () => cliRun({ target: nginx.url, certs: dir, targetCa: join(dir, 'trust', 'server-ca.pem') });
    // 0 conformant, 1 judged non-conformant: both mean the run judged nginx. 2 and 3 mean it could not.
    const judged = (r) => r.code === 0 || r.code === 1;
    const nameCount = Object.keys(index(dir).entries).length;

    rows.push(
      await measure('nginx cold', `cold = ${nameCount - NGINX_LOADED.size} of ${nameCount} certs deleted before each run and regenerated by it (every client leaf incl. the RSA ones, client-not-ca, client-intermediate, untrusted-ca); kept: client-ca, server-ca and the server cert, which nginx loaded at start (keys: ${[...new Set(specs.filter((x) => NGINX_LOADED.has(x.name)).map((x) => x.key))].join(', ')})`, {
        prepare: () => coolStore(dir, pathsFor),
        once: async () => {
          const t = Date.now();
          const r = await run();
          const regen = regeneratedSince(dir, t).length;
          if (judged(r) && regen !== nameCount - NGINX_LOADED.size) throw new Error(`nginx cold: expected ${nameCount - NGINX_LOADED.size} regenerated, index says ${regen}`);
          return r;
        },
        expect: judged,
      }),
    );
    rows.push(
      await measure('nginx warm', 'warm = the same --certs dir every run, nothing generated (checked against index.json)', {
        once: async () => {
          const before = JSON.stringify(index(dir).entries);
          const r = await run();
          if (JSON.stringify(index(dir).entries) !== before) throw new Error('nginx warm: the store regenerated something');
          return r;
        },
        expect: judged,
      }),
    );
    // Side by side against the same nginx, same machine, same run: the scanners users know.
    if (!process.argv.includes('--no-scanners')) {
      const scannerRuns = Number(process.argv[process.argv.indexOf('--scanner-runs') + 1]) || 7;
      const port = new URL(nginx.url).port;
      const testssl = which('testssl') ?? which('testssl.sh');
      const sslscan = which('sslscan');
      const scanRows = [];
      // A/B pairs, alternating, so that load changes on the machine hit both sides alike.
      const ours = { name: 'mtls-conformance full run', note: `node ${CLI} run --target ${nginx.url} (every case of intermediate, cipher sweeps included)`, runs: [] };
      const peers = [];
      if (sslscan) peers.push({ name: 'sslscan (default)', note: `${sslscan} --no-colour 127.0.0.1:${port}`, runs: [], once: () => timeCommand(sslscan, ['--no-colour', `127.0.0.1:${port}`]) });
      else console.log('sslscan not installed (apt-get install sslscan): the 1.0x goal cannot be checked in this run');
      for (let i = 0; i <= scannerRuns; i++) {
        const r = await run();
        if (!judged(r)) throw new Error(`full run exited ${r.code}\n${r.out}`);
        if (i > 0) ours.runs.push(r);
        for (const p of peers) {
          const q = await p.once();
          if (q.code !== 0) throw new Error(`${p.name} exited ${q.code}\n${q.out}`);
          if (i > 0) p.runs.push(q);
        }
        process.stderr.write(`  pair ${i === 0 ? 'warm-up (discarded)' : i}: ours ${r.seconds.toFixed(2)} s${peers.map((p) => `, ${p.name} ${(p.runs.at(-1)?.seconds ?? NaN).toFixed(2)} s`).join('')}\n`);
      }
      scanRows.push(ours, ...peers);
      if (testssl && !process.argv.includes('--no-testssl')) scanRows.push(await measureN(Math.min(scannerRuns, 3), 'testssl.sh (default run)', `${testssl} --warnings batch --color 0 127.0.0.1:${port}`, { once: () => timeCommand(testssl, ['--warnings', 'batch', '--color', '0', `127.0.0.1:${port}`]), expect: (r) => r.code !== null }));
      phaseRuns = ours.runs;
      scannerTable = scanRows;
    }
    // The deep server suite against the same nginx, in A/B pairs with the default run (issue goal:
    // at most 8x the default run). The discarded first run generates the deep chains.
    if (!process.argv.includes('--no-deep')) {
      const deep = { name: 'deep server suite, warm', note: `node ${CLI} run --target ${nginx.url} --suite deep (its first, discarded run generates the deep chains)`, runs: [] };
      const base = { name: 'default run, warm', note: 'the full run above, paired with each deep run', runs: [] };
      for (let i = 0; i <= RUNS; i++) {
        const d = await cliRun({ target: nginx.url, certs: dir, targetCa: join(dir, 'trust', 'server-ca.pem'), suite: 'deep' });
        if (!judged(d)) throw new Error(`deep run exited ${d.code}\n${d.out}`);
        const b = await run();
        if (!judged(b)) throw new Error(`default run exited ${b.code}\n${b.out}`);
        if (i > 0) deep.runs.push(d), base.runs.push(b);
        process.stderr.write(`  deep pair ${i === 0 ? 'warm-up (discarded)' : i}: deep ${d.seconds.toFixed(2)} s, default ${b.seconds.toFixed(2)} s\n`);
      }
      deepTable = [deep, base];
    }
    const codes = [...new Set(rows.slice(-2).flatMap((r) => r.runs.map((x) => x.code)))];
    nginxNote = `nginx exit codes observed: ${codes.join(', ')} (0 conformant, 1 non-conformant under profile intermediate; the bench accepts either, fails on 2/3)`;
    await stopNginx();
  }

  const leftovers = await readdir(childTmp);
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  printTable('Full run (every case of profile intermediate), wall seconds of the child process:', rows);
  printTable('Startup breakdown (warm), wall seconds:', breakdown);
  if (scannerTable) {
    printTable('Against the scanners, same nginx, same run, wall seconds:', scannerTable);
    const med = (r) => stats(r.runs.map((x) => x.seconds)).median;
    const ours = med(scannerTable[0]);
    for (const r of scannerTable.slice(1)) console.log(`  ours / ${r.name}: ${(ours / med(r)).toFixed(2)}x${/sslscan/.test(r.name) ? ` (goal: at most 1.0x: ${ours / med(r) <= 1.0 ? 'met' : 'NOT met'})` : ''}`);
  }
  if (deepTable) {
    printTable('Deep server suite against the same nginx, paired with the default run, wall seconds:', deepTable);
    const [deep, base] = deepTable.map((r) => stats(r.runs.map((x) => x.seconds)).median);
    const ratio = deep / base;
    console.log(`  deep / default: ${ratio.toFixed(1)}x (goal: at most 8x: ${ratio <= 8 ? 'met' : 'NOT met'})`);
  }
  if (phaseRuns?.every((r) => r.timings)) {
    // Where the fixed cost goes: the CLI's own phase marks, median over the full runs against nginx.
    const phase = (f) => stats(phaseRuns.map((r) => f(r.timings) / 1000)).median;
    console.log("\nWhere a full run's wall time goes (median of the nginx full runs above, seconds):");
    const parts = [
      ['node start + CLI imports (to the first line of main)', (t) => t.cliLoaded],
      ['run-path imports, profile, certificates, preflight (to the first probe)', (t) => t.targetReady - t.cliLoaded],
      ['probing and judging every case', (t) => t.probesDone - t.targetReady],
      ['reports (json, junit, md, html, manifest)', (t) => t.reportsWritten - t.probesDone],
      ['process exit', (t) => t.exit - t.reportsWritten],
    ];
    for (const [label, f] of parts) console.log(`  ${label.padEnd(72)} ${f2(phase(f))}`);
  }
  const version = breakdown.find((r) => r.name === 'CLI --version');
  if (version) {
    const v = stats(version.runs.map((x) => x.seconds)).median;
    console.log(`\nconformance --version: ${f2(v)} s median (goal: under 0.15 s: ${v < 0.15 ? 'met' : 'NOT met'})`);
  }
  console.log('');
  console.log('in-process s = median durationMs from report.json: from the start of runServer (after imports) to the report being built,');
  console.log('  i.e. loading/generating certificates, starting the target (builtin) and probing every case. The rest of the wall');
  console.log('  time is node start, the CLI import graph (see "CLI --version"), writing the report and process exit.');
  console.log('builtin rows pass no --target-ca (a cold dir has no server-ca.pem before the run): the CLI trusts the dir\'s server CA.');
  if (nginxNote) console.log(nginxNote);
  const cliRuns = [...rows, ...breakdown].reduce((n, r) => n + r.runs.length + 1, 0);
  console.log(`left behind in the children's TMPDIR after ${cliRuns} node runs: ${leftovers.length} entries${leftovers.length ? ` (e.g. ${leftovers[0]}), removed by the bench` : ''}`);
  console.log(`load avg after ${loadAfter} (other work on this machine adds noise; nproc ${nproc})`);
}

try {
  await main();
} catch (err) {
  if (!interrupted) console.error(`\nbench: FAILED: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
