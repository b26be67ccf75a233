import { buildClientHello, probeHello, type HelloObservation, type HelloVersion } from './raw-hello.js';
import { hexCode, SUITE_CODES, suiteFitsVersion, suiteName, suiteTraits, type SuiteCode } from '../tls/suite-codes.js';
import { IANA_CIPHER_SUITES } from '../tls/iana-cipher-suites.js';

/**
 * Which protocol versions and cipher suites a server accepts, asked with ClientHellos written by
 * the harness (raw-hello.ts), so that suites and versions the local OpenSSL cannot offer are
 * asked about too. One suite per ClientHello: the server either picks it or refuses, so its
 * preference order cannot hide anything.
 */

/** Suites with a known weakness: RC4, 3DES, DES, EXPORT, NULL, anonymous, static RSA/ECDH, CBC, IDEA, SEED. */
export const LEGACY_SUITES: readonly SuiteCode[] = SUITE_CODES.filter((s) => suiteTraits(s.name).weaknesses.length > 0);

/** TLS 1.2 suites with forward secrecy and an AEAD cipher: what a modern TLS 1.2 server offers. */
export const MODERN_SUITES_12: readonly SuiteCode[] = SUITE_CODES.filter((s) => {
  const t = suiteTraits(s.name);
  return (t.kx === 'ecdhe' || t.kx === 'dhe') && t.aead && t.weaknesses.length === 0;
});

/** RFC 8446 §B.4. */
export const SUITES_13: readonly SuiteCode[] = SUITE_CODES.filter((s) => suiteTraits(s.name).kx === 'tls13');

/**
 * Every suite defined at `version`, strongest first: what a client that wants an answer at all
 * would offer. TLS_NULL_WITH_NULL_NULL is left out (never negotiable, RFC 5246 §A.5).
 */
export function suitesForVersion(version: HelloVersion): number[] {
  const fits = SUITE_CODES.filter((s) => s.code !== 0x0000 && suiteFitsVersion(s.name, version));
  const rank = (s: SuiteCode) => {
    const t = suiteTraits(s.name);
    return t.weaknesses.length === 0 ? 0 : t.weaknesses.every((w) => w === 'cbc' || w === 'static-rsa') ? 1 : 2;
  };
  return [...fits].sort((a, b) => rank(a) - rank(b)).map((s) => s.code);
}

/**
 * What a suite sweep offers at `version`: every code point of the IANA registry defined there
 * (TLS 1.3: the TLS 1.3-only entries; TLS 1.2: all the others, legacy ones included, since a
 * server that picks one at TLS 1.2 is exactly the finding), strongest first. Enumerated by
 * elimination, so the size of the list costs one ClientHello per accepted suite, not per code.
 */
export function sweepSuiteCodes(version: 'TLSv1.2' | 'TLSv1.3'): number[] {
  const entries = IANA_CIPHER_SUITES.filter((s) => s.tls13 === (version === 'TLSv1.3'));
  const rank = (name: string) => {
    const t = suiteTraits(name);
    return t.weaknesses.length === 0 ? 0 : t.weaknesses.every((w) => w === 'cbc' || w === 'static-rsa') ? 1 : 2;
  };
  return [...entries].sort((a, b) => rank(a.name) - rank(b.name)).map((s) => s.code);
}

export type SuiteVerdict = 'accepted' | 'refused' | 'inconclusive';

export interface SuiteProbe {
  suite: number;
  /** IANA name, or the hex code point when the table lacks it. */
  name: string;
  verdict: SuiteVerdict;
  /** One line: why this verdict. */
  reason: string;
  /** null when the sweep's overall bound passed before this suite was asked. */
  observation: HelloObservation | null;
}

/**
 * The verdict for one suite offered alone at `version`. Accepted only when the server answers
 * with that version and that suite; an alert or a closed connection is a refusal; silence,
 * garbage or a suite that was not offered (a protocol violation) decide nothing.
 */
export function judgeSuite(version: HelloVersion, suite: number, obs: HelloObservation): { verdict: SuiteVerdict; reason: string } {
  switch (obs.kind) {
    case 'server-hello':
      if (obs.suite !== suite) return { verdict: 'inconclusive', reason: `server chose ${obs.suiteName ?? hexCode(obs.suite)}, which was not offered` };
      if (obs.version !== version) return { verdict: 'refused', reason: `server answered ${obs.version} to a ${version} ClientHello` };
      return { verdict: 'accepted', reason: `ServerHello ${obs.version} ${obs.suiteName ?? hexCode(obs.suite)}${obs.helloRetry ? ' (HelloRetryRequest)' : ''}` };
    case 'alert':
      return { verdict: 'refused', reason: `alert ${obs.code} ${obs.name} (${obs.level})` };
    case 'closed':
      return { verdict: 'refused', reason: 'connection closed without an answer' };
    case 'reset':
      return { verdict: 'refused', reason: 'connection reset without an answer' };
    case 'timeout':
      return { verdict: 'inconclusive', reason: `no answer within ${obs.durationMs} ms` };
    case 'malformed':
      return { verdict: 'inconclusive', reason: `malformed answer: ${obs.detail}` };
    case 'connect-failed':
      return { verdict: 'inconclusive', reason: obs.detail };
  }
}

export interface SweepInput {
  host: string;
  port: number;
  servername?: string;
  version: HelloVersion;
  /** Code points, each offered alone in its own ClientHello. */
  suites: number[];
  /** ClientHellos in flight at once; default 8. */
  concurrency?: number;
  /** Bound on each exchange; default 5000 ms. */
  timeoutMs?: number;
  /** Bound on the whole sweep; suites not yet asked when it passes are inconclusive. Default 120 000 ms. */
  totalTimeoutMs?: number;
}

export interface SweepResult {
  version: HelloVersion;
  /** Code points, in the order given. */
  accepted: number[];
  refused: number[];
  inconclusive: number[];
  probes: SuiteProbe[];
  durationMs: number;
}

/** Offer each suite alone at `version`, `concurrency` at a time, and say which the server picks. */
export async function sweepSuites(input: SweepInput): Promise<SweepResult> {
  const started = performance.now();
  const concurrency = Number.isFinite(input.concurrency) ? Math.max(1, Math.floor(input.concurrency!)) : 8;
  const timeoutMs = input.timeoutMs ?? 5000;
  const deadline = started + (input.totalTimeoutMs ?? 120_000);
  const probes: SuiteProbe[] = new Array(input.suites.length);
  let next = 0;

  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= input.suites.length) return;
      const suite = input.suites[i];
      const name = suiteName(suite) ?? hexCode(suite);
      const left = deadline - performance.now();
      if (left <= 0) {
        probes[i] = { suite, name, verdict: 'inconclusive', reason: `not asked: the sweep's bound of ${input.totalTimeoutMs ?? 120_000} ms passed`, observation: null };
        continue;
      }
      const hello = buildClientHello({ version: input.version, suites: [suite], servername: input.servername ?? input.host });
      const observation = await probeHello({ host: input.host, port: input.port, hello, timeoutMs: Math.min(timeoutMs, Math.ceil(left)) });
      probes[i] = { suite, name, ...judgeSuite(input.version, suite, observation), observation };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, input.suites.length) }, worker));

  const by = (v: SuiteVerdict) => probes.filter((p) => p.verdict === v).map((p) => p.suite);
  return {
    version: input.version,
    accepted: by('accepted'),
    refused: by('refused'),
    inconclusive: by('inconclusive'),
    probes,
    durationMs: Math.round(performance.now() - started),
  };
}

export interface VersionProbeInput {
  host: string;
  port: number;
  servername?: string;
  version: HelloVersion;
  /** Suites to offer; default every suite of the table defined at that version. */
  suites?: number[];
  /** Default 5000 ms. */
  timeoutMs?: number;
}

export interface VersionProbe {
  version: HelloVersion;
  accepted: boolean;
  verdict: SuiteVerdict;
  reason: string;
  /** The suite the server picked when it accepted. */
  suite?: number;
  suiteName?: string;
  observation: HelloObservation;
}

/**
 * Whether the server accepts `version`: a ClientHello of that version offering a broad suite
 * list. Accepted only when the ServerHello names that version; a server that answers with a
 * lower one (RFC 5246 §E.1) does not accept it.
 */
export async function probeVersion(input: VersionProbeInput): Promise<VersionProbe> {
  const suites = input.suites ?? suitesForVersion(input.version);
  const hello = buildClientHello({ version: input.version, suites, servername: input.servername ?? input.host });
  const observation = await probeHello({ host: input.host, port: input.port, hello, timeoutMs: input.timeoutMs ?? 5000 });
  if (observation.kind === 'server-hello') {
    const offered = suites.includes(observation.suite);
    if (!offered) return { version: input.version, accepted: false, verdict: 'inconclusive', reason: `server chose ${observation.suiteName ?? hexCode(observation.suite)}, which was not offered`, observation };
    const accepted = observation.version === input.version;
    return {
      version: input.version,
      accepted,
      verdict: accepted ? 'accepted' : 'refused',
      reason: accepted ? `ServerHello ${observation.version} ${observation.suiteName ?? hexCode(observation.suite)}` : `server answered ${observation.version} to a ${input.version} ClientHello`,
      suite: observation.suite,
      ...(observation.suiteName ? { suiteName: observation.suiteName } : {}),
      observation,
    };
  }
  const { verdict, reason } = judgeSuite(input.version, -1, observation);
  return { version: input.version, accepted: false, verdict, reason, observation };
}

/**
 * Which of `suites` the server accepts at `version`, by elimination (as sslscan does): offer them
 * all, remove the one the server picks, offer the rest again, until the server refuses. That is
 * one ClientHello per accepted suite plus one, instead of one per suite; `sweepSuites` remains
 * for offering each suite alone.
 */
export async function enumerateSuites(input: Omit<SweepInput, 'concurrency'>): Promise<SweepResult> {
  const started = performance.now();
  const timeoutMs = input.timeoutMs ?? 5000;
  const deadline = started + (input.totalTimeoutMs ?? 120_000);
  let remaining = [...input.suites];
  const probes: SuiteProbe[] = [];
  let undecided: { reason: string } | null = null;
  while (remaining.length > 0) {
    const left = deadline - performance.now();
    if (left <= 0) {
      undecided = { reason: `not decided: the sweep's bound of ${input.totalTimeoutMs ?? 120_000} ms passed` };
      break;
    }
    const hello = buildClientHello({ version: input.version, suites: remaining, servername: input.servername ?? input.host });
    const observation = await probeHello({ host: input.host, port: input.port, hello, timeoutMs: Math.min(timeoutMs, Math.ceil(left)) });
    if (observation.kind === 'server-hello' && remaining.includes(observation.suite) && observation.version === input.version) {
      const suite = observation.suite;
      probes.push({ suite, name: suiteName(suite) ?? hexCode(suite), verdict: 'accepted', reason: `ServerHello ${observation.version} ${suiteName(suite) ?? hexCode(suite)}`, observation });
      remaining = remaining.filter((s) => s !== suite);
      continue;
    }
    const judged = judgeSuite(input.version, -1, observation);
    if (observation.kind === 'server-hello' && observation.version !== input.version) {
      undecided = null;
      for (const suite of remaining) probes.push({ suite, name: suiteName(suite) ?? hexCode(suite), verdict: 'refused', reason: `server answered ${observation.version} to a ${input.version} ClientHello`, observation });
    } else if (judged.verdict === 'refused') {
      for (const suite of remaining) probes.push({ suite, name: suiteName(suite) ?? hexCode(suite), verdict: 'refused', reason: judged.reason, observation });
    } else {
      undecided = { reason: judged.reason };
    }
    break;
  }
  if (undecided) {
    const decided = new Set(probes.map((p) => p.suite));
    for (const suite of input.suites) if (!decided.has(suite)) probes.push({ suite, name: suiteName(suite) ?? hexCode(suite), verdict: 'inconclusive', reason: undecided.reason, observation: null });
  }
  // A sweep covers the whole IANA registry (~350 codes): look verdicts up by code, not by scanning.
  const verdictOf = new Map<number, SuiteVerdict>();
  for (const p of probes) if (!verdictOf.has(p.suite)) verdictOf.set(p.suite, p.verdict);
  const by = (v: SuiteVerdict) => input.suites.filter((s) => verdictOf.get(s) === v);
  return { version: input.version, accepted: by('accepted'), refused: by('refused'), inconclusive: by('inconclusive'), probes, durationMs: Math.round(performance.now() - started) };
}
