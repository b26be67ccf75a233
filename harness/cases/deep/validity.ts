import type { CertVariation } from '../../../certs/chain-spec.js';
import type { Role } from '../../model.js';
import type { CaseEntry } from '../define.js';
import { cas, entry, holder, must, should, type Family } from './kit.js';

/**
 * validity: every certificate of the path within its period (RFC 5280 §6.1.3 (a)(2), §4.1.2.5),
 * at the leaf and at each of two intermediates, by days and by seconds. limbo rfc5280::validity::*.
 * Certificates whose bound lies in the future are regenerated before it passes (certs/store.ts maxAgeMs).
 */
const EDGES: { name: string; what: string; v: CertVariation }[] = [
  { name: 'expired-30d', what: 'expired 30 days ago', v: { notBeforeDays: -400, notAfterDays: -30 } },
  { name: 'expired-60s', what: 'expired 60 seconds before generation', v: { notBeforeDays: -30, notAfterDays: 0, notAfterSeconds: -60 } },
  { name: 'not-yet-valid-30d', what: 'valid only from 30 days on', v: { notBeforeDays: 30, notAfterDays: 400 } },
  { name: 'not-yet-valid-1h', what: 'valid only from an hour after generation', v: { notBeforeDays: 0, notBeforeSeconds: 3600, notAfterDays: 400 } },
];

const validity: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const out: CaseEntry[] = [];
  for (const pos of ['leaf', 'ca1', 'ca2'] as const) {
    for (const e of EDGES) {
      const at: Record<number, CertVariation> = pos === 'ca1' ? { 1: e.v } : pos === 'ca2' ? { 2: e.v } : {};
      const where = pos === 'leaf' ? 'leaf' : `intermediate ${pos.slice(2)} of 2`;
      out.push(
        entry({
          name: `${pos}-${e.name}`,
          title: `A ${h} chain whose ${where} is ${e.what} is refused`,
          chain: { intermediates: cas(2, at), ...(pos === 'leaf' ? { leaf: e.v } : {}) },
          refs: ['RFC 5280 §6.1.3 (a)(2)', 'RFC 5280 §4.1.2.5', `limbo rfc5280::validity::${pos === 'leaf' ? 'expired-leaf' : 'expired-intermediate'}`],
          policy: must('reject', `RFC 5280 §6.1.3 (a)(2): the current time must fall within every certificate's validity, the ${where}'s included.`),
        }),
      );
    }
  }
  const controls: { name: string; what: string; leaf?: CertVariation; at?: Record<number, CertVariation> }[] = [
    { name: 'leaf-started-60s-ago', what: 'a leaf valid from 60 seconds before generation', leaf: { notBeforeDays: 0, notBeforeSeconds: -60 } },
    { name: 'leaf-ends-in-2h', what: 'a leaf that expires two hours after generation', leaf: { notBeforeDays: -1, notAfterDays: 0, notAfterSeconds: 7200 } },
    { name: 'leaf-generalized-time', what: 'a leaf valid past 2050 (GeneralizedTime, RFC 5280 §4.1.2.5.2)', leaf: { notAfterDays: Math.ceil((Date.UTC(2051, 0, 1) - Date.now()) / 86_400_000) } },
    { name: 'ca1-started-60s-ago', what: 'an intermediate valid from 60 seconds before generation', at: { 1: { notBeforeDays: 0, notBeforeSeconds: -60 } } },
    { name: 'ca2-ends-in-2h', what: 'an intermediate that expires two hours after generation', at: { 2: { notBeforeDays: -1, notAfterDays: 0, notAfterSeconds: 7200 } } },
    { name: 'leaf-outlives-issuer', what: 'a leaf that expires after its issuer (RFC 5280 does not forbid it)', leaf: { notAfterDays: 364 }, at: { 2: { notAfterDays: 200 } } },
  ];
  for (const c of controls) {
    out.push(
      entry({
        name: c.name,
        title: `A ${h} chain with ${c.what} is accepted`,
        chain: { intermediates: cas(2, c.at ?? {}), ...(c.leaf ? { leaf: c.leaf } : {}) },
        refs: ['RFC 5280 §4.1.2.5', 'limbo rfc5280::validity::*'],
        policy: c.name === 'leaf-generalized-time' ? should('accept', 'Dates from 2050 on are GeneralizedTime (RFC 5280 §4.1.2.5); a validator must read both forms.') : must('accept', 'Every certificate is inside its validity period now.'),
      }),
    );
  }
  return out;
};
export default validity;
