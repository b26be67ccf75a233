import { area, info, recommended, required, type CaseEntry } from '../define.js';
import { PATH_DEFECTS, RFC5280_PATH, revocationPolicy } from '../policies.js';

/**
 * server/client-auth: the target is a server; the harness presents a client certificate chain.
 * Each chain varies one thing from a valid client certificate under client-ca (certs/spec.ts).
 */

const EXPIRED = { notBeforeDays: -400, notAfterDays: -30 };

const cases: CaseEntry[] = [
  {
    name: 'valid',
    title: 'A valid client certificate from the trusted CA is accepted (positive control)',
    chain: {},
    refs: ['RFC 8446 §4.4.2', 'RFC 5280 §6.1'],
    positiveControl: true,
    policy: () => required('accept', 'Positive control: a fully valid client certificate over an allowed protocol must complete a request; until it does, no rejection means anything.'),
  },
  {
    name: 'valid-chain',
    title: 'A valid leaf sent with its intermediate CA is accepted',
    chain: { intermediates: ['client-intermediate'] },
    refs: ['RFC 8446 §4.4.2', 'RFC 5246 §7.4.6', RFC5280_PATH],
    policy: () => required('accept', 'Clients send their intermediates (public CAs always issue through one); the server must build the path from the sent chain to the trusted root.'),
  },
  {
    name: 'no-cert',
    title: 'A client that presents no certificate is refused',
    chain: null,
    refs: ['RFC 8446 §4.4.2.4', 'RFC 5246 §7.4.6'],
    policy: () => required('reject', 'Mutual TLS means a client without a certificate is not authenticated; the server must abort (certificate_required) or answer with a refusal.'),
  },
  {
    name: 'self-signed',
    title: 'A self-signed client certificate is refused',
    chain: { anchor: 'self' },
    refs: [RFC5280_PATH],
    policy: () => required('reject', 'A self-signed certificate chains to no trusted CA (RFC 5280 §6.1: the path must start at a trust anchor).'),
  },
  {
    name: 'untrusted-ca',
    title: 'A client certificate from a CA the server does not trust is refused',
    chain: { anchor: 'untrusted-ca' },
    refs: [RFC5280_PATH],
    policy: () => required('reject', 'Anyone can run a CA; only certificates chaining to the configured client CA authenticate a partner.'),
  },
  {
    name: 'expired',
    title: 'An expired client certificate is refused',
    chain: { leaf: EXPIRED },
    refs: ['RFC 5280 §4.1.2.5', 'RFC 5280 §6.1.3 (a)(2)'],
    policy: () => required('reject', 'The validity period has ended; RFC 5280 §6.1.3 (a)(2) requires the current time to be inside it.'),
  },
  {
    name: 'not-yet-valid',
    title: 'A client certificate whose validity has not started is refused',
    chain: { leaf: { notBeforeDays: 30, notAfterDays: 400 } },
    refs: ['RFC 5280 §4.1.2.5', 'RFC 5280 §6.1.3 (a)(2)'],
    policy: () => required('reject', 'The validity period has not begun; RFC 5280 §6.1.3 (a)(2) requires the current time to be inside it.'),
  },
  {
    name: 'eku-server-only',
    title: 'A client certificate whose EKU allows only serverAuth is refused',
    chain: { leaf: { eku: ['serverAuth'] } },
    refs: ['RFC 5280 §4.2.1.12'],
    policy: () => required('reject', 'RFC 5280 §4.2.1.12: when EKU is present the key may only be used for the listed purposes, and clientAuth is not listed.'),
  },
  {
    name: 'eku-absent',
    title: 'A client certificate without an EKU extension is refused',
    chain: { leaf: { eku: null } },
    refs: ['RFC 5280 §4.2.1.12'],
    policy: (p) =>
      p.certificates.client.eku === 'any'
        ? recommended('reject', 'RFC 5280 allows a certificate without EKU for any purpose, but policies require clientAuth to be stated; reported, not failing, unless the profile sets certificates.client.eku.')
        : required('reject', `The profile requires EKU clientAuth on client certificates (certificates.client.eku: ${p.certificates.client.eku}).`),
  },
  {
    name: 'rsa-1024',
    title: 'A client certificate with an RSA-1024 key is refused',
    chain: { leaf: { key: 'rsa-1024' } },
    refs: ['NIST SP 800-131A Rev. 2 §3', 'profile certificates.client.minRsaBits'],
    policy: (p) =>
      p.certificates.client.minRsaBits > 1024
        ? required('reject', `RSA-1024 gives about 80 bits of security; the profile requires RSA ≥ ${p.certificates.client.minRsaBits}.`)
        : info('accept', `The profile allows RSA keys of ${p.certificates.client.minRsaBits} bits and more.`),
  },
  {
    name: 'rsa-2048',
    title: 'A client certificate with an RSA-2048 key is judged by the profile minimum',
    chain: { leaf: { key: 'rsa-2048' } },
    refs: ['NIST SP 800-57 Part 1 §5.6.1', 'profile certificates.client.minRsaBits'],
    policy: (p) =>
      p.certificates.client.minRsaBits > 2048
        ? required('reject', `The profile requires RSA ≥ ${p.certificates.client.minRsaBits} bits for client certificates.`)
        : recommended('accept', `The profile allows RSA ≥ ${p.certificates.client.minRsaBits}; refusing RSA-2048 would lock out compliant partners.`),
  },
  {
    name: 'sha1-signature',
    title: 'A client certificate signed with SHA-1 is refused',
    chain: { leaf: { signatureHash: 'SHA-1' } },
    refs: ['RFC 9155 §5', 'CA/B Forum BR §7.1.3.2', 'profile certificates.client.forbiddenSignatureHashes'],
    policy: (p) =>
      p.certificates.client.forbiddenSignatureHashes.includes('sha1')
        ? required('reject', 'SHA-1 signatures are forgeable (chosen-prefix collisions); the profile forbids them.')
        : info('accept', 'The profile does not forbid SHA-1 signatures.'),
  },
  {
    name: 'issuer-not-ca',
    title: 'A client certificate issued by a certificate that is not a CA is refused',
    chain: { intermediates: ['client-not-ca'] },
    refs: ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (k)'],
    policy: () => required('reject', 'The issuer lacks basicConstraints cA=TRUE, so its key must not be used to verify certificates (RFC 5280 §6.1.4 (k)).'),
  },
  {
    name: 'intermediate-not-sent',
    title: 'A leaf whose intermediate is neither sent nor trusted is refused',
    chain: { intermediates: ['client-intermediate'], send: { intermediates: 'none' } },
    refs: [RFC5280_PATH, 'RFC 8446 §4.4.2'],
    policy: () => required('reject', 'Without the intermediate no path leads from the leaf to the trusted root; accepting it means the chain was not verified.'),
  },
  ...PATH_DEFECTS.map(
    (d): CaseEntry => ({
      name: d.name,
      title: `A client certificate ${d.what} is refused`,
      chain: d.chain('client'),
      refs: [...d.refs, RFC5280_PATH],
      policy: () => required('reject', d.why),
    }),
  ),
  {
    name: 'revoked',
    title: 'A client certificate its CA has revoked (CRL, OCSP) is refused',
    chain: { leaf: { revoked: true } },
    probe: { revocation: true },
    refs: ['RFC 5280 §6.3', 'RFC 5280 §5', 'RFC 6960 §2.2', 'profile revocation.server'],
    policy: (p) =>
      revocationPolicy(
        p,
        'server',
        'The client CA lists this certificate in its CRL (trust/client-crl.pem, also served at the CRL distribution point) and the harness OCSP responder answers revoked; a server that never checks keeps admitting a stolen key until it expires. Give the server the CRL of every CA in the chain (trust/client-crl.pem, one file; OpenSSL programs read CRLs from their CA file: trust/client-ca-with-crls.pem) or let it ask the OCSP URL in the certificate; the directive for each server (nginx, HAProxy, s_server, Apache, Tomcat, lighttpd, mosquitto, Envoy, Node, Go) is in docs/revocation.md.',
      ),
  },
  {
    name: 'unexpected-identity',
    title: "A valid certificate whose subject does not match the profile's client identity rule is refused",
    chain: { leaf: { subject: 'CN=conformance-unexpected-identity, O=unknown party', sans: [] } },
    refs: ['profile clientIdentity'],
    policy: (p) =>
      p.clientIdentity
        ? required('reject', `The profile requires the client identity (${p.clientIdentity.match}) to match /${p.clientIdentity.pattern}/; a certificate from the trusted CA for someone else must not get in.`)
        : { ...info('reject', 'No client identity rule in the profile.'), skip: 'the profile has no clientIdentity rule' },
  },
];

export default area('server', 'client-auth', cases);
