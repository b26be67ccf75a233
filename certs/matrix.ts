import { caSpec, DEFAULT_SPEC, specOf, type CertSpec, type NameConstraintsSpec, type San } from './spec.js';
import { chainCertSpecs, type AnchorName, type CertSide, type NamedChain } from './chain-spec.js';
import { crlUrlFor, ocspUrlFor } from './revocation-data.js';

/**
 * The certificate matrix: the shared CAs, declared once, and the options that give the leaves of
 * each side their defaults. The leaves themselves come from the cases' chains (chain-spec.ts);
 * nothing here touches a socket or the disk.
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
  /** OCSP URLs beside the CDPs (default true); a suite's certificates name a CDP only. */
  ocspUrls?: boolean;
}

export const DEFAULT_MATRIX_OPTIONS: MatrixOptions = {
  clientSubject: 'CN=conformance-client, O=mtls-conformance',
  serverHosts: ['localhost', '127.0.0.1', '::1'],
};

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

/**
 * CDP and OCSP URL on every certificate a matrix CA issues, the server certificate too: it is the
 * positive control of the client suite, and a client that fetches CRLs from distribution points
 * (openssl -crl_download, Windows, Java with CRLDP on) needs one for it. Outside a run nothing
 * answers there (README.txt says so).
 */
function withRevocationUrls(specs: CertSpec[], port: number | undefined, ocspUrls = true): CertSpec[] {
  if (port === undefined) return specs;
  const service = new Map(specs.map((s) => [s.name, s.revocationService] as const));
  return specs.map((s) => {
    if (s.issuer === 'self') return s;
    // Each certificate names its own URLs (a path segment per certificate), so the responder's log says whose they were.
    const { crl, ocsp } = service.get(s.issuer) ?? {};
    return { ...s, ...(crl === 'none' ? {} : { crlUrl: crlUrlFor(port, s.issuer, s.name) }), ...(ocsp === 'none' || !ocspUrls ? {} : { ocspUrl: ocspUrlFor(port, s.name) }) };
  });
}

function sansFor(hosts: string[]): San[] {
  return hosts.map((h) => ({ type: /^[\d.]+$|:/.test(h) ? 'ip' : 'dns', value: h }) as San);
}

/** The defaults of a leaf on one side: the subject and SANs the matrix options give, the EKU of its role. */
export function leafDefaults(side: CertSide, options: MatrixOptions = DEFAULT_MATRIX_OPTIONS): Omit<CertSpec, 'name' | 'issuer'> {
  return side === 'client'
    ? { ...DEFAULT_SPEC, subject: options.clientSubject, sans: options.clientSanUri ? [{ type: 'uri', value: options.clientSanUri }] : [] }
    : { ...DEFAULT_SPEC, subject: `CN=${options.serverHosts[0]}, O=mtls-conformance`, sans: sansFor(options.serverHosts), eku: ['serverAuth'] };
}

/**
 * Every certificate of a store: the shared CAs, and the chains the cases carry (collected from the
 * catalogue by the caller: certs/ does not know the cases). Two cases may carry the same chain
 * under one name (the protocol cases present the valid leaf); one name with two chains throws.
 */
export function matrixSpecs(options: MatrixOptions = DEFAULT_MATRIX_OPTIONS, chains: NamedChain[] = []): CertSpec[] {
  const shared = sharedCaSpecs(options);
  const sharedByName = new Map(shared.map((s) => [s.name, s]));
  const seen = new Map<string, string>();
  const specs = [...shared];
  const names = new Set(specs.map((s) => s.name));
  for (const named of chains) {
    const key = JSON.stringify([named.side, named.chain]);
    const before = seen.get(named.name);
    if (before !== undefined) {
      if (before !== key) throw new Error(`two different chains are named ${named.name}`);
      continue;
    }
    if (sharedByName.has(named.name)) throw new Error(`chain name ${named.name} is a shared CA's name`);
    seen.set(named.name, key);
    for (const spec of chainCertSpecs(named, leafDefaults(named.side, options), sharedByName)) {
      if (names.has(spec.name)) throw new Error(`two certificates are named ${spec.name} (chain of ${named.name})`);
      names.add(spec.name);
      specs.push(spec);
    }
  }
  return withRevocationUrls(specs, options.revocationPort, options.ocspUrls);
}

/**
 * The subjects of the three roots. A case that certifies a root again (a cross-certificate into the
 * trust anchor, RFC 4158 §2.4) names it by this subject with `keyOf` the root. A client CA given
 * from outside (--sign-key) keeps its own subject: such a certificate then names another entity.
 */
export const ANCHOR_SUBJECTS: Readonly<Record<AnchorName, string>> = {
  'client-ca': 'CN=mtls-conformance client CA, O=mtls-conformance',
  'server-ca': 'CN=mtls-conformance server CA, O=mtls-conformance',
  'untrusted-ca': 'CN=mtls-conformance untrusted CA, O=mtls-conformance',
};

/**
 * The CAs several cases share, declared once: the three anchors, the intermediates of the chain
 * and path cases, and the "not a CA" issuers. Their file names (ca/*.pem, trust/*-ca.pem) are
 * what users configure, so they never change.
 */
export function sharedCaSpecs(options: MatrixOptions = DEFAULT_MATRIX_OPTIONS): CertSpec[] {
  const client = leafDefaults('client', options);
  const server = leafDefaults('server', options);
  return [
    caSpec({ name: 'client-ca', issuer: 'self', subject: ANCHOR_SUBJECTS['client-ca'] }),
    caSpec({ name: 'server-ca', issuer: 'self', subject: ANCHOR_SUBJECTS['server-ca'] }),
    caSpec({ name: 'untrusted-ca', issuer: 'self', subject: ANCHOR_SUBJECTS['untrusted-ca'] }),
    caSpec({
      name: 'client-intermediate',
      issuer: 'client-ca',
      subject: 'CN=mtls-conformance client intermediate CA, O=mtls-conformance',
      pathLength: 0,
      notAfterDays: 1825,
    }),
    // A leaf that signs another leaf: RFC 5280 §4.2.1.9 forbids using its key to verify certificates.
    // keyUsage keyCertSign is set so that only basicConstraints (cA=FALSE) makes it unfit to issue.
    { ...client, issuer: 'client-ca', name: 'client-not-ca', subject: 'CN=mtls-conformance not a CA, O=mtls-conformance', keyCertSign: true },
    caSpec({
      name: 'server-intermediate',
      issuer: 'server-ca',
      subject: 'CN=mtls-conformance server intermediate CA, O=mtls-conformance',
      pathLength: 0,
      notAfterDays: 1825,
    }),
    { ...server, issuer: 'server-ca', name: 'server-not-ca', subject: 'CN=mtls-conformance server not a CA, O=mtls-conformance', keyCertSign: true },
    ...pathCas('server'),
    ...pathCas('client'),
  ];
}
