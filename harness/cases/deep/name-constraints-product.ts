import type { NameConstraintsSpec, San } from '../../../certs/spec.js';
import type { Role } from '../../model.js';
import { info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { cas, entry, HOST, type Family } from './kit.js';

/**
 * name-constraints-product (client targets): BetterTLS's name-constraint axes, our own code and
 * names. A root (the {ca} anchor) -> a constrained CA -> a leaf; the axes are the DNS SAN, the IP
 * SAN, a DNS constraint and an IP constraint (each none, permitting or excluding the valid tree,
 * permitting or excluding an unrelated one). `deep` runs the product for the address host
 * (127.0.0.1) without a CN: 3·3·5·5 = 225 cases; `exhaustive` adds the DNS host
 * (api.mtls-conformance.localhost) and the CN axis (none, the host, another name): 1,350.
 *
 * Expectation (BetterTLS ExpectedResult, docs/corpus-plan.md rule 4): the requested name missing
 * from the SANs: reject (required; recommended when only the CN carries it and there is no SAN);
 * a constraint against the requested name: reject, required; against another SAN: reject,
 * recommended (soft fail); against the CN only: accept, information (soft pass); else accept.
 */

type Pick3 = 'n' | 'i' | 'o';
type C = 'n' | 'pi' | 'po' | 'xi' | 'xo';
const PICKS: Pick3[] = ['n', 'i', 'o'];
const CONSTRAINTS: C[] = ['n', 'pi', 'po', 'xi', 'xo'];

const DNS_IN = HOST;
const DNS_OUT = 'api.elsewhere.invalid';
const DNS_TREE = { in: 'mtls-conformance.localhost', out: 'other.invalid' };
const IP_IN = '127.0.0.1';
const IP_OUT = '192.0.2.1';
const IP_TREE = { in: '127.0.0.0/8', out: '198.51.100.0/24' };

const inDnsTree = (name: string, tree: string) => name.toLowerCase() === tree || name.toLowerCase().endsWith(`.${tree}`);
const inIpTree = (addr: string, tree: string) => (tree === IP_TREE.in ? addr.startsWith('127.') : addr.startsWith('198.51.100.'));

/** Whether a name of the constraint's form breaks it. */
function breaks(c: C, inTree: (tree: string) => boolean, trees: { in: string; out: string }): boolean {
  if (c === 'n') return false;
  const tree = c.endsWith('i') ? trees.in : trees.out;
  return c.startsWith('p') ? !inTree(tree) : inTree(tree);
}

function constraint(c: C, trees: { in: string; out: string }, permitted: keyof NameConstraintsSpec, excluded: keyof NameConstraintsSpec): NameConstraintsSpec {
  if (c === 'n') return {};
  return { [c.startsWith('p') ? permitted : excluded]: [c.endsWith('i') ? trees.in : trees.out] };
}

interface Row {
  host: 'ip' | 'dns';
  cn: Pick3;
  dnsSan: Pick3;
  ipSan: Pick3;
  dnsC: C;
  ipC: C;
}

function expectation(r: Row): Policy {
  const dnsName = r.dnsSan === 'n' ? null : r.dnsSan === 'i' ? DNS_IN : DNS_OUT;
  const ipName = r.ipSan === 'n' ? null : r.ipSan === 'i' ? IP_IN : IP_OUT;
  const cnName = r.cn === 'n' ? null : r.cn === 'i' ? (r.host === 'dns' ? DNS_IN : IP_IN) : DNS_OUT;
  const requested = r.host === 'dns' ? DNS_IN : IP_IN;
  const present = r.host === 'dns' ? dnsName === DNS_IN : ipName === IP_IN;
  if (!present) {
    if (!dnsName && !ipName && cnName === requested) return recommended('reject', 'The host is named only in the CN, and no SAN exists: RFC 9525 §6.3 does not fall back to the CN (BetterTLS soft fail).');
    return required('reject', 'No SAN names the host the client asked for.');
  }
  const dnsBroken = dnsName !== null && breaks(r.dnsC, (t) => inDnsTree(dnsName, t), DNS_TREE);
  const ipBroken = ipName !== null && breaks(r.ipC, (t) => inIpTree(ipName, t), IP_TREE);
  const requestedBroken = r.host === 'dns' ? dnsBroken : ipBroken;
  if (requestedBroken) return required('reject', 'A name constraint of the issuing CA excludes the very name the client verifies (RFC 5280 §6.1.3 (b)(c)).');
  if (dnsBroken || ipBroken) return recommended('reject', 'Another SAN breaks a name constraint: RFC 5280 §6.1.3 applies constraints to every name (BetterTLS soft fail).');
  const cnIsDns = cnName !== null && !/^[\d.]+$/.test(cnName);
  if (cnIsDns && !dnsName && breaks(r.dnsC, (t) => inDnsTree(cnName, t), DNS_TREE)) return info('accept', 'Only the CN breaks the DNS constraint; the CN is not an identity here (BetterTLS soft pass).');
  return required('accept', 'The requested name is in the SANs and every name meets the constraints.');
}

function rows(exhaustive: boolean): Row[] {
  const out: Row[] = [];
  for (const host of exhaustive ? (['ip', 'dns'] as const) : (['ip'] as const))
    for (const cn of exhaustive ? PICKS : (['n'] as Pick3[]))
      for (const dnsSan of PICKS) for (const ipSan of PICKS) for (const dnsC of CONSTRAINTS) for (const ipC of CONSTRAINTS) out.push({ host, cn, dnsSan, ipSan, dnsC, ipC });
  return out;
}

function productCase(r: Row): CaseEntry {
  const sans: San[] = [...(r.dnsSan === 'n' ? [] : [{ type: 'dns', value: r.dnsSan === 'i' ? DNS_IN : DNS_OUT } as San]), ...(r.ipSan === 'n' ? [] : [{ type: 'ip', value: r.ipSan === 'i' ? IP_IN : IP_OUT } as San])];
  const cnValue = r.cn === 'n' ? null : r.cn === 'i' ? (r.host === 'dns' ? DNS_IN : IP_IN) : DNS_OUT;
  const nc: NameConstraintsSpec = { ...constraint(r.dnsC, DNS_TREE, 'permittedDns', 'excludedDns'), ...constraint(r.ipC, IP_TREE, 'permittedIps', 'excludedIps') };
  const name = `${r.host}-cn${r.cn}-dns${r.dnsSan}-ip${r.ipSan}-dc${r.dnsC}-ic${r.ipC}`;
  const hasNc = Object.keys(nc).length > 0;
  return entry({
    name,
    title: `Host ${r.host === 'dns' ? DNS_IN : IP_IN}; CN ${cnValue ?? 'none'}; DNS SAN ${sans.find((s) => s.type === 'dns')?.value ?? 'none'}; IP SAN ${sans.find((s) => s.type === 'ip')?.value ?? 'none'}; constraints ${hasNc ? JSON.stringify(nc) : 'none'}`,
    chain: { intermediates: cas(1, { 1: hasNc ? { nameConstraints: nc } : {} }), leaf: { sans, subject: cnValue ? `CN=${cnValue}, O=mtls-conformance` : 'O=mtls-conformance, OU=name-constraints product' } },
    ...(r.host === 'dns' ? { probe: { serverName: DNS_IN } } : {}),
    refs: ['BetterTLS nameconstraints', 'RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3 (b)(c)', 'RFC 9525 §6'],
    policy: () => expectation(r),
  });
}

export function productCases(role: Role, exhaustive: boolean): CaseEntry[] {
  if (role !== 'client') return [];
  const deep = new Set(rows(false).map((r) => JSON.stringify(r)));
  return rows(exhaustive)
    .filter((r) => !exhaustive || !deep.has(JSON.stringify(r)))
    .map(productCase);
}

const nameConstraintsProduct: Family = (role) => productCases(role, false);
export default nameConstraintsProduct;
