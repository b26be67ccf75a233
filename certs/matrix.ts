import { caSpec, specOf, type CertSpec, type NameConstraintsSpec, type San } from './spec.js';
import { crlUrlFor, ocspUrlFor } from './revocation-data.js';

/**
 * The certificate matrix: every certificate the harness can present or serve, by name.
 * Cases refer to these names; nothing here touches a socket or the disk.
 */

export interface MatrixOptions {
  /** Subject of the client certificates that should be accepted (a profile's identity rule may set it). */
  clientSubject: string;
  /** SAN URI for client certificates, when a profile's identity rule matches on it. */
  clientSanUri?: string;
  /** Host names and addresses the reference/target server certificate is issued for. */
  serverHosts: string[];
  /**
   * Port of the harness's CRL/OCSP responder on 127.0.0.1 (fixed per store): certificates issued
   * by the matrix's CAs name it in their CRL distribution point and OCSP URL. Absent: neither.
   */
  revocationPort?: number;
}

export const DEFAULT_MATRIX_OPTIONS: MatrixOptions = {
  clientSubject: 'CN=conformance-client, O=mtls-conformance',
  serverHosts: ['localhost', '127.0.0.1', '::1'],
};

/** CA names. `client-ca` and `server-ca` are the ones a target is told to trust. */
export const CA_NAMES = [
  'client-ca',
  'server-ca',
  'untrusted-ca',
  'client-intermediate',
  'client-not-ca',
  'server-intermediate',
  'server-not-ca',
  ...(['client', 'server'] as const).flatMap((r) => [`${r}-intermediate-expired`, `${r}-intermediate-no-bc`, `${r}-intermediate-sub`, `${r}-intermediate-nc`] as const),
] as const;

/**
 * What a name-constrained intermediate permits: names nothing in the matrix carries. Every matrix
 * leaf below it violates the constraints in each form (DNS, IP, directory name), so the verdict
 * does not depend on which name types a validator checks (Go, for one, ignores directory names).
 */
export const NAME_CONSTRAINTS: NameConstraintsSpec = {
  permittedDns: ['permitted.invalid'],
  permittedIps: ['192.0.2.0/24', '2001:db8::/32'],
  permittedDirectoryNames: ['O=mtls-conformance permitted subtree'],
};

/**
 * The intermediates of the path-validation cases (RFC 5280 §6.1), for one side. `<role>-intermediate`
 * (pathLen 0) already exists; these vary one thing each.
 */
function pathCas(role: 'client' | 'server'): CertSpec[] {
  const root = `${role}-ca`;
  const label = `mtls-conformance ${role}`;
  return [
    // RFC 5280 §6.1.3 (a)(2): every certificate in the path must be within its validity period, not just the leaf.
    caSpec({ name: `${role}-intermediate-expired`, issuer: root, subject: `CN=${label} expired intermediate CA, O=mtls-conformance`, notBeforeDays: -400, notAfterDays: -30 }),
    // RFC 5280 §6.1.4 (k): without basicConstraints cA TRUE a certificate is not a CA, whatever its keyUsage says.
    specOf({ name: `${role}-intermediate-no-bc`, issuer: root, subject: `CN=${label} intermediate without basicConstraints, O=mtls-conformance`, eku: null, ca: null, keyCertSign: true, notAfterDays: 1825 }),
    // Below <role>-intermediate (pathLen 0): RFC 5280 §6.1.4 (l)/(m) allow no further CA under it.
    caSpec({ name: `${role}-intermediate-sub`, issuer: `${role}-intermediate`, subject: `CN=${label} intermediate below a pathLen 0 CA, O=mtls-conformance`, notAfterDays: 1825 }),
    caSpec({ name: `${role}-intermediate-nc`, issuer: root, subject: `CN=${label} name-constrained intermediate CA, O=mtls-conformance`, pathLength: 0, notAfterDays: 1825, nameConstraints: NAME_CONSTRAINTS }),
  ];
}

/** The leaves of the path cases, issued below pathCas(role) and sent with their chain. */
function pathLeaves(make: (v: Partial<CertSpec> & { name: string }) => CertSpec, role: 'client' | 'server'): CertSpec[] {
  return [
    make({ name: `${role}/revoked`, revoked: true }),
    make({ name: `${role}/expired-intermediate`, issuer: `${role}-intermediate-expired`, sendChain: [`${role}-intermediate-expired`] }),
    make({ name: `${role}/intermediate-no-basic-constraints`, issuer: `${role}-intermediate-no-bc`, sendChain: [`${role}-intermediate-no-bc`] }),
    make({ name: `${role}/path-length-exceeded`, issuer: `${role}-intermediate-sub`, sendChain: [`${role}-intermediate-sub`, `${role}-intermediate`] }),
    make({ name: `${role}/name-constraints-violated`, issuer: `${role}-intermediate-nc`, sendChain: [`${role}-intermediate-nc`] }),
    make({ name: `${role}/unknown-critical-extension`, unknownCriticalExtension: true }),
  ];
}

/**
 * CDP and OCSP URL on every certificate a matrix CA issues, the server certificate too: it is the
 * positive control of the client suite, and a client that fetches CRLs from distribution points
 * (openssl -crl_download, Windows, Java with CRLDP on) needs one for it. Outside a run nothing
 * answers there (README.txt says so).
 */
function withRevocationUrls(specs: CertSpec[], port: number | undefined): CertSpec[] {
  if (port === undefined) return specs;
  return specs.map((s) => (s.issuer === 'self' ? s : { ...s, crlUrl: crlUrlFor(port, s.issuer), ocspUrl: ocspUrlFor(port) }));
}

function sansFor(hosts: string[]): San[] {
  return hosts.map((h) => ({ type: /^[\d.]+$|:/.test(h) ? 'ip' : 'dns', value: h }) as San);
}

export function matrixSpecs(options: MatrixOptions = DEFAULT_MATRIX_OPTIONS): CertSpec[] {
  return withRevocationUrls(baseSpecs(options), options.revocationPort);
}

function baseSpecs(options: MatrixOptions): CertSpec[] {
  const client = (v: Partial<CertSpec> & { name: string }): CertSpec =>
    specOf({
      issuer: 'client-ca',
      subject: options.clientSubject,
      sans: options.clientSanUri ? [{ type: 'uri', value: options.clientSanUri }] : [],
      ...v,
    });
  const server = (v: Partial<CertSpec> & { name: string }): CertSpec =>
    specOf({
      issuer: 'server-ca',
      subject: `CN=${options.serverHosts[0]}, O=mtls-conformance`,
      sans: sansFor(options.serverHosts),
      eku: ['serverAuth'],
      ...v,
    });
  return [
    caSpec({ name: 'client-ca', issuer: 'self', subject: 'CN=mtls-conformance client CA, O=mtls-conformance' }),
    caSpec({ name: 'server-ca', issuer: 'self', subject: 'CN=mtls-conformance server CA, O=mtls-conformance' }),
    caSpec({ name: 'untrusted-ca', issuer: 'self', subject: 'CN=mtls-conformance untrusted CA, O=mtls-conformance' }),
    caSpec({
      name: 'client-intermediate',
      issuer: 'client-ca',
      subject: 'CN=mtls-conformance client intermediate CA, O=mtls-conformance',
      pathLength: 0,
      notAfterDays: 1825,
    }),
    // A leaf that signs another leaf: RFC 5280 §4.2.1.9 forbids using its key to verify certificates.
    // keyUsage keyCertSign is set so that only basicConstraints (cA=FALSE) makes it unfit to issue.
    client({ name: 'client-not-ca', subject: 'CN=mtls-conformance not a CA, O=mtls-conformance', keyCertSign: true }),

    specOf({
      name: 'server',
      issuer: 'server-ca',
      subject: `CN=${options.serverHosts[0]}, O=mtls-conformance`,
      sans: sansFor(options.serverHosts),
      eku: ['serverAuth'],
    }),

    // The server-certificate matrix the reference servers present to a client under test. The
    // client connects to 127.0.0.1, which the valid certificate names.
    caSpec({
      name: 'server-intermediate',
      issuer: 'server-ca',
      subject: 'CN=mtls-conformance server intermediate CA, O=mtls-conformance',
      pathLength: 0,
      notAfterDays: 1825,
    }),
    server({ name: 'server-not-ca', subject: 'CN=mtls-conformance server not a CA, O=mtls-conformance', keyCertSign: true }),
    server({ name: 'server/expired', notBeforeDays: -400, notAfterDays: -30 }),
    server({ name: 'server/not-yet-valid', notBeforeDays: 30, notAfterDays: 400 }),
    server({ name: 'server/self-signed', issuer: 'self' }),
    server({ name: 'server/untrusted-ca', issuer: 'untrusted-ca' }),
    server({ name: 'server/wrong-hostname', subject: 'CN=wrong-host.invalid, O=mtls-conformance', sans: [{ type: 'dns', value: 'wrong-host.invalid' }] }),
    server({ name: 'server/eku-client-only', eku: ['clientAuth'] }),
    server({ name: 'server/rsa-1024', key: 'rsa-1024' }),
    server({ name: 'server/sha1-signature', signatureHash: 'SHA-1' }),
    server({ name: 'server/issuer-not-ca', issuer: 'server-not-ca', sendChain: ['server-not-ca'] }),
    server({ name: 'server/intermediate-not-sent', issuer: 'server-intermediate' }),
    ...pathCas('server'),
    ...pathLeaves(server, 'server'),
    // RFC 2818 §3.1 and RFC 9525 §6: a client connecting to an IP address matches an iPAddress SAN, never the CN.
    server({ name: 'server/no-san', subject: 'CN=127.0.0.1, O=mtls-conformance', sans: [] }),
    // The address as text in a dNSName: RFC 5280 §4.2.1.6 puts addresses in iPAddress (octets), not dNSName.
    server({ name: 'server/ip-as-dns', sans: [{ type: 'dns', value: '127.0.0.1' }] }),

    client({ name: 'client/valid' }),
    client({ name: 'client/valid-chain', issuer: 'client-intermediate', sendChain: ['client-intermediate'] }),
    client({ name: 'client/self-signed', issuer: 'self' }),
    client({ name: 'client/untrusted-ca', issuer: 'untrusted-ca' }),
    client({ name: 'client/expired', notBeforeDays: -400, notAfterDays: -30 }),
    client({ name: 'client/not-yet-valid', notBeforeDays: 30, notAfterDays: 400 }),
    client({ name: 'client/eku-server-only', eku: ['serverAuth'] }),
    client({ name: 'client/eku-absent', eku: null }),
    client({ name: 'client/rsa-1024', key: 'rsa-1024' }),
    client({ name: 'client/rsa-2048', key: 'rsa-2048' }),
    client({ name: 'client/sha1-signature', signatureHash: 'SHA-1' }),
    client({ name: 'client/issuer-not-ca', issuer: 'client-not-ca', sendChain: ['client-not-ca'] }),
    client({ name: 'client/unexpected-identity', subject: 'CN=conformance-unexpected-identity, O=unknown party', sans: [] }),
    ...pathCas('client'),
    ...pathLeaves(client, 'client'),
  ];
}
