import { caSpec, specOf, type CertSpec, type San } from './spec.js';

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
}

export const DEFAULT_MATRIX_OPTIONS: MatrixOptions = {
  clientSubject: 'CN=conformance-client, O=mtls-conformance',
  serverHosts: ['localhost', '127.0.0.1', '::1'],
};

/** CA names. `client-ca` and `server-ca` are the ones a target is told to trust. */
export const CA_NAMES = ['client-ca', 'server-ca', 'untrusted-ca', 'client-intermediate', 'client-not-ca', 'server-intermediate', 'server-not-ca'] as const;

function sansFor(hosts: string[]): San[] {
  return hosts.map((h) => ({ type: /^[\d.]+$|:/.test(h) ? 'ip' : 'dns', value: h }) as San);
}

export function matrixSpecs(options: MatrixOptions = DEFAULT_MATRIX_OPTIONS): CertSpec[] {
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
  ];
}
