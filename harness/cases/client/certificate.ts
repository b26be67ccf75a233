import type { PropertyName } from '../../model.js';
import type { Profile } from '../../profile/schema.js';
import { area, info, required, type CaseEntry, type Policy } from '../define.js';

/** client/certificate: the certificate the client presents to the positive control's server, and what it prints. */

function property(name: string, property: PropertyName, title: string, refs: string[], policy: (p: Profile) => Policy): CaseEntry {
  return { name, title, probe: { kind: 'control' }, property, refs, policy };
}

export default area('client', 'certificate', [
  property('presented', 'client-cert-presented', 'The client presents a certificate from the expected CA when the server asks for one', ['RFC 8446 §4.4.2', 'RFC 5246 §7.4.6'], () =>
    required('property', 'Mutual TLS: without a client certificate the partner server cannot authenticate the client.'),
  ),
  property('eku', 'client-cert-eku', "The client certificate's EKU meets the profile", ['RFC 5280 §4.2.1.12', 'profile certificates.client.eku'], (p) =>
    required('property', `EKU rule for client certificates: ${p.certificates.client.eku}.`),
  ),
  property('key-strength', 'client-cert-key-strength', "The client certificate's key meets the profile's minimum", ['NIST SP 800-57 Part 1 §5.6.1', 'profile certificates.client.minRsaBits'], (p) =>
    required('property', `RSA ≥ ${p.certificates.client.minRsaBits} bits or EC ≥ ${p.certificates.client.minEcBits} bits.`),
  ),
  property('validity-period', 'client-cert-validity-period', "The client certificate's validity period is within the profile's maximum", ['CA/B Forum BR §6.3.2', 'profile certificates.client.maxValidityDays'], (p) =>
    p.certificates.client.maxValidityDays === null
      ? info('property', 'The profile sets no maximum validity period.')
      : required('property', `Validity at most ${p.certificates.client.maxValidityDays} days.`),
  ),
  property('not-expired', 'client-cert-not-expired', 'The client certificate is inside its validity period', ['RFC 5280 §4.1.2.5'], () =>
    required('property', 'A partner server refuses an expired or not-yet-valid client certificate.'),
  ),
  property('renewal-window', 'client-cert-renewal-window', 'The client certificate is renewed before the renewal window', ['profile certificates.client.minRemainingDays'], (p) =>
    p.certificates.client.minRemainingDays > 0
      ? required('property', `At least ${p.certificates.client.minRemainingDays} days must remain before expiry (renew early, avoid an outage).`)
      : info('property', 'The profile sets no renewal window.'),
  ),
  property('end-entity', 'client-cert-end-entity', 'The client certificate is an end-entity certificate, not a CA', ['RFC 5280 §4.2.1.9', 'CA/B Forum BR §7.1.2.3'], () =>
    required('property', "basicConstraints cA TRUE lets the holder of the key issue certificates; a certificate presented as the client's own must be an end entity (cA FALSE or absent)."),
  ),
  property('sends-intermediates', 'client-cert-chain-sent', 'The client sends the intermediates its certificate needs', ['RFC 8446 §4.4.2', 'RFC 5246 §7.4.6', 'RFC 5246 §7.4.2'], () =>
    required(
      'property',
      "A server trusts the partner's root, not its issuing CAs: a client that sends its leaf alone cannot be verified (RFC 8446 §4.4.2: the chain up to, not including, the anchor). Checkable when the client's certificate is below an intermediate (--client-cert-ca with the root); the generated {cert} is issued by the client CA itself, and the case is then skipped.",
    ),
  ),
  property('identity', 'client-cert-identity', "The client certificate's identity matches the profile's rule", ['profile clientIdentity'], (p) =>
    p.clientIdentity
      ? required('property', `The ${p.clientIdentity.match} must match /${p.clientIdentity.pattern}/ (the identifier the partner server checks).`)
      : { ...info('property', 'No client identity rule in the profile.'), skip: 'the profile has no clientIdentity rule' },
  ),
  property('key-not-printed', 'client-key-not-printed', 'The client does not print its private key', ['NIST SP 800-57 Part 1 §6.2.1', 'OWASP ASVS 5.0 §16.2'], () =>
    required(
      'property',
      'A private key on stdout or stderr ends up in CI logs and log collectors, where anyone who reads them can impersonate the client. The harness redacts it from every report; the finding stays.',
    ),
  ),
]);
