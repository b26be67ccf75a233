import { constants } from 'node:crypto';
import type { SecureServerOptions } from 'node:http2';
import { answer, createAppServer, isGrpcRequest, tlsSocketOf } from './app-server.js';
import type { AddressInfo } from 'node:net';
import type { Profile } from '../profile/schema.js';
import type { TlsVersion } from '../model.js';
import { certificateFacts, checkCertificate } from '../policy/certificate-policy.js';
import { opensslName } from '../tls/cipher-suites.js';
import { onShutdown } from '../process/lifetime.js';

/**
 * The embedded reference targets: in-process HTTPS servers on 127.0.0.1 for first runs and
 * demos, speaking HTTP/2 or HTTP/1.1 (ALPN) and answering a gRPC call as a gRPC server would. `strict` is correct for the profile it is given; `lenient` asks for a client
 * certificate but lets anything in, over any protocol from TLS 1.0 up.
 */

export type ReferenceMode = 'strict' | 'lenient';

export interface ReferenceServerOptions {
  mode: ReferenceMode;
  profile: Profile;
  serverCertPem: string;
  serverKeyPem: string;
  clientCaPem: string;
  /** strict: the client CA hierarchy's CRLs (PEM, one or more); a revoked client certificate is refused. */
  clientCrlPem?: string;
  host?: string;
  port?: number;
}

export interface StartedReferenceServer extends AsyncDisposable {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const ORDER: TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

// OpenSSL's switch for each version inside a min..max range the profile leaves a gap in.
const NO_VERSION: Record<TlsVersion, number> = {
  TLSv1: constants.SSL_OP_NO_TLSv1,
  'TLSv1.1': constants.SSL_OP_NO_TLSv1_1,
  'TLSv1.2': constants.SSL_OP_NO_TLSv1_2,
  'TLSv1.3': constants.SSL_OP_NO_TLSv1_3,
};

/** The profile's versions exactly: min..max, and the versions between them it does not list switched off ([TLSv1.1, TLSv1.3] has no 1.2). */
function versionRange(versions: TlsVersion[]): { minVersion: TlsVersion; maxVersion: TlsVersion; noVersions: number } {
  const sorted = [...versions].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  const [minVersion, maxVersion] = [sorted[0]!, sorted[sorted.length - 1]!];
  const gaps = ORDER.slice(ORDER.indexOf(minVersion), ORDER.indexOf(maxVersion) + 1).filter((v) => !versions.includes(v));
  return { minVersion, maxVersion, noVersions: gaps.reduce((flags, v) => flags | NO_VERSION[v], 0) };
}

/**
 * What builtin:strict announces as session lifetime (Node's sessionTimeout is both the TLS 1.3
 * ticket_lifetime, RFC 8446 §4.6.1, and the TLS 1.2 ticket lifetime hint, RFC 5077 §3.3, and the
 * server forgets the session after it): OpenSSL's 300 s, or the profile's maximum when it is lower.
 * builtin:lenient always announces 300 s.
 */
export function sessionLifetimeSeconds(mode: ReferenceMode, profile: Profile): number {
  const max = profile.tls.maxSessionLifetimeSeconds;
  return mode === 'strict' && max !== null ? Math.min(300, max) : 300;
}

/**
 * How builtin:strict refuses a client certificate it accepted in the handshake (identity, EKU, key
 * size): an HTTP status the profile counts as a refusal (403 when listed), and for a gRPC call the
 * status answer() maps it to (401 -> 16 UNAUTHENTICATED, else 7 PERMISSION_DENIED) that the profile counts.
 */
export function refusalStatus(profile: Profile, grpc: boolean): number {
  const { httpStatuses, grpcStatuses } = profile.rejection;
  if (grpc) return grpcStatuses.includes(7) || !grpcStatuses.includes(16) ? 403 : 401;
  return httpStatuses.includes(403) ? 403 : (httpStatuses[0] ?? 403);
}

export async function startReferenceServer(opts: ReferenceServerOptions): Promise<StartedReferenceServer> {
  const host = opts.host ?? '127.0.0.1';
  const strict = opts.mode === 'strict';
  const { noVersions, ...range } = versionRange(opts.profile.tls.versions as TlsVersion[]);
  // OpenSSL 3 speaks TLS 1.0/1.1 only at security level 0 (their PRF uses MD5/SHA-1): a profile that
  // allows them gets them; client keys are still held to the profile by the handler below.
  const seclevel = range.minVersion === 'TLSv1' || range.minVersion === 'TLSv1.1' ? 0 : 2;
  const tlsOptions: SecureServerOptions = strict
    ? {
        minVersion: range.minVersion,
        maxVersion: range.maxVersion,
        // node:tls has no ciphersuites option: TLS 1.3 suite names go into the same string.
        ciphers: `${[...opts.profile.tls.ciphers12.map(opensslName), ...opts.profile.tls.ciphers13].filter(Boolean).join(':')}:@SECLEVEL=${seclevel}`,
        requestCert: true,
        rejectUnauthorized: true,
        // Node's server renegotiates at a client's request (up to tls.CLIENT_RENEG_LIMIT); a correct server refuses (CVE-2011-1473).
        secureOptions: constants.SSL_OP_NO_RENEGOTIATION | noVersions,
        // Node reads one CRL per entry and then checks every CA in the path (CRL_CHECK_ALL): one entry per CRL.
        ...(opts.clientCrlPem ? { crl: opts.clientCrlPem.match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g) ?? [] } : {}),
      }
    : { minVersion: 'TLSv1', maxVersion: 'TLSv1.3', ciphers: 'DEFAULT:@SECLEVEL=0', requestCert: true, rejectUnauthorized: false };

  const app = createAppServer(
    { ...tlsOptions, key: opts.serverKeyPem, cert: opts.serverCertPem, ca: [opts.clientCaPem], sessionTimeout: sessionLifetimeSeconds(opts.mode, opts.profile) },
    (req, res) => {
      const socket = tlsSocketOf(req);
      if (strict) {
        const peer = socket.getPeerCertificate();
        const findings = peer?.raw ? checkCertificate(certificateFacts(peer.raw), 'client', opts.profile, { strictEku: true }) : [{ rule: 'mtls', message: 'no client certificate' }];
        if (findings.length > 0) {
          // A gRPC call gets 7 PERMISSION_DENIED, as a gRPC server refuses an identity.
          answer(req, res, refusalStatus(opts.profile, isGrpcRequest(req)), `refused: ${findings.map((f) => f.message).join('; ')}\n`);
          return;
        }
      }
      answer(req, res, 200, `ok ${socket.getProtocol()}\n`);
    },
  );
  const server = app.server;
  // A failed handshake is the server doing its job; it must not surface as an unhandled error.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const unregister = onShutdown(`reference server ${host}:${port}`, () => app.close());
  const close = () => (unregister(), app.close());
  return { url: `https://${host}:${port}`, host, port, close, [Symbol.asyncDispose]: close };
}
