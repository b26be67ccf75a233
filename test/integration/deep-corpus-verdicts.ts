/**
 * What each real peer does with the deep corpus where it deviates from the expectation: case id ->
 * [verdict, why]. Every other case of the families a peer runs must pass (deep-corpus.test.ts).
 * Observed on Debian 12 (OpenSSL 3.0.19, nginx 1.22, curl 7.88.1) and Node 24 (OpenSSL 3.5).
 * A deviation is a finding about the peer, never a loosened expectation.
 */
export type Peer = 'nginx' | 's_server' | 's_client' | 'curl' | 'node';

/**
 * OpenSSL's chain builder takes the first candidate issuer that matches by name (and key id) and
 * does not backtrack when the path through it fails for a reason other than time (RFC 4158 §2
 * path building): a valid alternative sent after a broken one, or after an untrusted self-signed
 * root of the same name, is not tried. Recommended severity: reported, not a required failure.
 */
const OPENSSL_FIRST_ISSUER = 'OpenSSL follows the first matching issuer and does not backtrack (RFC 4158 §2); the valid path sent after it is not tried.';

export const DEVIATIONS: Record<Peer, Record<string, [string, string]>> = {
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
  'server/pathological/large-certificate': ['fail', 'nginx answers alert 80 internal_error to a 48 KiB client certificate (its client header buffers; the handshake itself succeeded): info, answered within the bound.'],
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
  },
  's_client': {
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
