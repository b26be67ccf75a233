import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Material } from '../../certs/generate.js';
import { leafDefaults } from '../../certs/matrix.js';
import { matrixOptionsFor } from '../../certs/prepare-certs.js';
import type { CertSpec, KeyKind } from '../../certs/spec.js';
import { UsageError, quote } from '../errors.js';
import { startReferenceServer } from '../peers/reference-server.js';
import { certificateFacts, checkCertificate, type RuleName } from '../policy/certificate-policy.js';
import type { Profile } from '../profile/schema.js';
import { startedTarget, type StartedServerTarget, type Target, type TargetContext } from './target.js';

/**
 * `--target builtin:strict` / `builtin:lenient` (and a run with no target flag): an embedded
 * reference server on 127.0.0.1 (harness/peers/reference-server.ts), started for the run and
 * closed after it.
 */

export const BUILTIN_TARGETS = ['strict', 'lenient'] as const;
export type BuiltinName = (typeof BUILTIN_TARGETS)[number];

/** `builtin:NAME` -> NAME, or a usage error naming the two there are. */
export function parseBuiltinName(input: string): BuiltinName {
  const name = input.slice('builtin:'.length);
  if ((BUILTIN_TARGETS as readonly string[]).includes(name)) return name as BuiltinName;
  throw new UsageError('target-invalid', `--target ${quote(input)} names no embedded target: use builtin:strict or builtin:lenient.`);
}

/** The client CRL bundle `certs init` writes (trust/client-crl.pem), if the store has one. */
function readCrlBundle(certsDir: string): string | undefined {
  try {
    return readFileSync(join(certsDir, 'trust', 'client-crl.pem'), 'utf8') || undefined;
  } catch {
    return undefined;
  }
}

/** What the profile asks of a server certificate that a certificate of our own making can get wrong. */
const OWN_CERTIFICATE_RULES: RuleName[] = ['key-strength', 'validity-period', 'renewal-window', 'signature-algorithm', 'eku'];

/**
 * The spec of a server certificate that meets the profile's certificates.server rules: the store's
 * target certificate (server, EC P-256, 365 days) with the smallest key the profile allows and a
 * validity of at most maxValidityDays, started an hour back (a peer whose clock lags still sees it
 * valid) so it holds maxValidityDays less an hour of the renewal window.
 */
export function serverSpecFor(profile: Profile): CertSpec {
  const policy = profile.certificates.server;
  // The store has no P-521 key kind: above P-384, Ed25519 (the key-strength rule sizes EC keys only).
  const key: KeyKind = policy.minEcBits <= 256 ? 'ec-p256' : policy.minEcBits <= 384 ? 'ec-p384' : 'ed25519';
  const base: CertSpec = { ...leafDefaults('server', matrixOptionsFor(profile)), name: 'server', issuer: 'server-ca', key };
  const defaultDays = base.notAfterDays - base.notBeforeDays;
  const max = policy.maxValidityDays;
  return max === null || max >= defaultDays ? base : { ...base, notBeforeDays: 0, notBeforeSeconds: -3600, notAfterDays: max, notAfterSeconds: -3600 };
}

/**
 * The certificate the embedded server presents: the store's target certificate where it meets the
 * profile (the built-in profiles), else one issued now by the store's server CA to fit it, kept in
 * memory for the run. A strict server that fails its own profile's certificate cases would be no
 * reference (a profile with maxValidityDays 90, or minEcBits 384, failed them before).
 */
export async function builtinServerCert(ctx: Pick<TargetContext, 'profile' | 'cert'>, now = Date.now()): Promise<Material> {
  const stored = ctx.cert('server');
  const facts = certificateFacts(new X509Certificate(stored.certPem).raw);
  if (checkCertificate(facts, 'server', ctx.profile, { rules: OWN_CERTIFICATE_RULES, now }).length === 0) return stored;
  // @peculiar/x509 loads only here: a run under a built-in profile never pays for it.
  const { generate } = await import('../../certs/generate.js');
  const ca = ctx.cert('server-ca');
  return generate(serverSpecFor(ctx.profile), { certPem: ca.certPem, keyPem: ca.keyPem }, now);
}

export function builtinTarget(input: string): Target {
  const name = parseBuiltinName(input);
  return {
    role: 'server',
    source: `--target ${quote(input)}`,
    async start(ctx) {
      const own = await builtinServerCert(ctx);
      const server = await startReferenceServer({
        mode: name,
        profile: ctx.profile,
        serverCertPem: own.certPem,
        serverKeyPem: own.keyPem,
        clientCaPem: ctx.cert('client-ca').certPem,
        clientCrlPem: readCrlBundle(ctx.certsDir),
      });
      const endpoint = { host: server.host, port: server.port, servername: ctx.servername ?? server.host, url: server.url };
      return startedTarget<StartedServerTarget>(
        { role: 'server', endpoint, report: { kind: 'url', url: server.url, builtin: name }, protocol: ctx.protocol ?? 'https', timeoutMs: ctx.timeoutMs, warnings: [] },
        async () => {
          await server.close();
          return {};
        },
      );
    },
  };
}
