import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import { required, type CaseEntry, type Policy } from '../define.js';
import { cas, ekuListed, entry, holder, must, note, decideByRules, type Family } from './kit.js';

/**
 * encoding: serial numbers outside RFC 5280 §4.1.2.2 (limbo rfc5280::serial::*, pedantic-serial-number:
 * information); a version 1 leaf, where RFC 5280 and the Web PKI disagree (certificates.rules chooses).
 */
const encoding: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const serial = (name: string, what: string, v: { serialHex?: string; serialRaw?: string }, ref: string) =>
    entry({ name, title: `A ${h} with ${what}`, chain: { intermediates: cas(1), leaf: v }, refs: ['RFC 5280 §4.1.2.2', `limbo rfc5280::serial::${ref}`], policy: note('reject', 'RFC 5280 §4.1.2.2: serials are positive and at most 20 octets; validators MUST handle them but the issuer broke the rule (pedantic-serial-number).') });
  return [
    entry({ name: 'serial-20-octets', title: `A ${h} with a serial of 20 octets (the maximum) is accepted`, chain: { intermediates: cas(1), leaf: { serialHex: '7f' + '11'.repeat(19) } }, refs: ['RFC 5280 §4.1.2.2'], policy: must('accept', 'RFC 5280 §4.1.2.2: relying parties MUST handle serials of up to 20 octets.') }),
    serial('serial-21-octets', 'a serial of 21 octets', { serialHex: '7f' + '11'.repeat(20) }, 'too-long'),
    serial('serial-zero', 'serial number zero', { serialRaw: '00' }, 'zero'),
    serial('serial-negative', 'a negative serial number', { serialRaw: 'ff' }, 'negative'),
    entry({
      name: 'leaf-version-1',
      title: `A version 1 ${h} (no extensions)`,
      chain: { intermediates: cas(1), leaf: { version: 1 } },
      refs: ['RFC 5280 §4.1.2.1', 'CA/B BR §7.1.1', 'limbo webpki::v1-cert'],
      policy: decideByRules({
        rfc5280: { expect: 'accept', why: 'a v1 end entity is allowed when it needs no extension (§4.1.2.1), and path validation (§6) checks no version.' },
        webpki: { expect: 'reject', why: 'certificates MUST be X.509 v3 (CA/B BR §7.1.1).' },
        either: 'webpki',
        profileRule: (p) => ekuListed(role, 'a v1 certificate has no EKU')(p) ?? withoutSan(role, p),
      }),
    }),
  ];
};
export default encoding;

/** A v1 certificate carries no subjectAltName: a rule of the profile that needs one refuses it whatever the documents say. */
function withoutSan(role: Role, p: Profile): Policy | undefined {
  // The client cases verify 127.0.0.1, which only an iPAddress SAN can name (RFC 9525 §6.2).
  if (role === 'client' && p.certificates.server.hostnameMatch) return required('reject', 'A v1 certificate has no subjectAltName, so it cannot name 127.0.0.1 (RFC 9525 §6.2; certificates.server.hostnameMatch).');
  if (role === 'server' && p.clientIdentity?.match === 'san-uri') return required('reject', 'A v1 certificate has no subjectAltName, so it cannot carry the SAN URI identity the profile requires (clientIdentity.match: san-uri).');
  return undefined;
}
