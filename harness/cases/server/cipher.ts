import { area, required, type CaseEntry } from '../define.js';

/** server/cipher: which suites the target accepts, each offered alone by a raw ClientHello. */

const cases = (
  [
    ['TLSv1.2', 'tls1.2', 'ciphers12'],
    ['TLSv1.3', 'tls1.3', 'ciphers13'],
  ] as const
).map(
  ([version, label, field]): CaseEntry => ({
    name: `${label}-suites`,
    title: `Every ${version.replace('TLSv', 'TLS ')} suite the target accepts is in the profile's allowlist`,
    probe: { kind: 'suite-sweep', version },
    property: 'suites-allowed',
    refs: ['RFC 9325 §4.2', version === 'TLSv1.2' ? 'RFC 5246 §7.4.1.2' : 'RFC 8446 §B.4', `profile tls.${field}`],
    policy: (p) => required('property', `Allowed: ${p.tls[field].join(', ')}. Suites are offered one per ClientHello by the harness's own prober, including RC4, 3DES, DES, EXPORT, NULL and anonymous suites the local OpenSSL cannot offer.`),
  }),
);

export default area('server', 'cipher', cases);
