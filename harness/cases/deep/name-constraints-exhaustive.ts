import type { CertVariation } from '../../../certs/chain-spec.js';
import type { NameConstraintsSpec, San } from '../../../certs/spec.js';
import { info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { cas, entry, HOST } from './kit.js';

/**
 * The rest of BetterTLS's name-constraint product for `--suite exhaustive` (docs/corpus-plan.md
 * "--suite exhaustive"), our own code and names. Built only when that suite is asked for
 * (areas.ts suiteAreas); the deep suite runs the 225-case slice in name-constraints-product.ts.
 *
 * Client direction (a reference server serves root {ca} -> constrained CA -> leaf): the host the
 * client verifies (DNS name, address) × CN (none, the host) × DNS SAN × IP SAN (each none, inside,
 * outside the valid tree) × permitted DNS × excluded DNS × permitted IP × excluded IP (each none,
 * the valid tree, an unrelated tree) × a constraint of another form (none, permitted URI, excluded
 * e-mail: RFC 5280 §4.2.1.10 restricts only names of the constraint's own form) = 2·2·3^7 = 8,748.
 *
 * Server direction (client certificates presented to the target server, root client-ca): per name
 * form (DNS, IPv4, IPv6, URI, e-mail, DN) the name {none, inside, outside} × permitted {none,
 * match, mismatch} × excluded {none, match, mismatch} × the constrained CA's depth {1, 2} = 54 per
 * form; and every pair of forms × both names {none, inside, outside} × permitted or excluded both
 * valid trees × depth 1 = 270. In the server direction every name of the certificate is its
 * identity, so any broken constraint is a required refusal (RFC 5280 §6.1.3 (b)(c)).
 */

const REFS = ['BetterTLS nameconstraints', 'RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3 (b)(c)'];

/** n: absent; i: the valid tree / a name inside it; o: an unrelated tree / a name outside. */
type V = 'n' | 'i' | 'o';
const VS: V[] = ['n', 'i', 'o'];

const inDns = (name: string, tree: string) => name.toLowerCase() === tree || name.toLowerCase().endsWith(`.${tree}`);

function v4(a: string): number[] | null {
  const p = a.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x)) ? p.map(Number) : null;
}
/** Expand an IPv6 text to 16 bytes (enough for the literals this file uses). */
function v6(a: string): number[] | null {
  if (!a.includes(':')) return null;
  const [head, tail = ''] = a.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = a.includes('::') && tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 255]);
}
const bytes = (a: string) => v4(a) ?? v6(a);
/** RFC 5280 §4.2.1.10: an address and a subtree of another length never match. */
function inIp(addr: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/') as [string, string];
  const a = bytes(addr);
  const n = bytes(net);
  if (!a || !n || a.length !== n.length) return false;
  let left = Number(bits);
  for (let i = 0; i < a.length && left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 255 : (255 << (8 - left)) & 255;
    if ((a[i]! & mask) !== (n[i]! & mask)) return false;
  }
  return true;
}
/** URI: the host part against a DNS-style tree (a leading dot is not used here). */
const inUri = (uri: string, tree: string) => inDns(/^[a-z]+:\/\/([^/:]+)/i.exec(uri)?.[1] ?? '', tree);
/** e-mail: a tree without '@' is a host: the mailbox's host must equal it (RFC 5280 §4.2.1.10). */
const inEmail = (mail: string, tree: string) => (tree.includes('@') ? mail === tree : mail.slice(mail.indexOf('@') + 1).toLowerCase() === tree);
/** DN: the subject begins with the tree's RDNs (RFC 5280 §7.1), compared as written here. */
const rdns = (dn: string) => dn.split(',').map((s) => s.trim().toLowerCase());
const inDn = (dn: string, tree: string) => rdns(tree).every((r, i) => rdns(dn)[i] === r);

/** Whether a name breaks one form's constraints: outside every permitted tree, or inside an excluded one. */
function breaks(name: string, inTree: (n: string, t: string) => boolean, permitted: string | null, excluded: string | null): boolean {
  return (permitted !== null && !inTree(name, permitted)) || (excluded !== null && inTree(name, excluded));
}

// ---------------------------------------------------------------------------------------------
// Client direction.

const DNS_IN = HOST;
const DNS_OUT = 'api.elsewhere.invalid';
const DNS_TREE = { i: 'mtls-conformance.localhost', o: 'other.invalid' };
const IP_IN = '127.0.0.1';
const IP_OUT = '192.0.2.1';
const IP_TREE = { i: '127.0.0.0/8', o: '198.51.100.0/24' };
type Other = 'n' | 'u' | 'e';
const OTHERS: Other[] = ['n', 'u', 'e'];
const OTHER_NC: Record<Other, NameConstraintsSpec> = { n: {}, u: { permittedUris: ['other.invalid'] }, e: { excludedEmails: ['mtls-conformance.localhost'] } };

interface ClientRow {
  host: 'ip' | 'dns';
  cn: 'n' | 'h';
  dns: V;
  ip: V;
  pd: V;
  xd: V;
  pi: V;
  xi: V;
  of: Other;
}

const pick = <T>(v: V, yes: { i: T; o: T }): T | null => (v === 'n' ? null : yes[v]);

function clientExpectation(r: ClientRow): Policy {
  const dnsName = pick(r.dns, { i: DNS_IN, o: DNS_OUT });
  const ipName = pick(r.ip, { i: IP_IN, o: IP_OUT });
  const requested = r.host === 'dns' ? DNS_IN : IP_IN;
  const cnName = r.cn === 'h' ? requested : null;
  const present = r.host === 'dns' ? dnsName === DNS_IN : ipName === IP_IN;
  if (!present) {
    // RFC 6125 §6.4.4 let a client fall back to the CN when no DNS-ID exists; RFC 9525 §6.3 does
    // not. An address is matched against iPAddress SANs only (RFC 9525 §6.2): no fallback for it.
    if (r.host === 'dns' && cnName && !dnsName) return recommended('reject', 'The host is named only in the CN and no DNS SAN exists: RFC 9525 §6.3 does not fall back to the CN, RFC 6125 §6.4.4 did (BetterTLS soft fail).');
    return required('reject', 'No SAN names the host the client asked for (RFC 9525 §6.2, §6.3).');
  }
  const pd = pick(r.pd, DNS_TREE);
  const xd = pick(r.xd, DNS_TREE);
  const pi = pick(r.pi, IP_TREE);
  const xi = pick(r.xi, IP_TREE);
  const dnsBroken = dnsName !== null && breaks(dnsName, inDns, pd, xd);
  const ipBroken = ipName !== null && breaks(ipName, inIp, pi, xi);
  if (r.host === 'dns' ? dnsBroken : ipBroken) return required('reject', 'A name constraint of the issuing CA excludes the very name the client verifies (RFC 5280 §6.1.3 (b)(c)).');
  if (dnsBroken || ipBroken) return recommended('reject', 'Another SAN breaks a name constraint: RFC 5280 §6.1.3 applies constraints to every name (BetterTLS soft fail).');
  // Some validators read a CN that looks like a host name as a DNS name when no dNSName exists.
  if (cnName && !dnsName && breaks(cnName, inDns, pd, xd)) return info('accept', 'Only the CN, read as a DNS name, breaks the DNS constraint; the CN is not an identity here (BetterTLS soft pass).');
  const other = r.of === 'n' ? '' : ' The other-form constraint restricts only names of its own form (RFC 5280 §4.2.1.10), and the leaf has none.';
  return required('accept', `The requested name is in the SANs and every name meets the constraints (control).${other}`);
}

function clientRows(): ClientRow[] {
  const out: ClientRow[] = [];
  for (const host of ['ip', 'dns'] as const)
    for (const cn of ['n', 'h'] as const)
      for (const dns of VS) for (const ip of VS) for (const pd of VS) for (const xd of VS) for (const pi of VS) for (const xi of VS) for (const of of OTHERS) out.push({ host, cn, dns, ip, pd, xd, pi, xi, of });
  return out;
}

function clientCase(r: ClientRow): CaseEntry {
  const dnsName = pick(r.dns, { i: DNS_IN, o: DNS_OUT });
  const ipName = pick(r.ip, { i: IP_IN, o: IP_OUT });
  const sans: San[] = [...(dnsName ? [{ type: 'dns', value: dnsName } as San] : []), ...(ipName ? [{ type: 'ip', value: ipName } as San] : [])];
  const requested = r.host === 'dns' ? DNS_IN : IP_IN;
  const tree = (v: V, t: { i: string; o: string }) => (v === 'n' ? [] : [t[v]]);
  const nc: NameConstraintsSpec = Object.fromEntries(
    Object.entries({ permittedDns: tree(r.pd, DNS_TREE), excludedDns: tree(r.xd, DNS_TREE), permittedIps: tree(r.pi, IP_TREE), excludedIps: tree(r.xi, IP_TREE), ...OTHER_NC[r.of] }).filter(([, v]) => v.length > 0),
  );
  const hasNc = Object.keys(nc).length > 0;
  // Readable and distinct from name-constraints-product's ids (…-dc…-ic…): pd/xd/pi/xi/of axes.
  const name = `${r.host}-cn${r.cn}-dns${r.dns}-ip${r.ip}-pd${r.pd}-xd${r.xd}-pi${r.pi}-xi${r.xi}-of${r.of}`;
  return entry({
    name,
    title: `Host ${requested}; CN ${r.cn === 'h' ? requested : 'none'}; SANs ${sans.map((s) => s.value).join(', ') || 'none'}; constraints ${hasNc ? JSON.stringify(nc) : 'none'}`,
    chain: { intermediates: cas(1, { 1: hasNc ? { nameConstraints: nc } : {} }), leaf: { sans, subject: r.cn === 'h' ? `CN=${requested}, O=mtls-conformance` : 'O=mtls-conformance, OU=name-constraints exhaustive' } },
    ...(r.host === 'dns' ? { probe: { serverName: DNS_IN } } : {}),
    refs: [...REFS, 'RFC 9525 §6'],
    policy: () => clientExpectation(r),
  });
}

export function exhaustiveClientCases(): CaseEntry[] {
  return clientRows().map(clientCase);
}

// ---------------------------------------------------------------------------------------------
// Server direction.

type FormName = 'dns' | 'ipv4' | 'ipv6' | 'uri' | 'email' | 'dn';
interface Form {
  name: FormName;
  permitted: keyof NameConstraintsSpec;
  excluded: keyof NameConstraintsSpec;
  tree: { i: string; o: string };
  value: { i: string; o: string };
  match: (name: string, tree: string) => boolean;
}
const FORMS: Form[] = [
  { name: 'dns', permitted: 'permittedDns', excluded: 'excludedDns', tree: { i: 'mtls-conformance.localhost', o: 'other.invalid' }, value: { i: 'client.mtls-conformance.localhost', o: 'client.other.invalid' }, match: inDns },
  { name: 'ipv4', permitted: 'permittedIps', excluded: 'excludedIps', tree: { i: '127.0.0.0/8', o: '192.0.2.0/24' }, value: { i: '127.0.0.1', o: '192.0.2.1' }, match: inIp },
  { name: 'ipv6', permitted: 'permittedIps', excluded: 'excludedIps', tree: { i: '::1/128', o: '2001:db8::/32' }, value: { i: '::1', o: '2001:db8::1' }, match: inIp },
  { name: 'uri', permitted: 'permittedUris', excluded: 'excludedUris', tree: { i: 'mtls-conformance.localhost', o: 'other.invalid' }, value: { i: 'spiffe://mtls-conformance.localhost/client', o: 'spiffe://other.invalid/client' }, match: inUri },
  { name: 'email', permitted: 'permittedEmails', excluded: 'excludedEmails', tree: { i: 'mtls-conformance.localhost', o: 'other.invalid' }, value: { i: 'client@mtls-conformance.localhost', o: 'client@other.invalid' }, match: inEmail },
  { name: 'dn', permitted: 'permittedDirectoryNames', excluded: 'excludedDirectoryNames', tree: { i: 'O=mtls-conformance nc', o: 'O=elsewhere' }, value: { i: 'O=mtls-conformance nc, CN=client', o: 'O=elsewhere, CN=client' }, match: inDn },
];
/** A subject outside every DN tree above (the DN form's "none": a subject is always there). */
const PLAIN_SUBJECT = 'CN=mtls-conformance nc product client';

/** One form's part of a server case: the name the leaf carries and the trees its CA names. */
interface Part {
  form: Form;
  name: V;
  permitted: V;
  excluded: V;
}

function serverCase(id: string, parts: Part[], depth: 1 | 2): CaseEntry {
  const sans: San[] = [];
  let subject = PLAIN_SUBJECT;
  const nc: Record<string, string[]> = {};
  for (const p of parts) {
    const value = pick(p.name, p.form.value);
    if (value !== null) {
      if (p.form.name === 'dn') subject = value;
      else sans.push({ type: p.form.name === 'ipv4' || p.form.name === 'ipv6' ? 'ip' : p.form.name, value } as San);
    }
    const pt = pick(p.permitted, p.form.tree);
    const xt = pick(p.excluded, p.form.tree);
    if (pt) nc[p.form.permitted] = [...(nc[p.form.permitted] ?? []), pt];
    if (xt) nc[p.form.excluded] = [...(nc[p.form.excluded] ?? []), xt];
  }
  // Depth 2: the constrained CA is one above the leaf's issuer, whose own subject is checked as well
  // (RFC 5280 §6.1.3 (b): every certificate below the constrained one); it is named inside the DN tree
  // permitted, if any, so that only the leaf decides.
  const dn = parts.find((p) => p.form.name === 'dn');
  const dnPermitted = dn ? pick(dn.permitted, dn.form.tree) : null;
  const lowerSubject = dnPermitted ? `${dnPermitted}, CN=lower CA ${id}` : `CN=mtls-conformance nc lower CA ${id}`;
  const names: { form: Form; value: string }[] = [];
  for (const p of parts) {
    const value = pick(p.name, p.form.value);
    if (value !== null && p.form.name !== 'dn') names.push({ form: p.form, value });
  }
  const dnForm = FORMS.find((f) => f.name === 'dn')!;
  names.push({ form: dnForm, value: subject });
  if (depth === 2) names.push({ form: dnForm, value: lowerSubject });
  const broken = names.filter(({ form, value }) => {
    if (!parts.some((x) => x.form === form)) return false;
    // An IPv4 and an IPv6 part share the iPAddress trees: a name meets them if it meets its own length's.
    const permitted = (nc[form.permitted] ?? []).filter((t) => form.match !== inIp || bytes(t.split('/')[0]!)!.length === bytes(value)!.length);
    const excluded = nc[form.excluded] ?? [];
    return (permitted.length > 0 && !permitted.some((t) => form.match(value, t))) || excluded.some((t) => form.match(value, t));
  });
  const policy: Policy =
    broken.length > 0
      ? required('reject', `${broken.map((b) => b.value).join('; ')} breaks the CA's name constraints; every name of a client certificate is its identity (RFC 5280 §6.1.3 (b)(c)).`)
      : required('accept', Object.keys(nc).length > 0 ? 'Every name is inside the permitted trees and outside the excluded ones (control); a constraint restricts only names of its own form (RFC 5280 §4.2.1.10).' : 'No name constraint applies (control).');
  const constrained: CertVariation = Object.keys(nc).length > 0 ? { nameConstraints: nc as NameConstraintsSpec } : {};
  return entry({
    name: id,
    title: `A client certificate with ${[...sans.map((s) => `${s.type} ${s.value}`), `subject ${subject}`].join(', ')} under a CA (depth ${depth}) with constraints ${Object.keys(nc).length ? JSON.stringify(nc) : 'none'}`,
    chain: { intermediates: depth === 1 ? cas(1, { 1: constrained }) : cas(2, { 1: constrained, 2: { subject: lowerSubject } }), leaf: { sans, subject } },
    refs: [...REFS, `RFC 5280 §4.2.1.10 (${parts.map((p) => p.form.name).join(', ')})`],
    policy: () => policy,
  });
}

export function exhaustiveServerCases(): CaseEntry[] {
  const out: CaseEntry[] = [];
  for (const form of FORMS)
    for (const name of VS)
      for (const permitted of VS)
        for (const excluded of VS)
          for (const depth of [1, 2] as const) out.push(serverCase(`${form.name}-name${name}-p${permitted}-x${excluded}-d${depth}`, [{ form, name, permitted, excluded }], depth));
  for (let a = 0; a < FORMS.length; a++)
    for (let b = a + 1; b < FORMS.length; b++)
      for (const na of VS)
        for (const nb of VS)
          for (const kind of ['p', 'x'] as const) {
            const fa = FORMS[a]!;
            const fb = FORMS[b]!;
            const t: Omit<Part, 'form' | 'name'> = kind === 'p' ? { permitted: 'i', excluded: 'n' } : { permitted: 'n', excluded: 'i' };
            out.push(serverCase(`pair-${fa.name}-${fb.name}-name${na}${nb}-${kind}`, [{ form: fa, name: na, ...t }, { form: fb, name: nb, ...t }], 1));
          }
  return out;
}
