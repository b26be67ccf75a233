import { describeObservation, interpret, judge } from '../judge.js';
import type { CaseResult, HandshakeRecipe, Observation, ResolvedCase } from '../model.js';
import type { ClientPlan, ServerPlan } from '../plan.js';
import type { Profile } from '../profile/schema.js';
import { chainCompleteness } from '../policy/chain.js';
import { probeVersion } from '../probes/cipher-sweep.js';
import { probeSentChain } from '../probes/handshake-probe.js';
import { probeClientCase } from '../probes/client-case-probe.js';
import {
  probeClientSignature,
  probeNodeHandshake,
  probeRawVersion,
  probeServerFallback,
  probeServerRenegotiation,
  probeSessionLifetime,
  probeSuiteSweep,
  sessionWaitMs,
} from '../probes/server-case-probes.js';
import type { RevocationResponder } from '../peers/revocation-responder.js';
import { attachRevocationFacts, withRevocationNote } from './revocation-facts.js';

/**
 * The body of one case, shared by the CLI's own executor (execute.ts) and the vitest suite
 * (suites/server.suite.ts): observe, then judge against the positive control. Probes throw only for
 * harness faults; a rejection is an observation.
 */

export type RolePlan = { role: 'server'; plan: ServerPlan; responder?: RevocationResponder } | { role: 'client'; plan: ClientPlan; responder?: RevocationResponder };

/**
 * A handshake case; for TLS 1.0/1.1 a refusal seen by node:tls is checked once more with the raw
 * ClientHello prober, which also offers RC4, 3DES and EXPORT suites the local OpenSSL lacks: a
 * server that only speaks TLS 1.0 with 3DES must not pass as "refuses TLS 1.0". Here, not among
 * the probes, because "a refusal" is the judge's reading of the observation.
 */
export async function probeCase(plan: ServerPlan, recipe: HandshakeRecipe, verifyPeer = false): Promise<Observation> {
  const obs = await probeNodeHandshake(plan, recipe, verifyPeer);
  if ((recipe.version === 'TLSv1' || recipe.version === 'TLSv1.1') && interpret(obs, plan.profile) === 'rejected') {
    const raw = await probeVersion({ host: plan.target.host, port: plan.target.port, servername: plan.target.servername, version: recipe.version, timeoutMs: plan.timeoutMs });
    if (raw.accepted) {
      return { ...obs, outcome: 'accepted', alert: null, tlsVersion: recipe.version, cipher: raw.suiteName ?? null, detail: `node:tls was refused (${obs.detail}), but a raw ClientHello got ${raw.reason}: the target accepts ${recipe.version}` };
    }
  }
  return obs;
}

/** The positive control, with the chain the target sent attached to what it saw of the target's certificate. */
export async function probeServerControl(plan: ServerPlan): Promise<Observation> {
  if (plan.control.recipe.kind !== 'client-handshake') throw new Error('the positive control must be a handshake');
  const cert = plan.certs[plan.control.recipe.cert ?? ''];
  const [control, sent] = await Promise.all([
    probeCase(plan, plan.control.recipe, true),
    probeSentChain({
      host: plan.target.host,
      port: plan.target.port,
      servername: plan.target.servername,
      certChainPem: cert?.chainPem,
      keyPem: cert?.keyPem,
      unrelatedCaPem: plan.unrelatedCaPem,
      timeoutMs: plan.timeoutMs,
    }),
  ]);
  if (control.peer && sent) control.peer.chain = chainCompleteness(sent, plan.targetCa);
  return control;
}

/** The positive control's observation: every rejection is judged against it. */
export function observeControl(p: RolePlan): Promise<Observation> {
  if (p.role === 'server') return probeServerControl(p.plan);
  const recipe = p.plan.control.recipe;
  if (recipe.kind !== 'reference-server') throw new Error('the positive control of the client suite must be a reference server');
  return probeClientCase(p.plan, recipe);
}

/** One case's observation; the control's own observation (and the property checks read from it) are reused. */
export async function observeCase(p: RolePlan, c: ResolvedCase, control: Observation | null): Promise<Observation | null> {
  if (c.skip) return null;
  if (c.positiveControl) return control;
  const recipe = c.recipe;
  if (p.role === 'client') return recipe.kind === 'reference-server' ? probeClientCase(p.plan, recipe) : control;
  const plan = p.plan;
  switch (recipe.kind) {
    case 'client-handshake':
      return probeCase(plan, recipe);
    case 'raw-version':
      return probeRawVersion(plan, recipe);
    case 'suite-sweep':
      return probeSuiteSweep(plan, recipe);
    case 'session-lifetime':
      return probeSessionLifetime(plan);
    case 'renegotiation':
      return probeServerRenegotiation(plan);
    case 'fallback-scsv':
      return probeServerFallback(plan);
    case 'certificate-verify':
      return probeClientSignature(plan, recipe);
    default:
      // Checks of the target's own certificate read what the control saw.
      return control;
  }
}

export function judgeCase(c: ResolvedCase, observation: Observation | null, profile: Profile, control: Observation | null): CaseResult {
  const verdict = withRevocationNote(judge(c, observation, profile, {
    controlAccepted: control ? interpret(control, profile) === 'accepted' : null,
    controlSummary: control ? describeObservation(control) : undefined,
  }), observation, c);
  return { case: c, observation, verdict };
}

/** How long one case may take: each probe is bounded by the timeout; this bounds the case as a whole. */
export function caseBoundMs(p: RolePlan, c: ResolvedCase): number {
  const t = p.plan.timeoutMs;
  if (p.role === 'client') return t * 2 + 2000;
  // The sweeps and the session case make several exchanges; --slow waits the profile's lifetime.
  const extra =
    c.recipe.kind === 'session-lifetime'
      ? t * 4 + sessionWaitMs(p.plan)
      : c.recipe.kind === 'suite-sweep'
        ? t * 4
        : // Two versions, a control and a wrong-key handshake each, one after the other.
          c.recipe.kind === 'certificate-verify'
          ? t * 3
          : 0;
  return t * 2 + 1000 + extra;
}

export class CaseTimeoutError extends Error {}

/** Resolve with `work`, or reject with CaseTimeoutError after `ms`. The timer never holds the process open. */
export function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseTimeoutError(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Observe and judge one case within its bound. A harness fault or an overrun becomes an
 * inconclusive result that says so: one broken case never takes the run down. The target's own
 * silence is not an overrun: every probe ends at --timeout with a `timeout` observation, which the
 * judge weighs (an answer-within case fails on it); the case bound, longer, only catches a probe
 * that did not keep its own bound, a fault of the harness.
 */
export async function runCase(p: RolePlan, c: ResolvedCase, control: Observation | null): Promise<CaseResult> {
  return runCaseWithControl(p, c, Promise.resolve(control));
}

/** Whether observing `c` needs the control's observation (it is the control, or reads what the control saw). */
export function observesControl(p: RolePlan, c: ResolvedCase): boolean {
  if (c.skip) return false;
  if (c.positiveControl) return true;
  if (p.role === 'client') return c.recipe.kind !== 'reference-server';
  return !['client-handshake', 'raw-version', 'suite-sweep', 'session-lifetime', 'renegotiation', 'fallback-scsv', 'certificate-verify'].includes(c.recipe.kind);
}

/**
 * runCase with the control still being observed: a case with a probe of its own probes at once
 * and waits for the control only to be judged (the control's own bound ends that wait).
 */
export async function runCaseWithControl(p: RolePlan, c: ResolvedCase, controlReady: Promise<Observation | null>): Promise<CaseResult> {
  try {
    const since = performance.now();
    const early = observesControl(p, c) ? null : bounded(observeCase(p, c, null), caseBoundMs(p, c), `case ${c.id}`);
    // Handled here and awaited below: a probe failing while the control is still out is no unhandled rejection.
    early?.catch(() => {});
    const control = await controlReady;
    const observed = early ?? bounded(observeCase(p, c, control), caseBoundMs(p, c), `case ${c.id}`);
    const seen = attachRevocationFacts(p, c, await observed, since);
    // The bound an answer-within case had to answer in: the probe's own (--timeout), for its reason.
    const observation = c.answerWithin && seen ? { ...seen, answerBoundMs: p.plan.timeoutMs } : seen;
    return judgeCase(c, observation, p.plan.profile, control);
  } catch (err) {
    const reason =
      err instanceof CaseTimeoutError
        ? c.answerWithin
          ? `${err.message}, though its probe ends at --timeout: a fault of the harness, not the target's silence`
          : err.message
        : `harness fault while probing: ${(err as Error)?.message ?? String(err)}`;
    return { case: c, observation: null, verdict: { verdict: 'inconclusive', reason } };
  }
}
