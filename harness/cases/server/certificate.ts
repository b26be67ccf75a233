import type { PropertyName } from '../../model.js';
import { area, info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { RFC5280_PATH } from '../policies.js';
import type { Profile } from '../../profile/schema.js';

/** server/certificate: properties of the certificate the target presents, judged from the positive control's handshake. */

function property(name: string, property: PropertyName, title: string, refs: string[], policy: (p: Profile) => Policy): CaseEntry {
  return { name, title, probe: { kind: 'control' }, property, refs, policy };
}

export default area('server', 'certificate', [
  property('trusted', 'peer-trusted', "The target's certificate chains to the CA given by --target-ca (or the system roots)", [RFC5280_PATH, 'RFC 9110 §4.3.4'], () =>
    required('property', 'A partner client verifies the server certificate; one that does not chain to the agreed CA is refused in production.'),
  ),
  property('hostname', 'peer-hostname', "The target's certificate names the host the harness connected to", ['RFC 6125 §6', 'RFC 9110 §4.3.4', 'profile certificates.server.hostnameMatch'], (p) =>
    p.certificates.server.hostnameMatch
      ? required('property', 'Clients check the DNS name or IP address in subjectAltName; a mismatch fails every verifying client.')
      : info('property', 'The profile does not require the certificate to name the host (certificates.server.hostnameMatch: false).'),
  ),
  property('eku', 'peer-eku', "The target's certificate EKU meets the profile", ['RFC 5280 §4.2.1.12', 'profile certificates.server.eku'], (p) =>
    required('property', `EKU rule for server certificates: ${p.certificates.server.eku} (a present EKU must allow serverAuth in any case).`),
  ),
  property('key-strength', 'peer-key-strength', "The target's certificate key meets the profile's minimum", ['NIST SP 800-57 Part 1 §5.6.1', 'profile certificates.server.minRsaBits'], (p) =>
    required('property', `RSA ≥ ${p.certificates.server.minRsaBits} bits or EC ≥ ${p.certificates.server.minEcBits} bits.`),
  ),
  property('validity-period', 'peer-validity-period', "The target's certificate validity period is within the profile's maximum", ['CA/B Forum BR §6.3.2', 'profile certificates.server.maxValidityDays'], (p) =>
    p.certificates.server.maxValidityDays === null
      ? info('property', 'The profile sets no maximum validity period.')
      : required('property', `Validity at most ${p.certificates.server.maxValidityDays} days.`),
  ),
  property('not-expired', 'peer-not-expired', "The target's certificate is inside its validity period", ['RFC 5280 §4.1.2.5'], () =>
    required('property', 'Every verifying client refuses an expired or not-yet-valid server certificate.'),
  ),
  property('renewal-window', 'peer-renewal-window', "The target's certificate is renewed before the renewal window", ['profile certificates.server.minRemainingDays'], (p) =>
    p.certificates.server.minRemainingDays > 0
      ? required('property', `At least ${p.certificates.server.minRemainingDays} days must remain before expiry.`)
      : info('property', 'The profile sets no renewal window.'),
  ),
  property('signature-algorithm', 'peer-signature-algorithm', "The target's certificate is not signed with a forbidden hash", ['RFC 9155 §5', 'profile certificates.server.forbiddenSignatureHashes'], (p) =>
    required('property', `Forbidden signature hashes: ${p.certificates.server.forbiddenSignatureHashes.join(', ') || 'none'}.`),
  ),
  property('end-entity', 'peer-end-entity', "The target's certificate is an end-entity certificate, not a CA", ['RFC 5280 §4.2.1.9', 'CA/B Forum BR §7.1.2.3'], () =>
    required('property', 'basicConstraints cA TRUE (what `openssl req -x509` sets) lets the holder of the key issue certificates for any name under it; a server certificate must be an end entity (cA FALSE or absent).'),
  ),
  property('chain-complete', 'peer-chain-complete', 'The target sends the intermediates its certificate needs', ['RFC 8446 §4.4.2', 'RFC 5246 §7.4.2'], () =>
    required('property', 'Judged from the chain the target actually sent: clients that do not fetch missing intermediates (most non-browser clients) fail without them.'),
  ),
  {
    name: 'requests-client-ca',
    title: "The target's CertificateRequest names the client CA",
    probe: { kind: 'certificate-verify', mode: 'certificate-request' },
    property: 'requests-client-ca',
    refs: ['RFC 8446 §4.2.4', 'RFC 5246 §7.4.4'],
    policy: () =>
      recommended(
        'property',
        "certificate_authorities (RFC 8446 §4.2.4; RFC 5246 §7.4.4) tells the client which CAs are acceptable; clients holding several certificates (browsers, curl with an engine, Java keystores, Windows) pick by it, and send none or the wrong one when the CA is not named. nginx and HAProxy name the CAs of ssl_client_certificate / ca-file; ssl_trusted_certificate sends none. Read from one handshake of the harness's own prober with the valid certificate.",
      ),
  },
]);
