import { constants } from 'node:crypto';
import type { SecureServerOptions } from 'node:http2';
import { answer, createAppServer, tlsSocketOf } from './app-server.js';
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

function versionRange(versions: TlsVersion[]): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const sorted = [...versions].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  return { minVersion: sorted[0]!, maxVersion: sorted[sorted.length - 1]! };
}

export async function startReferenceServer(opts: ReferenceServerOptions): Promise<StartedReferenceServer> {
  const host = opts.host ?? '127.0.0.1';
  const strict = opts.mode === 'strict';
  const tlsOptions: SecureServerOptions = strict
    ? {
        ...versionRange(opts.profile.tls.versions as TlsVersion[]),
        // node:tls has no ciphersuites option: TLS 1.3 suite names go into the same string.
        ciphers: `${[...opts.profile.tls.ciphers12.map(opensslName), ...opts.profile.tls.ciphers13].filter(Boolean).join(':')}:@SECLEVEL=2`,
        requestCert: true,
        rejectUnauthorized: true,
        // Node's server renegotiates at a client's request (up to tls.CLIENT_RENEG_LIMIT); a correct server refuses (CVE-2011-1473).
        secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
        // Node reads one CRL per entry and then checks every CA in the path (CRL_CHECK_ALL): one entry per CRL.
        ...(opts.clientCrlPem ? { crl: opts.clientCrlPem.match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g) ?? [] } : {}),
      }
    : { minVersion: 'TLSv1', maxVersion: 'TLSv1.3', ciphers: 'DEFAULT:@SECLEVEL=0', requestCert: true, rejectUnauthorized: false };

  const app = createAppServer(
    { ...tlsOptions, key: opts.serverKeyPem, cert: opts.serverCertPem, ca: [opts.clientCaPem], sessionTimeout: 300 },
    (req, res) => {
      const socket = tlsSocketOf(req);
      if (strict) {
        const peer = socket.getPeerCertificate();
        const findings = peer?.raw ? checkCertificate(certificateFacts(peer.raw), 'client', opts.profile, { strictEku: true }) : [{ rule: 'mtls', message: 'no client certificate' }];
        if (findings.length > 0) {
          // A gRPC call gets 7 PERMISSION_DENIED, as a gRPC server refuses an identity.
          answer(req, res, 403, `refused: ${findings.map((f) => f.message).join('; ')}\n`);
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
