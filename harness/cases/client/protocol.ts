import type { TlsVersion } from '../../model.js';
import { area, recommended, type CaseEntry } from '../define.js';
import { versionPolicy } from '../policies.js';

/** client/protocol: servers that speak one old version, and the versions the client offers. */

const VERSIONS: [string, TlsVersion, string, string[]][] = [
  ['tls1.0-only-server', 'TLSv1', 'TLS 1.0', ['RFC 8996 §2']],
  ['tls1.1-only-server', 'TLSv1.1', 'TLS 1.1', ['RFC 8996 §3']],
  ['tls1.2-only-server', 'TLSv1.2', 'TLS 1.2', ['RFC 5246', 'RFC 9325 §3.1.1']],
];

const cases: CaseEntry[] = [
  ...VERSIONS.map(
    ([name, version, label, refs]): CaseEntry => ({
      name,
      title: `A server that speaks only ${label}: the client connects if the profile allows ${label}, refuses otherwise`,
      chain: {},
      probe: { version },
      refs: [...refs, 'profile tls.versions'],
      policy: (p) => versionPolicy(p, version, `the client must not fall back to ${version}`),
    }),
  ),
  {
    name: 'offered-versions',
    title: 'The client offers only the protocol versions the profile allows',
    probe: { kind: 'control' },
    property: 'offered-versions',
    refs: ['RFC 8446 §4.2.1', 'RFC 8996', 'profile tls.versions'],
    // Recommended, not required: OpenSSL 3.0 clients (curl, s_client) list TLS 1.0/1.1 yet refuse to
    // complete them at security level 2; whether a client *completes* a forbidden version is
    // client/protocol/tls1.0-only-server's required finding.
    policy: (p) =>
      recommended('property', `Allowed: ${p.tls.versions.join(', ')}. A server may pick any version the client offers (offered: supported_versions, else legacy_version); whether the client completes it is judged by client/protocol/*-only-server.`),
  },
];

export default area('client', 'protocol', cases);
