import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { http } from '../node-http.js';

const { createServer, request: httpRequest } = http;
import type { RevocationPlan } from '../../certs/revocation-data.js';
import { RESPONDER_HOST } from '../../certs/revocation-data.js';
import type { RevocationFacts } from '../model.js';
import type { OcspStatus } from './ocsp.js';

/**
 * The harness's CRL distribution point and OCSP responder on 127.0.0.1, at the port the
 * certificates name (fixed when the store was made), for the length of a run. It serves each CA's
 * CRL (DER, as RFC 5280 §4.2.1.13 http URIs expect) and answers OCSP requests (RFC 6960, POST and
 * GET) good / revoked / unknown, signed by the CA itself; it records every request so a revocation
 * case can say which mechanism the target used.
 *
 * Two runs on one certificate store share the port: the second finds the first's responder (same
 * store id at /.well-known/mtls-conformance) and uses it without seeing its log.
 */

export interface ResponderEvent {
  at: number;
  kind: 'crl' | 'ocsp';
  /** crl: the CA whose CRL was fetched; ocsp: the CA the request named (if known). */
  ca: string | null;
  serial?: string;
  status?: OcspStatus;
  /** The segment of the URL the request came by (`/c/<segment>/...`): whose certificate named it, hence which case. */
  cert?: string;
  /** The request was held without an answer (a `silent` service). */
  unanswered?: boolean;
  /** The OCSP answer's signature was spoiled on purpose. */
  badSignature?: boolean;
  /** Answered unauthorized (the CA offers no OCSP). */
  unauthorized?: boolean;
}

export interface RevocationResponder extends AsyncDisposable {
  state: RevocationFacts['responder'];
  port: number;
  /** Why the state is not `running`, if it is not. */
  note?: string;
  /** Events since `since` (performance.now() of the harness process's clock, ms). */
  eventsSince(since: number): ResponderEvent[];
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const WELL_KNOWN = '/.well-known/mtls-conformance';
const CLOSE_TIMEOUT_MS = 2000;
const PROBE_TIMEOUT_MS = 1000;
/** How long a `silent` service holds a connection before dropping it (the run's close drops it sooner). */
export const SILENT_HOLD_MS = 60_000;
/** A request's headers arrive at once on 127.0.0.1: a connection that has sent none after this is closed (408). */
const HEADERS_TIMEOUT_MS = 2000;

/**
 * Identifies a store's revocation material: a responder for the same store answers the same. The
 * CRLs it serves count too: a deep run's responder serves the suite's CRLs, a default run's does not.
 */
export function storeIdOf(plan: RevocationPlan): string {
  return createHash('sha256')
    .update(plan.cas.map((c) => c.certPem).join(''))
    .update(plan.crls.map((c) => c.ca).join('\0'))
    .digest('hex')
    .slice(0, 32);
}

/** A GET request's base64 (RFC 6960 §A.1, then URL-encoded); null when its percent-encoding is broken (a 400, not a fault). */
function percentDecoded(text: string): Buffer | null {
  try {
    return Buffer.from(decodeURIComponent(text), 'base64');
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(null));
  });
}

/** GET /.well-known/mtls-conformance on the port: the store id of whoever listens there, or null. */
function probeExisting(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: RESPONDER_HOST, port, path: WELL_KNOWN, timeout: PROBE_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text = (text + d).slice(0, 1024)));
      res.on('end', () => {
        try {
          resolve((JSON.parse(text) as { storeId?: string }).storeId ?? null);
        } catch {
          resolve(null);
        }
      });
    });
    // Bounded whatever holds the port: something that accepts and never answers must not hang the run.
    const timer = setTimeout(() => req.destroy(), PROBE_TIMEOUT_MS);
    timer.unref();
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.on('close', () => {
      clearTimeout(timer);
      resolve(null);
    });
    req.end();
  });
}

export async function startRevocationResponder(plan: RevocationPlan): Promise<RevocationResponder> {
  const storeId = storeIdOf(plan);
  const events: ResponderEvent[] = [];
  const crls = new Map(plan.crls.map((c) => [c.ca, Buffer.from(c.derBase64, 'base64')]));
  const services = new Map(plan.cas.map((c) => [c.name, c.service]));
  const record = (e: Omit<ResponderEvent, 'at'>) => {
    // Bounded: a run's log, not a request flood's.
    if (events.length < 10_000) events.push({ at: performance.now(), ...e });
  };

  const held = new Set<ServerResponse>();
  // Accept, read the request, answer nothing: a distribution point or responder that does not
  // answer. Bounded: dropped after SILENT_HOLD_MS, or when the run closes the responder.
  const hold = (res: ServerResponse) => {
    held.add(res);
    const timer = setTimeout(() => res.destroy(), SILENT_HOLD_MS);
    timer.unref();
    res.on('close', () => {
      clearTimeout(timer);
      held.delete(res);
    });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, type: string, body: Buffer | string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(body);
    };
    // A request target no URL parser takes (`http://[`) is the client's error: 400.
    const url = URL.parse(req.url ?? '/', `http://${RESPONDER_HOST}`);
    if (!url) return send(400, 'text/plain', 'not a request target\n');
    // Every certificate names its URLs under /c/<its segment>/ (certs/revocation-data.ts): the rest of the path is as before.
    const scoped = /^\/c\/([a-z0-9.-]+)(\/.*)$/.exec(url.pathname);
    const cert = scoped ? { cert: scoped[1]! } : {};
    if (scoped) url.pathname = scoped[2]!;
    if (req.method === 'GET' && url.pathname === WELL_KNOWN) return send(200, 'application/json', JSON.stringify({ storeId }));
    const crl = /^\/crl\/([a-z0-9-]+)\.crl$/.exec(url.pathname);
    if (req.method === 'GET' && crl) {
      const der = crls.get(crl[1]!);
      if (!der) return send(404, 'text/plain', 'no such CRL\n');
      if (services.get(crl[1]!)?.crl === 'silent') {
        record({ kind: 'crl', ca: crl[1]!, ...cert, unanswered: true });
        return hold(res);
      }
      record({ kind: 'crl', ca: crl[1]!, ...cert });
      return send(200, 'application/pkix-crl', der);
    }
    if (url.pathname === '/ocsp' || url.pathname.startsWith('/ocsp/')) {
      // RFC 6960 §A.1: POST with the DER request as body, or GET with it base64 (then URL-encoded) in the path.
      let der: Buffer | null = null;
      if (req.method === 'POST') der = await readBody(req);
      else if (req.method === 'GET' && url.pathname.startsWith('/ocsp/')) der = percentDecoded(url.pathname.slice(6));
      if (!der) return send(400, 'text/plain', 'no OCSP request (or not percent-encoded base64)\n');
      const { answerOcsp } = await import('./ocsp.js');
      const answer = await answerOcsp(der, plan);
      for (const s of answer.singles) record({ kind: 'ocsp', ca: s.ca, serial: s.serial, status: s.status, ...cert, ...(answer.silent ? { unanswered: true } : {}), ...(answer.badSignature ? { badSignature: true } : {}), ...(answer.unauthorized ? { unauthorized: true } : {}) });
      if (answer.silent) return hold(res);
      return send(200, 'application/ocsp-response', answer.der);
    }
    send(404, 'text/plain', 'not found\n');
  };

  // Header time bounded for real: Node checks its timeouts every connectionsCheckingInterval (30 s
  // by default), so slow connections that never finish a request would otherwise stay open that long.
  const server: Server = createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 5000, connectionsCheckingInterval: 500 }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  const listened = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen(plan.port, RESPONDER_HOST, () => resolve(null));
  });
  const base = { port: plan.port, eventsSince: (since: number) => events.filter((e) => e.at >= since) };
  if (listened) {
    const other = listened.code === 'EADDRINUSE' ? await probeExisting(plan.port) : null;
    const noop = async () => undefined;
    if (other === storeId) return { ...base, state: 'shared', note: `another run serves this certificate store's CRLs and OCSP on ${RESPONDER_HOST}:${plan.port}`, close: noop, [Symbol.asyncDispose]: noop };
    return {
      ...base,
      state: 'unavailable',
      note: `the CRL/OCSP responder could not listen on ${RESPONDER_HOST}:${plan.port} (${listened.code ?? listened.message}): the CRL distribution points and OCSP URLs in the certificates lead nowhere during this run`,
      close: noop,
      [Symbol.asyncDispose]: noop,
    };
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      for (const res of held) res.destroy();
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, CLOSE_TIMEOUT_MS);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    }));
  return { ...base, state: 'running', close, [Symbol.asyncDispose]: close };
}

/**
 * The facts a revocation case reports: what the responder saw while the case ran, about its certificate.
 * `certs`: the URL segments of the case's chain (leaf and issuers, urlSegment()); a request is the
 * case's when it came by one of them, so cases running at the same time do not mix. null: every
 * request in the window (a URL without a segment, from a store made before segments).
 */
export function revocationFacts(
  responder: RevocationResponder | undefined,
  since: number,
  serial: string | null,
  extra: Partial<RevocationFacts> = {},
  certs: string[] | null = null,
): RevocationFacts {
  if (!responder) return { responder: 'unavailable', crlFetches: [], ocspRequests: [], ...extra, detail: 'no CRL/OCSP responder ran for this case' };
  const ours = (e: ResponderEvent) => certs === null || (e.cert !== undefined && certs.includes(e.cert));
  const seen = responder.eventsSince(since).filter(ours);
  const crlSeen = seen.filter((e) => e.kind === 'crl');
  const crlFetches = [...new Set(crlSeen.map((e) => e.ca!))];
  const ocspSeen = seen.filter((e) => e.kind === 'ocsp' && (serial === null || e.serial === serial || (certs !== null && (e.unanswered === true || e.unauthorized === true))));
  const ocspRequests = ocspSeen.map((e) => ({ serial: e.serial!, status: e.status! }));
  const parts: string[] = [];
  if (extra.crlFile) parts.push(`CRL file handed over (${extra.crlFile})`);
  if (responder.state === 'running') {
    const heldCrl = [...new Set(crlSeen.filter((e) => e.unanswered).map((e) => e.ca!))];
    parts.push(
      crlFetches.length
        ? `CRL fetched from the distribution point: ${crlFetches.join(', ')}${heldCrl.length ? ` (not answered on purpose: ${heldCrl.join(', ')})` : ''}`
        : 'no CRL fetched from the distribution point',
    );
    const statuses = [...new Set(ocspSeen.map((e) => (e.unanswered ? 'nothing: held on purpose' : e.unauthorized ? 'unauthorized: no OCSP for this CA' : e.badSignature ? `${e.status} with a bad signature` : e.status!)))];
    parts.push(ocspRequests.length ? `OCSP asked about the certificate (answered ${statuses.join(', ')})` : 'no OCSP request about the certificate');
  } else {
    parts.push(responder.note ?? `responder ${responder.state}`);
  }
  if (extra.stapleRequested !== undefined) parts.push(extra.stapleRequested ? 'stapled OCSP response requested (status_request)' : 'no stapled OCSP response requested');
  const mechanisms: NonNullable<RevocationFacts['mechanisms']> = [
    ...(crlFetches.length ? (['cdp-fetch'] as const) : []),
    ...(ocspRequests.length ? (['ocsp-request'] as const) : []),
    ...(extra.stapleRequested ? (['staple-request'] as const) : []),
  ];
  return { responder: responder.state, crlFetches, ocspRequests, ...extra, mechanisms, detail: parts.join('; ') };
}
