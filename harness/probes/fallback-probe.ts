import type { FallbackFacts } from '../model.js';
import { TLS_FALLBACK_SCSV } from '../tls/suite-codes.js';
import { alertByCode } from '../tls/alerts.js';
import { probeVersion, suitesForVersion } from './cipher-sweep.js';
import type { HelloVersion } from './raw-hello.js';

/**
 * Downgrade protection (RFC 7507): a client that retries at a lower version after a failed
 * handshake puts TLS_FALLBACK_SCSV in its suite list, and a server that speaks a higher version
 * must then abort with inappropriate_fallback (86) instead of completing the downgraded handshake.
 * Raw ClientHellos (raw-hello.ts): first the versions the server speaks, then one at the highest
 * version below its top, with the SCSV. Never throws for the target's behaviour.
 */

const VERSIONS: HelloVersion[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1'];
const INAPPROPRIATE_FALLBACK = 86;

export interface FallbackProbeInput {
  host: string;
  port: number;
  servername?: string;
  timeoutMs: number;
}

export interface FallbackObservation extends FallbackFacts {
  durationMs: number;
}

export async function probeFallbackScsv(input: FallbackProbeInput): Promise<FallbackObservation> {
  const started = performance.now();
  const done = (f: FallbackFacts): FallbackObservation => ({ ...f, durationMs: Math.round(performance.now() - started) });
  const base = { host: input.host, port: input.port, servername: input.servername, timeoutMs: input.timeoutMs };
  const probes = await Promise.all(VERSIONS.map((version) => probeVersion({ ...base, version })));
  const spoken = probes.filter((p) => p.accepted).map((p) => p.version);
  const unclear = probes.filter((p) => p.verdict === 'inconclusive');
  if (spoken.length === 0) {
    return done({ spoken, fallbackVersion: null, result: 'no-answer', alert: null, detail: `no raw ClientHello got a ServerHello (${probes.map((p) => `${p.version}: ${p.reason}`).join('; ')})` });
  }
  const top = spoken[0]!;
  const fallback = spoken[1];
  if (!fallback) {
    // A version the prober could not decide may be the one to fall back to: no claim either way.
    if (unclear.some((p) => VERSIONS.indexOf(p.version) > VERSIONS.indexOf(top))) {
      return done({ spoken, fallbackVersion: null, result: 'no-answer', alert: null, detail: `the target speaks ${top}; no clear answer for ${unclear.map((p) => `${p.version} (${p.reason})`).join(', ')}` });
    }
    return done({ spoken, fallbackVersion: null, result: 'not-applicable', alert: null, detail: `the target speaks only ${top}: there is no lower version to fall back to` });
  }
  const suites = [...suitesForVersion(fallback), TLS_FALLBACK_SCSV];
  const r = await probeVersion({ ...base, version: fallback, suites });
  const o = r.observation;
  const what = `a ${fallback} ClientHello with TLS_FALLBACK_SCSV (the target speaks ${spoken.join(', ')})`;
  if (r.accepted) return done({ spoken, fallbackVersion: fallback, result: 'accepted', alert: null, detail: `${r.reason} to ${what}` });
  if (o.kind === 'alert') {
    const alert = alertByCode(o.code);
    return done({ spoken, fallbackVersion: fallback, result: o.code === INAPPROPRIATE_FALLBACK ? 'inappropriate-fallback' : 'other-refusal', alert, detail: `alert ${o.code} ${o.name} to ${what}` });
  }
  if (r.verdict === 'refused') return done({ spoken, fallbackVersion: fallback, result: 'other-refusal', alert: null, detail: `${r.reason} on ${what}` });
  return done({ spoken, fallbackVersion: fallback, result: 'no-answer', alert: null, detail: `${r.reason} on ${what}` });
}
