import type { Role } from '../../model.js';
import type { CaseEntry } from '../define.js';
import { cas, entry, holder, must, note, decideByRules, should, type Family } from './kit.js';

/**
 * key-usage: keyCertSign on issuers (RFC 5280 §6.1.4 (n)), the TLS signing bit on the leaf
 * (RFC 5280 §4.2.1.3; RFC 8446 §4.4.2.4 signs CertificateVerify with it). limbo
 * rfc5280::ica-ku-keycertsign, rfc5280::leaf-ku-keycertsign, rfc5280::no-keyusage. A CA without
 * keyUsage is where RFC 5280 and the Web PKI disagree: certificates.rules chooses.
 */
const keyUsage: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const out: CaseEntry[] = [];
  for (const depth of [1, 2]) {
    out.push(
      entry({
        name: `ca${depth}-no-keycertsign`,
        title: `A ${h} chain whose intermediate ${depth} of 2 has keyUsage without keyCertSign is refused`,
        chain: { intermediates: cas(2, { [depth]: { keyUsage: ['digitalSignature', 'cRLSign'] } }) },
        refs: ['RFC 5280 §6.1.4 (n)', 'limbo rfc5280::ica-ku-keycertsign'],
        policy: must('reject', 'RFC 5280 §6.1.4 (n): if keyUsage is present on an issuer, keyCertSign must be set.'),
      }),
    );
  }
  out.push(
    entry({
      name: 'ca-crlsign-only',
      title: `A ${h} issued by an intermediate whose keyUsage is cRLSign only is refused`,
      chain: { intermediates: cas(1, { 1: { keyUsage: ['cRLSign'] } }) },
      refs: ['RFC 5280 §6.1.4 (n)'],
      policy: must('reject', 'RFC 5280 §6.1.4 (n): no keyCertSign, no certificate signing.'),
    }),
    entry({
      name: 'ca-no-keyusage',
      title: `A ${h} issued by an intermediate without keyUsage is accepted`,
      chain: { intermediates: cas(1, { 1: { keyUsage: null } }) },
      refs: ['RFC 5280 §4.2.1.3', 'RFC 5280 §6.1.4 (n)', 'CA/B BR §7.1.2.6.1', 'CA/B BR §7.1.2.10.7', 'limbo rfc5280::no-keyusage'],
      policy: decideByRules({
        rfc5280: { expect: 'accept', why: 'path validation checks keyCertSign only when keyUsage is present (§6.1.4 (n)); that CAs MUST include it (§4.2.1.3) is the issuer\'s duty.' },
        webpki: { expect: 'reject', why: 'a subordinate CA MUST carry a critical keyUsage with keyCertSign and cRLSign (CA/B BR §7.1.2.6.1, §7.1.2.10.7).' },
        either: 'rfc5280',
      }),
    }),
    entry({
      name: 'ca-keyusage-non-critical',
      title: `A ${h} issued by an intermediate whose keyUsage is non-critical is accepted`,
      chain: { intermediates: cas(1, { 1: { keyUsageCritical: false } }) },
      refs: ['RFC 5280 §4.2.1.3'],
      policy: should('accept', 'RFC 5280 §4.2.1.3: keyUsage SHOULD be critical; a non-critical one still says keyCertSign.'),
    }),
    entry({
      name: 'leaf-no-keyusage',
      title: `A ${h} without keyUsage is accepted`,
      chain: { intermediates: cas(1), leaf: { keyUsage: null } },
      refs: ['RFC 5280 §4.2.1.3', 'limbo rfc5280::no-keyusage'],
      policy: must('accept', 'Without keyUsage the key may be used for any purpose (RFC 5280 §4.2.1.3).'),
    }),
    entry({
      name: 'leaf-keyusage-non-critical',
      title: `A ${h} with non-critical keyUsage digitalSignature is accepted`,
      chain: { intermediates: cas(1), leaf: { keyUsageCritical: false } },
      refs: ['RFC 5280 §4.2.1.3'],
      policy: must('accept', 'Criticality aside, the key may sign.'),
    }),
    entry({
      name: 'leaf-extra-bits',
      title: `A ${h} with digitalSignature and nonRepudiation is accepted`,
      chain: { intermediates: cas(1), leaf: { keyUsage: ['digitalSignature', 'nonRepudiation'] } },
      refs: ['RFC 5280 §4.2.1.3'],
      policy: must('accept', 'digitalSignature is set; further bits do not forbid it.'),
    }),
    entry({
      name: 'leaf-key-agreement-only',
      title: `An EC ${h} whose keyUsage is keyAgreement only is refused (TLS 1.3 signs with it)`,
      chain: { intermediates: cas(1), leaf: { keyUsage: ['keyAgreement'] } },
      probe: { version: 'TLSv1.3' },
      refs: ['RFC 5280 §4.2.1.3', 'RFC 8446 §4.4.2.4'],
      policy: should('reject', 'The key signs CertificateVerify (RFC 8446 §4.4.3), and keyUsage does not allow digitalSignature.'),
    }),
    entry({
      name: 'leaf-rsa-key-encipherment-only',
      title: `An RSA ${h} whose keyUsage is keyEncipherment only is refused over TLS 1.3`,
      chain: { intermediates: cas(1), leaf: { key: 'rsa-2048', keyUsage: ['keyEncipherment'] } },
      probe: { version: 'TLSv1.3' },
      refs: ['RFC 5280 §4.2.1.3', 'RFC 8446 §4.4.2.4'],
      policy: should('reject', 'TLS 1.3 has no RSA key transport: the key must sign, and digitalSignature is not set.'),
    }),
    entry({
      name: 'leaf-keycertsign-not-ca',
      title: `A ${h} with keyCertSign but cA=FALSE is refused`,
      chain: { intermediates: cas(1), leaf: { keyUsage: ['digitalSignature', 'keyCertSign'] } },
      refs: ['RFC 5280 §4.2.1.3', 'limbo rfc5280::leaf-ku-keycertsign'],
      policy: note('reject', 'RFC 5280 §4.2.1.3: keyCertSign without cA=TRUE MUST NOT be asserted; the defect does not change who is authenticated: information.'),
    }),
    entry({
      name: 'leaf-data-encipherment-only',
      title: `An EC ${h} whose keyUsage is dataEncipherment only is refused`,
      chain: { intermediates: cas(1), leaf: { keyUsage: ['dataEncipherment'] } },
      refs: ['RFC 5280 §4.2.1.3', 'RFC 8446 §4.4.2.4'],
      policy: should('reject', 'The TLS key must sign; dataEncipherment does not allow that.'),
    }),
  );
  return out;
};
export default keyUsage;
