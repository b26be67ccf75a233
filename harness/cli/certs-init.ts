import { caseChains } from '../cases/catalogue.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dirWriteError, ensureWritableDir } from '../io/writable-dir.js';
import { validateHostName } from '../flags/validate-flags.js';
import { loadProfile } from '../profile/load.js';
import { loadIssuerFlags, prepareCerts, prepareSuiteCerts } from '../../certs/prepare-certs.js';
import type { SuiteName } from '../model.js';

/** `conformance certs init DIR`: the files a target needs, and a README saying which goes where. */

export async function certsInit(
  dirArg: string,
  flags: { host: string[]; profile: string; force?: boolean; issuerCert?: string; issuerKey?: string; suite?: SuiteName },
): Promise<number> {
  // Each --host goes into the server certificate's CN and SAN: a DNS name or an IP, nothing else.
  const hosts = flags.host.map((h) => validateHostName(h));
  const dir = ensureWritableDir(dirArg, 'certs init');
  const { profile } = loadProfile(flags.profile);
  const issuer = await loadIssuerFlags(flags.issuerCert, flags.issuerKey);
  const store = await prepareCerts(dir, profile, caseChains(), issuer, hosts.length ? hosts : undefined, flags.force);
  // --suite deep|exhaustive: that suite's certificates too (both directions), into <dir>/<suite>, so a CI cache holds them.
  if (flags.suite && flags.suite !== 'core') await prepareSuiteCerts(dir, profile, caseChains(), flags.suite, caseChains(flags.suite), issuer, hosts.length ? hosts : undefined);
  const clientNames = [...store.certs.keys()].filter((n) => n.startsWith('client/')).map((n) => n.slice(7));
  const readme = `mtls-conformance certificate material (made by "conformance certs init")

Configure the server under test:
  trust/client-ca.pem     the CA your server must trust for client certificates
                          (nginx: ssl_client_certificate; openssl s_server: -CAfile;
                           Node: the "ca" option). ${issuer ? 'This is the CA you passed with --issuer-cert.' : ''}
  target/server-cert.pem  a server certificate for ${(hosts.length ? hosts : ['localhost', '127.0.0.1', '::1']).join(', ')}
  target/server-key.pem   its private key (mode 0600), for a target that has no certificate of its own
  target/server-fullchain.pem  the same certificate followed by trust/server-ca.pem, for servers
                          that want their chain in one file (nginx ssl_certificate, HAProxy crt,
                          lighttpd ssl.pemfile). lighttpd with client verification must get this
                          file: given the leaf alone it cannot build its own chain and answers
                          every handshake with alert 80 internal_error.

Revocation (server/client-auth/revoked; off, recommended or required by the profile's revocation.server;
per-server directives, tested and untested: docs/revocation.md in the package):
  trust/client-crl.pem    the current CRLs of the client CA and every CA under it, one file
                          (nginx: ssl_crl trust/client-crl.pem; HAProxy: crl-file;
                           Node: the "crl" option, one entry per CRL).
                          nginx and curl check every CA in a chain and refuse even valid
                          certificates without a CRL for each: use this file, not one CRL.
                          nginx reads it at start: reload nginx after "certs init" renews it.
  trust/client-ca-with-crls.pem  client-ca.pem followed by those CRLs, for OpenSSL programs
                          (openssl s_server -CAfile trust/client-ca-with-crls.pem -crl_check_all).
                          Not "-CRL trust/client-crl.pem": -CRL reads the first CRL of a file only,
                          and then every certificate under an intermediate is refused.
  trust/client-crl-issuers.pem  the CAs that sign those CRLs: gnutls checks each CRL of its CRL
                          file against its CA file when it loads it
  crl/<ca>.crl, crl/<ca>.crl.pem  each CA's CRL alone (DER, PEM); nextUpdate about 400 days ahead,
                          re-signed at the same path when a run finds fewer than 200 days left
  http://127.0.0.1:${store.revocation.port}/c/<certificate>/crl/<ca>.crl and http://127.0.0.1:${store.revocation.port}/c/<certificate>/ocsp
                          the CRL distribution point and OCSP responder each certificate names
                          (nginx: ssl_ocsp on); the harness answers there during a run only

Configure clients that call your server, or pass to "conformance run --target-ca":
  trust/server-ca.pem     the CA that issued target/server-cert.pem
  trust/server-crl.pem    the server CA hierarchy's current CRLs (a client target gets it as {crl} and
                          CONFORMANCE_CRL_FILE: curl --crlfile, Node's crl option, Python
                          load_verify_locations + VERIFY_CRL_CHECK_CHAIN, wget --crl-file;
                          openssl s_client: -CAfile trust/server-ca-with-crls.pem -crl_check_all;
                          gnutls-cli: --x509crlfile with --x509cafile trust/server-crl-issuers.pem)

The client certificate matrix the harness presents (one per case):
  client/<name>.pem            the leaf certificate
  client/<name>-chain.pem      leaf + the intermediates the case sends (valid-chain, issuer-not-ca,
                               and the path cases: expired-intermediate, path-length-exceeded, ...)
  private/client/<name>-key.pem  its private key (mode 0600)
  names: ${clientNames.join(', ')}

Other CAs (never to be trusted by the target): ca/untrusted-ca.pem, ca/client-intermediate.pem,
ca/client-not-ca.pem, and the path cases' intermediates ca/client-intermediate-*.pem.

Re-running "certs init" on this directory keeps the CAs (your target already trusts them) and
renews what has aged; --force regenerates everything. Keys under private/ never leave this
directory and never appear in a report.

Run the suite:
  npx mtls-conformance run --target https://HOST:PORT --certs ${dirArg}
`;
  await writeFile(join(dir, 'README.txt'), readme).catch((err) => Promise.reject(dirWriteError(err, dirArg, 'certs init') ?? err));
  const generated = store.generated.length;
  process.stdout.write(
    `${generated ? `Generated ${generated}` : 'Generated nothing'}, kept ${store.reused.length} certificates in ${dirArg}\n` +
      `  configure the server under test to trust: ${join(dirArg, 'trust', 'client-ca.pem')}\n` +
      `  server certificate and key for the target: ${join(dirArg, 'target', 'server-cert.pem')}, ${join(dirArg, 'target', 'server-key.pem')}\n` +
      `  the same certificate with its chain (lighttpd, nginx): ${join(dirArg, 'target', 'server-fullchain.pem')}\n` +
      `  CA that verifies that server certificate:  ${join(dirArg, 'trust', 'server-ca.pem')}\n` +
      `  CRLs for the server under test (nginx ssl_crl): ${join(dirArg, 'trust', 'client-crl.pem')}\n` +
      `  details: ${join(dirArg, 'README.txt')}\n`,
  );
  return 0;
}
