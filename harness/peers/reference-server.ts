import { constants } from 'node:crypto';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Profile } from '../profile/schema.js';
import type { TlsVersion } from '../model.js';
import { certificateFacts, checkCertificate } from '../policy/certificate-policy.js';
import { opensslName } from '../tls/cipher-suites.js';

/**
 * The embedded reference targets: in-process HTTPS servers on 127.0.0.1 for first runs and
 * demos. `strict` is correct for the profile it is given; `lenient` asks for a client
 * certificate but lets anything in, over any protocol from TLS 1.0 up.
 */

export type ReferenceMode = 'strict' | 'lenient';

export interface ReferenceServerOptions {
  mode: ReferenceMode;
  profile: Profile;
  serverCertPem: string;
  serverKeyPem: string;
  clientCaPem: string;
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
  const tlsOptions: https.ServerOptions = strict
    ? {
        ...versionRange(opts.profile.tls.versions as TlsVersion[]),
        // node:tls has no ciphersuites option: TLS 1.3 suite names go into the same string.
        ciphers: `${[...opts.profile.tls.ciphers12.map(opensslName), ...opts.profile.tls.ciphers13].filter(Boolean).join(':')}:@SECLEVEL=2`,
        requestCert: true,
        rejectUnauthorized: true,
        // Node's server renegotiates at a client's request (up to tls.CLIENT_RENEG_LIMIT); a correct server refuses (CVE-2011-1473).
        secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
      }
    : { minVersion: 'TLSv1', maxVersion: 'TLSv1.3', ciphers: 'DEFAULT:@SECLEVEL=0', requestCert: true, rejectUnauthorized: false };

  const server = https.createServer(
    { ...tlsOptions, key: opts.serverKeyPem, cert: opts.serverCertPem, ca: [opts.clientCaPem], sessionTimeout: 300 },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      if (strict) {
        const peer = socket.getPeerCertificate();
        const findings = peer?.raw ? checkCertificate(certificateFacts(peer.raw), 'client', opts.profile, { strictEku: true }) : [{ rule: 'mtls', message: 'no client certificate' }];
        if (findings.length > 0) {
          res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
          res.end(`refused: ${findings.map((f) => f.message).join('; ')}\n`);
          return;
        }
      }
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`ok ${socket.getProtocol()}\n`);
    },
  );
  // A failed handshake is the server doing its job; it must not surface as an unhandled error.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `https://${host}:${port}`, host, port, close, [Symbol.asyncDispose]: close };
}
