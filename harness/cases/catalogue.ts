import type { Profile } from '../profile/schema.js';
import type { CaseDefinition, Expectation, Severity, TlsVersion } from '../model.js';

/**
 * The case catalogue: every case as data, with the rule that turns a profile into its
 * expectation. Ids are stable: once released, an id never changes meaning.
 */

export interface Policy {
  expect: Expectation;
  severity: Severity;
  rationale: string;
  skip?: string;
}

export interface CatalogueEntry extends CaseDefinition {
  policy: (profile: Profile) => Policy;
}

const required = (expect: Expectation, rationale: string): Policy => ({ expect, severity: 'required', rationale });
const recommended = (expect: Expectation, rationale: string): Policy => ({ expect, severity: 'recommended', rationale });
const info = (expect: Expectation, rationale: string): Policy => ({ expect, severity: 'info', rationale });

const registry = new Map<string, CatalogueEntry>();

function define(entry: CatalogueEntry): void {
  if (registry.has(entry.id)) throw new Error(`duplicate case id ${entry.id}`);
  if (!/^(server|client)\/[a-z0-9.-]+\/[a-z0-9.-]+$/.test(entry.id)) throw new Error(`malformed case id ${entry.id}`);
  registry.set(entry.id, entry);
}

function clientAuth(name: string, title: string, refs: string[], policy: CatalogueEntry['policy'], extra: Partial<CatalogueEntry> = {}): void {
  define({
    id: `server/client-auth/${name}`,
    title,
    role: 'server',
    // The harness presents weak material on purpose for these: its side runs at security level 0.
    recipe: { kind: 'client-handshake', cert: `client/${name}`, legacy: name === 'rsa-1024' || name === 'sha1-signature' },
    refs,
    policy,
    ...extra,
  });
}

const RFC5280_PATH = 'RFC 5280 §6.1';

/**
 * A revocation case's expectation from the profile's `revocation` setting for the target's role.
 * off skips it; the default (recommended) reports a target that does not check without failing it.
 */
function revocationPolicy(p: Profile, role: 'server' | 'client', why: string): Policy {
  const setting = p.revocation?.[role] ?? 'recommended';
  if (setting === 'off') return { ...info('reject', `The profile does not ask for revocation checks (revocation.${role}: off).`), skip: `the profile does not ask for revocation checks (revocation.${role}: off)` };
  const rationale = `${why} The profile sets revocation.${role}: ${setting}${setting === 'recommended' ? ' (a target that does not check is reported, not failed)' : ''}.`;
  return setting === 'required' ? required('reject', rationale) : recommended('reject', rationale);
}

/**
 * Path validation beyond the leaf (RFC 5280 §6.1), the same five defects in both directions: each
 * certificate differs from a valid one in one thing, and is sent with its chain.
 */
const PATH_CASES: { name: string; what: string; refs: string[]; why: string }[] = [
  {
    name: 'expired-intermediate',
    what: 'issued by an intermediate CA that has expired',
    refs: ['RFC 5280 §6.1.3 (a)(2)', 'RFC 5280 §4.1.2.5'],
    why: 'Every certificate in the path must be inside its validity period (RFC 5280 §6.1.3 (a)(2)), not only the leaf; a validator that checks the leaf alone accepts certificates from a retired CA.',
  },
  {
    name: 'intermediate-no-basic-constraints',
    what: 'issued by an intermediate without basicConstraints (keyUsage keyCertSign set)',
    refs: ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (k)'],
    why: 'Without basicConstraints cA TRUE the issuer is not a CA (RFC 5280 §6.1.4 (k)), whatever its keyUsage asserts: any certificate holder could otherwise issue certificates.',
  },
  {
    name: 'path-length-exceeded',
    what: 'issued below an intermediate whose pathLenConstraint is 0',
    refs: ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (l)', 'RFC 5280 §6.1.4 (m)'],
    why: 'The intermediate has pathLenConstraint 0: no further CA may follow it (RFC 5280 §6.1.4 (l), (m)), yet a CA below it issued this certificate.',
  },
  {
    name: 'name-constraints-violated',
    what: "whose names fall outside its issuing CA's name constraints",
    refs: ['RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3 (b)', 'RFC 5280 §6.1.3 (c)'],
    why: 'The issuing intermediate permits only permitted.invalid, 192.0.2.0/24, 2001:db8::/32 and O=mtls-conformance permitted subtree; the leaf names none of them (RFC 5280 §6.1.3 (b), (c)). Name constraints are how a partner CA is limited to its own names.',
  },
  {
    name: 'unknown-critical-extension',
    what: 'carrying a critical extension the validator cannot know',
    refs: ['RFC 5280 §4.2', 'RFC 5280 §6.1.5 (f)'],
    why: 'RFC 5280 §4.2: a system MUST reject a certificate that has a critical extension it does not recognise; the extension (an id-TEST OID, RFC 7229) may restrict use in a way the validator would ignore.',
  },
];

// --- server/client-auth: the target is a server; the harness presents a client certificate matrix.

clientAuth('valid', 'A valid client certificate from the trusted CA is accepted (positive control)', ['RFC 8446 §4.4.2', 'RFC 5280 §6.1'], () =>
  required('accept', 'Positive control: a fully valid client certificate over an allowed protocol must complete a request; until it does, no rejection means anything.'),
  { positiveControl: true },
);

clientAuth('valid-chain', 'A valid leaf sent with its intermediate CA is accepted', ['RFC 8446 §4.4.2', 'RFC 5246 §7.4.6', RFC5280_PATH], () =>
  required('accept', 'Clients send their intermediates (public CAs always issue through one); the server must build the path from the sent chain to the trusted root.'),
);

define({
  id: 'server/client-auth/no-cert',
  title: 'A client that presents no certificate is refused',
  role: 'server',
  recipe: { kind: 'client-handshake', cert: null },
  refs: ['RFC 8446 §4.4.2.4', 'RFC 5246 §7.4.6'],
  policy: () => required('reject', 'Mutual TLS means a client without a certificate is not authenticated; the server must abort (certificate_required) or answer with a refusal.'),
});

clientAuth('self-signed', 'A self-signed client certificate is refused', [RFC5280_PATH], () =>
  required('reject', 'A self-signed certificate chains to no trusted CA (RFC 5280 §6.1: the path must start at a trust anchor).'),
);

clientAuth('untrusted-ca', 'A client certificate from a CA the server does not trust is refused', [RFC5280_PATH], () =>
  required('reject', 'Anyone can run a CA; only certificates chaining to the configured client CA authenticate a partner.'),
);

clientAuth('expired', 'An expired client certificate is refused', ['RFC 5280 §4.1.2.5', 'RFC 5280 §6.1.3 (a)(2)'], () =>
  required('reject', 'The validity period has ended; RFC 5280 §6.1.3 (a)(2) requires the current time to be inside it.'),
);

clientAuth('not-yet-valid', 'A client certificate whose validity has not started is refused', ['RFC 5280 §4.1.2.5', 'RFC 5280 §6.1.3 (a)(2)'], () =>
  required('reject', 'The validity period has not begun; RFC 5280 §6.1.3 (a)(2) requires the current time to be inside it.'),
);

clientAuth('eku-server-only', 'A client certificate whose EKU allows only serverAuth is refused', ['RFC 5280 §4.2.1.12'], () =>
  required('reject', 'RFC 5280 §4.2.1.12: when EKU is present the key may only be used for the listed purposes, and clientAuth is not listed.'),
);

clientAuth('eku-absent', 'A client certificate without an EKU extension is refused', ['RFC 5280 §4.2.1.12'], (p) =>
  p.certificates.client.eku === 'any'
    ? recommended('reject', 'RFC 5280 allows a certificate without EKU for any purpose, but policies require clientAuth to be stated; reported, not failing, unless the profile sets certificates.client.eku.')
    : required('reject', `The profile requires EKU clientAuth on client certificates (certificates.client.eku: ${p.certificates.client.eku}).`),
);

clientAuth('rsa-1024', 'A client certificate with an RSA-1024 key is refused', ['NIST SP 800-131A Rev. 2 §3', 'profile certificates.client.minRsaBits'], (p) =>
  p.certificates.client.minRsaBits > 1024
    ? required('reject', `RSA-1024 gives about 80 bits of security; the profile requires RSA ≥ ${p.certificates.client.minRsaBits}.`)
    : info('accept', `The profile allows RSA keys of ${p.certificates.client.minRsaBits} bits and more.`),
);

clientAuth('rsa-2048', 'A client certificate with an RSA-2048 key is judged by the profile minimum', ['NIST SP 800-57 Part 1 §5.6.1', 'profile certificates.client.minRsaBits'], (p) =>
  p.certificates.client.minRsaBits > 2048
    ? required('reject', `The profile requires RSA ≥ ${p.certificates.client.minRsaBits} bits for client certificates.`)
    : recommended('accept', `The profile allows RSA ≥ ${p.certificates.client.minRsaBits}; refusing RSA-2048 would lock out compliant partners.`),
);

clientAuth('sha1-signature', 'A client certificate signed with SHA-1 is refused', ['RFC 9155 §5', 'CA/B Forum BR §7.1.3.2', 'profile certificates.client.forbiddenSignatureHashes'], (p) =>
  p.certificates.client.forbiddenSignatureHashes.includes('sha1')
    ? required('reject', 'SHA-1 signatures are forgeable (chosen-prefix collisions); the profile forbids them.')
    : info('accept', 'The profile does not forbid SHA-1 signatures.'),
);

clientAuth('issuer-not-ca', 'A client certificate issued by a certificate that is not a CA is refused', ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (k)'], () =>
  required('reject', 'The issuer lacks basicConstraints cA=TRUE, so its key must not be used to verify certificates (RFC 5280 §6.1.4 (k)).'),
);

define({
  id: 'server/client-auth/intermediate-not-sent',
  title: 'A leaf whose intermediate is neither sent nor trusted is refused',
  role: 'server',
  recipe: { kind: 'client-handshake', cert: 'client/valid-chain', leafOnly: true },
  refs: [RFC5280_PATH, 'RFC 8446 §4.4.2'],
  policy: () => required('reject', 'Without the intermediate no path leads from the leaf to the trusted root; accepting it means the chain was not verified.'),
});

for (const pc of PATH_CASES) {
  clientAuth(pc.name, `A client certificate ${pc.what} is refused`, [...pc.refs, RFC5280_PATH], () => required('reject', pc.why));
}

clientAuth(
  'revoked',
  'A client certificate its CA has revoked (CRL, OCSP) is refused',
  ['RFC 5280 §6.3', 'RFC 5280 §5', 'RFC 6960 §2.2', 'profile revocation.server'],
  (p) =>
    revocationPolicy(
      p,
      'server',
      'The client CA lists this certificate in its CRL (trust/client-crl.pem, also served at the CRL distribution point) and the harness OCSP responder answers revoked; a server that never checks keeps admitting a stolen key until it expires. Configure nginx with ssl_crl trust/client-crl.pem (or ssl_ocsp on), openssl s_server with -crl_check -CRLfile, HAProxy with crl-file.',
    ),
  { recipe: { kind: 'client-handshake', cert: 'client/revoked', revocation: true } },
);

clientAuth('unexpected-identity', "A valid certificate whose subject does not match the profile's client identity rule is refused", ['profile clientIdentity'], (p) =>
  p.clientIdentity
    ? required('reject', `The profile requires the client identity (${p.clientIdentity.match}) to match /${p.clientIdentity.pattern}/; a certificate from the trusted CA for someone else must not get in.`)
    : { ...info('reject', 'No client identity rule in the profile.'), skip: 'the profile has no clientIdentity rule' },
);

// --- server/protocol: one handshake per version with the valid certificate.

/**
 * A version is required only where the profile says so (tls.requiredVersions). Refusing an allowed
 * TLS 1.2 or 1.3 that is not required is an interoperability note (RFC 9325 §3.1.1: implementations
 * MUST support TLS 1.2 and SHOULD support 1.3, but a partner policy may choose 1.3 only): a TLS 1.3-only
 * target is conformant under a profile that merely allows 1.2. An allowed TLS 1.0/1.1 is information.
 */
function versionPolicy(p: Profile, version: TlsVersion, refuse: string): Policy {
  if (!p.tls.versions.includes(version)) return required('reject', `The profile allows ${p.tls.versions.join(', ')}; ${refuse}.`);
  if (p.tls.requiredVersions.includes(version)) return required('accept', `The profile requires ${version} (tls.requiredVersions).`);
  if (version === 'TLSv1.2' || version === 'TLSv1.3') {
    return recommended('accept', `The profile allows ${version} but does not require it (tls.requiredVersions): refusing it is an interoperability note, not a failure; partners that speak only ${version} cannot connect.`);
  }
  return info('accept', `The profile allows ${version} but does not require it.`);
}

const VERSION_CASES: [string, TlsVersion, string, string[]][] = [
  ['tls1.0', 'TLSv1', 'TLS 1.0', ['RFC 8996 §2']],
  ['tls1.1', 'TLSv1.1', 'TLS 1.1', ['RFC 8996 §3']],
  ['tls1.2', 'TLSv1.2', 'TLS 1.2', ['RFC 5246', 'RFC 9325 §3.1.1']],
  ['tls1.3', 'TLSv1.3', 'TLS 1.3', ['RFC 8446', 'RFC 9325 §3.1.1']],
];

for (const [name, version, label, refs] of VERSION_CASES) {
  define({
    id: `server/protocol/${name}`,
    title: `${label} with a valid client certificate: accepted if the profile allows it, refused otherwise`,
    role: 'server',
    recipe: { kind: 'client-handshake', cert: 'client/valid', version, legacy: version === 'TLSv1' || version === 'TLSv1.1' },
    refs: [...refs, 'profile tls.versions'],
    policy: (p) => versionPolicy(p, version, `${version} must be refused`),
  });
}

define({
  id: 'server/protocol/ssl3',
  title: 'SSL 3.0 is refused (raw ClientHello: the local OpenSSL cannot offer it)',
  role: 'server',
  recipe: { kind: 'raw-version', version: 'SSLv3' },
  refs: ['RFC 7568 §3'],
  policy: () => required('reject', 'RFC 7568: SSL 3.0 MUST NOT be used (POODLE); no profile allows it.'),
});

define({
  id: 'server/protocol/renegotiation',
  title: 'A client-initiated renegotiation of a TLS 1.2 connection is refused',
  role: 'server',
  recipe: { kind: 'renegotiation' },
  property: 'renegotiation-refused',
  refs: ['RFC 5746', 'RFC 5246 §7.4.1.2', 'RFC 8446 §4.1.2', 'CVE-2011-1473'],
  policy: () =>
    recommended('property', "A server that renegotiates whenever a client asks does a full handshake's work on demand (CVE-2011-1473); OpenSSL 3 and nginx refuse it by default, and TLS 1.3 has no renegotiation at all (RFC 8446 §4.1.2)."),
});

define({
  id: 'server/protocol/fallback-scsv',
  title: 'A ClientHello below the highest version, carrying TLS_FALLBACK_SCSV, is refused with inappropriate_fallback',
  role: 'server',
  recipe: { kind: 'fallback-scsv' },
  property: 'fallback-refused',
  refs: ['RFC 7507 §3'],
  policy: () =>
    recommended('property', 'RFC 7507 §3: a server that speaks a higher version than the one a client falls back to must abort with inappropriate_fallback (86), so that an attacker who breaks the first handshake cannot force a downgrade.'),
});

// --- server/session: what the target announces about session resumption.

define({
  id: 'server/session/ticket-lifetime',
  title: "The session ticket lifetime the target announces is within the profile's maximum",
  role: 'server',
  recipe: { kind: 'session-lifetime' },
  property: 'session-lifetime',
  refs: ['RFC 8446 §4.6.1', 'RFC 5077 §3.3', 'profile tls.maxSessionLifetimeSeconds'],
  policy: (p) =>
    p.tls.maxSessionLifetimeSeconds === null
      ? info('property', 'The profile sets no maximum session lifetime (tls.maxSessionLifetimeSeconds): the lifetime the target announces is reported, not judged.')
      : required(
          'property',
          `Sessions may live at most ${p.tls.maxSessionLifetimeSeconds} s: the lifetime announced with TLS 1.3 and TLS 1.2 tickets must not exceed it, and with --slow a session offered again ${p.tls.maxSessionLifetimeSeconds} s later must not be resumed.`,
        ),
});

// --- server/cipher: which suites the target accepts, each offered alone by a raw ClientHello.

for (const [version, label, field] of [
  ['TLSv1.2', 'tls1.2', 'ciphers12'],
  ['TLSv1.3', 'tls1.3', 'ciphers13'],
] as const) {
  define({
    id: `server/cipher/${label}-suites`,
    title: `Every ${version.replace('TLSv', 'TLS ')} suite the target accepts is in the profile's allowlist`,
    role: 'server',
    recipe: { kind: 'suite-sweep', version },
    property: 'suites-allowed',
    refs: ['RFC 9325 §4.2', version === 'TLSv1.2' ? 'RFC 5246 §7.4.1.2' : 'RFC 8446 §B.4', `profile tls.${field}`],
    policy: (p) => required('property', `Allowed: ${p.tls[field].join(', ')}. Suites are offered one per ClientHello by the harness's own prober, including RC4, 3DES, DES, EXPORT, NULL and anonymous suites the local OpenSSL cannot offer.`),
  });
}

// --- server/certificate: properties of the certificate the target presents.

define({
  id: 'server/certificate/trusted',
  title: "The target's certificate chains to the CA given by --target-ca (or the system roots)",
  role: 'server',
  recipe: { kind: 'control' },
  property: 'peer-trusted',
  refs: [RFC5280_PATH, 'RFC 9110 §4.3.4'],
  policy: () => required('property', 'A partner client verifies the server certificate; one that does not chain to the agreed CA is refused in production.'),
});

define({
  id: 'server/certificate/hostname',
  title: "The target's certificate names the host the harness connected to",
  role: 'server',
  recipe: { kind: 'control' },
  property: 'peer-hostname',
  refs: ['RFC 6125 §6', 'RFC 9110 §4.3.4', 'profile certificates.server.hostnameMatch'],
  policy: (p) =>
    p.certificates.server.hostnameMatch
      ? required('property', 'Clients check the DNS name or IP address in subjectAltName; a mismatch fails every verifying client.')
      : info('property', 'The profile does not require the certificate to name the host (certificates.server.hostnameMatch: false).'),
});

// --- client/server-auth: the target is a client; the harness serves a server-certificate matrix.

function serverAuth(name: string, title: string, refs: string[], policy: CatalogueEntry['policy'], extra: Partial<CatalogueEntry> = {}): void {
  define({
    id: `client/server-auth/${name}`,
    title,
    role: 'client',
    recipe: { kind: 'reference-server', cert: name === 'valid' ? 'server' : `server/${name}`, legacy: name === 'rsa-1024' || name === 'sha1-signature' },
    refs,
    policy,
    ...extra,
  });
}

serverAuth('valid', 'The client connects to a valid server and sends a request (positive control)', ['RFC 8446 §4.4.2', 'RFC 9110 §4.3.4'], () =>
  required('accept', 'Positive control: with a valid server certificate from the CA it was given, the client must complete a request; until it does, no refusal means anything.'),
  { positiveControl: true },
);
serverAuth('expired', 'The client refuses an expired server certificate', ['RFC 5280 §4.1.2.5', 'RFC 5280 §6.1.3 (a)(2)'], () =>
  required('reject', 'The validity period has ended; a client that sends its request anyway talks to whoever holds an old key.'),
);
serverAuth('not-yet-valid', 'The client refuses a server certificate whose validity has not started', ['RFC 5280 §4.1.2.5'], () =>
  required('reject', 'The validity period has not begun (RFC 5280 §6.1.3 (a)(2)).'),
);
serverAuth('self-signed', 'The client refuses a self-signed server certificate', [RFC5280_PATH], () =>
  required('reject', 'A self-signed certificate chains to no trusted CA: anyone can make one for any name.'),
);
serverAuth('untrusted-ca', 'The client refuses a server certificate from a CA it was not told to trust', [RFC5280_PATH], () =>
  required('reject', 'Only the CA given in CONFORMANCE_CA_FILE authenticates the partner server.'),
);
serverAuth('wrong-hostname', 'The client refuses a server certificate issued for another host', ['RFC 9110 §4.3.4', 'RFC 6125 §6'], () =>
  required('reject', 'The certificate names wrong-host.invalid, not 127.0.0.1: a client that skips the name check accepts any valid certificate from the CA.'),
);
serverAuth('eku-client-only', 'The client refuses a server certificate whose EKU allows only clientAuth', ['RFC 5280 §4.2.1.12'], () =>
  required('reject', 'RFC 5280 §4.2.1.12: the key may only be used for the listed purposes, and serverAuth is not listed.'),
);
serverAuth('rsa-1024', 'The client refuses a server certificate with an RSA-1024 key', ['NIST SP 800-131A Rev. 2 §3', 'profile certificates.server.minRsaBits'], (p) =>
  p.certificates.server.minRsaBits > 1024
    ? required('reject', `RSA-1024 gives about 80 bits of security; the profile requires RSA ≥ ${p.certificates.server.minRsaBits}.`)
    : info('accept', `The profile allows RSA keys of ${p.certificates.server.minRsaBits} bits and more.`),
);
serverAuth('sha1-signature', 'The client refuses a server certificate signed with SHA-1', ['RFC 9155 §5', 'profile certificates.server.forbiddenSignatureHashes'], (p) =>
  p.certificates.server.forbiddenSignatureHashes.includes('sha1')
    ? required('reject', 'SHA-1 signatures are forgeable (chosen-prefix collisions); the profile forbids them.')
    : info('accept', 'The profile does not forbid SHA-1 signatures.'),
);
serverAuth('issuer-not-ca', 'The client refuses a server certificate issued by a certificate that is not a CA', ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (k)'], () =>
  required('reject', 'The issuer has basicConstraints cA=FALSE, so its signature proves nothing (RFC 5280 §6.1.4 (k)).'),
);
serverAuth('intermediate-not-sent', 'The client refuses a server that does not send the intermediate its certificate needs', [RFC5280_PATH, 'RFC 8446 §4.4.2'], () =>
  required('reject', 'No path leads from the leaf to the trusted root without the intermediate; accepting it means the chain was not verified.'),
);

for (const pc of PATH_CASES) {
  serverAuth(pc.name, `The client refuses a server certificate ${pc.what}`, [...pc.refs, RFC5280_PATH], () => required('reject', pc.why));
}
serverAuth(
  'revoked',
  'The client refuses a server certificate its CA has revoked (CRL file, CDP, OCSP)',
  ['RFC 5280 §6.3', 'RFC 5280 §5', 'RFC 6960 §2.2', 'RFC 6066 §8', 'profile revocation.client'],
  (p) =>
    revocationPolicy(
      p,
      'client',
      'The server CA lists this certificate in its CRL, handed to the client as {crl} / CONFORMANCE_CRL_FILE (trust/server-crl.pem) and served at the CRL distribution point, and the harness OCSP responder answers revoked. Configure curl with --crlfile {crl}, openssl s_client with -crl_check -CRL {crl}, Node with the crl option.',
    ),
  { recipe: { kind: 'reference-server', cert: 'server/revoked', revocation: true } },
);
serverAuth('no-san', 'The client refuses a server certificate without subjectAltName whose CN names the address it connected to', ['RFC 2818 §3.1', 'RFC 9525', 'RFC 6125 §6.4.4'], () =>
  // Recommended, not required: curl 7.88 (OpenSSL 3.0) still falls back to the CN for an address
  // (seen by hand: HTTP 200 from a CN-only certificate at https://127.0.0.1), while openssl s_client
  // -verify_ip, Node and Go refuse; a policy that forbids the fallback raises it with cases.severity.
  recommended('reject', 'The certificate carries CN=127.0.0.1 and no subjectAltName. For an address, RFC 2818 §3.1 requires an iPAddress subjectAltName that matches, and RFC 9525 drops the CN fallback altogether: a client that reads the CN accepts a name the CA may never have validated as one. Recommended: common clients (curl) still fall back; raise it with cases.severity.'),
);
serverAuth('ip-as-dns', 'The client refuses a server certificate that writes the address it connected to as a DNS name', ['RFC 5280 §4.2.1.6', 'RFC 2818 §3.1', 'RFC 9525'], () =>
  required('reject', 'The subjectAltName holds dNSName "127.0.0.1", not an iPAddress: RFC 5280 §4.2.1.6 puts addresses in iPAddress (octets), and an address reference identity matches only an iPAddress SAN (RFC 2818 §3.1). A client that compares strings accepts what CAs never validated as addresses.'),
);

const CLIENT_VERSION_CASES: [string, TlsVersion, string, string[]][] = [
  ['tls1.0-only-server', 'TLSv1', 'TLS 1.0', ['RFC 8996 §2']],
  ['tls1.1-only-server', 'TLSv1.1', 'TLS 1.1', ['RFC 8996 §3']],
  ['tls1.2-only-server', 'TLSv1.2', 'TLS 1.2', ['RFC 5246', 'RFC 9325 §3.1.1']],
];
for (const [name, version, label, refs] of CLIENT_VERSION_CASES) {
  define({
    id: `client/protocol/${name}`,
    title: `A server that speaks only ${label}: the client connects if the profile allows ${label}, refuses otherwise`,
    role: 'client',
    recipe: { kind: 'reference-server', cert: 'server', version, legacy: version !== 'TLSv1.2' },
    refs: [...refs, 'profile tls.versions'],
    policy: (p) => versionPolicy(p, version, `the client must not fall back to ${version}`),
  });
}

// --- what the client offers in its ClientHello, read by the positive control's server.

define({
  id: 'client/protocol/offered-versions',
  title: "The client offers only the protocol versions the profile allows",
  role: 'client',
  recipe: { kind: 'control' },
  property: 'offered-versions',
  refs: ['RFC 8446 §4.2.1', 'RFC 8996', 'profile tls.versions'],
  // Recommended, not required: OpenSSL 3.0 clients (curl, s_client) list TLS 1.0/1.1 yet refuse to
  // complete them at security level 2; whether a client *completes* a forbidden version is
  // client/protocol/tls1.0-only-server's required finding.
  policy: (p) =>
    recommended('property', `Allowed: ${p.tls.versions.join(', ')}. A server may pick any version the client offers (offered: supported_versions, else legacy_version); whether the client completes it is judged by client/protocol/*-only-server.`),
});

define({
  id: 'client/cipher/offered-suites',
  title: "The client offers only cipher suites in the profile's allowlists",
  role: 'client',
  recipe: { kind: 'control' },
  property: 'offered-suites',
  refs: ['RFC 9325 §4.2', 'RFC 8446 §4.1.2', 'profile tls.ciphers12', 'profile tls.ciphers13'],
  policy: (p) =>
    recommended(
      'property',
      `Allowed: ${[...p.tls.ciphers13, ...p.tls.ciphers12].join(', ')}. A partner server picks from its own list, so offering more does not break a connection, but the client then supports suites the policy excludes; GREASE values and signalling suites (SCSVs) are not counted.`,
    ),
});

// --- client/certificate: the certificate the client presents to the positive control's server.

function clientCertificate(name: string, property: CaseDefinition['property'], title: string, refs: string[], policy: CatalogueEntry['policy']): void {
  define({ id: `client/certificate/${name}`, title, role: 'client', recipe: { kind: 'control' }, property, refs, policy });
}

clientCertificate('presented', 'client-cert-presented', 'The client presents a certificate from the expected CA when the server asks for one', ['RFC 8446 §4.4.2', 'RFC 5246 §7.4.6'], () =>
  required('property', 'Mutual TLS: without a client certificate the partner server cannot authenticate the client.'),
);
clientCertificate('eku', 'client-cert-eku', "The client certificate's EKU meets the profile", ['RFC 5280 §4.2.1.12', 'profile certificates.client.eku'], (p) =>
  required('property', `EKU rule for client certificates: ${p.certificates.client.eku}.`),
);
clientCertificate('key-strength', 'client-cert-key-strength', "The client certificate's key meets the profile's minimum", ['NIST SP 800-57 Part 1 §5.6.1', 'profile certificates.client.minRsaBits'], (p) =>
  required('property', `RSA ≥ ${p.certificates.client.minRsaBits} bits or EC ≥ ${p.certificates.client.minEcBits} bits.`),
);
clientCertificate('validity-period', 'client-cert-validity-period', "The client certificate's validity period is within the profile's maximum", ['CA/B Forum BR §6.3.2', 'profile certificates.client.maxValidityDays'], (p) =>
  p.certificates.client.maxValidityDays === null
    ? info('property', 'The profile sets no maximum validity period.')
    : required('property', `Validity at most ${p.certificates.client.maxValidityDays} days.`),
);
clientCertificate('not-expired', 'client-cert-not-expired', 'The client certificate is inside its validity period', ['RFC 5280 §4.1.2.5'], () =>
  required('property', 'A partner server refuses an expired or not-yet-valid client certificate.'),
);
clientCertificate('renewal-window', 'client-cert-renewal-window', 'The client certificate is renewed before the renewal window', ['profile certificates.client.minRemainingDays'], (p) =>
  p.certificates.client.minRemainingDays > 0
    ? required('property', `At least ${p.certificates.client.minRemainingDays} days must remain before expiry (renew early, avoid an outage).`)
    : info('property', 'The profile sets no renewal window.'),
);
clientCertificate('end-entity', 'client-cert-end-entity', 'The client certificate is an end-entity certificate, not a CA', ['RFC 5280 §4.2.1.9', 'CA/B Forum BR §7.1.2.3'], () =>
  required('property', 'basicConstraints cA TRUE lets the holder of the key issue certificates; a certificate presented as the client\'s own must be an end entity (cA FALSE or absent).'),
);
clientCertificate('identity', 'client-cert-identity', "The client certificate's identity matches the profile's rule", ['profile clientIdentity'], (p) =>
  p.clientIdentity
    ? required('property', `The ${p.clientIdentity.match} must match /${p.clientIdentity.pattern}/ (the identifier the partner server checks).`)
    : { ...info('property', 'No client identity rule in the profile.'), skip: 'the profile has no clientIdentity rule' },
);

define({
  id: 'client/certificate/key-not-printed',
  title: 'The client does not print its private key',
  role: 'client',
  recipe: { kind: 'control' },
  property: 'client-key-not-printed',
  refs: ['NIST SP 800-57 Part 1 §6.2.1', 'OWASP ASVS 5.0 §16.2'],
  policy: () =>
    required(
      'property',
      'A private key on stdout or stderr ends up in CI logs and log collectors, where anyone who reads them can impersonate the client. The harness redacts it from every report; the finding stays.',
    ),
});

function serverCertificate(name: string, property: CaseDefinition['property'], title: string, refs: string[], policy: CatalogueEntry['policy']): void {
  define({ id: `server/certificate/${name}`, title, role: 'server', recipe: { kind: 'control' }, property, refs, policy });
}

serverCertificate('eku', 'peer-eku', "The target's certificate EKU meets the profile", ['RFC 5280 §4.2.1.12', 'profile certificates.server.eku'], (p) =>
  required('property', `EKU rule for server certificates: ${p.certificates.server.eku} (a present EKU must allow serverAuth in any case).`),
);
serverCertificate('key-strength', 'peer-key-strength', "The target's certificate key meets the profile's minimum", ['NIST SP 800-57 Part 1 §5.6.1', 'profile certificates.server.minRsaBits'], (p) =>
  required('property', `RSA ≥ ${p.certificates.server.minRsaBits} bits or EC ≥ ${p.certificates.server.minEcBits} bits.`),
);
serverCertificate('validity-period', 'peer-validity-period', "The target's certificate validity period is within the profile's maximum", ['CA/B Forum BR §6.3.2', 'profile certificates.server.maxValidityDays'], (p) =>
  p.certificates.server.maxValidityDays === null
    ? info('property', 'The profile sets no maximum validity period.')
    : required('property', `Validity at most ${p.certificates.server.maxValidityDays} days.`),
);
serverCertificate('not-expired', 'peer-not-expired', "The target's certificate is inside its validity period", ['RFC 5280 §4.1.2.5'], () =>
  required('property', 'Every verifying client refuses an expired or not-yet-valid server certificate.'),
);
serverCertificate('renewal-window', 'peer-renewal-window', "The target's certificate is renewed before the renewal window", ['profile certificates.server.minRemainingDays'], (p) =>
  p.certificates.server.minRemainingDays > 0
    ? required('property', `At least ${p.certificates.server.minRemainingDays} days must remain before expiry.`)
    : info('property', 'The profile sets no renewal window.'),
);
serverCertificate('signature-algorithm', 'peer-signature-algorithm', "The target's certificate is not signed with a forbidden hash", ['RFC 9155 §5', 'profile certificates.server.forbiddenSignatureHashes'], (p) =>
  required('property', `Forbidden signature hashes: ${p.certificates.server.forbiddenSignatureHashes.join(', ') || 'none'}.`),
);
serverCertificate('end-entity', 'peer-end-entity', "The target's certificate is an end-entity certificate, not a CA", ['RFC 5280 §4.2.1.9', 'CA/B Forum BR §7.1.2.3'], () =>
  required('property', 'basicConstraints cA TRUE (what `openssl req -x509` sets) lets the holder of the key issue certificates for any name under it; a server certificate must be an end entity (cA FALSE or absent).'),
);
serverCertificate('chain-complete', 'peer-chain-complete', 'The target sends the intermediates its certificate needs', ['RFC 8446 §4.4.2', 'RFC 5246 §7.4.2'], () =>
  required('property', 'Judged from the chain the target actually sent: clients that do not fetch missing intermediates (most non-browser clients) fail without them.'),
);

export function catalogue(): CatalogueEntry[] {
  return [...registry.values()];
}

export function findCase(id: string): CatalogueEntry | undefined {
  return registry.get(id);
}
