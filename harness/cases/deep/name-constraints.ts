import type { CertVariation } from '../../../certs/chain-spec.js';
import type { NameConstraintsSpec, San } from '../../../certs/spec.js';
import type { Role } from '../../model.js';
import { recommended, required, type CaseEntry, type Policy } from '../define.js';
import { cas, entry, holder, LOOPBACK, note, type Family } from './kit.js';

/**
 * name-constraints: RFC 5280 §4.2.1.10 in every form (DNS, IPv4, IPv6, URI/SPIFFE, email,
 * directory name), applied to every name of the leaf (§6.1.3 (b)(c)). Each violation has a
 * sibling whose name is inside the subtree, expected accepted (the control). limbo rfc5280::nc::*,
 * webpki::nc::*; BetterTLS nameconstraints.
 *
 * Severity (docs/corpus-plan.md rule 6): a constraint against the name the relying party verifies
 * is required; in the client direction that name is 127.0.0.1, so a violation by another SAN is a
 * BetterTLS "soft fail" (recommended). In the server direction every name is the identity.
 */

type FormName = 'dns' | 'ipv4' | 'ipv6' | 'uri' | 'email' | 'dn';
interface Form {
  name: FormName;
  permitted: keyof NameConstraintsSpec;
  excluded: keyof NameConstraintsSpec;
  inside: string;
  outside: string;
  /** What the leaf carries of this form. */
  san?: San;
  subject?: string;
  other: NameConstraintsSpec;
}

const NC_SUBJECT = 'CN=mtls-conformance nc leaf, O=mtls-conformance';
const FORMS: Form[] = [
  { name: 'dns', permitted: 'permittedDns', excluded: 'excludedDns', inside: 'mtls-conformance.localhost', outside: 'other.invalid', san: { type: 'dns', value: 'api.mtls-conformance.localhost' }, other: { permittedUris: ['other.invalid'] } },
  { name: 'ipv4', permitted: 'permittedIps', excluded: 'excludedIps', inside: '127.0.0.0/8', outside: '192.0.2.0/24', san: LOOPBACK, other: { permittedUris: ['other.invalid'] } },
  { name: 'ipv6', permitted: 'permittedIps', excluded: 'excludedIps', inside: '::1/128', outside: '2001:db8::/32', san: { type: 'ip', value: '::1' }, other: { permittedUris: ['other.invalid'] } },
  { name: 'uri', permitted: 'permittedUris', excluded: 'excludedUris', inside: 'mtls-conformance.localhost', outside: 'other.invalid', san: { type: 'uri', value: 'spiffe://mtls-conformance.localhost/ns/a/sa/b' }, other: { permittedEmails: ['other.invalid'] } },
  { name: 'email', permitted: 'permittedEmails', excluded: 'excludedEmails', inside: 'mtls-conformance.localhost', outside: 'other.invalid', san: { type: 'email', value: 'client@mtls-conformance.localhost' }, other: { permittedUris: ['other.invalid'] } },
  { name: 'dn', permitted: 'permittedDirectoryNames', excluded: 'excludedDirectoryNames', inside: 'O=mtls-conformance nc', outside: 'O=elsewhere', subject: 'O=mtls-conformance nc, CN=leaf', other: { permittedUris: ['other.invalid'] } },
];

/** The leaf under test: for a client target it also names 127.0.0.1, the address it verifies. */
function leafWith(role: Role, sans: San[], subject?: string): CertVariation {
  const all = role === 'client' ? [LOOPBACK, ...sans.filter((s) => s.value !== LOOPBACK.value)] : sans;
  return { sans: all, subject: subject ?? (role === 'client' ? NC_SUBJECT : undefined) } as CertVariation;
}
function clean(v: CertVariation): CertVariation {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as CertVariation;
}

const REFS = ['RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3 (b)', 'RFC 5280 §6.1.3 (c)'];

const nameConstraints: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const out: CaseEntry[] = [];
  const verified = (f: FormName) => role === 'server' || f === 'ipv4';
  const reject = (f: FormName, why: string): (() => Policy) =>
    verified(f)
      ? () => required('reject', why)
      : () => recommended('reject', `${why} The client verifies 127.0.0.1, not this name: a BetterTLS "soft fail" (RFC 5280 §6.1.3 (b)(c) still applies the constraint to every name).`);
  const accept = (why: string) => () => required('accept', why);
  const add = (name: string, title: string, nc: NameConstraintsSpec, leaf: CertVariation, policy: () => Policy, ref: string, depth: 1 | 2 = 1, extra: CertVariation = {}) =>
    out.push(
      entry({
        name,
        title: `A ${h} ${title}`,
        // A DN constraint binds the lower CA's subject too (RFC 5280 §6.1.3 (b)): it is named inside the subtree.
        chain: { intermediates: depth === 1 ? cas(1, { 1: { nameConstraints: nc, ...extra } }) : cas(2, { 1: { nameConstraints: nc, ...extra }, 2: name.startsWith('dn-') ? { subject: 'O=mtls-conformance nc, CN=lower CA' } : {} }), leaf: clean(leaf) },
        refs: [...REFS, ref],
        policy,
      }),
    );

  for (const f of FORMS) {
    const leaf = leafWith(role, f.san ? [f.san] : [], f.subject);
    const what = f.san ? `${f.san.type.toUpperCase()} name ${f.san.value}` : `subject ${f.subject}`;
    // A client target also verifies 127.0.0.1: an IPv6-only permitted set would constrain it too
    // under validators that compare across address lengths (OpenSSL), so it is permitted alongside.
    const v = (x: keyof NameConstraintsSpec, vals: string[]): NameConstraintsSpec => ({ [x]: role === 'client' && f.name === 'ipv6' && x === f.permitted ? [...vals, '127.0.0.0/8'] : vals });
    const base: [string, string, NameConstraintsSpec, () => Policy, string][] = [
      ['permitted-match', `whose ${what} is inside the permitted ${f.inside} is accepted (control)`, v(f.permitted, [f.inside]), accept('The name falls in the permitted subtree.'), `limbo rfc5280::nc::permitted-${f.name}-match`],
      ['permitted-mismatch', `whose ${what} is outside the permitted ${f.outside} is refused`, v(f.permitted, [f.outside]), reject(f.name, `The ${f.name} name is outside every permitted subtree (RFC 5280 §6.1.3 (b)).`), `limbo rfc5280::nc::permitted-${f.name}-mismatch`],
      ['excluded-match', `whose ${what} is inside the excluded ${f.inside} is refused`, v(f.excluded, [f.inside]), reject(f.name, `The ${f.name} name falls in an excluded subtree (RFC 5280 §6.1.3 (c)).`), `limbo rfc5280::nc::excluded-${f.name}-match`],
      ['excluded-nonmatch', `whose ${what} is outside the excluded ${f.outside} is accepted (control)`, v(f.excluded, [f.outside]), accept('The name is not in the excluded subtree.'), `limbo rfc5280::nc::excluded-${f.name}-mismatch`],
      ['permitted-and-excluded', `whose ${what} is both permitted and excluded is refused`, { ...v(f.permitted, [f.inside]), ...v(f.excluded, [f.inside]) }, reject(f.name, 'Excluded subtrees win over permitted ones (RFC 5280 §4.2.1.10).'), 'RFC 5280 §4.2.1.10'],
      ['other-form-only', `whose ${what} meets constraints of another form only is accepted`, f.other, accept('Constraints of one name form do not restrict names of another (RFC 5280 §4.2.1.10).'), 'limbo rfc5280::nc::nc-permits-dns-different-type'],
    ];
    for (const [n, title, nc, policy, ref] of base) add(`${f.name}-${n}`, title, nc, leaf, policy, ref);
    for (const [n, title, nc, policy, ref] of base.slice(0, 3)) add(`${f.name}-${n}-depth-2`, `${title.replace(/ is (accepted|refused).*/, '')} (constraint two CAs up) is ${n === 'permitted-match' ? 'accepted' : 'refused'}`, nc, leaf, policy, ref, 2);
  }

  const dnsLeaf = (name: string) => leafWith(role, [{ type: 'dns', value: name }]);
  const dnsR = reject('dns', 'The DNS name is outside the permitted subtree.');
  add('dns-label-boundary', 'named api.mtls-conformance.localhost under a CA permitting conformance.localhost is refused', { permittedDns: ['conformance.localhost'] }, dnsLeaf('api.mtls-conformance.localhost'), dnsR, 'RFC 5280 §4.2.1.10 (labels added to the left)');
  add('dns-leading-dot-apex', 'named mtls-conformance.localhost under a CA permitting .mtls-conformance.localhost', { permittedDns: ['.mtls-conformance.localhost'] }, dnsLeaf('mtls-conformance.localhost'), note('reject', 'A leading dot is not RFC 5280 syntax for dNSName; OpenSSL and Go read it as "subdomains only": information.'), 'limbo webpki::nc::*');
  add('dns-leading-dot-child', 'named api.mtls-conformance.localhost under a CA permitting .mtls-conformance.localhost is accepted', { permittedDns: ['.mtls-conformance.localhost'] }, dnsLeaf('api.mtls-conformance.localhost'), () => recommended('accept', 'Under either reading the child is inside.'), 'limbo webpki::nc::*');
  add('dns-case-insensitive', 'named API.mtls-conformance.localhost under a CA permitting MTLS-Conformance.localhost is accepted', { permittedDns: ['MTLS-Conformance.localhost'] }, dnsLeaf('API.mtls-conformance.localhost'), accept('DNS names compare case-insensitively (RFC 5280 §7.2).'), 'RFC 5280 §7.2');
  add('dns-wildcard-inside', 'named *.mtls-conformance.localhost under a CA permitting mtls-conformance.localhost is accepted', { permittedDns: ['mtls-conformance.localhost'] }, dnsLeaf('*.mtls-conformance.localhost'), () => recommended('accept', 'Every name the wildcard can match is inside the subtree.'), 'limbo rfc5280::nc::permitted-dns-match-wildcard');
  add('dns-wildcard-outside', 'named *.other.invalid under a CA permitting mtls-conformance.localhost is refused', { permittedDns: ['mtls-conformance.localhost'] }, dnsLeaf('*.other.invalid'), dnsR, 'limbo rfc5280::nc::permitted-dns-mismatch-wildcard');
  add('dns-excluded-subdomain', 'named api.mtls-conformance.localhost under a CA excluding mtls-conformance.localhost is refused', { excludedDns: ['mtls-conformance.localhost'] }, dnsLeaf('api.mtls-conformance.localhost'), reject('dns', 'Names below an excluded subtree are excluded.'), 'limbo rfc5280::nc::excluded-dns-match');
  add('dns-one-of-two-outside', 'naming one DNS name inside and one outside the permitted subtree is refused', { permittedDns: ['mtls-conformance.localhost'] }, leafWith(role, [{ type: 'dns', value: 'api.mtls-conformance.localhost' }, { type: 'dns', value: 'api.other.invalid' }]), dnsR, 'RFC 5280 §6.1.3 (b) (every name)');

  const ipLeaf = leafWith(role, [LOOPBACK]);
  add('ipv4-exact-32', 'named 127.0.0.1 under a CA permitting 127.0.0.1/32 is accepted', { permittedIps: ['127.0.0.1/32'] }, ipLeaf, accept('A /32 subtree holds exactly that address.'), 'RFC 5280 §4.2.1.10');
  add('ipv4-neighbour-32', 'named 127.0.0.1 under a CA permitting 127.0.0.2/32 is refused', { permittedIps: ['127.0.0.2/32'] }, ipLeaf, reject('ipv4', 'The address is not 127.0.0.2.'), 'RFC 5280 §4.2.1.10');
  add('ipv4-permit-all', 'named 127.0.0.1 under a CA permitting 0.0.0.0/0 is accepted', { permittedIps: ['0.0.0.0/0'] }, ipLeaf, accept('/0 holds every IPv4 address.'), 'RFC 5280 §4.2.1.10');
  add('ipv4-exclude-all', 'named 127.0.0.1 under a CA excluding 0.0.0.0/0 is refused', { excludedIps: ['0.0.0.0/0'] }, ipLeaf, reject('ipv4', 'Every IPv4 address is excluded.'), 'RFC 5280 §4.2.1.10');
  add('ipv6-constraint-v4-name', 'named 127.0.0.1 under a CA permitting only ::ffff:127.0.0.0/104 (IPv6) is accepted', { permittedIps: ['::ffff:127.0.0.0/104'] }, ipLeaf, note('accept', 'RFC 5280 §4.2.1.10 compares addresses of the same length only: an IPv6 subtree does not constrain an IPv4 name. Validators differ.'), 'RFC 5280 §4.2.1.10');

  const uriLeaf = (u: string) => leafWith(role, [{ type: 'uri', value: u }]);
  add('uri-domain-dot', 'with URI spiffe://mtls-conformance.localhost/x under a CA permitting .localhost is accepted', { permittedUris: ['.localhost'] }, uriLeaf('spiffe://mtls-conformance.localhost/x'), accept('A leading dot permits every host below it (RFC 5280 §4.2.1.10).'), 'RFC 5280 §4.2.1.10');
  add('uri-domain-dot-apex', 'with URI spiffe://localhost/x under a CA permitting .localhost is refused', { permittedUris: ['.localhost'] }, uriLeaf('spiffe://localhost/x'), reject('uri', 'A leading dot permits hosts below it, not the domain itself.'), 'RFC 5280 §4.2.1.10');
  add('uri-other-trust-domain', 'with SPIFFE ID spiffe://evil.localhost/x under a CA permitting mtls-conformance.localhost is refused', { permittedUris: ['mtls-conformance.localhost'] }, uriLeaf('spiffe://evil.localhost/x'), reject('uri', 'The SPIFFE trust domain is the URI host, and it is not permitted.'), 'SPIFFE X509-SVID §4.1');
  add('uri-ip-host', 'with URI https://127.0.0.1/ under a CA permitting mtls-conformance.localhost is refused', { permittedUris: ['mtls-conformance.localhost'] }, uriLeaf('https://127.0.0.1/'), reject('uri', 'The host is an address, not inside the permitted DNS-style host.'), 'RFC 5280 §4.2.1.10');
  add('uri-no-host', 'with URI urn:uuid:... under a CA permitting mtls-conformance.localhost is refused', { permittedUris: ['mtls-conformance.localhost'] }, uriLeaf('urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66'), reject('uri', 'RFC 5280 §4.2.1.10: a URI without a host cannot satisfy a URI constraint.'), 'RFC 5280 §4.2.1.10');

  const emailLeaf = (e: string) => leafWith(role, [{ type: 'email', value: e }]);
  add('email-mailbox-exact', 'with e-mail client@mtls-conformance.localhost under a CA permitting that mailbox is accepted', { permittedEmails: ['client@mtls-conformance.localhost'] }, emailLeaf('client@mtls-conformance.localhost'), accept('The mailbox is the permitted one.'), 'RFC 5280 §4.2.1.10');
  add('email-mailbox-other', 'with e-mail other@mtls-conformance.localhost under a CA permitting client@mtls-conformance.localhost is refused', { permittedEmails: ['client@mtls-conformance.localhost'] }, emailLeaf('other@mtls-conformance.localhost'), reject('email', 'Only one mailbox is permitted.'), 'RFC 5280 §4.2.1.10');
  add('email-subdomain-dot', 'with e-mail client@mtls-conformance.localhost under a CA permitting .localhost is accepted', { permittedEmails: ['.localhost'] }, emailLeaf('client@mtls-conformance.localhost'), accept('A leading dot permits every host below it.'), 'RFC 5280 §4.2.1.10');
  add('email-host-not-subdomain', 'with e-mail client@api.mtls-conformance.localhost under a CA permitting mtls-conformance.localhost (host) is refused', { permittedEmails: ['mtls-conformance.localhost'] }, emailLeaf('client@api.mtls-conformance.localhost'), reject('email', 'A host without a dot permits mailboxes at that host only (RFC 5280 §4.2.1.10).'), 'RFC 5280 §4.2.1.10');

  const dnLeaf = (subject: string) => leafWith(role, [], subject);
  add('dn-more-rdns', 'whose subject O=mtls-conformance nc, OU=a, CN=leaf extends the permitted DN is accepted', { permittedDirectoryNames: ['O=mtls-conformance nc'] }, dnLeaf('O=mtls-conformance nc, OU=a, CN=leaf'), accept('A subject below the permitted DN is inside the subtree.'), 'RFC 5280 §4.2.1.10');
  add('dn-other-order', 'whose subject CN=leaf, O=mtls-conformance nc puts the RDNs in another order is refused', { permittedDirectoryNames: ['O=mtls-conformance nc'] }, dnLeaf('CN=leaf, O=mtls-conformance nc'), reject('dn', 'The subject does not begin with the permitted RDN sequence (RFC 5280 §7.1).'), 'RFC 5280 §7.1');
  add('dn-excluded-ou', 'whose subject is in an excluded OU is refused', { permittedDirectoryNames: ['O=mtls-conformance nc'], excludedDirectoryNames: ['O=mtls-conformance nc, OU=blocked'] }, dnLeaf('O=mtls-conformance nc, OU=blocked, CN=leaf'), reject('dn', 'The subject lies in the excluded subtree.'), 'RFC 5280 §4.2.1.10');

  // Two constrained CAs: the path's permitted set is the intersection (RFC 5280 §6.1.4 (g)).
  const two = (name: string, title: string, top: NameConstraintsSpec, low: NameConstraintsSpec, leaf: CertVariation, policy: () => Policy) =>
    out.push(entry({ name, title: `A ${h} ${title}`, chain: { intermediates: cas(2, { 1: { nameConstraints: top }, 2: { nameConstraints: low } }), leaf: clean(leaf) }, refs: [...REFS, 'RFC 5280 §6.1.4 (g)'], policy }));
  two('narrowing-inside', 'inside two CAs that narrow the DNS subtree step by step is accepted', { permittedDns: ['localhost'] }, { permittedDns: ['mtls-conformance.localhost'] }, dnsLeaf('api.mtls-conformance.localhost'), accept('The name is inside both subtrees.'));
  two('widening-outside', 'outside the upper CA\'s subtree but inside a wider one below it is refused', { permittedDns: ['mtls-conformance.localhost'] }, { permittedDns: ['localhost'] }, dnsLeaf('api.other.localhost'), reject('dns', 'A lower CA cannot widen its issuer\'s constraints (RFC 5280 §6.1.4 (g)).'));
  two('lower-excludes', 'permitted above and excluded by the lower CA is refused', { permittedDns: ['mtls-conformance.localhost'] }, { excludedDns: ['api.mtls-conformance.localhost'] }, dnsLeaf('api.mtls-conformance.localhost'), reject('dns', 'The lower CA excludes the name.'));
  two('ip-narrowing', 'at 127.0.0.1 inside 127.0.0.0/8 then 127.0.0.0/24 is accepted', { permittedIps: ['127.0.0.0/8'] }, { permittedIps: ['127.0.0.0/24'] }, ipLeaf, accept('The address is inside both subtrees.'));

  add('non-critical-violated', 'outside the permitted subtree of a CA that marks nameConstraints non-critical', { permittedDns: ['other.invalid'] }, dnsLeaf('api.mtls-conformance.localhost'), note('reject', 'RFC 5280 §4.2.1.10 says MUST be critical, but a known extension applies whether critical or not; the Web PKI tolerates non-critical constraints. Information.'), 'limbo webpki::nc::nc-not-critical', 1, { nameConstraintsCritical: false });
  add('non-critical-satisfied', 'inside the permitted subtree of a CA that marks nameConstraints non-critical is accepted', { permittedDns: ['mtls-conformance.localhost'] }, dnsLeaf('api.mtls-conformance.localhost'), () => recommended('accept', 'The name satisfies the constraint; criticality is the issuer\'s defect.'), 'limbo webpki::nc::nc-not-critical', 1, { nameConstraintsCritical: false });
  if (role === 'server') {
    add('cn-outside-dn-constraint', 'whose subject CN=conformance-client, O=mtls-conformance falls outside a permitted DN subtree is refused', { permittedDirectoryNames: ['O=mtls-conformance permitted'] }, {}, reject('dn', 'The subject DN is a name like any other (RFC 5280 §6.1.3 (b)).'), 'RFC 5280 §6.1.3 (b)');
    add('dns-constraint-cn-only', 'with no SAN and a CN under a DNS-constrained CA is accepted', { permittedDns: ['mtls-conformance.localhost'] }, { sans: [] }, () => recommended('accept', 'DNS constraints apply to dNSName SANs; the CN is not a DNS name here.'), 'BetterTLS nameconstraints (CN soft pass)');
  }
  return out;
};
export default nameConstraints;
