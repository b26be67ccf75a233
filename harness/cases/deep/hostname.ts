import type { CertVariation } from '../../../certs/chain-spec.js';
import type { San } from '../../../certs/spec.js';
import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import { info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { cas, entry, hex, HOST, LOOPBACK, type Family } from './kit.js';

/**
 * hostname (client targets): the name the client verifies, RFC 9525 §6 (which obsoletes RFC 6125)
 * and RFC 9110 §4.3.4. The DNS cases make the client verify api.mtls-conformance.localhost
 * (RFC 6761 §6.3: .localhost is loopback) and reach 127.0.0.1 under it ({resolve}, {name}/{connect}:
 * README "Testing a client"). limbo webpki::san::*, webpki::cn::*, rfc5280::san::*.
 */
const dns = (value: string): San => ({ type: 'dns', value });
const ip = (value: string): San => ({ type: 'ip', value });

interface HostCase {
  name: string;
  what: string;
  leaf: CertVariation;
  policy: (p: Profile) => Policy;
  ip?: boolean;
  ref: string;
}

const hostname: Family = (role: Role): CaseEntry[] => {
  if (role !== 'client') return [];
  const cn = (v: string) => `CN=${v}, O=mtls-conformance`;
  const nameCheck = (p: Profile, ok: Policy): Policy => (p.certificates.server.hostnameMatch ? ok : { ...ok, severity: 'info', rationale: `${ok.rationale} The profile turns hostname matching off (certificates.server.hostnameMatch: false).` });
  const yes = (why: string) => (p: Profile) => nameCheck(p, required('accept', why));
  const no = (why: string) => (p: Profile) => nameCheck(p, required('reject', why));
  const soft = (why: string) => (p: Profile) => nameCheck(p, recommended('reject', why));
  const pedantic = (expect: 'accept' | 'reject', why: string) => () => info(expect, why);
  const cases: HostCase[] = [
    { name: 'dns-name-control', what: `a SAN ${HOST} (control: the client reaches the name)`, leaf: { sans: [dns(HOST)] }, policy: yes('The certificate names the host the client asked for.'), ref: 'RFC 9525 §6.3' },
    { name: 'dns-case-insensitive', what: 'a SAN API.MTLS-Conformance.localhost', leaf: { sans: [dns('API.MTLS-Conformance.localhost')] }, policy: yes('DNS names compare case-insensitively (RFC 9525 §6.3, RFC 4343).'), ref: 'RFC 4343' },
    { name: 'dns-other-name', what: 'a SAN other.mtls-conformance.localhost', leaf: { sans: [dns('other.mtls-conformance.localhost')] }, policy: no('The certificate is for another host.'), ref: 'limbo webpki::san::exact-localhost-mismatch' },
    { name: 'dns-apex', what: 'a SAN mtls-conformance.localhost (the parent domain)', leaf: { sans: [dns('mtls-conformance.localhost')] }, policy: no('A parent domain does not name its children.'), ref: 'limbo webpki::san::*' },
    { name: 'dns-child', what: `a SAN x.${HOST} (a child of the host)`, leaf: { sans: [dns(`x.${HOST}`)] }, policy: no('A child name is another host.'), ref: 'limbo webpki::san::*' },
    { name: 'dns-suffix-no-dot', what: `a SAN x${HOST}`, leaf: { sans: [dns(`x${HOST}`)] }, policy: no('Matching is by whole labels.'), ref: 'RFC 9525 §6.3' },
    { name: 'wildcard-leftmost', what: 'a SAN *.mtls-conformance.localhost', leaf: { sans: [dns('*.mtls-conformance.localhost')] }, policy: yes('A wildcard in the leftmost label matches one label (RFC 9525 §6.3).'), ref: 'limbo webpki::san::wildcard-leftmost' },
    { name: 'wildcard-two-labels', what: 'a SAN *.localhost (would need to match two labels)', leaf: { sans: [dns('*.localhost')] }, policy: no('A wildcard matches exactly one label (RFC 9525 §6.3).'), ref: 'limbo webpki::san::wildcard-multiple-labels' },
    { name: 'wildcard-not-leftmost', what: 'a SAN api.*.localhost', leaf: { sans: [dns('api.*.localhost')] }, policy: no('A wildcard is allowed only as the whole leftmost label (RFC 9525 §6.3).'), ref: 'limbo webpki::san::wildcard-not-leftmost' },
    { name: 'wildcard-partial-label', what: 'a SAN a*.mtls-conformance.localhost', leaf: { sans: [dns('a*.mtls-conformance.localhost')] }, policy: soft('RFC 9525 §6.3: a client SHOULD NOT match partial-label wildcards (api matches a* otherwise).'), ref: 'limbo webpki::san::wildcard-partial' },
    { name: 'wildcard-bare', what: 'a SAN *', leaf: { sans: [dns('*')] }, policy: no('A bare * names every host.'), ref: 'limbo webpki::san::wildcard-bare' },
    { name: 'wildcard-apex', what: `a SAN *.${HOST} (wildcard does not match the apex)`, leaf: { sans: [dns(`*.${HOST}`)] }, policy: no('*.x matches names below x, not x itself.'), ref: 'RFC 9525 §6.3' },
    { name: 'cn-only', what: `no SAN and CN=${HOST}`, leaf: { sans: [], subject: cn(HOST) }, policy: (p) => nameCheck(p, recommended('reject', 'RFC 9525 §6.3: a client does not fall back to the CN (RFC 6125 allowed it when no SAN exists).')), ref: 'limbo webpki::cn::*' },
    { name: 'cn-right-san-wrong', what: `CN=${HOST} and a SAN for another host`, leaf: { sans: [dns('other.mtls-conformance.localhost')], subject: cn(HOST) }, policy: no('With a SAN present the CN is never consulted (RFC 6125 §6.4.4).'), ref: 'limbo webpki::cn::*' },
    { name: 'cn-wrong-san-right', what: `CN=other.invalid and a SAN ${HOST}`, leaf: { sans: [dns(HOST)], subject: cn('other.invalid') }, policy: yes('The SAN names the host; the CN is not consulted.'), ref: 'limbo webpki::cn::*' },
    { name: 'uri-only', what: `only a URI SAN https://${HOST}/`, leaf: { sans: [{ type: 'uri', value: `https://${HOST}/` }] }, policy: no('A URI SAN is not a DNS identifier for TLS server names (RFC 9525 §6.2).'), ref: 'RFC 9525 §6.2' },
    { name: 'email-only', what: `only an e-mail SAN api@${HOST.slice(4)}`, leaf: { sans: [{ type: 'email', value: `api@${HOST.slice(4)}` }] }, policy: no('An e-mail address does not name a server.'), ref: 'RFC 9525 §6.2' },
    { name: 'ip-only-for-dns-host', what: 'only an IP SAN 127.0.0.1', leaf: { sans: [LOOPBACK] }, policy: no('The client asked for a DNS name; an address SAN does not name it.'), ref: 'RFC 9525 §6.2' },
    { name: 'among-100-sans', what: `${HOST} among 100 SANs`, leaf: { sans: [...Array.from({ length: 99 }, (_, i) => dns(`n${i}.other.invalid`)), dns(HOST)] }, policy: yes('The host is one of the names.'), ref: 'RFC 9525 §6.3' },
    { name: 'wildcard-and-exact', what: `SANs *.mtls-conformance.localhost and ${HOST}`, leaf: { sans: [dns('*.mtls-conformance.localhost'), dns(HOST)] }, policy: yes('Either SAN names the host.'), ref: 'RFC 9525 §6.3' },
    { name: 'underscore-label', what: `a SAN api_x.mtls-conformance.localhost beside ${HOST}`, leaf: { sans: [dns('api_x.mtls-conformance.localhost'), dns(HOST)] }, policy: pedantic('accept', 'An underscore label is not a preferred name syntax (limbo rfc5280::san::underscore); the host is still named.'), ref: 'limbo rfc5280::san::underscore' },
    { name: 'trailing-dot-san', what: `a SAN ${HOST}. (absolute form)`, leaf: { sans: [dns(`${HOST}.`)] }, policy: pedantic('accept', 'RFC 5280 §4.2.1.6 does not allow a trailing dot in dNSName; clients differ.'), ref: 'RFC 5280 §4.2.1.6' },
    { name: 'nul-in-san', what: `a dNSName ${HOST}\\0.invalid (NUL byte, CVE-2009-2408)`, leaf: { sans: [dns('other.invalid')], sanRaw: [{ tag: 2, valueHex: hex(`${HOST}\0.invalid`) }] }, policy: no('A NUL byte ends the name in C string code: the certificate is for another name (CVE-2009-2408).'), ref: 'CVE-2009-2408' },
    { name: 'smuggled-in-uri', what: `the host smuggled into a URI SAN "http://x.invalid, DNS:${HOST}"`, leaf: { sans: [dns('other.invalid')], sanRaw: [{ tag: 6, valueHex: hex(`http://x.invalid, DNS:${HOST}`) }] }, policy: no('Names are GeneralNames, not text to split (BetterTLS SAN smuggling).'), ref: 'BetterTLS nameconstraints (smuggling)' },
    { name: 'smuggled-separator', what: `a dNSName "other.invalid, DNS:${HOST}"`, leaf: { sans: [dns('other.invalid')], sanRaw: [{ tag: 2, valueHex: hex(`other.invalid, DNS:${HOST}`) }] }, policy: no('A dNSName with a separator is one (invalid) name.'), ref: 'BetterTLS nameconstraints (smuggling)' },
    { name: 'idn-u-label', what: 'a SAN with a raw UTF-8 label (ápi.mtls-conformance.localhost)', leaf: { sans: [dns('other.invalid')], sanRaw: [{ tag: 2, valueHex: hex('ápi.mtls-conformance.localhost') }] }, policy: no('dNSName holds A-labels only (RFC 5280 §7.2); and it is another name anyway.'), ref: 'RFC 5280 §7.2' },
    { name: 'ip-control', what: 'an IP SAN 127.0.0.1, verified by address', leaf: { sans: [LOOPBACK] }, policy: yes('The certificate names the address the client connected to.'), ip: true, ref: 'RFC 9525 §6.2' },
    { name: 'ip-mismatch', what: 'an IP SAN 127.0.0.2', leaf: { sans: [ip('127.0.0.2')] }, policy: no('Another address.'), ip: true, ref: 'limbo webpki::san::ip-mismatch' },
    { name: 'ip-in-cn-only', what: 'no SAN and CN=127.0.0.1', leaf: { sans: [], subject: cn('127.0.0.1') }, policy: no('An address is matched against iPAddress SANs only (RFC 9525 §6.2).'), ip: true, ref: 'limbo webpki::cn::ipv4-address' },
    { name: 'ip-as-dns-san', what: 'a dNSName "127.0.0.1"', leaf: { sans: [dns('other.invalid')], sanRaw: [{ tag: 2, valueHex: hex('127.0.0.1') }] }, policy: no('An address in a dNSName does not match an IP reference identity (RFC 9525 §6.2; limbo rfc5280::san::ip-in-dns).'), ip: true, ref: 'limbo rfc5280::san::ip-in-dns' },
    { name: 'ip-v4-mapped-v6', what: 'an IP SAN ::ffff:127.0.0.1 (IPv4-mapped IPv6)', leaf: { sans: [ip('::ffff:127.0.0.1')] }, policy: soft('A 16-octet address is not the 4-octet 127.0.0.1 (RFC 5280 §4.2.1.6).'), ip: true, ref: 'RFC 5280 §4.2.1.6' },
    { name: 'ip-v6-only', what: 'only an IP SAN ::1, connected over IPv4', leaf: { sans: [ip('::1')] }, policy: no('::1 is not 127.0.0.1.'), ip: true, ref: 'RFC 9525 §6.2' },
    { name: 'ip-with-dns-localhost', what: 'only a SAN localhost, connected to 127.0.0.1', leaf: { sans: [dns('localhost')] }, policy: no('The client asked for the address 127.0.0.1; a DNS name does not name it.'), ip: true, ref: 'RFC 9525 §6.2' },
    { name: 'ip-text-in-cn-with-san', what: 'a SAN for another host and CN=127.0.0.1', leaf: { sans: [dns('other.invalid')], subject: cn('127.0.0.1') }, policy: no('The CN is never consulted when a SAN exists.'), ip: true, ref: 'limbo webpki::cn::*' },
  ];
  return cases.map((c) =>
    entry({
      name: c.name,
      title: `The client is served a certificate with ${c.what}`,
      chain: { intermediates: cas(1), leaf: { subject: c.leaf.subject ?? cn('mtls-conformance hostname case'), ...c.leaf } },
      probe: c.ip ? undefined : { serverName: HOST },
      refs: [c.ref, 'RFC 9525 §6', 'RFC 9110 §4.3.4'],
      policy: c.policy,
    }),
  );
};
export default hostname;
