import type { TlsVersion } from '../../model.js';
import { area, recommended, required, type CaseEntry } from '../define.js';
import { versionPolicy } from '../policies.js';

/** server/protocol: one handshake per version with the valid client certificate, and what the target does with old or odd protocol. */

const VERSIONS: [string, TlsVersion, string, string[]][] = [
  ['tls1.0', 'TLSv1', 'TLS 1.0', ['RFC 8996 §2']],
  ['tls1.1', 'TLSv1.1', 'TLS 1.1', ['RFC 8996 §3']],
  ['tls1.2', 'TLSv1.2', 'TLS 1.2', ['RFC 5246', 'RFC 9325 §3.1.1']],
  ['tls1.3', 'TLSv1.3', 'TLS 1.3', ['RFC 8446', 'RFC 9325 §3.1.1']],
];

const cases: CaseEntry[] = [
  ...VERSIONS.map(
    ([name, version, label, refs]): CaseEntry => ({
      name,
      title: `${label} with a valid client certificate: accepted if the profile allows it, refused otherwise`,
      chain: {},
      probe: { version },
      refs: [...refs, 'profile tls.versions'],
      policy: (p) => versionPolicy(p, version, `${version} must be refused`),
    }),
  ),
  {
    name: 'ssl3',
    title: 'SSL 3.0 is refused (raw ClientHello: the local OpenSSL cannot offer it)',
    probe: { kind: 'raw-version', version: 'SSLv3' },
    refs: ['RFC 7568 §3'],
    policy: () => required('reject', 'RFC 7568: SSL 3.0 MUST NOT be used (POODLE); no profile allows it.'),
  },
  {
    name: 'renegotiation',
    title: 'A client-initiated renegotiation of a TLS 1.2 connection is refused',
    probe: { kind: 'renegotiation' },
    property: 'renegotiation-refused',
    refs: ['RFC 5746', 'RFC 5246 §7.4.1.2', 'RFC 8446 §4.1.2', 'CVE-2011-1473'],
    policy: () =>
      recommended('property', "A server that renegotiates whenever a client asks does a full handshake's work on demand (CVE-2011-1473); OpenSSL 3 and nginx refuse it by default, and TLS 1.3 has no renegotiation at all (RFC 8446 §4.1.2)."),
  },
  {
    name: 'fallback-scsv',
    title: 'A ClientHello below the highest version, carrying TLS_FALLBACK_SCSV, is refused with inappropriate_fallback',
    probe: { kind: 'fallback-scsv' },
    property: 'fallback-refused',
    refs: ['RFC 7507 §3'],
    policy: () =>
      recommended('property', 'RFC 7507 §3: a server that speaks a higher version than the one a client falls back to must abort with inappropriate_fallback (86), so that an attacker who breaks the first handshake cannot force a downgrade.'),
  },
];

export default area('server', 'protocol', cases);
