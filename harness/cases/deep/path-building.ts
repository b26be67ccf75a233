import type { CertVariation, ChainSpec, OtherCert } from '../../../certs/chain-spec.js';
import { ANCHOR_SUBJECTS } from '../../../certs/matrix.js';
import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import { info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { entry, holder, type Family } from './kit.js';

/**
 * path-building: graphs with more than one candidate issuer (RFC 4158), rooted at the one anchor
 * the target trusts, the way BetterTLS pathbuilding replaces its graph's source by the suite root.
 *
 * BetterTLS's four graphs (linear, two roots, RFC 4158 Figure 7, the RFC 4158 §2.4 bridge PKI) are
 * mirrored as BetterTLS builds them: every entity has its own name and key, every edge is one
 * certificate, the peer sends the leaf and then every edge certificate in the graph's order, and
 * an invalid edge is broken for one of BetterTLS's six reasons (expired, name constraints, bad EKU,
 * missing basicConstraints, not a CA, deprecated crypto = SHA-1; BetterTLS has no other). Each of
 * its 81 tests is a case here (refs `BetterTLS pathbuilding tcN`, its index as x509-limbo imports
 * it, `bettertls::pathbuilding::tcN`), plus the broken edges it leaves out that change the answer
 * (Figure 7's two-edge cuts, the rest of the bridge path). Own shapes besides: an issuer certified twice by
 * the anchor, an upper CA certified twice, a cross-certified new root, root rotation, a bridge CA,
 * the chain of pain. Expectation: accept iff a valid path to the anchor exists (RFC 5280 §6.1 per
 * path).
 */

const EMAIL = '1.3.6.1.5.5.7.3.4';
interface Reason {
  name: string;
  what: string;
  defect: CertVariation;
  /** Whether the broken edge is invalid under the profile (SHA-1 depends on it). */
  invalid: (p: Profile, role: Role) => boolean;
}
const REASONS: Reason[] = [
  { name: 'expired', what: 'expired', defect: { notBeforeDays: -400, notAfterDays: -30 }, invalid: () => true },
  { name: 'name-constraints', what: 'name-constrained to bad.example.com', defect: { nameConstraints: { permittedDns: ['bad.example.com'], permittedIps: ['192.0.2.0/24'], permittedDirectoryNames: ['O=bad.example.com'] } }, invalid: () => true },
  { name: 'bad-eku', what: 'restricted to emailProtection', defect: { eku: null, ekuOids: [EMAIL] }, invalid: () => true },
  { name: 'missing-bc', what: 'without basicConstraints', defect: { ca: null, keyCertSign: true, pathLength: undefined }, invalid: () => true },
  { name: 'not-ca', what: 'not a CA (cA=FALSE)', defect: { ca: false, keyCertSign: true, pathLength: undefined }, invalid: () => true },
  { name: 'sha1', what: 'signed with SHA-1', defect: { signatureHash: 'SHA-1' }, invalid: (p, role) => p.certificates[role === 'server' ? 'client' : 'server'].forbiddenSignatureHashes.includes('sha1') },
];

const REFS = ['RFC 4158', 'RFC 5280 §6.1', 'BetterTLS pathbuilding'];
/** A BetterTLS pathbuilding test by its index (x509-limbo imports it as `bettertls::pathbuilding::tcN`). */
const tc = (n: number) => `BetterTLS pathbuilding tc${n}`;

/** One certificate of a trust graph: the entity that issues it and the entity it certifies (BetterTLS `Edge`). */
type Edge = readonly [issuer: string, subject: string];

/** A trust graph as BetterTLS declares one: its edges, in the order the peer sends them after the leaf. */
interface Graph {
  /** The id part of its cases. */
  name: string;
  /** What titles say of it after "A client certificate". */
  title: string;
  edges: Edge[];
}

const LINEAR: Graph = { name: 'linear', title: 'under one intermediate (BetterTLS LINEAR_TRUST_GRAPH)', edges: [['ICA', 'EE'], ['TA', 'ICA']] };
const TWO_ROOTS: Graph = {
  name: 'two-roots',
  title: 'whose issuer is certified by the anchor and by an untrusted root (BetterTLS TWO_ROOTS)',
  edges: [['ICA', 'EE'], ['Root1', 'ICA'], ['Root2', 'ICA']],
};
/** RFC 4158 §2.3 Figure 7: two CAs under the anchor that certify each other and both certify B. */
const FIGURE_SEVEN: Graph = {
  name: 'figure-seven',
  title: 'in RFC 4158 Figure 7 (BetterTLS FIGURE_SEVEN: two CAs under the anchor certify each other and the issuer B)',
  edges: [['B', 'EE'], ['C', 'B'], ['A', 'B'], ['C', 'A'], ['A', 'C'], ['TA', 'C'], ['TA', 'A']],
};
/**
 * RFC 4158 §2.4 Figure 8: four PKIs (TA W, X, Y, Z) joined by a bridge CA that cross-certifies each
 * root both ways, with cycles and dead ends inside each PKI. The anchor is TA Z; the leaf sits in
 * PKI X (EE, under N) or PKI Y (D, under B), so every path runs anchor → bridge → another root.
 */
const BRIDGE_PKI: Graph = {
  name: 'bridge-pki',
  title: 'in the RFC 4158 §2.4 bridge PKI (BetterTLS BRIDGE_CA_PKI; 35 CA certificates sent)',
  edges: [
    ['F', 'H'], ['F', 'G'], ['G', 'F'], ['H', 'I'], ['I', 'H'], ['G', 'I'], ['TA W', 'F'], ['TA W', 'G'],
    ['J', 'K'], ['N', 'EE'], ['L', 'N'], ['L', 'M'], ['TA X', 'J'], ['TA X', 'L'],
    ['B', 'E'], ['B', 'D'], ['A', 'B'], ['C', 'B'], ['A', 'C'], ['C', 'A'], ['TA Y', 'A'], ['TA Y', 'C'],
    ['R', 'S'], ['O', 'R'], ['O', 'Q'], ['P', 'S'], ['TA Z', 'O'], ['TA Z', 'P'],
    ['TA W', 'Bridge CA'], ['Bridge CA', 'TA W'], ['TA X', 'Bridge CA'], ['Bridge CA', 'TA X'],
    ['TA Y', 'Bridge CA'], ['Bridge CA', 'TA Y'], ['TA Z', 'Bridge CA'], ['Bridge CA', 'TA Z'],
  ],
};

const same = (a: Edge, b: Edge) => a[0] === b[0] && a[1] === b[1];
const nodeId = (n: string) => n.toLowerCase().replace(/ /g, '-');
const edgeId = (e: Edge) => `${nodeId(e[0])}-to-${nodeId(e[1])}`;

/** A path over the valid edges from the anchor down to the leaf (BetterTLS `Reachable`), anchor first; null if none. */
function validPath(g: Graph, invalid: readonly Edge[], from: string, to: string, seen: string[] = []): string[] | null {
  if (seen.includes(from)) return null;
  if (from === to) return [...seen, from];
  for (const e of g.edges) {
    if (e[0] !== from || invalid.some((b) => same(b, e))) continue;
    const found = validPath(g, invalid, e[1], to, [...seen, from]);
    if (found) return found;
  }
  return null;
}

/**
 * Whether a builder that never backtracks finds a valid path: from the leaf's issuer up, it stops
 * at the trust anchor when the anchor is the issuer sought (trusted first, as OpenSSL since 1.1.0),
 * else takes the first certificate of that issuer on the wire that it has not used yet. Only such
 * a path makes an acceptance required; one that needs backtracking (RFC 4158 §2) is recommended.
 */
function firstCandidateFinds(g: Graph, invalid: readonly Edge[], anchor: string, leaf: string): boolean {
  const used = new Set<Edge>();
  let seek = g.edges.find((e) => e[1] === leaf)![0];
  while (seek !== anchor) {
    const next = g.edges.find((e) => e[1] === seek && !used.has(e));
    if (!next || invalid.some((b) => same(b, next))) return false;
    used.add(next);
    seek = next[0];
  }
  return true;
}

interface GraphCase {
  name: string;
  graph: Graph;
  /** The node replaced by the target's trust anchor (BetterTLS `SrcNode`). */
  anchor: string;
  /** The node the leaf certifies (BetterTLS `DstNode`). */
  leaf: string;
  /** Edges broken for one reason (BetterTLS `InvalidEdges`, `InvalidReason`). */
  broken?: { edges: Edge[]; reason: Reason };
  refs: string[];
  /** What the title says of the case after the graph. */
  what: string;
}

/**
 * The chain of a graph case, as BetterTLS's GenerateCerts makes it: each entity has a name and a
 * key of its own, each edge is one CA certificate of the subject entity's name and key signed by
 * the issuing entity, an edge into the anchor certifies the anchor's own name and key, and the
 * peer sends the leaf, then every other edge in the graph's order. Unlike BetterTLS, an entity
 * gets a self-signed certificate (never sent) only when no edge certifies it: otherwise the first
 * edge into it, in a breadth-first walk from the anchor, makes its key and stands for it as the
 * issuer (the bridge PKI would need 23 more certificates per case for nothing on the wire).
 */
function graphChain(role: Role, c: GraphCase): ChainSpec {
  const anchorRef = role === 'server' ? 'client-ca' : 'server-ca';
  const g = c.graph;
  const subject = (n: string) => (n === c.anchor ? ANCHOR_SUBJECTS[anchorRef] : `CN=mtls-conformance ${role} path-building ${g.name} ${n}, O=mtls-conformance`);
  const toLeaf = g.edges.filter((e) => e[1] === c.leaf);
  if (toLeaf.length !== 1 || c.broken?.edges.some((e) => e[1] === c.leaf)) throw new Error(`path-building ${c.name}: the leaf has one issuer and is never the broken edge`);
  const others: OtherCert[] = [];
  // The certificate that holds each entity's key and name, by reference.
  const keyHolder = new Map<string, string>([[c.anchor, anchorRef]]);
  const entities = [...new Set(g.edges.flat())].filter((n) => n !== c.leaf);
  for (const n of entities.filter((n) => n !== c.anchor && !g.edges.some((e) => e[1] === n))) {
    keyHolder.set(n, nodeId(n));
    others.push({ id: nodeId(n), issuer: 'self', cert: { subject: subject(n), pathLength: undefined } });
  }
  const makesKey = new Set<Edge>();
  for (const queue = [...keyHolder.keys()]; queue.length > 0; ) {
    const n = queue.shift()!;
    for (const e of g.edges) {
      if (e[0] !== n || e[1] === c.leaf || keyHolder.has(e[1])) continue;
      keyHolder.set(e[1], edgeId(e));
      makesKey.add(e);
      queue.push(e[1]);
    }
  }
  if (entities.some((n) => !keyHolder.has(n))) throw new Error(`path-building ${c.name}: an entity of ${g.name} is reached by no edge`);
  const wire = g.edges.filter((e) => e[1] !== c.leaf);
  for (const e of wire) {
    const defect = c.broken?.edges.some((b) => same(b, e)) ? c.broken.reason.defect : {};
    others.push({ id: edgeId(e), issuer: keyHolder.get(e[0])!, cert: { subject: subject(e[1]), pathLength: undefined, ...(makesKey.has(e) ? {} : { keyOf: keyHolder.get(e[1])! }), ...defect } });
  }
  return { others, leafIssuer: keyHolder.get(toLeaf[0]![0])!, send: { list: wire.map(edgeId) } };
}

/** accept iff a valid path from the anchor to the leaf exists under the profile (BetterTLS `ExpectedResult`; RFC 5280 §6.1 per path). */
function graphPolicy(role: Role, c: GraphCase): (p: Profile) => Policy {
  const name = (n: string) => (n === c.anchor ? `${n} (the trust anchor)` : n);
  const show = (path: string[]) => [...path].reverse().map(name).join(' ← ');
  const broken = c.broken?.edges ?? [];
  const edges = broken.map((e) => `${name(e[0])} → ${e[1]}`).join(' and ');
  return (p) => {
    const invalid = c.broken?.reason.invalid(p, role) ? broken : [];
    const path = validPath(c.graph, invalid, c.anchor, c.leaf);
    if (!path) return required('reject', `Every path from the leaf to the trust anchor runs through a certificate ${c.broken!.reason.what} (${edges}).`);
    if (!validPath(c.graph, broken, c.anchor, c.leaf)) return info('accept', `The profile does not forbid SHA-1: ${show(path)} is valid under it.`);
    const found = `${show(path)} is a valid path${broken.length > 0 ? ` beside the certificate${broken.length > 1 ? 's' : ''} ${c.broken!.reason.what} (${edges})` : ''}`;
    return firstCandidateFinds(c.graph, invalid, c.anchor, c.leaf)
      ? required('accept', `${found}; taking the trust anchor, else the first candidate issuer on the wire, reaches it.`)
      : recommended('accept', `${found}; a builder that takes the first candidate issuer on the wire and does not backtrack misses it (RFC 4158 §2: build paths, do not assume one).`);
  };
}

/** The cases of BetterTLS's four graphs, and the broken edges it leaves out that change the answer. */
function graphCases(): GraphCase[] {
  const out: GraphCase[] = [];
  const pbRefs = (g: Graph, ...more: string[]) => [...more, `BetterTLS pathbuilding ${g === LINEAR ? 'LINEAR_TRUST_GRAPH' : g === TWO_ROOTS ? 'TWO_ROOTS' : g === FIGURE_SEVEN ? 'FIGURE_SEVEN' : 'BRIDGE_CA_PKI'}`, 'RFC 4158', 'RFC 5280 §6.1'];
  out.push({ name: 'linear-valid', graph: LINEAR, anchor: 'TA', leaf: 'EE', refs: pbRefs(LINEAR, tc(0), tc(9)), what: '' });
  out.push({ name: 'two-roots-anchor-first', graph: TWO_ROOTS, anchor: 'Root1', leaf: 'EE', refs: pbRefs(TWO_ROOTS, tc(1), tc(22), 'RFC 4158 §2.4'), what: "the anchor's certificate of the issuer sent first" });
  out.push({ name: 'two-roots-anchor-second', graph: TWO_ROOTS, anchor: 'Root2', leaf: 'EE', refs: pbRefs(TWO_ROOTS, tc(2), tc(23), 'RFC 4158 §2.4'), what: "the untrusted root's certificate of the issuer sent first" });
  out.push({ name: 'figure-seven-valid', graph: FIGURE_SEVEN, anchor: 'TA', leaf: 'EE', refs: pbRefs(FIGURE_SEVEN, tc(48), 'RFC 4158 §2.3'), what: '' });
  out.push({ name: 'bridge-pki-leaf-d', graph: BRIDGE_PKI, anchor: 'TA Z', leaf: 'D', refs: pbRefs(BRIDGE_PKI, tc(61), 'RFC 4158 §2.3'), what: 'the leaf D in PKI Y' });
  out.push({ name: 'bridge-pki-valid', graph: BRIDGE_PKI, anchor: 'TA Z', leaf: 'EE', refs: pbRefs(BRIDGE_PKI, tc(62), 'RFC 4158 §2.4.2'), what: 'the leaf in PKI X' });
  REASONS.forEach((reason, i) => {
    const r = reason.name;
    const broken = (...edges: Edge[]) => ({ edges, reason });
    out.push({ name: `linear-trusted-ica-${r}`, graph: LINEAR, anchor: 'ICA', leaf: 'EE', broken: broken(['TA', 'ICA']), refs: pbRefs(LINEAR, tc(16 + i)), what: `the trust anchor being that intermediate, also sent as certified by an untrusted root and ${reason.what}` });
    out.push({ name: `two-roots-anchor-first-${r}-other-edge`, graph: TWO_ROOTS, anchor: 'Root1', leaf: 'EE', broken: broken(['Root2', 'ICA']), refs: pbRefs(TWO_ROOTS, tc(24 + i)), what: `the anchor's certificate of the issuer sent first, the untrusted root's ${reason.what}` });
    out.push({ name: `two-roots-anchor-second-${r}-other-edge`, graph: TWO_ROOTS, anchor: 'Root2', leaf: 'EE', broken: broken(['Root1', 'ICA']), refs: pbRefs(TWO_ROOTS, tc(30 + i)), what: `the untrusted root's certificate of the issuer sent first and ${reason.what}` });
    out.push({ name: `two-roots-anchor-first-${r}-anchor-edge`, graph: TWO_ROOTS, anchor: 'Root1', leaf: 'EE', broken: broken(['Root1', 'ICA']), refs: pbRefs(TWO_ROOTS, tc(36 + i)), what: `the anchor's certificate of the issuer sent first and ${reason.what}` });
    out.push({ name: `two-roots-anchor-second-${r}-anchor-edge`, graph: TWO_ROOTS, anchor: 'Root2', leaf: 'EE', broken: broken(['Root2', 'ICA']), refs: pbRefs(TWO_ROOTS, tc(42 + i)), what: `the untrusted root's certificate of the issuer sent first, the anchor's ${reason.what}` });
    out.push({ name: `figure-seven-${r}-path-a-c-b`, graph: FIGURE_SEVEN, anchor: 'TA', leaf: 'EE', broken: broken(['TA', 'C'], ['A', 'B']), refs: pbRefs(FIGURE_SEVEN, tc(49 + i), 'RFC 4158 §2.3'), what: `anchor → C and A → B ${reason.what}` });
    out.push({ name: `figure-seven-${r}-path-c-a-b`, graph: FIGURE_SEVEN, anchor: 'TA', leaf: 'EE', broken: broken(['TA', 'A'], ['C', 'B']), refs: pbRefs(FIGURE_SEVEN, tc(55 + i), 'RFC 4158 §2.3'), what: `anchor → A and C → B ${reason.what}` });
    // Cuts BetterTLS leaves out: both certificates from the anchor, or both of the issuer B.
    out.push({ name: `figure-seven-${r}-anchor-edges`, graph: FIGURE_SEVEN, anchor: 'TA', leaf: 'EE', broken: broken(['TA', 'A'], ['TA', 'C']), refs: pbRefs(FIGURE_SEVEN, 'RFC 4158 §2.3'), what: `both certificates from the anchor ${reason.what}` });
    out.push({ name: `figure-seven-${r}-b-edges`, graph: FIGURE_SEVEN, anchor: 'TA', leaf: 'EE', broken: broken(['A', 'B'], ['C', 'B']), refs: pbRefs(FIGURE_SEVEN, 'RFC 4158 §2.3'), what: `both certificates of the issuer B ${reason.what}` });
    out.push({ name: `bridge-pki-${r}-x-to-bridge`, graph: BRIDGE_PKI, anchor: 'TA Z', leaf: 'EE', broken: broken(['TA X', 'Bridge CA']), refs: pbRefs(BRIDGE_PKI, tc(63 + i), 'RFC 4158 §2.4'), what: `TA X's certificate of the bridge (not on the path) ${reason.what}` });
    out.push({ name: `bridge-pki-${r}-bridge-to-x`, graph: BRIDGE_PKI, anchor: 'TA Z', leaf: 'EE', broken: broken(['Bridge CA', 'TA X']), refs: pbRefs(BRIDGE_PKI, tc(69 + i), 'RFC 4158 §2.4'), what: `the bridge's certificate of TA X ${reason.what}` });
    out.push({ name: `bridge-pki-${r}-z-to-bridge`, graph: BRIDGE_PKI, anchor: 'TA Z', leaf: 'EE', broken: broken(['TA Z', 'Bridge CA']), refs: pbRefs(BRIDGE_PKI, tc(75 + i), 'RFC 4158 §2.4'), what: `the anchor's certificate of the bridge ${reason.what}` });
    // The rest of the one path to the leaf, which BetterTLS leaves out: inside PKI X.
    out.push({ name: `bridge-pki-${r}-x-to-l`, graph: BRIDGE_PKI, anchor: 'TA Z', leaf: 'EE', broken: broken(['TA X', 'L']), refs: pbRefs(BRIDGE_PKI, 'RFC 4158 §2.4'), what: `TA X's certificate of L ${reason.what}` });
    out.push({ name: `bridge-pki-${r}-l-to-n`, graph: BRIDGE_PKI, anchor: 'TA Z', leaf: 'EE', broken: broken(['L', 'N']), refs: pbRefs(BRIDGE_PKI, 'RFC 4158 §2.4'), what: `L's certificate of N, the leaf's issuer, ${reason.what}` });
  });
  return out;
}

const pathBuilding: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const anchor = role === 'server' ? 'client-ca' : 'server-ca';
  const out: CaseEntry[] = [];
  const subj = (what: string) => `CN=mtls-conformance ${role} path-building ${what}, O=mtls-conformance`;
  const push = (name: string, title: string, chain: ChainSpec, policy: (p: Profile) => Policy, refs: string[] = REFS) => out.push(entry({ name, title: `A ${h} ${title}`, chain, refs, policy }));

  REASONS.forEach((r, i) => {
    const bad = r.defect;
    const acceptAny = (sev: 'required' | 'recommended') => (_p: Profile) => (sev === 'required' ? required('accept', 'A valid path to the anchor is on the wire.') : recommended('accept', `A valid path exists beside one through a certificate ${r.what}; a validator that follows the first candidate issuer it meets fails it (RFC 4158 §2: build paths, do not assume one).`));
    const rejectIfInvalid = (p: Profile) => (r.invalid(p, role) ? required('reject', `The only path runs through a certificate ${r.what}.`) : info('accept', 'The profile does not forbid SHA-1: the only path is valid under it.'));

    // Shape 1: one intermediate, certified twice by the anchor (same subject and key), one certificate broken.
    const one: OtherCert[] = [
      { id: 'good', issuer: anchor, cert: { subject: subj('issuing CA'), pathLength: 0 } },
      { id: 'bad', issuer: anchor, cert: { subject: subj('issuing CA'), pathLength: 0, keyOf: 'good', ...bad } },
    ];
    push(`${r.name}-alt-issuer-bad-first`, `whose issuer is sent twice, first ${r.what}, then valid, is accepted`, { others: one, leafIssuer: 'good', send: { list: ['bad', 'good'] } }, acceptAny('recommended'));
    push(`${r.name}-alt-issuer-good-first`, `whose issuer is sent twice, first valid, then ${r.what}, is accepted`, { others: one, leafIssuer: 'good', send: { list: ['good', 'bad'] } }, acceptAny('required'));
    // What the wire carries is BetterTLS's linear graph with its one edge broken.
    push(`${r.name}-alt-issuer-bad-only`, `whose issuer is sent only as a certificate ${r.what} is refused`, { others: one, leafIssuer: 'good', send: { list: ['bad'] } }, rejectIfInvalid, [...REFS, tc(3 + i), tc(10 + i)]);

    // Shape 2: leaf <- I <- J, J certified twice by the anchor.
    const two: OtherCert[] = [
      { id: 'j-good', issuer: anchor, cert: { subject: subj('upper CA'), pathLength: 1 } },
      { id: 'j-bad', issuer: anchor, cert: { subject: subj('upper CA'), pathLength: 1, keyOf: 'j-good', ...bad } },
      { id: 'i', issuer: 'j-good', cert: { subject: subj('lower CA'), pathLength: 0 } },
    ];
    push(`${r.name}-upper-bad-first`, `whose upper CA is sent twice, first ${r.what}, is accepted`, { others: two, leafIssuer: 'i', send: { list: ['i', 'j-bad', 'j-good'] } }, acceptAny('recommended'));
    push(`${r.name}-upper-good-first`, `whose upper CA is sent twice, first valid, is accepted`, { others: two, leafIssuer: 'i', send: { list: ['i', 'j-good', 'j-bad'] } }, acceptAny('required'));
    push(`${r.name}-upper-bad-only`, `whose upper CA is sent only as a certificate ${r.what} is refused`, { others: two, leafIssuer: 'i', send: { list: ['i', 'j-bad'] } }, rejectIfInvalid);

    // Shape 3: a new root N (self-signed, untrusted) cross-certified by the anchor twice, one cross-certificate broken.
    const cross: OtherCert[] = [
      { id: 'new-root', issuer: 'self', cert: { subject: subj('new root'), pathLength: undefined, notAfterDays: 3650 } },
      { id: 'x-good', issuer: anchor, cert: { subject: subj('new root'), pathLength: undefined, keyOf: 'new-root' } },
      { id: 'x-bad', issuer: anchor, cert: { subject: subj('new root'), pathLength: undefined, keyOf: 'new-root', ...bad } },
      { id: 'i', issuer: 'new-root', cert: { subject: subj('issuing CA under the new root'), pathLength: 0 } },
    ];
    push(`${r.name}-cross-all`, `under a new root whose self-signed form and two cross-certificates (one ${r.what}) are sent is accepted`, { others: cross, leafIssuer: 'i', send: { list: ['i', 'new-root', 'x-bad', 'x-good'] } }, acceptAny('recommended'));
    push(`${r.name}-cross-bad-only`, `under a new root cross-certified only by a certificate ${r.what} is refused`, { others: cross, leafIssuer: 'i', send: { list: ['i', 'new-root', 'x-bad'] } }, rejectIfInvalid);
  });

  // Root rotation: the new root N is cross-signed by the trusted one (BetterTLS two-roots graph).
  const rotation: OtherCert[] = [
    { id: 'new-root', issuer: 'self', cert: { subject: subj('rotated root'), pathLength: undefined, notAfterDays: 3650 } },
    { id: 'cross', issuer: anchor, cert: { subject: subj('rotated root'), pathLength: undefined, keyOf: 'new-root' } },
    { id: 'i', issuer: 'new-root', cert: { subject: subj('issuing CA under the rotated root'), pathLength: 0 } },
  ];
  push('rotation-cross-only', 'under a rotated root, sent with its cross-certificate from the trusted root, is accepted', { others: rotation, leafIssuer: 'i', send: { list: ['i', 'cross'] } }, () => required('accept', 'leaf ← issuing CA ← cross-certificate ← trusted root is a valid path.'), [...REFS, 'RFC 4158 §2.4']);
  push('rotation-with-new-root', 'under a rotated root, sent with the new self-signed root and the cross-certificate, is accepted', { others: rotation, leafIssuer: 'i', send: { list: ['i', 'new-root', 'cross'] } }, () => recommended('accept', 'The self-signed new root is untrusted and must be passed over for the cross-certificate.'), [...REFS, 'RFC 4158 §2.4']);
  push('rotation-cross-first', 'under a rotated root, with the cross-certificate listed before the new root, is accepted', { others: rotation, leafIssuer: 'i', send: { list: ['cross', 'i', 'new-root'] } }, () => recommended('accept', 'Order after the leaf is free (RFC 8446 §4.4.2); a valid path exists.'), [...REFS, 'RFC 8446 §4.4.2']);
  push('rotation-new-root-only', 'under a rotated root, sent without the cross-certificate, is refused', { others: rotation, leafIssuer: 'i', send: { list: ['i', 'new-root'] } }, () => required('reject', 'Without the cross-certificate the path ends at an untrusted root.'), [...REFS, 'RFC 5280 §6.1']);

  // Bridge (RFC 4158 §2.4): the anchor cross-certifies a bridge, the bridge cross-certifies a partner root.
  const bridge: OtherCert[] = [
    { id: 'bridge', issuer: anchor, cert: { subject: subj('bridge CA'), pathLength: undefined } },
    { id: 'partner-root', issuer: 'self', cert: { subject: subj('partner root'), pathLength: undefined, notAfterDays: 3650 } },
    { id: 'partner-cross', issuer: 'bridge', cert: { subject: subj('partner root'), pathLength: undefined, keyOf: 'partner-root' } },
    { id: 'i', issuer: 'partner-root', cert: { subject: subj('partner issuing CA'), pathLength: 0 } },
  ];
  push('bridge-path', 'from a partner PKI reached through a bridge CA is accepted', { others: bridge, leafIssuer: 'i', send: { list: ['i', 'partner-cross', 'bridge'] } }, () => required('accept', 'leaf ← partner CA ← partner root (cross-certified by the bridge) ← bridge ← trusted root is valid.'), [...REFS, 'RFC 4158 §2.4']);
  push('bridge-path-shuffled', 'from a partner PKI through a bridge, sent with the partner root and out of order, is accepted', { others: bridge, leafIssuer: 'i', send: { list: ['bridge', 'partner-root', 'partner-cross', 'i'] } }, () => recommended('accept', 'A valid path exists among the certificates sent (RFC 8446 §4.4.2).'), [...REFS, 'RFC 4158 §2.4']);
  push('bridge-missing', 'from a partner PKI whose bridge certificate is not sent is refused', { others: bridge, leafIssuer: 'i', send: { list: ['i', 'partner-cross'] } }, () => required('reject', 'Without the bridge certificate no path reaches the anchor.'), [...REFS, 'RFC 4158 §2.4']);

  // Chain of pain (limbo pathological::multiple-chains-expired-intermediate): an expired cross path beside a valid direct one.
  const pain: OtherCert[] = [
    { id: 'i', issuer: anchor, cert: { subject: subj('CA of the chain of pain'), pathLength: 1 } },
    { id: 'old-root', issuer: 'self', cert: { subject: subj('old root'), pathLength: undefined } },
    { id: 'i-old', issuer: 'old-root', cert: { subject: subj('CA of the chain of pain'), pathLength: 1, keyOf: 'i', notBeforeDays: -400, notAfterDays: -30 } },
  ];
  push('chain-of-pain', 'whose issuer is also sent as an expired certificate under an old untrusted root is accepted', { others: pain, leafIssuer: 'i', send: { list: ['i-old', 'old-root', 'i'] } }, () => recommended('accept', 'A valid path through the current certificate of the issuer exists.'), [...REFS, 'limbo pathological::multiple-chains-expired-intermediate']);

  // BetterTLS's graphs (after the cases above, so their order in reports is unchanged).
  for (const c of graphCases()) {
    // The title states the answer with every broken edge invalid (SHA-1 forbidden).
    const accepted = validPath(c.graph, c.broken?.edges ?? [], c.anchor, c.leaf) !== null;
    out.push(entry({ name: c.name, title: `A ${h} ${c.graph.title}${c.what ? `, ${c.what},` : ''} is ${accepted ? 'accepted' : 'refused'}`, chain: graphChain(role, c), refs: c.refs, policy: graphPolicy(role, c) }));
  }
  return out;
};
export default pathBuilding;
