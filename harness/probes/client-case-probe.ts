import type { Observation, ReferenceServerRecipe } from '../model.js';
import type { ClientPlan } from '../plan.js';
import { issuerToSend, stapleFor } from '../peers/ocsp-staples.js';
import { probeClientCommand } from './client-command-probe.js';
import { DEFAULT_RANGE } from './server-case-probes.js';

/**
 * A client case, adapted to the plan: the case's server certificate (with its OCSP staple when the
 * run has revocation material) served to one run of the client under test.
 */

export async function probeClientCase(plan: ClientPlan, recipe: ReferenceServerRecipe): Promise<Observation> {
  const cert = plan.serverCerts[recipe.cert];
  if (!cert) throw new Error(`the plan has no server certificate named ${recipe.cert}`);
  const ocspStaple = plan.revocation ? await stapleFor(plan.revocation, recipe.cert) : undefined;
  return probeClientCommand({
    launch: plan.launch,
    serverChainPem: cert.chainPem + (ocspStaple ? issuerToSend(plan.revocation!, recipe.cert, cert.chainPem) : ''),
    serverKeyPem: cert.keyPem,
    ...(recipe.version ? { minVersion: recipe.version, maxVersion: recipe.version } : DEFAULT_RANGE),
    legacy: recipe.legacy ?? false,
    clientCaPem: plan.clientCaPem,
    files: filesFor(plan, recipe.cert),
    timeoutMs: plan.timeoutMs,
    ...(recipe.serverName ? { serverName: recipe.serverName } : {}),
    ...(ocspStaple ? { ocspStaple } : {}),
  });
}


/** The files of one case: its own CRL file as {crl} where it has one (harness/plan.ts ClientFiles.caseCrlFiles). */
export function filesFor(plan: ClientPlan, cert: string): ClientPlan['files'] {
  const own = plan.files.caseCrlFiles?.[cert];
  return own ? { ...plan.files, crlFile: own } : plan.files;
}
