import { z } from 'zod';
import { ianaName, isTls13Suite } from '../tls/cipher-suites.js';
import { compileIdentityPattern, dnMatches, identityMatches } from './identity-pattern.js';

/**
 * The TLS policy as data. One schema for built-in profiles and user files (YAML or JSON). Every
 * field has a default here, so a profile states only what its policy says. `strictObject`
 * everywhere: an unknown field is a typo, and a typo in a policy must not pass silently.
 */

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** `certificates.rules`: the reading of a certificate where RFC 5280 and the Web PKI disagree. */
export const PKI_RULES = ['either', 'rfc5280', 'webpki'] as const;
export type PkiRules = (typeof PKI_RULES)[number];

/** Compiled by RE2 (linear time): a pattern a backtracking engine could spin on is still safe. */
const regex = z.string().superRefine((s, ctx) => {
  const re = compileIdentityPattern(s);
  if (typeof re === 'string') ctx.addIssue({ code: 'custom', message: re });
});

/** Free text copied into every report and manifest: bounded, so a profile cannot bloat them. */
const FREE_TEXT_MAX = 4096;
const freeText = (max = FREE_TEXT_MAX) => z.string().max(max, `longer than ${max} characters; shorten it`);

const ECDHE_AEAD_12 = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];

/** A cipher suite name, accepted as IANA, draft or OpenSSL and normalised to IANA. */
function suiteName(tls13: boolean) {
  return z.string().transform((name, ctx) => {
    const iana = ianaName(name);
    if (!iana || isTls13Suite(iana) !== tls13) {
      ctx.addIssue({ code: 'custom', message: `not a known TLS ${tls13 ? '1.3' : '1.2'} cipher suite (use IANA names such as ${tls13 ? 'TLS_AES_128_GCM_SHA256' : 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'}, or OpenSSL names)` });
      return z.NEVER;
    }
    return iana;
  });
}

const certificatePolicy = z.strictObject({
  /** exclusive: only the role's purpose; required: the role's purpose must be listed; any: no rule (RFC 5280 default). */
  eku: z.enum(['exclusive', 'required', 'any']).default('any'),
  minRsaBits: z.number().int().min(512).max(16384).default(2048),
  minEcBits: z.number().int().min(160).max(521).default(256),
  forbiddenSignatureHashes: z.array(z.enum(['md5', 'sha1'])).default(['md5', 'sha1']),
  maxValidityDays: z.number().int().positive().nullable().default(null),
  minRemainingDays: z.number().int().nonnegative().default(0),
  /** Server certificates: the name the client connects to must be in subjectAltName (RFC 6125). */
  hostnameMatch: z.boolean().default(true),
});

export const profileSchema = z.strictObject({
  name: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
  description: freeText().default(''),
  tls: z
    .strictObject({
      /** Protocol versions the target may speak; anything else must be refused. */
      versions: z.array(z.enum(TLS_VERSIONS)).min(1).default(['TLSv1.2', 'TLSv1.3']),
      /** Versions the target must speak (a subset of versions); the others allowed are optional. */
      requiredVersions: z.array(z.enum(TLS_VERSIONS)).default([]),
      /** TLS 1.2 suites the target may accept (IANA or OpenSSL names, normalised to IANA). */
      ciphers12: z.array(suiteName(false)).min(1).default(ECDHE_AEAD_12),
      /** TLS 1.3 suites the target may accept. */
      ciphers13: z.array(suiteName(true)).min(1).default(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']),
      /** Longest TLS session / ticket lifetime the target may announce, in seconds (seed: "about 300 s"). */
      maxSessionLifetimeSeconds: z.number().int().positive().nullable().default(null),
    })
    .prefault({}),
  certificates: z
    .strictObject({
      /**
       * Whose rules decide where RFC 5280 and the Web PKI (CA/B Forum Baseline Requirements) disagree
       * about a certificate (issue 16 §2): a non-critical basicConstraints on a CA, a cA=TRUE leaf,
       * anyExtendedKeyUsage, a critical EKU or SAN, a v1 leaf, ... rfc5280: RFC 5280's reading is
       * required; webpki: the Baseline Requirements' is; either: the cases are information, with both
       * readings (a private mTLS PKI follows neither document to the letter). docs/profiles.md lists the cases.
       */
      rules: z.enum(PKI_RULES).default('either'),
      client: certificatePolicy.prefault({}),
      server: certificatePolicy.prefault({}),
    })
    .prefault({}),
  /** Rule on the client certificate's identity a server must enforce (seed: "an agreed identifier in the Subject"). */
  clientIdentity: z
    .strictObject({
      /** What the pattern is matched against: the subject CN, the whole RFC 4514 subject DN, or a SAN URI. */
      match: z.enum(['cn', 'dn', 'san-uri']),
      pattern: regex,
      /** A value that satisfies the pattern: the harness's acceptable client certificates carry it. */
      example: z.string().min(1).max(1024),
    })
    .superRefine((id, ctx) => {
      // The positive control presents a certificate carrying the example: if it does not match, a
      // server enforcing the rule refuses the control and every reject case is inconclusive.
      // A DN example becomes the certificates' subject and reads back in normal form: compared as the subjects will be.
      const matches = id.match === 'dn' ? dnMatches(id.pattern, id.example) : identityMatches(id.pattern, id.example);
      if (typeof compileIdentityPattern(id.pattern) !== 'string' && !matches) {
        ctx.addIssue({ code: 'custom', path: ['example'], message: `does not match clientIdentity.pattern /${id.pattern}/; give a value the pattern accepts` });
      }
    })
    .nullable()
    .default(null),
  /**
   * Revocation checks, by the target's role (as in case ids): `server` = a server target must refuse a
   * revoked client certificate, `client` = a client target must refuse a revoked server certificate.
   * required fails the run, recommended reports a finding, off skips the case. Default recommended:
   * a target is not failed for lacking revocation checks unless the policy asks for them.
   */
  revocation: z
    .strictObject({
      server: z.enum(['required', 'recommended', 'off']).default('recommended'),
      client: z.enum(['required', 'recommended', 'off']).default('recommended'),
      /**
       * What a client target must do when the server certificate's status cannot be determined
       * (stale CRL, OCSP "unknown", a bad response signature, a responder or CDP that does not
       * answer: RFC 5280 §6.3.3, after step (k), leaves UNDETERMINED to local policy). closed: refuse (the client/revocation
       * cases expect a refusal, severity from revocation.client); open: may go on (the cases are info).
       */
      clientFailMode: z.enum(['closed', 'open']).default('closed'),
    })
    .prefault({}),
  /** What a certificate signing request must carry (seed: "Country, Organisation and Common Name must be populated"). */
  csr: z
    .strictObject({
      requiredSubjectAttributes: z.array(z.enum(['C', 'ST', 'L', 'O', 'OU', 'CN', 'E'])).default(['CN']),
      /** The CN must equal the host name given to lint with --host (seed: "CN must exactly match the hostname used"). */
      cnMustEqualHost: z.boolean().default(false),
    })
    .prefault({}),
  rejection: z
    .strictObject({
      /** HTTP statuses that count as the target refusing the client (nginx answers 400 for a bad certificate). */
      httpStatuses: z.array(z.number().int().min(100).max(599)).default([400, 401, 403, 495, 496]),
      /** gRPC statuses that count as the target refusing the client: 16 UNAUTHENTICATED, 7 PERMISSION_DENIED (as HTTP 401/403). */
      grpcStatuses: z.array(z.number().int().min(0).max(16)).default([16, 7]),
    })
    .prefault({}),
  cases: z
    .strictObject({
      severity: z.record(z.string().max(200), z.enum(['required', 'recommended', 'info'])).default({}),
      waive: z.record(z.string().max(200), freeText(1024).min(1)).default({}),
    })
    .prefault({}),
});

export type Profile = z.infer<typeof profileSchema>;
export type CertificatePolicy = z.infer<typeof certificatePolicy>;
