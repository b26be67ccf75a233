import type { Role } from '../../model.js';
import type { CaseEntry } from '../define.js';
import { cas, entry, holder, note, should, type Family } from './kit.js';

/**
 * key-identifiers: authorityKeyIdentifier and subjectKeyIdentifier (RFC 5280 §4.2.1.1, §4.2.1.2).
 * Missing or critical identifiers are the issuer's encoding defects (information); an AKI that
 * names another key leads a validator that trusts it to the wrong issuer. limbo rfc5280::aki::*, rfc5280::ski::*.
 */
const keyIdentifiers: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const c = (name: string, title: string, chain: Parameters<typeof entry>[0]['chain'], policy: Parameters<typeof entry>[0]['policy'], ref: string) =>
    entry({ name, title: `A ${h} chain with ${title}`, chain, refs: [ref.startsWith('RFC') ? ref : 'RFC 5280 §4.2.1.1', `limbo ${ref.startsWith('RFC') ? 'rfc5280::aki::*' : ref}`], policy });
  return [
    c('leaf-aki-absent', 'a leaf without authorityKeyIdentifier', { intermediates: cas(1), leaf: { aki: 'absent' } }, note('accept', 'RFC 5280 §4.2.1.1: the AKI MUST be present, but the issuer is found by name and the signature verifies: an encoding defect.'), 'rfc5280::aki::leaf-missing-aki'),
    c('ca-aki-absent', 'an intermediate without authorityKeyIdentifier', { intermediates: cas(2, { 2: { aki: 'absent' } }) }, note('accept', 'An encoding defect that does not change the path.'), 'rfc5280::aki::intermediate-missing-aki'),
    c('leaf-aki-critical', 'a leaf whose authorityKeyIdentifier is critical', { intermediates: cas(1), leaf: { aki: 'critical' } }, note('reject', 'RFC 5280 §4.2.1.1: conforming CAs MUST mark the AKI non-critical; limbo expects a refusal.'), 'rfc5280::aki::critical-aki'),
    c('leaf-aki-mismatched', 'a leaf whose authorityKeyIdentifier names another key', { intermediates: cas(1), leaf: { aki: 'mismatched' } }, should('reject', 'The AKI names a key that is not the issuer\'s: a validator that selects issuers by key id finds none (RFC 5280 §4.2.1.1).'), 'RFC 5280 §4.2.1.1'),
    c('ca-aki-mismatched', 'an intermediate whose authorityKeyIdentifier names another key', { intermediates: cas(2, { 2: { aki: 'mismatched' } }) }, should('reject', 'The intermediate names the wrong issuer key.'), 'RFC 5280 §4.2.1.1'),
    c('ca-ski-absent', 'an intermediate without subjectKeyIdentifier', { intermediates: cas(1, { 1: { ski: 'absent' } }) }, note('accept', 'RFC 5280 §4.2.1.2: a CA MUST carry an SKI; the path still verifies by name and signature.'), 'rfc5280::ski::intermediate-missing-ski'),
    c('ca-ski-critical', 'an intermediate whose subjectKeyIdentifier is critical', { intermediates: cas(1, { 1: { ski: 'critical' } }) }, note('reject', 'RFC 5280 §4.2.1.2: the SKI MUST be non-critical; limbo expects a refusal.'), 'rfc5280::ski::critical-ski'),
    c('leaf-ski-absent', 'a leaf without subjectKeyIdentifier', { intermediates: cas(1), leaf: { ski: 'absent' } }, note('accept', 'RFC 5280 §4.2.1.2: SHOULD for end entities.'), 'rfc5280::ski::ee-missing-ski'),
  ];
};
export default keyIdentifiers;
