import type { CertVariation } from '../../../certs/chain-spec.js';
import type { NameConstraintsSpec, San } from '../../../certs/spec.js';
import type { RawName } from '../../../certs/raw-names.js';
import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import { info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { cas, entry, hex, HOST, type Family } from './kit.js';

/**
 * name-smuggling: names whose bytes try to get past a name-constraint check or a host name check
 * (BetterTLS nameconstraints' SAN-tag and separator sets, and byte forms of our own: NUL, space,
 * slash, percent-encoding, trailing and leading dots, case, IDNA forms, a host in the CN only, an
 * address written as a DNS name or in 16 octets, URI hosts that differ after normalisation, and
 * constraints written with a leading dot, in capitals, with a trailing dot, or ending mid-label).
 * Our own code and names; RFC 5280 §4.2.1.6, §4.2.1.10, §7.1-§7.5 and RFC 9525 §6 decide.
 *
 * Every case sits under one constrained CA below the anchor: root -> CA (constraints) -> leaf. The
 * client direction has the client verify api.mtls-conformance.localhost (or 127.0.0.1); the
 * constraint either permits another tree (`po`: the smuggled name, read as the host, is outside
 * it) or excludes the host's own tree (`xi`: read as the host, it is inside). A client whose host
 * name check and constraint check read the bytes differently accepts one of the two: a bypass.
 * In the server direction every name of a client certificate is its identity, so a name that
 * reads as excluded under any normalisation the standard asks for is refused.
 *
 * `--suite deep` runs the cases marked `deep` (the most telling, both directions, ids
 * `<role>/name-smuggling/<name>`); `--suite exhaustive` adds the rest as
 * `<role>/name-constraints-exhaustive/smuggle-<name>`: BetterTLS's 16 GeneralName tags × 5 host
 * encodings × 2 constraints (160), the address as octets or text × 16 tags × 2 (64), the separator
 * set (4 separators × with or without "DNS:" × 2 leading names × 16 tags × 2 = 512), and the byte forms.
 */

/** The tree the client's host is in, an unrelated one, and a name inside the unrelated one (the SAN that keeps the chain valid). */
const TREE = 'mtls-conformance.localhost';
const OTHER = 'other.invalid';
const DECOY = `bad.${OTHER}`;
const IP = '127.0.0.1';
const IP_TREE = '127.0.0.0/8';
const IP_OTHER = '198.51.100.0/24';
const IP_DECOY = '198.51.100.1';
/** The client certificates' names in the server direction. */
const CLIENT_DNS = `client.${TREE}`;

/** The constraints a case's CA carries, by key. */
const NC: Record<string, NameConstraintsSpec> = {
  none: {},
  pi: { permittedDns: [TREE] },
  po: { permittedDns: [OTHER] },
  xi: { excludedDns: [TREE] },
  'ip-pi': { permittedIps: [IP_TREE] },
  'ip-po': { permittedIps: [IP_OTHER] },
  'ip-xi': { excludedIps: [IP_TREE] },
  'uri-pi': { permittedUris: [TREE] },
  'uri-po': { permittedUris: [OTHER] },
  'uri-xi': { excludedUris: [TREE] },
  'email-xi': { excludedEmails: [TREE] },
  'dn-pi': { permittedDirectoryNames: ['O=mtls-conformance nc'] },
  'dn-xi': { excludedDirectoryNames: ['O=mtls-conformance nc'] },
};
const NC_TEXT: Record<string, string> = {
  none: 'no constraint',
  pi: `permitted DNS ${TREE}`,
  po: `permitted DNS ${OTHER}`,
  xi: `excluded DNS ${TREE}`,
  'ip-pi': `permitted IP ${IP_TREE}`,
  'ip-po': `permitted IP ${IP_OTHER}`,
  'ip-xi': `excluded IP ${IP_TREE}`,
  'uri-pi': `permitted URI host ${TREE}`,
  'uri-po': `permitted URI host ${OTHER}`,
  'uri-xi': `excluded URI host ${TREE}`,
  'email-xi': `excluded e-mail host ${TREE}`,
  'dn-pi': 'permitted DN O=mtls-conformance nc',
  'dn-xi': 'excluded DN O=mtls-conformance nc',
};

/** Why a client must refuse, and whether that holds only because it checks the host name. */
type Rule = (p: Profile) => Policy;
const hostCheck = (p: Profile, ok: Policy): Policy =>
  p.certificates.server.hostnameMatch ? ok : { ...ok, severity: 'info', rationale: `${ok.rationale} The profile turns hostname matching off (certificates.server.hostnameMatch: false).` };
/** Refused under every reading because of the host name check (RFC 9525 §6.3: the bytes are not the host). */
const noHost = (why: string): Rule => (p) => hostCheck(p, required('reject', why));
/** Refused under every reading by the constraint alone, host name check or not. */
const byConstraint = (why: string): Rule => () => required('reject', why);
const yes = (why: string): Rule => (p) => hostCheck(p, required('accept', why));
const soft = (why: string): Rule => () => recommended('reject', why);
const either = (expect: 'accept' | 'reject', why: string): Rule => () => info(expect, why);

type RawSubtrees = { permitted?: RawName[]; excluded?: RawName[] };

/** One case of the family, before it is given its id and chain. */
interface Smuggle {
  name: string;
  what: string;
  /** The names of the leaf: typed SANs, raw GeneralNames, a subject. */
  sans?: San[];
  sanRaw?: RawName[];
  subject?: string;
  /** Constraints by key (NC), or written out (typed and raw). */
  nc: string;
  ncSpec?: { typed?: NameConstraintsSpec; raw?: RawSubtrees; text: string };
  policy: Rule;
  refs: string[];
  /** Client direction: verify the DNS host (default) or 127.0.0.1. */
  ipHost?: boolean;
  deep?: boolean;
}

const dnsRaw = (s: string): RawName => ({ tag: 2, valueHex: hex(s) });
const ipRaw = (bytesHex: string): RawName => ({ tag: 7, valueHex: bytesHex });

const NO_HOST = `It does not name ${HOST}: RFC 9525 §6.3 compares the reference identifier with each DNS-ID as whole labels, case-insensitively, and nothing else.`;
const BYPASS = 'A client that matched it as the host would have to apply the constraint to the same reading (RFC 5280 §6.1.3 (b)(c)); reading the bytes one way for the host and another for the constraint is the bypass.';

// ---------------------------------------------------------------------------------------------
// Client direction: byte forms of the host, constraint-side forms, a host in the CN, addresses.

function clientForms(): Smuggle[] {
  const R = ['BetterTLS nameconstraints', 'RFC 9525 §6.3'];
  const out: Smuggle[] = [];
  const form = (stem: string, what: string, leaf: Pick<Smuggle, 'sans' | 'sanRaw' | 'subject'>, rules: Record<string, Rule>, refs: string[], deep: string[] = [], ipHost = false) => {
    for (const [nc, policy] of Object.entries(rules)) out.push({ name: `${stem}-${nc}`, what, ...leaf, nc, policy, refs: [...R, ...refs], deep: deep.includes(nc), ...(ipHost ? { ipHost } : {}) });
  };
  const upper = HOST.toUpperCase();
  form('upper', `a dNSName ${upper}`, { sans: [{ type: 'dns', value: upper }] }, {
    pi: yes('DNS names compare case-insensitively, for the host (RFC 9525 §6.3) and for constraints (RFC 5280 §7.2): the name is the host and inside the permitted tree (control).'),
    po: byConstraint(`The name is outside the permitted ${OTHER} in any case (RFC 5280 §6.1.3 (b)).`),
    xi: byConstraint(`RFC 5280 §7.2: constraints compare label by label without regard to case, so ${upper} is inside the excluded ${TREE}; a case-sensitive constraint check lets it through while the host check matches it.`),
  }, ['RFC 5280 §7.2', 'RFC 4343'], ['pi', 'xi']);
  form('trailing-dot', `a dNSName ${HOST}. (absolute form)`, { sanRaw: [dnsRaw(`${HOST}.`)] }, {
    pi: either('accept', `RFC 5280 §4.2.1.6 has no trailing dot in dNSName. Read as the absolute form of ${HOST}, it is the host and inside the permitted tree (accept); read as bytes, it is neither (refuse). Validators differ.`),
    po: noHost(`Under either reading the name is outside the permitted ${OTHER} or not the host.`),
    xi: noHost(`Read as ${HOST}, it is inside the excluded tree; read as bytes, it is not the host. Refused either way; accepting it means the host check stripped the dot and the constraint check did not. ${BYPASS}`),
  }, ['RFC 5280 §4.2.1.6', 'RFC 1034 §3.1'], ['xi']);
  form('leading-dot', `a dNSName .${HOST}`, { sanRaw: [dnsRaw(`.${HOST}`)] }, {
    none: noHost(`A leading dot is not preferred name syntax (RFC 5280 §4.2.1.6) and the name is not ${HOST}.`),
    po: noHost(`Not the host, and outside the permitted ${OTHER}.`),
    xi: byConstraint(`It ends in .${TREE}: inside the excluded tree however it is read.`),
  }, ['RFC 5280 §4.2.1.6']);
  const nul = `${HOST}\0.${OTHER}`;
  form('nul-suffix', `a dNSName ${HOST}\\0.${OTHER} (NUL byte)`, { sanRaw: [dnsRaw(nul)] }, {
    none: noHost(`A NUL byte ends the name for C string code, which then sees ${HOST} (CVE-2009-2408); the name is not the host.`),
    po: noHost(`Compared as bytes the name ends in .${OTHER}, inside the permitted tree; read as a C string it is ${HOST}. ${BYPASS}`),
    xi: noHost(`Compared as bytes the name is outside the excluded ${TREE}; read as a C string it is ${HOST}, inside it. ${BYPASS}`),
  }, ['CVE-2009-2408', 'RFC 5280 §4.2.1.6'], ['po', 'xi']);
  form('space', `a dNSName "${HOST} " (trailing space)`, { sanRaw: [dnsRaw(`${HOST} `)] }, {
    none: noHost(`A space is not in a DNS name (RFC 5280 §4.2.1.6); the name is not ${HOST}.`),
    xi: noHost(`As bytes it is outside the excluded ${TREE}; trimmed it is ${HOST}, inside. ${BYPASS}`),
  }, ['RFC 5280 §4.2.1.6'], ['xi']);
  const slash = `${HOST}/x.${OTHER}`;
  form('slash', `a dNSName ${slash}`, { sanRaw: [dnsRaw(slash)] }, {
    none: noHost(`A slash is not in a DNS name; a parser that stops at it as in a URL sees ${HOST}.`),
    po: noHost(`As bytes it ends in .${OTHER}, inside the permitted tree; cut at the slash it is ${HOST}. ${BYPASS}`),
  }, ['RFC 5280 §4.2.1.6', 'RFC 3986 §3.2.2'], ['po']);
  const pct = HOST.replace('.', '%2E');
  form('percent', `a dNSName ${pct} (a percent-encoded dot)`, { sanRaw: [dnsRaw(pct)] }, {
    none: noHost('Percent-encoding has no meaning in a dNSName (RFC 5280 §4.2.1.6); the name is not the host.'),
    xi: noHost(`As bytes it is outside the excluded ${TREE} (its second-level label is "api%2Emtls-conformance"); decoded it is ${HOST}, inside. ${BYPASS}`),
  }, ['RFC 5280 §4.2.1.6'], ['xi']);
  const fwDots = HOST.replace(/\./g, '\uff0e');
  form('fullwidth-dots', `a dNSName ${fwDots} (U+FF0E FULLWIDTH FULL STOP as dots, raw UTF-8)`, { sanRaw: [dnsRaw(fwDots)] }, {
    none: noHost('dNSName holds A-labels only (RFC 5280 §7.2, RFC 8399); UTS #46 mapping turns U+FF0E into a dot, which a client must not do to a presented identifier.'),
    xi: noHost(`As bytes it has no dot and is outside the excluded ${TREE}; mapped by UTS #46 it is ${HOST}, inside. ${BYPASS}`),
  }, ['RFC 5280 §7.2', 'RFC 8399', 'UTS #46'], ['xi']);
  const fwA = `\uff41${HOST.slice(1)}`;
  form('fullwidth-letter', `a dNSName ${fwA} (U+FF41 FULLWIDTH a, raw UTF-8)`, { sanRaw: [dnsRaw(fwA)] }, {
    none: noHost('dNSName holds A-labels only (RFC 5280 §7.2, RFC 8399): a U-label, or a mapped one, is not compared.'),
  }, ['RFC 5280 §7.2', 'RFC 8399', 'UTS #46']);
  const puny = `xn--api-.${TREE}`;
  form('punycode-ascii', `a dNSName ${puny} (Punycode of the ASCII label "api")`, { sans: [{ type: 'dns', value: puny }] }, {
    none: noHost('An A-label whose Punycode decodes to ASCII only is not a valid A-label (RFC 5890 §2.3.2.1); labels compare as they are written (RFC 9525 §6.3), and "xn--api-" is not "api".'),
  }, ['RFC 5890 §2.3.2.1']);
  form('cn-host', `no SAN and CN=${HOST}`, { sans: [], subject: `CN=${HOST}, O=mtls-conformance` }, {
    pi: soft('RFC 9525 §6.3 does not fall back to the CN (RFC 6125 §6.4.4 did when no DNS-ID exists): refused, soft.'),
    po: noHost(`Without the CN fallback (RFC 9525) nothing names the host; with it, the CN is a DNS name outside the permitted ${OTHER}. Refused either way.`),
    xi: noHost(`Without the CN fallback nothing names the host; with it, the CN is ${HOST}, inside the excluded tree, and a client that reads the CN as the host must constrain it as one (BetterTLS: a constraint against the requested name is a hard fail).`),
  }, ['RFC 6125 §6.4.4', 'RFC 5280 §4.2.1.10'], ['xi']);
  form('cn-host-uri-san', `CN=${HOST} and only a URI SAN https://${HOST}/`, { sans: [{ type: 'uri', value: `https://${HOST}/` }], subject: `CN=${HOST}, O=mtls-conformance` }, {
    none: noHost('RFC 6125 §6.4.4 allowed the CN only when no DNS-ID, SRV-ID or URI-ID is present, and RFC 9525 never; a URI-ID does not name an HTTPS server (RFC 9525 §6.2).'),
  }, ['RFC 6125 §6.4.4', 'RFC 9525 §6.2'], ['none']);

  // The client verifies 127.0.0.1.
  form('ip-as-dns', 'a dNSName "127.0.0.1" and no iPAddress', { sanRaw: [dnsRaw(IP)] }, {
    'ip-xi': noHost(`An address is matched against iPAddress SANs only (RFC 9525 §6.2), and the IP constraint (RFC 5280 §4.2.1.10) does not reach a dNSName: a client that matches the text lets ${IP} past the excluded ${IP_TREE}.`),
    po: byConstraint(`"127.0.0.1" as a dNSName is outside the permitted DNS ${OTHER}.`),
  }, ['RFC 9525 §6.2', 'limbo rfc5280::san::ip-in-dns'], ['ip-xi'], true);
  form('ip-short-as-dns', 'a dNSName "127.1" (the inet_aton short form)', { sanRaw: [dnsRaw('127.1')] }, {
    none: noHost('An address is matched against iPAddress SANs only (RFC 9525 §6.2); inet_aton reads "127.1" as 127.0.0.1.'),
    'ip-xi': noHost(`Not an iPAddress, so neither the host nor inside the IP constraint; a client parsing it as an address lets ${IP} past the excluded ${IP_TREE}.`),
  }, ['RFC 9525 §6.2'], [], true);
  form('ip-hex-as-dns', 'a dNSName "0x7f.0.0.1"', { sanRaw: [dnsRaw('0x7f.0.0.1')] }, {
    none: noHost('An address is matched against iPAddress SANs only (RFC 9525 §6.2); inet_aton reads "0x7f.0.0.1" as 127.0.0.1.'),
  }, ['RFC 9525 §6.2'], [], true);
  form('ip-mapped', 'an iPAddress of 16 octets ::ffff:127.0.0.1 (IPv4-mapped IPv6)', { sans: [{ type: 'ip', value: `::ffff:${IP}` }] }, {
    'ip-pi': soft('A 16-octet address is an IPv6 address (RFC 5280 §4.2.1.6), not the 4-octet 127.0.0.1, and outside every IPv4 subtree; a client that maps it to IPv4 accepts. Soft, as the hostname family has it.'),
    'ip-xi': noHost(`Read as IPv6 it is not the host; mapped to ${IP} it is inside the excluded ${IP_TREE}. ${BYPASS}`),
  }, ['RFC 5280 §4.2.1.6', 'RFC 4291 §2.5.5.2'], ['ip-xi'], true);
  return out;
}

/** Constraint-side forms: the leaf names the host plainly, the CA writes its constraint oddly. */
function clientConstraints(): Smuggle[] {
  const R = ['BetterTLS nameconstraints', 'RFC 5280 §4.2.1.10'];
  const host = { sans: [{ type: 'dns', value: HOST } as San] };
  const ip = { sans: [{ type: 'ip', value: IP } as San], ipHost: true };
  const c = (name: string, typed: NameConstraintsSpec | undefined, raw: RawSubtrees | undefined, text: string, policy: Rule, refs: string[], leaf: Partial<Smuggle>, deep = false): Smuggle => ({
    name,
    what: leaf.ipHost ? `an iPAddress ${IP}` : `a dNSName ${HOST}`,
    nc: 'custom',
    ncSpec: { ...(typed ? { typed } : {}), ...(raw ? { raw } : {}), text },
    policy,
    refs: [...R, ...refs],
    deep,
    ...leaf,
  });
  return [
    c('constraint-upper-xi', { excludedDns: [TREE.toUpperCase()] }, undefined, `excluded DNS ${TREE.toUpperCase()}`, byConstraint('RFC 5280 §7.2: constraints compare without regard to case; the host is inside the excluded tree.'), ['RFC 5280 §7.2'], host, true),
    c('constraint-leading-dot-xi', { excludedDns: [`.${TREE}`] }, undefined, `excluded DNS .${TREE}`, byConstraint(`The host is below ${TREE}: inside the excluded tree whether the leading dot means "subdomains only" (OpenSSL, Go) or is ignored.`), ['limbo webpki::nc::*'], host, true),
    c('constraint-partial-label-xi', { excludedDns: [TREE.slice(1)] }, undefined, `excluded DNS ${TREE.slice(1)} (a suffix of the host that ends mid-label)`, yes(`Constraints match whole labels (RFC 5280 §4.2.1.10, §7.2): "m${TREE.slice(1)}" is not below "${TREE.slice(1)}", so the host is not excluded (control).`), ['RFC 5280 §7.2'], host, true),
    c('constraint-partial-label-pi', { permittedDns: [TREE.slice(1)] }, undefined, `permitted DNS ${TREE.slice(1)} (a suffix of the host that ends mid-label)`, byConstraint('Constraints match whole labels: the host is outside the permitted tree ("badexample.com" is not in "example.com").'), ['RFC 5280 §7.2'], host, true),
    c('constraint-trailing-dot-xi', { excludedDns: [`${TREE}.`] }, undefined, `excluded DNS ${TREE}. (trailing dot)`, either('reject', 'RFC 5280 has no trailing dot in a dNSName constraint. Read as the absolute form of the tree, the host is excluded (refuse); compared as bytes, it is not (accept). Validators differ.'), ['RFC 5280 §4.2.1.6'], host),
    c('constraint-trailing-dot-pi', { permittedDns: [`${TREE}.`] }, undefined, `permitted DNS ${TREE}. (trailing dot)`, either('accept', 'Read as the absolute form of the tree, the host is permitted (accept); compared as bytes, it is outside (refuse). Validators differ.'), ['RFC 5280 §4.2.1.6'], host),
    c('constraint-ip-host-bits', undefined, { excluded: [ipRaw('7f000001ff000000')] }, 'excluded IP 127.0.0.1 under mask 255.0.0.0 (host bits set)', byConstraint('The subtree is the range its mask gives (RFC 5280 §4.2.1.10, RFC 4632): 127.0.0.1 & 255.0.0.0 is 127.0.0.0, the subtree\'s own network; a check that compares the unmasked address lets the host through.'), ['RFC 4632 §3.1'], ip, true),
    c('constraint-ip-nine-octets', undefined, { excluded: [ipRaw('7f000000ff00000000')] }, 'an excluded iPAddress subtree of 9 octets', byConstraint('An iPAddress subtree is 8 or 32 octets (RFC 5280 §4.2.1.10); a critical extension that cannot be processed MUST make the certificate rejected (RFC 5280 §4.2), or the excluded range is silently lost.'), ['RFC 5280 §4.2'], ip, true),
    c('constraint-ip-nine-octets-permitted', undefined, { permitted: [ipRaw('7f000000ff00000000')] }, 'a permitted iPAddress subtree of 9 octets only', byConstraint('No valid permitted subtree holds the address, and the malformed critical extension cannot be processed (RFC 5280 §4.2).'), ['RFC 5280 §4.2'], ip),
    c('constraint-ip-mapped-xi', { excludedIps: ['::ffff:127.0.0.0/104'] }, undefined, 'excluded IPv6 ::ffff:127.0.0.0/104 (the IPv4-mapped form of 127.0.0.0/8)', either('accept', 'RFC 5280 §4.2.1.10 matches addresses against subtrees of their own length: the 4-octet host is not in a 16-octet subtree (accept); a validator that maps IPv4 into IPv6 finds it excluded (refuse). Validators differ.'), ['RFC 4291 §2.5.5.2'], ip),
  ];
}

/** BetterTLS's SAN-tag and separator sets: the host smuggled into a GeneralName of every tag. */
function clientTagSets(): Smuggle[] {
  const out: Smuggle[] = [];
  const tagText = (t: number) => ['otherName', 'rfc822Name', 'dNSName', 'x400Address', 'directoryName', 'ediPartyName', 'uniformResourceIdentifier', 'iPAddress', 'registeredID'][t] ?? 'no GeneralName (tags 9-15 are undefined)';
  const malformed = (t: number) => [0, 3, 4, 5].includes(t) || t > 8;
  const why = (t: number, shown: string) =>
    `[${t}] ${tagText(t)} "${shown}" is not a ${t === 7 ? 'four-octet iPAddress' : 'dNSName'} naming the host (RFC 9525 §6.2, §6.3)${malformed(t) ? '; the value is not even well formed for its tag, so a validator may refuse the certificate outright' : ''}. ${BYPASS}`;
  const encodings: [string, string][] = [['dns', HOST], ['http', `http://${HOST}`], ['https', `https://${HOST}`], ['spiffe', `spiffe://${HOST}`], ['unspec', `unspec://${HOST}`]];
  for (let t = 0; t < 16; t++) {
    for (const [enc, value] of encodings)
      for (const nc of ['po', 'xi'])
        out.push({
          name: `tag${t}-${enc}-${nc}`,
          what: `${value} in a raw [${t}] GeneralName beside a dNSName ${DECOY}`,
          sans: [{ type: 'dns', value: DECOY }],
          sanRaw: [{ tag: t, valueHex: hex(value) }],
          nc,
          // [2] holds a real dNSName: the constraint refuses it whether or not the client checks the host.
          policy: t === 2 ? byConstraint(`The dNSName "${value}" is ${nc === 'po' ? `outside the permitted ${OTHER}` : `inside the excluded ${TREE}`} (RFC 5280 §6.1.3 (b)(c)).`) : noHost(why(t, value)),
          refs: ['BetterTLS nameconstraints', 'RFC 5280 §4.2.1.6', 'RFC 9525 §6.3'],
        });
    for (const [enc, valueHex, shown] of [['ip-octets', '7f000001', '7f000001 (4 octets)'], ['ip-text', hex(IP), `"${IP}" as text`]] as const)
      for (const nc of ['ip-po', 'ip-xi'])
        out.push({
          name: `tag${t}-${enc}-${nc}`,
          what: `the address ${shown} in a raw [${t}] GeneralName beside an iPAddress ${IP_DECOY}`,
          sans: [{ type: 'ip', value: IP_DECOY }],
          sanRaw: [{ tag: t, valueHex }],
          nc,
          ipHost: true,
          policy: t === 7 && enc === 'ip-octets' ? byConstraint(`The iPAddress ${IP} is ${nc === 'ip-po' ? `outside the permitted ${IP_OTHER}` : `inside the excluded ${IP_TREE}`} (RFC 5280 §6.1.3 (b)(c)).`) : noHost(why(t, shown)),
          refs: ['BetterTLS nameconstraints', 'RFC 5280 §4.2.1.6', 'RFC 9525 §6.2'],
        });
  }
  const separators: [string, string][] = [['comma-space', ', '], ['comma', ','], ['semicolon', ';'], ['colon', ':']];
  for (const [sepName, sep] of separators)
    for (const [prefixName, prefix] of [['bare', ''], ['dns-prefix', 'DNS:']])
      for (const [leadName, lead] of [['dns', DECOY], ['uri', `http://${DECOY}`]])
        for (let t = 0; t < 16; t++)
          for (const nc of ['po', 'xi']) {
            const value = `${lead}${sep}${prefix}${HOST}`;
            out.push({
              name: `sep-${sepName}-${prefixName}-${leadName}-tag${t}-${nc}`,
              what: `"${value}" in a raw [${t}] GeneralName beside a dNSName ${DECOY}`,
              sans: [{ type: 'dns', value: DECOY }],
              sanRaw: [{ tag: t, valueHex: hex(value) }],
              nc,
              // As a dNSName the whole value ends in the host: inside the excluded tree, outside the permitted one.
              policy: t === 2 ? byConstraint(`The dNSName "${value}" is one (malformed) name, and it ${nc === 'po' ? `is outside the permitted ${OTHER}` : `ends in .${TREE}, inside the excluded tree`}.`) : noHost(`A GeneralName is one name, not a list to split at "${sep}" (old Node split the altnames text at ", "). ${why(t, value)}`),
              refs: ['BetterTLS nameconstraints', 'RFC 5280 §4.2.1.6', 'RFC 9525 §6.3'],
            });
          }
  return out;
}

/** The BetterTLS-set cases the deep suite runs: one of each kind of tag and encoding, and the separators that broke real clients. */
const DEEP_TAG_CASES = new Set([
  'tag2-dns-xi',
  'tag1-dns-xi',
  'tag4-dns-po',
  'tag6-https-po',
  'tag6-spiffe-xi',
  'tag8-dns-xi',
  'tag7-ip-octets-ip-xi',
  'tag7-ip-text-ip-xi',
  'tag2-ip-text-ip-po',
  'sep-comma-space-dns-prefix-uri-tag6-xi',
  'sep-comma-space-dns-prefix-dns-tag2-po',
  'sep-comma-bare-dns-tag2-xi',
  'sep-semicolon-dns-prefix-dns-tag6-po',
]);

// ---------------------------------------------------------------------------------------------
// Server direction: a client certificate's names, every one of them its identity.

function serverForms(): Smuggle[] {
  const R = ['BetterTLS nameconstraints', 'RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3 (b)(c)'];
  const out: Smuggle[] = [];
  const s = (name: string, what: string, leaf: Pick<Smuggle, 'sans' | 'sanRaw' | 'subject'>, nc: string, policy: Rule, refs: string[], deep = false) => out.push({ name, what, ...leaf, nc, policy, refs: [...R, ...refs], deep });
  const upper = CLIENT_DNS.toUpperCase();
  s('dns-upper-xi', `a dNSName ${upper}`, { sans: [{ type: 'dns', value: upper }] }, 'xi', byConstraint('RFC 5280 §7.2: constraints compare label by label without regard to case: the name is inside the excluded tree.'), ['RFC 5280 §7.2'], true);
  s('dns-upper-pi', `a dNSName ${upper}`, { sans: [{ type: 'dns', value: upper }] }, 'pi', () => required('accept', 'Case does not matter (RFC 5280 §7.2): the name is inside the permitted tree (control).'), ['RFC 5280 §7.2'], true);
  s('dns-trailing-dot-xi', `a dNSName ${CLIENT_DNS}.`, { sanRaw: [dnsRaw(`${CLIENT_DNS}.`)] }, 'xi', either('reject', `RFC 5280 §4.2.1.6 has no trailing dot. As the absolute form of ${CLIENT_DNS} it is inside the excluded tree (refuse); compared as bytes it is outside (accept), and an application that strips the dot then trusts an excluded name. Validators differ.`), ['RFC 5280 §4.2.1.6'], true);
  const nul = `${CLIENT_DNS}\0.${OTHER}`;
  const softWhy = (bytes: string, read: string) => `Not a DNS name (RFC 5280 §4.2.1.6 preferred name syntax). ${bytes}; ${read}. RFC 5280 does not make a validator check dNSName syntax, so this is a soft fail (BetterTLS), but an application that reads the name the second way trusts a name the CA could not certify.`;
  s('dns-nul-po', `a dNSName ${CLIENT_DNS}\\0.${OTHER} (NUL byte)`, { sanRaw: [dnsRaw(nul)] }, 'po', soft(softWhy(`Compared as bytes it ends in .${OTHER}, inside the permitted tree`, `read as a C string it is ${CLIENT_DNS}, outside`)), ['CVE-2009-2408'], true);
  s('dns-nul-xi', `a dNSName ${CLIENT_DNS}\\0.${OTHER} (NUL byte)`, { sanRaw: [dnsRaw(nul)] }, 'xi', soft(softWhy(`Compared as bytes it is outside the excluded ${TREE}`, `read as a C string it is ${CLIENT_DNS}, inside`)), ['CVE-2009-2408']);
  const comma = `${CLIENT_DNS}, DNS:client.${OTHER}`;
  s('dns-comma-xi', `a dNSName "${comma}"`, { sanRaw: [dnsRaw(comma)] }, 'xi', soft(softWhy(`Compared as bytes it ends in .${OTHER}, outside the excluded tree`, `split at ", " its first name is ${CLIENT_DNS}, inside`)), ['BetterTLS nameconstraints (separators)'], true);
  s('dns-comma-po', `a dNSName "${comma}"`, { sanRaw: [dnsRaw(comma)] }, 'po', soft(softWhy(`Compared as bytes it ends in .${OTHER}, inside the permitted tree`, `split at ", " its first name is ${CLIENT_DNS}, outside`)), ['BetterTLS nameconstraints (separators)']);
  s('dns-space-xi', `a dNSName "${CLIENT_DNS} "`, { sanRaw: [dnsRaw(`${CLIENT_DNS} `)] }, 'xi', soft(softWhy(`Compared as bytes it is outside the excluded ${TREE}`, `trimmed it is ${CLIENT_DNS}, inside`)), []);
  const slash = `${CLIENT_DNS}/x.${OTHER}`;
  s('dns-slash-po', `a dNSName ${slash}`, { sanRaw: [dnsRaw(slash)] }, 'po', soft(softWhy(`Compared as bytes it ends in .${OTHER}, inside the permitted tree`, `cut at the slash it is ${CLIENT_DNS}, outside`)), []);
  const pct = CLIENT_DNS.replace('.', '%2E');
  s('dns-percent-xi', `a dNSName ${pct}`, { sanRaw: [dnsRaw(pct)] }, 'xi', soft(softWhy(`Compared as bytes it is outside the excluded ${TREE}`, `percent-decoded it is ${CLIENT_DNS}, inside`)), []);
  const fw = CLIENT_DNS.replace(/\./g, '\uff0e');
  s('dns-fullwidth-dots-xi', `a dNSName ${fw} (U+FF0E as dots)`, { sanRaw: [dnsRaw(fw)] }, 'xi', soft(softWhy(`Compared as bytes it has no dot and is outside the excluded ${TREE}`, `mapped by UTS #46 it is ${CLIENT_DNS}, inside`)), ['RFC 5280 §7.2', 'UTS #46']);
  s('dns-leading-dot-xi', `a dNSName .${CLIENT_DNS}`, { sanRaw: [dnsRaw(`.${CLIENT_DNS}`)] }, 'xi', byConstraint(`It ends in .${TREE}: inside the excluded tree however it is read.`), []);
  const dnsLeaf = { sans: [{ type: 'dns', value: CLIENT_DNS } as San] };
  const custom = (name: string, typed: NameConstraintsSpec | undefined, raw: RawSubtrees | undefined, text: string, leaf: Pick<Smuggle, 'sans' | 'sanRaw' | 'subject'>, policy: Rule, refs: string[], deep = false) =>
    out.push({ name, what: leaf.sans?.map((x) => `${x.type === 'dns' ? 'a dNSName' : 'an iPAddress'} ${x.value}`).join(', ') ?? 'its names', ...leaf, nc: 'custom', ncSpec: { ...(typed ? { typed } : {}), ...(raw ? { raw } : {}), text }, policy, refs: [...R, ...refs], deep });
  custom('constraint-upper-xi', { excludedDns: [TREE.toUpperCase()] }, undefined, `excluded DNS ${TREE.toUpperCase()}`, dnsLeaf, byConstraint('RFC 5280 §7.2: constraints compare without regard to case; the name is inside the excluded tree.'), ['RFC 5280 §7.2'], true);
  custom('constraint-leading-dot-xi', { excludedDns: [`.${TREE}`] }, undefined, `excluded DNS .${TREE}`, dnsLeaf, byConstraint('The name is below the tree: excluded whether the leading dot means "subdomains only" or is ignored.'), ['limbo webpki::nc::*'], true);
  custom('constraint-partial-label-xi', { excludedDns: [TREE.slice(1)] }, undefined, `excluded DNS ${TREE.slice(1)} (ends mid-label)`, dnsLeaf, () => required('accept', `Constraints match whole labels (RFC 5280 §4.2.1.10): "m${TREE.slice(1)}" is not below "${TREE.slice(1)}" (control).`), ['RFC 5280 §7.2'], true);
  custom('constraint-partial-label-pi', { permittedDns: [TREE.slice(1)] }, undefined, `permitted DNS ${TREE.slice(1)} (ends mid-label)`, dnsLeaf, byConstraint('Constraints match whole labels: the name is outside the permitted tree ("badexample.com" is not in "example.com").'), ['RFC 5280 §7.2'], true);
  custom('constraint-trailing-dot-xi', { excludedDns: [`${TREE}.`] }, undefined, `excluded DNS ${TREE}. (trailing dot)`, dnsLeaf, either('reject', 'Read as the absolute form of the tree, the name is excluded (refuse); compared as bytes, it is not (accept). Validators differ.'), ['RFC 5280 §4.2.1.6']);

  const uri = (u: string) => ({ sans: [{ type: 'uri', value: u } as San] });
  const upperUri = `spiffe://${TREE.toUpperCase()}/client`;
  s('uri-upper-host-xi', `a URI ${upperUri}`, uri(upperUri), 'uri-xi', byConstraint('The host part of a URI is not case-sensitive (RFC 5280 §4.2.1.6, §7.4; RFC 3986 §3.2.2): it is the excluded host.'), ['RFC 5280 §7.4', 'RFC 3986 §3.2.2'], true);
  s('uri-upper-host-pi', `a URI ${upperUri}`, uri(upperUri), 'uri-pi', () => required('accept', 'The host part of a URI is not case-sensitive (RFC 5280 §4.2.1.6, §7.4): it is the permitted host (control).'), ['RFC 5280 §7.4'], true);
  const userinfo = `https://client@${TREE}/`;
  s('uri-userinfo-xi', `a URI ${userinfo}`, uri(userinfo), 'uri-xi', byConstraint(`A URI constraint applies to the host part (RFC 5280 §4.2.1.10), and RFC 3986 §3.2 puts userinfo before "@" outside it: the host is ${TREE}, excluded. A check that takes everything between "//" and "/" as the host compares "client@${TREE}" and lets it through.`), ['RFC 3986 §3.2.1'], true);
  const userinfoPo = `https://${OTHER}@${TREE}/`;
  s('uri-userinfo-po', `a URI ${userinfoPo}`, uri(userinfoPo), 'uri-po', byConstraint(`The host is ${TREE} (RFC 3986 §3.2), outside the permitted ${OTHER}; "${OTHER}" is userinfo.`), ['RFC 3986 §3.2.1']);
  const port = `https://${TREE}:8443/client`;
  s('uri-port-xi', `a URI ${port}`, uri(port), 'uri-xi', byConstraint(`The host part is ${TREE}; the port is not part of it (RFC 3986 §3.2.3): excluded.`), ['RFC 3986 §3.2.3'], true);
  s('uri-port-pi', `a URI ${port}`, uri(port), 'uri-pi', () => required('accept', `The host part is ${TREE} (RFC 3986 §3.2.3): permitted (control).`), ['RFC 3986 §3.2.3']);
  const pctUri = `spiffe://%6D${TREE.slice(1)}/client`;
  s('uri-percent-host-xi', `a URI ${pctUri} (a percent-encoded "m")`, uri(pctUri), 'uri-xi', soft(`RFC 5280 §7.4 asks for percent-encoding normalisation before URIs are compared, after which the host is ${TREE}, excluded; §4.2.1.10 speaks only of "the host part", and a validator that compares it as written lets it through. Soft: the readings differ on whether §7.4 governs constraint matching.`), ['RFC 5280 §7.4', 'RFC 3986 §6.2.2.2']);
  const dotUri = `spiffe://${TREE}./client`;
  s('uri-trailing-dot-xi', `a URI ${dotUri}`, uri(dotUri), 'uri-xi', either('reject', `As the absolute form of ${TREE} the host is excluded (refuse); compared as written it is not (accept). Validators differ.`), ['RFC 3986 §3.2.2']);
  const mail = `client@${TREE.toUpperCase()}`;
  s('email-upper-host-xi', `an e-mail ${mail}`, { sans: [{ type: 'email', value: mail }] }, 'email-xi', byConstraint('The host part of a mailbox compares without regard to case (RFC 5280 §7.5): the mailbox is at the excluded host.'), ['RFC 5280 §7.5'], true);
  const dnUpper = 'O=MTLS-CONFORMANCE NC, CN=client';
  s('dn-upper-xi', `a subject ${dnUpper}`, { subject: dnUpper }, 'dn-xi', byConstraint('Directory names compare with the LDAP StringPrep profile (RFC 5280 §7.1, RFC 4518), and organizationName matches without regard to case (caseIgnoreMatch, RFC 4519): the subject is inside the excluded subtree.'), ['RFC 5280 §7.1', 'RFC 4518'], true);
  s('dn-upper-pi', `a subject ${dnUpper}`, { subject: dnUpper }, 'dn-pi', () => required('accept', 'organizationName matches without regard to case (RFC 5280 §7.1, RFC 4518): the subject is inside the permitted subtree (control).'), ['RFC 5280 §7.1', 'RFC 4518'], true);
  const dnSpaces = 'O=mtls-conformance  nc, CN=client';
  s('dn-spaces-xi', `a subject "${dnSpaces}" (two spaces)`, { subject: dnSpaces }, 'dn-xi', byConstraint('RFC 4518 §2.6.1 insignificant space handling makes runs of inner spaces compare equal (RFC 5280 §7.1 MUST): the subject is inside the excluded subtree.'), ['RFC 5280 §7.1', 'RFC 4518 §2.6.1']);
  const cnHost = `CN=${CLIENT_DNS}, O=mtls-conformance`;
  s('cn-dns-xi', `no SAN and subject ${cnHost}`, { sans: [], subject: cnHost }, 'xi', either('reject', `RFC 5280 applies DNS constraints to dNSName only (accept); a server that takes the CN as the client's identity, and OpenSSL when no dNSName exists, read it as a DNS name inside the excluded ${TREE} (refuse). Validators differ.`), ['RFC 5280 §4.2.1.10', 'RFC 6125 §6.4.4'], true);
  s('cn-dns-with-san-xi', `subject ${cnHost} and a dNSName client.${OTHER}`, { sans: [{ type: 'dns', value: `client.${OTHER}` }], subject: cnHost }, 'xi', either('accept', `RFC 5280 constrains the dNSName (outside the excluded tree) and not the CN (accept); a server that authorises by CN trusts ${CLIENT_DNS}, which the CA could not certify (refuse). Validators differ.`), ['RFC 5280 §4.2.1.10']);
  s('ip-mapped-xi', 'an iPAddress of 16 octets ::ffff:127.0.0.1', { sans: [{ type: 'ip', value: `::ffff:${IP}` }] }, 'ip-xi', either('accept', `RFC 5280 §4.2.1.10 matches addresses against subtrees of their own length: a 16-octet address is not in ${IP_TREE} (accept); a server that maps it to ${IP} trusts an excluded address (refuse). Validators differ.`), ['RFC 4291 §2.5.5.2'], true);
  s('ip-text-pi', `an iPAddress holding the text "${IP}" (9 octets)`, { sanRaw: [ipRaw(hex(IP))] }, 'ip-pi', byConstraint(`An iPAddress is 4 or 16 octets (RFC 5280 §4.2.1.6); 9 octets are no address inside the permitted ${IP_TREE}.`), ['RFC 5280 §4.2.1.6'], true);
  s('ip-text-xi', `an iPAddress holding the text "${IP}" (9 octets)`, { sanRaw: [ipRaw(hex(IP))] }, 'ip-xi', soft(`9 octets are no address (RFC 5280 §4.2.1.6); compared by length they miss the excluded ${IP_TREE}, read as text they are ${IP}, inside. Soft: RFC 5280 does not make a validator check the length.`), ['RFC 5280 §4.2.1.6']);
  const ipLeaf = { sans: [{ type: 'ip', value: IP } as San] };
  custom('constraint-ip-host-bits', undefined, { excluded: [ipRaw('7f000001ff000000')] }, 'excluded IP 127.0.0.1 under mask 255.0.0.0 (host bits set)', ipLeaf, byConstraint('The subtree is the range its mask gives (RFC 5280 §4.2.1.10): 127.0.0.1 is in 127.0.0.0/8.'), ['RFC 4632 §3.1'], true);
  custom('constraint-ip-nine-octets', undefined, { excluded: [ipRaw('7f000000ff00000000')] }, 'an excluded iPAddress subtree of 9 octets', ipLeaf, byConstraint('An iPAddress subtree is 8 or 32 octets (RFC 5280 §4.2.1.10); a critical extension that cannot be processed MUST make the certificate rejected (RFC 5280 §4.2).'), ['RFC 5280 §4.2'], true);
  custom('constraint-ip-mapped-xi', { excludedIps: ['::ffff:127.0.0.0/104'] }, undefined, 'excluded IPv6 ::ffff:127.0.0.0/104', ipLeaf, either('accept', 'A 4-octet address is matched only against 8-octet subtrees (RFC 5280 §4.2.1.10: accept); a validator mapping IPv4 into IPv6 finds it excluded (refuse). Validators differ.'), ['RFC 4291 §2.5.5.2']);
  return out;
}

// ---------------------------------------------------------------------------------------------

function toEntry(role: Role, c: Smuggle): CaseEntry {
  const typed = c.ncSpec ? c.ncSpec.typed : NC[c.nc];
  if (!typed && !c.ncSpec) throw new Error(`name-smuggling ${c.name}: unknown constraint ${c.nc}`);
  const hasTyped = typed !== undefined && Object.keys(typed).length > 0;
  const ca: CertVariation = { ...(hasTyped ? { nameConstraints: typed } : {}), ...(c.ncSpec?.raw ? { nameConstraintsRaw: c.ncSpec.raw } : {}) };
  const leaf: CertVariation = {
    sans: c.sans ?? [],
    ...(c.sanRaw ? { sanRaw: c.sanRaw } : {}),
    // The client direction's leaves carry no CN unless the case is about one: the CN fallback stays out of the way.
    ...(c.subject !== undefined ? { subject: c.subject } : role === 'client' ? { subject: 'O=mtls-conformance, OU=name smuggling' } : {}),
  };
  const ncText = c.ncSpec?.text ?? NC_TEXT[c.nc]!;
  const who = role === 'client' ? `The client verifying ${c.ipHost ? IP : HOST} is served a certificate with` : 'A client certificate with';
  return entry({
    name: c.name,
    title: `${who} ${c.what}, under a CA with ${ncText}`,
    chain: { intermediates: cas(1, { 1: ca }), leaf },
    ...(role === 'client' && !c.ipHost ? { probe: { serverName: HOST } } : {}),
    refs: [...new Set([...c.refs, ...(hasTyped || c.ncSpec?.raw ? ['RFC 5280 §4.2.1.10'] : [])])],
    policy: c.policy,
  });
}

function all(role: Role): Smuggle[] {
  if (role === 'server') return serverForms();
  return [...clientForms(), ...clientConstraints(), ...clientTagSets().map((c) => ({ ...c, deep: DEEP_TAG_CASES.has(c.name) }))];
}

/** The deep suite's cases (`deep`), or the exhaustive suite's rest with ids prefixed `smuggle-`. */
export function smugglingCases(role: Role, suite: 'deep' | 'exhaustive'): CaseEntry[] {
  return all(role)
    .filter((c) => (suite === 'deep' ? c.deep : !c.deep))
    .map((c) => toEntry(role, suite === 'deep' ? c : { ...c, name: `smuggle-${c.name}` }));
}

const nameSmuggling: Family = (role) => smugglingCases(role, 'deep');
export default nameSmuggling;
