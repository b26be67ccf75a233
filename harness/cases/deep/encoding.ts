import type { Role } from '../../model.js';
import type { CaseEntry } from '../define.js';
import { cas, entry, holder, must, note, type Family } from './kit.js';

/** encoding: serial numbers outside RFC 5280 §4.1.2.2 (limbo rfc5280::serial::*, pedantic-serial-number: information). */
const encoding: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const serial = (name: string, what: string, v: { serialHex?: string; serialRaw?: string }, ref: string) =>
    entry({ name, title: `A ${h} with ${what}`, chain: { intermediates: cas(1), leaf: v }, refs: ['RFC 5280 §4.1.2.2', `limbo rfc5280::serial::${ref}`], policy: note('reject', 'RFC 5280 §4.1.2.2: serials are positive and at most 20 octets; validators MUST handle them but the issuer broke the rule (pedantic-serial-number).') });
  return [
    entry({ name: 'serial-20-octets', title: `A ${h} with a serial of 20 octets (the maximum) is accepted`, chain: { intermediates: cas(1), leaf: { serialHex: '7f' + '11'.repeat(19) } }, refs: ['RFC 5280 §4.1.2.2'], policy: must('accept', 'RFC 5280 §4.1.2.2: relying parties MUST handle serials of up to 20 octets.') }),
    serial('serial-21-octets', 'a serial of 21 octets', { serialHex: '7f' + '11'.repeat(20) }, 'too-long'),
    serial('serial-zero', 'serial number zero', { serialRaw: '00' }, 'zero'),
    serial('serial-negative', 'a negative serial number', { serialRaw: 'ff' }, 'negative'),
    entry({ name: 'leaf-version-1', title: `A version 1 ${h} (no extensions)`, chain: { intermediates: cas(1), leaf: { version: 1 } }, refs: ['RFC 5280 §4.1.2.1', 'limbo webpki::v1-cert'], policy: note('reject', 'A v1 certificate has no SAN or EKU: the Web PKI refuses it; RFC 5280 allows v1 end entities.') }),
  ];
};
export default encoding;
