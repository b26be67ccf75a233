import { issuedNamed, serialOf, urlSegment, type RevocationPlan } from '../../certs/revocation-data.js';
import type { RevocationResponder } from '../peers/revocation-responder.js';
import { revocationFacts } from '../peers/revocation-responder.js';
import type { Observation, ResolvedCase, Verdict } from '../model.js';
import type { ClientPlan, ServerPlan } from '../plan.js';

/**
 * Revocation cases say what was checked: the responder's log over the case (CRL fetched from the
 * distribution point, OCSP asked about the case's certificate), the CRL file a client was handed,
 * and whether a client asked for a stapled response. Pure given the responder's log.
 */

type Plans = { role: 'server'; plan: ServerPlan; responder?: RevocationResponder } | { role: 'client'; plan: ClientPlan; responder?: RevocationResponder };

function certPemOf(p: Plans, name: string): string | undefined {
  return p.role === 'server' ? p.plan.certs[name]?.leafPem : p.plan.serverCerts[name]?.chainPem;
}

/**
 * The URL segments of a case's chain: its leaf and every issuer above it. A shared intermediate's
 * segment is also in other cases' chains; the leaf's (and a case's own intermediates') are not.
 */
export function chainSegments(plan: RevocationPlan, leaf: string): string[] {
  const out: string[] = [];
  let name: string | undefined = leaf;
  for (let i = 0; name && i < 16; i++) {
    out.push(urlSegment(name));
    name = issuedNamed(plan, name)?.issuer;
  }
  return out;
}

export function attachRevocationFacts(p: Plans, c: ResolvedCase, obs: Observation | null, since: number): Observation | null {
  const recipe = c.recipe;
  if (!obs || !(recipe.kind === 'client-handshake' || recipe.kind === 'reference-server') || !recipe.revocation || !recipe.cert) return obs;
  const pem = certPemOf(p, recipe.cert);
  const serial = pem ? serialOf(pem) : null;
  const extra =
    p.role === 'client'
      ? { ...(p.plan.files.crlFile ? { crlFile: p.plan.files.caseCrlFiles?.[recipe.cert] ?? p.plan.files.crlFile } : {}), ...(obs.offered ? { stapleRequested: obs.offered.statusRequest === true } : {}) }
      : {};
  const revocation = revocationFacts(p.responder, since, serial, extra, p.plan.revocation ? chainSegments(p.plan.revocation, recipe.cert) : null);
  return { ...obs, revocation, detail: `${obs.detail}; revocation: ${revocation.detail}` };
}

/** A revocation case's verdict names the mechanisms seen, so a report says what the target checked. */
export function withRevocationNote(v: Verdict, obs: Observation | null, c?: ResolvedCase): Verdict {
  if (c && v.verdict === 'fail' && c.role === 'server' && c.expect === 'accept' && c.recipe.kind === 'client-handshake' && c.recipe.cert && obs && refusedLikeMissingCrl(obs)) {
    // A server that checks every CA's CRL (nginx ssl_crl, OpenSSL CRL_CHECK_ALL) and lacks one refuses a valid
    // chain exactly as one that cannot build the path does: say both, since the observation cannot tell them apart.
    return {
      ...v,
      reason: `${v.reason} (or: the target checks revocation and lacks the CRL of a CA in this chain, "unable to get certificate CRL" in its log, refused the same way; trust/client-crl.pem holds the CRL of every CA: docs/revocation.md)`,
    };
  }
  if (!obs?.revocation || v.verdict === 'skip') return v;
  return { ...v, reason: `${v.reason} (seen: ${obs.revocation.detail})` };
}

/** Alert 48 unknown_ca (OpenSSL's X509_V_ERR_UNABLE_TO_GET_CRL) or nginx's HTTP 400 for a failed verification. */
function refusedLikeMissingCrl(obs: Observation): boolean {
  return (obs.alert?.code === 48 && (obs.outcome === 'handshake-alert' || obs.outcome === 'post-handshake-alert')) || (obs.outcome === 'http-status' && (obs.httpStatus === 400 || obs.httpStatus === 495 || obs.httpStatus === 496));
}
