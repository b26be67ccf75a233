import type { Profile } from '../../profile/schema.js';
import { area, info, type CaseEntry, type Policy } from '../define.js';
import { revocationPolicy } from '../policies.js';
import type { RevocationService } from '../../../certs/revocation-data.js';

/**
 * client/revocation: the target is a client; the harness serves a valid chain whose revocation
 * status the client cannot establish, or a must-staple certificate without its staple. Each case's
 * leaf sits under an intermediate of its own whose revocation service (certs/revocation-data.ts)
 * is the variant, so nothing else in the run sees it: the CRL bundle ({crl}) holds that CA's CRL
 * only where the variant says so, and the certificates name per-certificate CDP and OCSP URLs, so
 * the report says which mechanism the client used in this case (RFC 5280 §6.3, RFC 6960).
 */

const REFS_UNDETERMINED = ['RFC 5280 §6.3.3 (UNDETERMINED, after step (k))', 'profile revocation.client', 'profile revocation.clientFailMode'];

/** A chain: a valid server leaf under its own intermediate, whose revocation service is `service`. */
const under = (service: RevocationService, leaf: Record<string, unknown> = {}) => ({ intermediates: [{ revocationService: service }], leaf });

/**
 * The status cannot be determined (RFC 5280 §6.3.3, after step (k): UNDETERMINED, local policy decides).
 * revocation.client says whether clients must check at all; revocation.clientFailMode whether an
 * undetermined status must stop them (closed) or may let them go on (open).
 */
function undetermined(p: Profile, why: string): Policy {
  const base = revocationPolicy(p, 'client', `${why} Status undetermined, and revocation.clientFailMode is ${p.revocation.clientFailMode}: the client must refuse (fail closed).`);
  if (base.skip || p.revocation.clientFailMode === 'closed') return base;
  return info('accept', `${why} The profile sets revocation.clientFailMode: open: a client may go on when the status cannot be determined; either outcome is reported, not judged.`);
}

const MECHANISM_HINT =
  'Check with curl --crlfile {crl} (CRL file), openssl s_client -crl_check_all -CRL {crl}, -crl_download (distribution point), gnutls-cli --ocsp (OCSP request), curl --cert-status (staple).';

const cases: CaseEntry[] = [
  {
    name: 'crl-stale',
    title: "The client refuses a server certificate whose CA's only CRL is past its nextUpdate",
    chain: under({ crl: 'stale', ocsp: 'none' }),
    probe: { revocation: true },
    refs: ['RFC 5280 §5.1.2.5', 'RFC 5280 §6.3.3 (a)', ...REFS_UNDETERMINED],
    policy: (p) =>
      undetermined(
        p,
        `The issuing intermediate's CRL (in {crl} and at the distribution point) has a nextUpdate 10 days in the past and there is no OCSP URL: no current revocation information exists (RFC 5280 §6.3.3 (a)); a stale CRL is how an attacker replays a list from before the revocation. ${MECHANISM_HINT}`,
      ),
  },
  {
    name: 'ocsp-unknown',
    title: 'The client refuses a server certificate the OCSP responder answers "unknown" about',
    chain: under({ crl: 'none', ocsp: 'unknown' }),
    probe: { revocation: true },
    refs: ['RFC 6960 §2.2', 'RFC 6066 §8', ...REFS_UNDETERMINED],
    policy: (p) =>
      undetermined(
        p,
        `The intermediate publishes no CRL; its OCSP responder (and the stapled response) says "unknown": the responder does not know the certificate (RFC 6960 §2.2), which is not "good". ${MECHANISM_HINT}`,
      ),
  },
  {
    name: 'ocsp-bad-signature',
    title: 'The client refuses a server certificate whose OCSP response does not verify',
    // The leaf is revoked; the forged answer says "good": only the signature check tells.
    chain: under({ crl: 'none', ocsp: 'bad-signature' }, { revoked: true }),
    probe: { revocation: true },
    refs: ['RFC 6960 §3.2', 'RFC 6960 §4.2.1', ...REFS_UNDETERMINED],
    policy: (p) =>
      undetermined(
        p,
        `The certificate is revoked; the OCSP responder (and the staple) answer "good" with a signature that does not verify. RFC 6960 §3.2: a client SHALL check the signature before accepting a response; one that does not takes a forged "good" for a revoked key. ${MECHANISM_HINT}`,
      ),
  },
  {
    name: 'ocsp-no-answer',
    title: 'The client gives up within its bound on an OCSP responder that accepts and never answers',
    chain: under({ crl: 'none', ocsp: 'silent' }),
    probe: { revocation: true },
    refs: ['RFC 6960 §2.2', ...REFS_UNDETERMINED],
    policy: (p) =>
      undetermined(
        p,
        `The intermediate publishes no CRL; its OCSP responder accepts the connection and never answers (held up to 60 s), and no staple is sent. A client must bound the wait, and then has no status. ${MECHANISM_HINT}`,
      ),
  },
  {
    name: 'crl-no-answer',
    title: 'The client gives up within its bound on a CRL distribution point that accepts and never answers',
    chain: under({ crl: 'silent', ocsp: 'none' }),
    probe: { revocation: true },
    refs: ['RFC 5280 §4.2.1.13', ...REFS_UNDETERMINED],
    policy: (p) =>
      undetermined(
        p,
        `The intermediate's CRL is in no file handed to the client ({crl} leaves it out) and its distribution point accepts the connection and never answers (held up to 60 s); there is no OCSP URL. A client must bound the wait, and then has no status. ${MECHANISM_HINT}`,
      ),
  },
  {
    name: 'must-staple-missing',
    title: 'The client refuses a must-staple server certificate served without a stapled OCSP response',
    chain: under({ staple: false }, { mustStaple: true }),
    probe: { revocation: true },
    refs: ['RFC 7633 §4.2.3.1', 'RFC 6066 §8', 'profile revocation.client'],
    // Not subject to clientFailMode: the certificate itself asks the client to fail closed.
    policy: (p) =>
      revocationPolicy(
        p,
        'client',
        'The leaf carries the TLS feature extension with status_request (RFC 7633, "must-staple"); the server sends no CertificateStatus even when asked. RFC 7633 §4.2.3.1: a client that sent status_request and gets no staple for such a certificate MUST abort. The CA\'s CRL and OCSP say good, so only a client that honours must-staple refuses. curl --cert-status does; OpenSSL, Node and curl without it do not know the extension.',
      ),
  },
];

export default area('client', 'revocation', cases);
