import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { EnsureResult } from '../../certs/store.js';
import { resolveCases } from '../cases/resolve.js';
import { HarnessError } from '../errors.js';
import { judgeServedConnection } from '../judge.js';
import type { Alert, ReferenceServerRecipe, ResolvedCase, Severity } from '../model.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';
import { defaultCertsDir } from '../../certs/default-dir.js';
import { prepareCerts } from '../../certs/prepare-certs.js';
import { caseChains } from '../cases/catalogue.js';
import type { AppServer } from './app-server.js';
import { caseServerSettings, connectionObservation, createCaseServer, type SeenConnection } from './case-server.js';
import { onShutdown } from '../process/lifetime.js';
import { issuerToSend, stapleFor } from './ocsp-staples.js';
import type { RevocationPlan } from '../../certs/revocation-data.js';

/**
 * The client-side server matrix, all at once: one reference HTTPS server per client case with a
 * `reference-server` recipe, each on its own ephemeral port of 127.0.0.1 with that case's
 * certificate chain and protocol settings, running until closed. Point a client (or a person
 * with curl) at them and every connection is reported and judged as it happens:
 *
 *   await using matrix = await startServerMatrix({ profile: 'intermediate', onConnection: (e) => seen.push(e) });
 *   await myClient.get(matrix.servers.find((s) => s.id === 'client/server-auth/expired')!.url);
 *
 * Each is the case's reference server (case-server.ts, the same the client command probe runs):
 * it asks for a client certificate and lets every client in, offers ALPN h2 and http/1.1 and
 * answers a request over either. What it saw of a connection becomes an Observation, judged by
 * judge.ts with the case and the profile like every other verdict.
 */

export interface ServerMatrixOptions {
  /** A loaded profile, or a built-in name / profile file to load. */
  profile: Profile | string;
  /** A certificate store already prepared (ensureCerts / prepareCerts) for this profile. */
  store?: EnsureResult;
  /** Otherwise: the store directory to prepare (default: the CLI's cache directory). */
  certsDir?: string;
  /** CA the client's own certificate comes from (PEM); default the store's client CA. When set, no client certificate files are handed out. */
  clientCaPem?: string;
  /** Called once per connection a server saw, as soon as its outcome is known. */
  onConnection?: (event: MatrixConnection) => void;
}

export interface MatrixServer {
  id: string;
  title: string;
  url: string;
  port: number;
  expect: 'accept' | 'reject';
  severity: Severity;
  rationale: string;
  /** Store name of the certificate this server presents. */
  certName: string;
  /**
   * The CRL file a client that checks revocation loads for this server, as a run hands it as {crl}:
   * the case's own where it has one (client/revocation/crl-stale: its hierarchy's CRLs and the
   * stale one, which no shared bundle holds), else the shared bundle (ServerMatrix.crlFile).
   */
  crlFile?: string;
}

export type ConnectionOutcome = 'request' | 'alert' | 'closed';

export interface MatrixConnection {
  id: string;
  outcome: ConnectionOutcome;
  alert?: Alert;
  /** Request line, e.g. `GET / HTTP/1.1`. */
  request?: string;
  /** Negotiated version; null when the handshake did not complete. */
  tlsVersion: string | null;
  presentedCertificate: boolean;
  /** ISO time the outcome became known. */
  at: string;
  expect: 'accept' | 'reject';
  /** Judgement of this one connection (judge.ts: pass is correct, fail is wrong): did the client do what a correct client does here? */
  judgement: 'correct' | 'wrong';
  /** Why, from judge.ts, e.g. `accepted (request sent (GET / HTTP/1.1)) but must be refused: ...`. */
  reason: string;
  /** What the server saw, in one line. */
  detail: string;
}

export interface ServerMatrix extends AsyncDisposable {
  servers: MatrixServer[];
  /** The CA a client under test must trust (the server CA). */
  caFile: string;
  /** The server CA hierarchy's CRLs, for a client that checks revocation (curl --crlfile); a server may name its own (MatrixServer.crlFile). */
  crlFile?: string;
  /** The client's own certificate and key, when the harness issues them (no clientCaPem given). */
  clientCertFile?: string;
  clientKeyFile?: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Bound on closing: sockets still open after this are destroyed, and close() returns. */
const CLOSE_TIMEOUT_MS = 3000;

interface Started {
  app: AppServer;
}

/** A stapled OCSP response (RFC 6066 §8) and the issuer to send with the chain so a client can check it. */
interface Staple {
  der: Buffer;
  issuerPem: string;
}

type MatrixCase = ResolvedCase & { recipe: ReferenceServerRecipe; expect: 'accept' | 'reject' };

/** One case's reference server, listening; each connection is reported once, judged by judge.ts. */
async function startOne(c: MatrixCase, m: MatrixServer, profile: Profile, cert: { chainPem: string; keyPem: string }, clientCaPem: string, emit: (e: MatrixConnection) => void, staple?: Staple): Promise<Started> {
  const reported = new WeakSet<SeenConnection>();
  const report = (seen: SeenConnection, outcome: ConnectionOutcome) => {
    if (reported.has(seen)) return;
    reported.add(seen);
    const at = new Date().toISOString();
    const obs = connectionObservation(seen, outcome, at);
    const v = judgeServedConnection(c, obs, profile);
    emit({
      id: m.id,
      outcome,
      ...(seen.alert ? { alert: seen.alert } : {}),
      ...(seen.request ? { request: seen.request } : {}),
      tlsVersion: seen.tlsVersion,
      presentedCertificate: seen.presentedCertPem !== null,
      at,
      expect: m.expect,
      judgement: v.verdict === 'pass' ? 'correct' : 'wrong',
      reason: v.reason,
      detail: obs.detail,
    });
  };
  const app = createCaseServer(
    caseServerSettings(c.recipe, cert, clientCaPem, staple),
    {
      onRequest: (seen) => report(seen, 'request'),
      onHandshake: () => undefined,
      onHandshakeError: (seen) => report(seen, seen.alert ? 'alert' : 'closed'),
      onClose: (seen) => report(seen, seen.alert ? 'alert' : 'closed'),
    },
    `ok ${m.id}\n`,
  );
  const server = app.server;
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, HOST, () => {
      server.off('error', rej);
      res();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new HarnessError('serve-listen-failed', `the reference server for ${m.id} could not listen on ${HOST} (${err.code ?? err.message}).`);
  });
  m.port = (server.address() as AddressInfo).port;
  m.url = `https://${HOST}:${m.port}/`;
  return { app };
}

async function closeOne(s: Started): Promise<void> {
  // Connections still in (or stuck before) the handshake are destroyed too; bounded.
  await s.app.close(CLOSE_TIMEOUT_MS);
}

export async function startServerMatrix(opts: ServerMatrixOptions): Promise<ServerMatrix> {
  const profile = typeof opts.profile === 'string' ? loadProfile(opts.profile).profile : opts.profile;
  const store = opts.store ?? (await prepareCerts(resolve(opts.certsDir ?? defaultCertsDir()), profile, caseChains()));
  const cert = (name: string) => {
    const c = store.certs.get(name);
    if (!c) throw new HarnessError('serve-cert-missing', `the certificate store ${store.dir} has no certificate named ${name}. Regenerate it with: conformance certs init ${store.dir} --force`);
    return c;
  };
  const clientCaPem = opts.clientCaPem ?? cert('client-ca').certPem;
  const emit = (e: MatrixConnection) => {
    try {
      opts.onConnection?.(e);
    } catch {
      // A listener's fault must not take a reference server down.
    }
  };

  const cases = resolveCases(profile, 'client').filter((c): c is MatrixCase => c.recipe.kind === 'reference-server' && (c.expect === 'accept' || c.expect === 'reject'));
  // Each case's own revocation material, as a run hands it (client-case-probe.ts filesFor): its own CRL file where it has one.
  const crlFileOf = (certName: string) => (store.revocation ? { crlFile: store.revocation.caseCrlFiles[certName] ?? store.revocation.serverCrlFile } : {});
  const servers: MatrixServer[] = cases.map((c) => ({ id: c.id, title: c.title, url: '', port: 0, expect: c.expect, severity: c.severity, rationale: c.rationale, certName: c.recipe.cert, ...crlFileOf(c.recipe.cert) }));
  const started: Started[] = [];
  // The CRL distribution points and OCSP URL the server certificates name, served as long as the matrix.
  const responder = store.revocation ? await (await import('./revocation-responder.js')).startRevocationResponder(store.revocation.plan) : undefined;
  const close = async () => {
    unregister();
    await Promise.all([...started.splice(0).map(closeOne), responder?.close()]);
  };
  const unregister = onShutdown('reference server matrix', close);
  try {
    for (const [i, c] of cases.entries()) {
      const staple = await stapleOf(store.revocation?.plan, c.recipe.cert, cert(c.recipe.cert).chainPem);
      started.push(await startOne(c, servers[i]!, profile, cert(c.recipe.cert), clientCaPem, emit, staple));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const valid = opts.clientCaPem ? undefined : cert('client/valid');
  return {
    servers,
    caFile: cert('server-ca').certPath,
    ...(store.revocation ? { crlFile: store.revocation.serverCrlFile } : {}),
    ...(valid ? { clientCertFile: valid.certPath, clientKeyFile: valid.keyPath } : {}),
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function stapleOf(revocation: RevocationPlan | undefined, certName: string, chainPem: string): Promise<Staple | undefined> {
  if (!revocation) return undefined;
  const der = await stapleFor(revocation, certName);
  return der ? { der, issuerPem: issuerToSend(revocation, certName, chainPem) } : undefined;
}
