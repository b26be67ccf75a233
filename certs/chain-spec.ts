import type { CertSpec } from './spec.js';
import { DEFAULT_SPEC, isRsa, rsaBits } from './spec.js';

/**
 * A case's certificate chain, declared as data: the leaf and its intermediates each state only what
 * they vary from the defaults (certs/spec.ts, and the leaf defaults of the side that holds them),
 * the anchor names a CA declared once in certs/matrix.ts, and `send` says what the peer puts on
 * the wire. certs/ turns it into CertSpecs (chainCertSpecs); the case catalogue only declares it.
 *
 *   { leaf: { notAfterDays: -30 } }                                   expired leaf under the role's CA
 *   { anchor: 'untrusted-ca' }                                        valid leaf, CA nobody trusts
 *   { intermediates: [{}, { pathLength: 0 }], send: { order: 'reversed' } }   two inline intermediates, sent out of order
 */

/** The shared roots a chain can start from (certs/matrix.ts declares them once). */
export type AnchorName = 'client-ca' | 'server-ca' | 'untrusted-ca';

/** What one certificate varies from its defaults: anything but its place in the chain. */
export type CertVariation = Partial<Omit<CertSpec, 'name' | 'issuer' | 'sendChain'>>;

export interface ChainSpec {
  /** The leaf, varied from the leaf defaults of its side (client or server certificate). */
  leaf?: CertVariation;
  /**
   * The intermediates between the anchor and the leaf, the one under the anchor first. Each is the
   * name of a shared CA declared in certs/matrix.ts (its own issuer must be the previous entry), or
   * an inline variation of the intermediate defaults (INTERMEDIATE_DEFAULTS), private to the case.
   */
  intermediates?: (string | CertVariation)[];
  /** Where the path starts; default the CA of the leaf's side. 'self': the leaf is self-signed (no intermediates). */
  anchor?: AnchorName | 'self';
  /** What the peer sends; default the leaf then every intermediate, issuer order (RFC 8446 §4.4.2). */
  send?: SendSpec;
  /**
   * Further certificates private to the case, for graphs that are not a line (path building:
   * cross-certificates, a re-issued CA, candidate issuers; RFC 4158). Each names its issuer by a
   * local reference (see `ChainRef`); none is sent unless `send.list` names it.
   */
  others?: OtherCert[];
  /** The leaf's issuer as a local reference; default the last intermediate (or the anchor). */
  leafIssuer?: string;
}

/**
 * A certificate of the case named by a reference: `i1`..`iN` are the chain's intermediates (the
 * one under the anchor is i1), any `others` id, an anchor or shared CA name, or `self`. `keyOf` in
 * a variation is a reference too (a cross-certificate reuses the key of the CA it certifies).
 */
export type ChainRef = string;

export interface OtherCert {
  /** Local id, [a-z0-9-]. */
  id: string;
  issuer: ChainRef;
  cert?: CertVariation;
}

export interface SendSpec {
  /** all (default), none (the leaf alone), or reversed (the intermediates top first: out of order). */
  intermediates?: 'all' | 'none' | 'reversed';
  /** Append the anchor (a trust anchor sent along, which RFC 8446 §4.4.2 allows a validator to ignore). */
  root?: boolean;
  /** Further shared certificates appended, by name (e.g. 'untrusted-ca'): extra certificates on the wire. */
  extra?: string[];
  /** Intermediates left off the wire, by position (1 = the one under the anchor): a path the peer must complete. */
  omit?: number[];
  /** Everything sent after the leaf, as references in wire order; replaces the rules above (path-building graphs). */
  list?: ChainRef[];
  /** The leaf sent again after it (RFC 8446 §4.4.2: a receiver should tolerate unneeded certificates). */
  leafTwice?: boolean;
}

/** Which side's certificates: `client` (presented by the harness to a server target) or `server` (served to a client target). */
export type CertSide = 'client' | 'server';

/** A chain with the store name its leaf gets; the catalogue collects these from the cases. */
export interface NamedChain {
  side: CertSide;
  /** Store name of the leaf, e.g. `client/expired` (file client/expired.pem). */
  name: string;
  chain: ChainSpec;
}

/** What every inline intermediate is unless it says otherwise. */
export const INTERMEDIATE_DEFAULTS: CertVariation = { eku: null, ca: true, notBeforeDays: -1, notAfterDays: 1825, pathLength: 0 };

/** The anchor of a side: what a target of that side is told to trust. */
export function defaultAnchor(side: CertSide): AnchorName {
  return side === 'client' ? 'client-ca' : 'server-ca';
}

/**
 * The CertSpecs a chain adds to the store (inline intermediates, then the leaf), named after the
 * leaf. `leafDefaults` are the side's (subject, SANs, EKU from the matrix options); `shared`
 * resolves shared CA names. Pure.
 */
export function chainCertSpecs(named: NamedChain, leafDefaults: Omit<CertSpec, 'name' | 'issuer'>, shared: ReadonlyMap<string, CertSpec>): CertSpec[] {
  const { chain, name } = named;
  const anchor = chain.anchor ?? defaultAnchor(named.side);
  const inters = chain.intermediates ?? [];
  if (anchor === 'self' && inters.length > 0) throw new Error(`chain of ${name}: a self-signed leaf has no intermediates`);
  if (anchor !== 'self' && !shared.has(anchor)) throw new Error(`chain of ${name}: unknown anchor ${anchor}`);
  const stem = name.slice(name.indexOf('/') + 1);
  // One path segment of [a-z0-9-]: the name is also the CA's CRL file and CDP URL (/crl/<name>.crl).
  const localName = (id: string) => `${named.side}-case-${stem.replace(/[^a-z0-9-]/g, '-')}-${id}`;
  const out: CertSpec[] = [];
  const path: string[] = [];
  let issuer: string = anchor;
  inters.forEach((v, i) => {
    if (typeof v === 'string') {
      const s = shared.get(v);
      if (!s) throw new Error(`chain of ${name}: unknown shared CA ${v}`);
      if (s.issuer !== issuer) throw new Error(`chain of ${name}: shared CA ${v} is issued by ${s.issuer}, not ${issuer}`);
      issuer = v;
    } else {
      const own = localName(`ca${i + 1}`);
      out.push({
        ...DEFAULT_SPEC,
        subject: `CN=mtls-conformance ${named.side} intermediate ${i + 1} of ${stem}, O=mtls-conformance`,
        ...INTERMEDIATE_DEFAULTS,
        ...v,
        name: own,
        issuer,
        sendChain: [],
      } as CertSpec);
      issuer = own;
    }
    path.push(issuer);
  });
  const others = chain.others ?? [];
  const ref = (r: string): string => {
    const m = /^i(\d+)$/.exec(r);
    if (m) {
      const p = path[Number(m[1]) - 1];
      if (!p) throw new Error(`chain of ${name}: no intermediate ${r}`);
      return p;
    }
    if (others.some((o) => o.id === r)) return localName(r);
    if (r === 'self' || shared.has(r)) return r;
    throw new Error(`chain of ${name}: unknown reference ${r}`);
  };
  // keyOf inside a variation is a reference as well.
  const withKey = (s: CertSpec): CertSpec => (s.keyOf ? { ...s, keyOf: ref(s.keyOf) } : s);
  for (let i = 0; i < out.length; i++) out[i] = withKey(out[i]!);
  for (const o of others) {
    out.push(
      withKey({
        ...DEFAULT_SPEC,
        subject: `CN=mtls-conformance ${named.side} ${o.id} of ${stem}, O=mtls-conformance`,
        ...INTERMEDIATE_DEFAULTS,
        ...o.cert,
        name: localName(o.id),
        issuer: ref(o.issuer),
        sendChain: [],
      } as CertSpec),
    );
  }
  const send = chain.send ?? {};
  let sent: string[];
  if (send.list) sent = send.list.map(ref);
  else {
    const omitted = new Set((send.omit ?? []).map((n) => path[n - 1]));
    const kept = path.filter((p) => !omitted.has(p));
    sent = send.intermediates === 'none' ? [] : send.intermediates === 'reversed' ? [...kept] : [...kept].reverse();
    if (send.root && anchor !== 'self') sent.push(anchor);
    for (const e of send.extra ?? []) {
      if (!shared.has(e)) throw new Error(`chain of ${name}: unknown extra certificate ${e}`);
      sent.push(e);
    }
  }
  if (send.leafTwice) sent.unshift(name);
  const leafIssuer = anchor === 'self' ? 'self' : chain.leafIssuer ? ref(chain.leafIssuer) : issuer;
  // Key order as the matrix wrote it before cases carried their chains: the store's cache key is the spec's JSON.
  out.push(withKey({ ...leafDefaults, issuer: leafIssuer, name, ...chain.leaf, sendChain: sent } as CertSpec));
  return out;
}

/**
 * Whether presenting or serving this chain needs OpenSSL security level 0 on the harness's side:
 * an RSA key under 2048 bits or a SHA-1 signature on any certificate sent (OpenSSL level 1+
 * refuses them in its own chain: SSL_CTX_use_certificate fails with EE_KEY_TOO_SMALL or
 * CA_MD_TOO_WEAK). Derived from the specs, never from a name.
 */
export function chainIsWeak(specs: CertSpec[], leafName: string, shared: ReadonlyMap<string, CertSpec>): boolean {
  const byName = new Map([...shared, ...specs.map((s) => [s.name, s] as const)]);
  const leaf = byName.get(leafName);
  if (!leaf) return false;
  const sent = [leaf, ...leaf.sendChain.map((n) => byName.get(n)).filter((s): s is CertSpec => s !== undefined)];
  return sent.some(specIsWeak);
}

export function specIsWeak(s: CertSpec): boolean {
  return (isRsa(s.key) && (rsaBits(s.key) ?? 0) < 2048) || s.signatureHash === 'SHA-1';
}
