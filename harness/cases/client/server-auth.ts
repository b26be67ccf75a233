import { area, info, recommended, required, type CaseEntry } from '../define.js';
import { PATH_DEFECTS, RFC5280_PATH, revocationPolicy } from '../policies.js';

/**
 * client/server-auth: the target is a client; a reference server serves each chain. Each chain
 * varies one thing from a valid server certificate for 127.0.0.1 under server-ca (certs/spec.ts).
 */

const cases: CaseEntry[] = [
  {
    name: 'valid',
    title: 'The client connects to a valid server and sends a request (positive control)',
    chain: {},
    refs: ['RFC 8446 §4.4.2', 'RFC 9110 §4.3.4'],
    positiveControl: true,
    policy: () => required('accept', 'Positive control: with a valid server certificate from the CA it was given, the client must complete a request; until it does, no refusal means anything.'),
  },
  {
    name: 'expired',
    title: 'The client refuses an expired server certificate',
    chain: { leaf: { notBeforeDays: -400, notAfterDays: -30 } },
    refs: ['RFC 5280 §4.1.2.5', 'RFC 5280 §6.1.3 (a)(2)'],
    policy: () => required('reject', 'The validity period has ended; a client that sends its request anyway talks to whoever holds an old key.'),
  },
  {
    name: 'not-yet-valid',
    title: 'The client refuses a server certificate whose validity has not started',
    chain: { leaf: { notBeforeDays: 30, notAfterDays: 400 } },
    refs: ['RFC 5280 §4.1.2.5'],
    policy: () => required('reject', 'The validity period has not begun (RFC 5280 §6.1.3 (a)(2)).'),
  },
  {
    name: 'self-signed',
    title: 'The client refuses a self-signed server certificate',
    chain: { anchor: 'self' },
    refs: [RFC5280_PATH],
    policy: () => required('reject', 'A self-signed certificate chains to no trusted CA: anyone can make one for any name.'),
  },
  {
    name: 'untrusted-ca',
    title: 'The client refuses a server certificate from a CA it was not told to trust',
    chain: { anchor: 'untrusted-ca' },
    refs: [RFC5280_PATH],
    policy: () => required('reject', 'Only the CA given in CONFORMANCE_CA_FILE authenticates the partner server.'),
  },
  {
    name: 'wrong-hostname',
    title: 'The client refuses a server certificate issued for another host',
    chain: { leaf: { subject: 'CN=wrong-host.invalid, O=mtls-conformance', sans: [{ type: 'dns', value: 'wrong-host.invalid' }] } },
    refs: ['RFC 9110 §4.3.4', 'RFC 6125 §6'],
    policy: () => required('reject', 'The certificate names wrong-host.invalid, not 127.0.0.1: a client that skips the name check accepts any valid certificate from the CA.'),
  },
  {
    name: 'eku-client-only',
    title: 'The client refuses a server certificate whose EKU allows only clientAuth',
    chain: { leaf: { eku: ['clientAuth'] } },
    refs: ['RFC 5280 §4.2.1.12'],
    policy: () => required('reject', 'RFC 5280 §4.2.1.12: the key may only be used for the listed purposes, and serverAuth is not listed.'),
  },
  {
    name: 'rsa-1024',
    title: 'The client refuses a server certificate with an RSA-1024 key',
    chain: { leaf: { key: 'rsa-1024' } },
    refs: ['NIST SP 800-131A Rev. 2 §3', 'profile certificates.server.minRsaBits'],
    policy: (p) =>
      p.certificates.server.minRsaBits > 1024
        ? required('reject', `RSA-1024 gives about 80 bits of security; the profile requires RSA ≥ ${p.certificates.server.minRsaBits}.`)
        : info('accept', `The profile allows RSA keys of ${p.certificates.server.minRsaBits} bits and more.`),
  },
  {
    name: 'sha1-signature',
    title: 'The client refuses a server certificate signed with SHA-1',
    chain: { leaf: { signatureHash: 'SHA-1' } },
    refs: ['RFC 9155 §5', 'profile certificates.server.forbiddenSignatureHashes'],
    policy: (p) =>
      p.certificates.server.forbiddenSignatureHashes.includes('sha1')
        ? required('reject', 'SHA-1 signatures are forgeable (chosen-prefix collisions); the profile forbids them.')
        : info('accept', 'The profile does not forbid SHA-1 signatures.'),
  },
  {
    name: 'issuer-not-ca',
    title: 'The client refuses a server certificate issued by a certificate that is not a CA',
    chain: { intermediates: ['server-not-ca'] },
    refs: ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (k)'],
    policy: () => required('reject', 'The issuer has basicConstraints cA=FALSE, so its signature proves nothing (RFC 5280 §6.1.4 (k)).'),
  },
  {
    name: 'intermediate-not-sent',
    title: 'The client refuses a server that does not send the intermediate its certificate needs',
    chain: { intermediates: ['server-intermediate'], send: { intermediates: 'none' } },
    refs: [RFC5280_PATH, 'RFC 8446 §4.4.2'],
    policy: () => required('reject', 'No path leads from the leaf to the trusted root without the intermediate; accepting it means the chain was not verified.'),
  },
  ...PATH_DEFECTS.map(
    (d): CaseEntry => ({
      name: d.name,
      title: `The client refuses a server certificate ${d.what}`,
      chain: d.chain('server'),
      refs: [...d.refs, RFC5280_PATH],
      policy: () => required('reject', d.why),
    }),
  ),
  {
    name: 'revoked',
    title: 'The client refuses a server certificate its CA has revoked (CRL file, CDP, OCSP)',
    chain: { leaf: { revoked: true } },
    probe: { revocation: true },
    refs: ['RFC 5280 §6.3', 'RFC 5280 §5', 'RFC 6960 §2.2', 'RFC 6066 §8', 'profile revocation.client'],
    policy: (p) =>
      revocationPolicy(
        p,
        'client',
        'The server CA lists this certificate in its CRL, handed to the client as {crl} / CONFORMANCE_CRL_FILE (trust/server-crl.pem) and served at the CRL distribution point, and the harness OCSP responder answers revoked. Configure curl with --crlfile {crl}, Node with the crl option, openssl s_client with -crl_check_all and {ca} and {crl} in one -CAfile (-CRL reads only the first CRL of a file); other clients: docs/revocation.md.',
      ),
  },
  {
    name: 'no-san',
    title: 'The client refuses a server certificate without subjectAltName whose CN names the address it connected to',
    // RFC 2818 §3.1 and RFC 9525 §6: a client connecting to an IP address matches an iPAddress SAN, never the CN.
    chain: { leaf: { subject: 'CN=127.0.0.1, O=mtls-conformance', sans: [] } },
    refs: ['RFC 2818 §3.1', 'RFC 9525', 'RFC 6125 §6.4.4'],
    // Recommended, not required: curl 7.88 (OpenSSL 3.0) still falls back to the CN for an address
    // (seen by hand: HTTP 200 from a CN-only certificate at https://127.0.0.1), while openssl s_client
    // -verify_ip, Node and Go refuse; a policy that forbids the fallback raises it with cases.severity.
    policy: () =>
      recommended(
        'reject',
        'The certificate carries CN=127.0.0.1 and no subjectAltName. For an address, RFC 2818 §3.1 requires an iPAddress subjectAltName that matches, and RFC 9525 drops the CN fallback altogether: a client that reads the CN accepts a name the CA may never have validated as one. Recommended: common clients (curl) still fall back; raise it with cases.severity.',
      ),
  },
  {
    name: 'ip-as-dns',
    title: 'The client refuses a server certificate that writes the address it connected to as a DNS name',
    // The address as text in a dNSName: RFC 5280 §4.2.1.6 puts addresses in iPAddress (octets), not dNSName.
    chain: { leaf: { sans: [{ type: 'dns', value: '127.0.0.1' }] } },
    refs: ['RFC 5280 §4.2.1.6', 'RFC 2818 §3.1', 'RFC 9525'],
    policy: () =>
      required(
        'reject',
        'The subjectAltName holds dNSName "127.0.0.1", not an iPAddress: RFC 5280 §4.2.1.6 puts addresses in iPAddress (octets), and an address reference identity matches only an iPAddress SAN (RFC 2818 §3.1). A client that compares strings accepts what CAs never validated as addresses.',
      ),
  },
];

export default area('client', 'server-auth', cases);
