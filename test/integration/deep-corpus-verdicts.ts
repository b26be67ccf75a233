/**
 * What each real peer does with the deep corpus where it deviates from the expectation: case id ->
 * [verdict, why]. Every other case of the families a peer runs must pass (deep-corpus.test.ts).
 * Observed on Debian 12 (OpenSSL 3.0.19, nginx 1.22, curl 7.88.1) and Node 24 (OpenSSL 3.5).
 * A deviation is a finding about the peer, never a loosened expectation. An optional third element
 * is what the peer was seen to do, matched against the observation (`<outcome>: <detail>`).
 */
export type Peer = 'nginx' | 's_server' | 's_client' | 'curl' | 'node' | 'node-name';

/**
 * OpenSSL's chain builder takes the first candidate issuer that matches by name (and key id) and
 * does not backtrack when the path through it fails for a reason other than time (RFC 4158 §2
 * path building): a valid alternative sent after a broken one, or after an untrusted self-signed
 * root of the same name, is not tried. Recommended severity: reported, not a required failure.
 */
const OPENSSL_FIRST_ISSUER = 'OpenSSL follows the first matching issuer and does not backtrack (RFC 4158 §2); the valid path sent after it is not tried.';

/**
 * The name-smuggling bypass seen on real clients: the host name check removes a trailing dot from
 * the dNSName "api.mtls-conformance.localhost." before comparing, while OpenSSL's name-constraint
 * check (nc_dns) compares the bytes, which do not end in the excluded ".mtls-conformance.localhost".
 * The name the client accepts is the one the CA was forbidden to certify.
 */
const TRAILING_DOT_BYPASS = (who: string) => `${who} strips the trailing dot from the dNSName before matching the host, while OpenSSL's name-constraint check compares the bytes "api.mtls-conformance.localhost." against the excluded subtree and finds it outside: the client accepted the excluded name.`;
/**
 * OpenSSL's name-constraint checks (crypto/x509/v3_ncons.c) compare a client certificate's names as
 * written: a dNSName by its bytes (no syntax check, no trailing-dot or separator handling), a URI's
 * host as everything between "//" and the next ":" or "/" (userinfo included). nginx and s_server
 * inherit them.
 */
const OPENSSL_NC = {
  trailingDot: 'OpenSSL compares "client.mtls-conformance.localhost." byte by byte with the excluded subtree, finds it outside and accepts (RFC 5280 has no trailing dot: information).',
  nul: 'OpenSSL compares the dNSName byte by byte, NUL included: "client.mtls-conformance.localhost\\0.other.invalid" ends in the permitted ".other.invalid" and is accepted; it does not check dNSName syntax (RFC 5280 §4.2.1.6): soft fail.',
  comma: 'OpenSSL compares the dNSName "client.mtls-conformance.localhost, DNS:client.other.invalid" byte by byte: it ends in ".other.invalid", outside the excluded subtree, and is accepted; it does not check dNSName syntax: soft fail.',
  userinfo: 'OpenSSL (nc_uri) takes everything between "//" and the next ":" or "/" as the URI host, so "client@mtls-conformance.localhost" is compared with the excluded host "mtls-conformance.localhost", differs, and the certificate is accepted; RFC 3986 §3.2 puts userinfo outside the host part RFC 5280 §4.2.1.10 constrains.',
};
/** nginx answers 200 and s_server its -www page: the client certificate was accepted. */
const SERVER_ACCEPTED = /^(accepted|http-status): HTTP 200\b/;
const OPENSSL_NC_SERVER: Record<string, Deviation> = {
  'server/name-smuggling/dns-trailing-dot-xi': ['fail', OPENSSL_NC.trailingDot, SERVER_ACCEPTED],
  'server/name-smuggling/dns-nul-po': ['fail', OPENSSL_NC.nul, SERVER_ACCEPTED],
  'server/name-smuggling/dns-comma-xi': ['fail', OPENSSL_NC.comma, SERVER_ACCEPTED],
  'server/name-smuggling/uri-userinfo-xi': ['fail', OPENSSL_NC.userinfo, SERVER_ACCEPTED],
};

/** A client that got through: it sent its request over the smuggled certificate and exited 0. */
const CLIENT_ACCEPTED = /^accepted: the client sent "GET \/ HTTP\/[\d.]+" over TLSv1\.3 and exited 0/;

/** RFC 6125 §6.4.4 allowed the CN only when no DNS-ID, SRV-ID or URI-ID exists; RFC 9525 never. */
const CN_BESIDE_URI = (who: string) => `${who} falls back to the subject CN whenever the certificate has no dNSName: a URI SAN does not stop it (RFC 6125 §6.4.4 forbids the CN beside a URI-ID; RFC 9525 §6.3 never uses it).`;

export type Deviation = [verdict: string, why: string, seen?: RegExp];

/**
 * BetterTLS's graphs (harness/cases/deep/path-building.ts), where the same OpenSSL builder (3.0 in
 * nginx, s_server and curl; 3.5 in Node 24) takes, for each issuer, the first certificate of it on
 * the wire, preferring one that is in time, and never backtracks. s_server and curl stop at the
 * first verify error; nginx and Node let verification run on and report the last one, which is
 * the broken certificate's own error where the path they took holds one (seen in nginx's
 * error.log, s_server's output, Node's error code, curl's alert; openssl verify -untrusted with
 * the same list shows the same chain).
 */
const OPENSSL_TWO_ROOTS = 'OpenSSL takes the issuer certificate sent first, the untrusted root\'s, and ends at that root, which is not sent (error 20 unable to get local issuer certificate; nginx and Node report the broken certificate\'s own error where it has one); it never goes back to the anchor\'s certificate sent second (RFC 4158 §2). Only an expired first candidate is passed over: the expired variant passes.';
const OPENSSL_FIGURE_SEVEN = 'OpenSSL takes the first certificate of each issuer on the wire (an in-time one first) and never backtracks (RFC 4158 §2): in Figure 7\'s order that is a broken certificate of B, or a walk round the A↔C cycle that ends on the broken certificate from the anchor (its error: 10 expired, 47 name constraints, 26 purpose, 79 invalid CA, 68 SHA-1); the valid path the case leaves is never tried.';
const OPENSSL_BRIDGE = 'OpenSSL takes the first certificate of each issuer on the wire and never backtracks (RFC 4158 §2): at the bridge it takes TA W\'s certificate (listed first), loops through the bridge\'s cross-certificates and reaches a CA whose only certificate is already in its chain (error 20 unable to get local issuer certificate; nginx and Node report the broken certificate\'s own error where it has one). The anchor\'s certificate of the bridge, listed last, is never reached; with TA X\'s certificate of the bridge expired it passes that one over, which leads it to the anchor by TA Y (the expired variant passes).';

/**
 * What each peer was seen to answer, by the first verify error on the path OpenSSL took: s_server
 * and curl send it as an alert (20 unable to get local issuer certificate and 79 invalid CA as
 * unknown_ca, 10 as certificate_expired, 47 as certificate_unknown, 26 as unsupported_certificate,
 * 68 as bad_certificate), nginx answers its 400 page, Node's client closes the handshake.
 */
const FIRST_ERROR_ALERT: Record<string, string> = {
  'no-issuer': '48 unknown_ca',
  expired: '45 certificate_expired',
  'name-constraints': '46 certificate_unknown',
  'bad-eku': '43 unsupported_certificate',
  'missing-bc': '48 unknown_ca',
  'not-ca': '48 unknown_ca',
  sha1: '42 bad_certificate',
};
type GraphSeen = (firstError: string) => RegExp;
const ALERT_SEEN: GraphSeen = (e) => new RegExp(`alert ${FIRST_ERROR_ALERT[e]}\\b`);
const NGINX_SEEN: GraphSeen = () => /^http-status: HTTP 400: .*The SSL certificate error/;
const NODE_SEEN: GraphSeen = () => /^closed-no-data: the client closed the connection during the handshake/;

/** The graph cases every OpenSSL-based peer fails, with why (the same for both roles) and what the peer was seen to answer. */
function openSslGraphFails(role: 'server' | 'client', seen: GraphSeen): Record<string, Deviation> {
  const out: Record<string, Deviation> = {};
  const add = (name: string, why: string, firstError: string) => (out[`${role}/path-building/${name}`] = ['fail', why, seen(firstError)]);
  add('two-roots-anchor-second', OPENSSL_TWO_ROOTS, 'no-issuer');
  add('bridge-pki-valid', OPENSSL_BRIDGE, 'no-issuer');
  add('bridge-pki-leaf-d', OPENSSL_BRIDGE, 'no-issuer');
  for (const r of ['expired', 'name-constraints', 'bad-eku', 'missing-bc', 'not-ca', 'sha1']) {
    add(`figure-seven-${r}-path-a-c-b`, OPENSSL_FIGURE_SEVEN, r);
    add(`figure-seven-${r}-path-c-a-b`, OPENSSL_FIGURE_SEVEN, r);
    if (r === 'expired') continue;
    add(`two-roots-anchor-second-${r}-other-edge`, OPENSSL_TWO_ROOTS, 'no-issuer');
    add(`bridge-pki-${r}-x-to-bridge`, OPENSSL_BRIDGE, 'no-issuer');
  }
  return out;
}

export const DEVIATIONS: Record<Peer, Record<string, Deviation>> = {
  nginx: {
  'server/basic-constraints/leaf-ca-true': ['fail', 'OpenSSL accepts a cA=TRUE end entity (RFC 5280 allows it; the Web PKI does not): info.'],
  'server/basic-constraints/ca-as-leaf': ['fail', 'OpenSSL accepts a CA certificate as the peer certificate: info.'],
  'server/key-usage/leaf-key-agreement-only': ['fail', 'OpenSSL does not check keyUsage digitalSignature on the TLS 1.3 peer certificate (RFC 8446 §4.4.2.4; X509_check_purpose SSL client/server accepts keyAgreement).'],
  'server/key-usage/leaf-keycertsign-not-ca': ['fail', 'OpenSSL accepts keyCertSign on a non-CA leaf (RFC 5280 §4.2.1.3 MUST NOT for the issuer): info.'],
  'server/eku/leaf-any-only': ['fail', 'OpenSSL refuses anyExtendedKeyUsage alone for the SSL purpose (X509_PURPOSE_SSL_*; RFC 5280 allows it): info.'],
  'server/eku/ca-any': ['fail', 'OpenSSL refuses a CA whose EKU is anyExtendedKeyUsage alone for the SSL purpose: info.'],
  'server/name-constraints/ipv6-constraint-v4-name': ['fail', 'OpenSSL (nc_match) refuses a 4-octet address under a permitted set of 16-octet subtrees: RFC 5280 §4.2.1.10 is read differently by validators: info.'],
  'server/encoding/serial-21-octets': ['fail', 'OpenSSL accepts a 21-octet serial (pedantic-serial-number): info.'],
  'server/encoding/serial-zero': ['fail', 'OpenSSL accepts serial zero (pedantic-serial-number): info.'],
  'server/encoding/serial-negative': ['fail', 'OpenSSL accepts a negative serial (pedantic-serial-number): info.'],
  'server/encoding/leaf-version-1': ['fail', 'OpenSSL accepts a v1 client certificate (no extensions; limbo webpki::v1-cert): info.'],
  'server/path-building/expired-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/name-constraints-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/name-constraints-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/name-constraints-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/bad-eku-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/bad-eku-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/bad-eku-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/missing-bc-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/missing-bc-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/missing-bc-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/not-ca-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/not-ca-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/not-ca-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/sha1-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/sha1-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/sha1-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/rotation-with-new-root': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/bridge-path-shuffled': ['fail', OPENSSL_FIRST_ISSUER],
  ...OPENSSL_NC_SERVER,
  ...openSslGraphFails('server', NGINX_SEEN),
  },
  's_server': {
  'server/name-constraints/ipv6-constraint-v4-name': ['fail', 'OpenSSL (nc_match) refuses a 4-octet address under a permitted set of 16-octet subtrees: info.'],
  'server/path-building/expired-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/name-constraints-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/name-constraints-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/name-constraints-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/bad-eku-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/bad-eku-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/bad-eku-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/missing-bc-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/missing-bc-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/missing-bc-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/not-ca-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/not-ca-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/not-ca-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/sha1-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/sha1-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/sha1-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/rotation-with-new-root': ['fail', OPENSSL_FIRST_ISSUER],
  'server/path-building/bridge-path-shuffled': ['fail', OPENSSL_FIRST_ISSUER],
  ...OPENSSL_NC_SERVER,
  ...openSslGraphFails('server', ALERT_SEEN),
  },
  's_client': {
  'client/name-smuggling/cn-host-uri-san-none': ['fail', CN_BESIDE_URI('OpenSSL X509_check_host (s_client -verify_hostname)'), CLIENT_ACCEPTED],
  'client/basic-constraints/leaf-ca-true': ['fail', 'OpenSSL accepts a cA=TRUE end entity (RFC 5280 allows it; the Web PKI does not): info.'],
  'client/basic-constraints/ca-as-leaf': ['fail', 'OpenSSL accepts a CA certificate as the peer certificate: info.'],
  'client/key-usage/leaf-key-agreement-only': ['fail', 'OpenSSL does not check keyUsage digitalSignature on the TLS 1.3 peer certificate (RFC 8446 §4.4.2.4; X509_check_purpose SSL client/server accepts keyAgreement).'],
  'client/key-usage/leaf-keycertsign-not-ca': ['fail', 'OpenSSL accepts keyCertSign on a non-CA leaf (RFC 5280 §4.2.1.3 MUST NOT for the issuer): info.'],
  'client/eku/leaf-any-only': ['fail', 'OpenSSL refuses anyExtendedKeyUsage alone for the SSL purpose (X509_PURPOSE_SSL_*; RFC 5280 allows it): info.'],
  'client/eku/ca-any': ['fail', 'OpenSSL refuses a CA whose EKU is anyExtendedKeyUsage alone for the SSL purpose: info.'],
  'client/name-constraints/ipv6-constraint-v4-name': ['fail', 'OpenSSL (nc_match) refuses a 4-octet address under a permitted set of 16-octet subtrees: RFC 5280 §4.2.1.10 is read differently by validators: info.'],
  'client/encoding/serial-21-octets': ['fail', 'OpenSSL accepts a 21-octet serial (pedantic-serial-number): info.'],
  'client/encoding/serial-zero': ['fail', 'OpenSSL accepts serial zero (pedantic-serial-number): info.'],
  'client/encoding/serial-negative': ['fail', 'OpenSSL accepts a negative serial (pedantic-serial-number): info.'],
  'client/key-usage/leaf-rsa-key-encipherment-only': ['fail', 'OpenSSL does not check keyUsage digitalSignature on an RSA server certificate in TLS 1.3 (RFC 8446 §4.4.2.4).'],
  'client/eku/leaf-absent': ['fail', 'The intermediate profile requires serverAuth to be listed (certificates.server.eku: required); OpenSSL, like RFC 5280 §4.2.1.12, accepts a leaf without EKU.'],
  'client/hostname/wildcard-partial-label': ['fail', 'OpenSSL X509_check_host matches a partial-label wildcard (a*.example) unless X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS is set; RFC 9525 §6.3 says SHOULD NOT.'],
  'client/hostname/cn-only': ['fail', 'OpenSSL X509_check_host falls back to the CN when no DNS SAN exists (RFC 6125 allowed it; RFC 9525 §6.3 does not) unless X509_CHECK_FLAG_NEVER_CHECK_SUBJECT.'],
  'client/hostname/trailing-dot-san': ['fail', 'OpenSSL does not match a dNSName with a trailing dot against the host: info (RFC 5280 §4.2.1.6 does not allow the form).'],
  },
  curl: {
  'client/name-smuggling/trailing-dot-xi': ['fail', TRAILING_DOT_BYPASS("curl's own host check (Curl_cert_hostcheck, OpenSSL backend)"), CLIENT_ACCEPTED],
  'client/name-smuggling/cn-host-uri-san-none': ['fail', CN_BESIDE_URI('curl (OpenSSL backend)'), CLIENT_ACCEPTED],
  'client/hostname/cn-only': ['fail', 'curl (OpenSSL backend) falls back to the CN when no DNS SAN exists (RFC 9525 §6.3 does not).'],
  'client/hostname/ip-in-cn-only': ['fail', 'curl (OpenSSL backend) accepts 127.0.0.1 named only in the CN; RFC 9525 §6.2 matches addresses against iPAddress SANs only.'],
  'client/path-building/expired-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/name-constraints-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/name-constraints-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/name-constraints-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/bad-eku-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/bad-eku-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/bad-eku-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/missing-bc-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/missing-bc-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/missing-bc-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/not-ca-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/not-ca-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/not-ca-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/sha1-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/sha1-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/sha1-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/rotation-with-new-root': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/bridge-path-shuffled': ['fail', OPENSSL_FIRST_ISSUER],
  ...openSslGraphFails('client', ALERT_SEEN),
  },
  node: {
  'client/path-building/expired-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/name-constraints-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/name-constraints-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/name-constraints-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/bad-eku-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/bad-eku-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/bad-eku-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/missing-bc-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/missing-bc-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/missing-bc-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/not-ca-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/not-ca-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/not-ca-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/sha1-alt-issuer-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/sha1-upper-bad-first': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/sha1-cross-all': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/rotation-with-new-root': ['fail', OPENSSL_FIRST_ISSUER],
  'client/path-building/bridge-path-shuffled': ['fail', OPENSSL_FIRST_ISSUER],
  ...openSslGraphFails('client', NODE_SEEN),
  },
  'node-name': {
  'client/name-smuggling/trailing-dot-xi': ['fail', TRAILING_DOT_BYPASS("Node's tls.checkServerIdentity (unfqdn on host and pattern)"), CLIENT_ACCEPTED],
  'client/name-smuggling/cn-host-uri-san-none': ['fail', CN_BESIDE_URI("Node's tls.checkServerIdentity (\"Match against Common Name only if no supported identifiers exist\"; URI SANs are not among them)"), CLIENT_ACCEPTED],
  },
};

/**
 * The crl family (issue 16 §2, harness/cases/deep/crl.ts) against peers set up to check CRLs with
 * the deep bundle (deep-corpus.test.ts, the crl block): case id -> [verdict, why, what the peer was
 * seen to do]. Every other crl case must pass. The third element is matched against the case's
 * observation, so a deviation is asserted with the reason the peer gave, not just its verdict.
 */
export type CrlPeer = 'nginx-crl' | 's_server-crl' | 's_client-crl' | 'curl-crl';

/** OpenSSL (X509_V_FLAG_CRL_CHECK_ALL, as nginx ssl_crl, s_server/s_client -crl_check_all and curl --crlfile set it). */
const OPENSSL_SHA1_CRL = 'OpenSSL verifies an ECDSA-SHA1 CRL signature and uses the CRL (its security level applies to certificates, not CRLs); the profile forbids SHA-1: info.';
const OPENSSL_NO_CRL_NUMBER = 'OpenSSL uses a CRL without a CRL number (RFC 5280 §5.2.3 MUST for issuers, not checked by validators): info.';
const OPENSSL_DUPLICATE = 'OpenSSL uses a CRL that lists a serial twice (a Web PKI rule, not RFC 5280): info.';
const OPENSSL_NO_DELTAS = 'OpenSSL reads delta CRLs only with X509_V_FLAG_USE_DELTAS, which no peer here sets: the hold on the complete CRL stands (RFC 5280 allows ignoring deltas): info.';

const crlOpenssl = (accepted: RegExp, revoked: RegExp): Record<string, [string, string, RegExp]> => ({
  'server/crl/crl-sha1-signature': ['fail', OPENSSL_SHA1_CRL, accepted],
  'server/crl/crl-number-missing': ['fail', OPENSSL_NO_CRL_NUMBER, accepted],
  'server/crl/crl-duplicate-entry': ['fail', OPENSSL_DUPLICATE, accepted],
  'server/crl/delta-releases-hold': ['fail', OPENSSL_NO_DELTAS, revoked],
});
const crlOpensslClient = (accepted: RegExp, revoked: RegExp): Record<string, [string, string, RegExp]> =>
  Object.fromEntries(Object.entries(crlOpenssl(accepted, revoked)).map(([id, v]) => [id.replace(/^server\//, 'client/'), v]));

export const CRL_DEVIATIONS: Record<CrlPeer, Record<string, [string, string, RegExp]>> = {
  // nginx answers 200 to an accepted client certificate and 400 "The SSL certificate error" to a
  // refused one; the verify error is in its error log (deep-corpus.test.ts checks it there).
  'nginx-crl': crlOpenssl(/^HTTP 200: ok/, /^HTTP 400: .*The SSL certificate error/),
  's_server-crl': crlOpenssl(/^HTTP 200: <HTML>/, /^alert 44 certificate_revoked/),
  's_client-crl': crlOpensslClient(/sent "GET \/ HTTP\/1\.0" over TLSv1\.3 and exited 0/, /sent alert 44 certificate_revoked and exited 1/),
  'curl-crl': crlOpensslClient(/sent "GET \/ HTTP\/2\.0" over TLSv1\.3 and exited 0/, /sent alert 44 certificate_revoked and exited 60/),
};
