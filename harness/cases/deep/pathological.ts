import type { CertVariation, OtherCert } from '../../../certs/chain-spec.js';
import type { San } from '../../../certs/spec.js';
import type { Role } from '../../model.js';
import { required, type CaseEntry } from '../define.js';
import { cas, entry, holder, LOOPBACK, type Family } from './kit.js';

/**
 * pathological: chains that cost a validator work (limbo pathological::*, tagged
 * denial-of-service). What is required is that the target answers, accepts or refuses, within the
 * bound (--timeout): silence fails the case (harness/judge.ts judgeAnswerWithin). Whether it
 * accepts is information (limbo: accept/reject varies by implementation), shown in the reason.
 */
const pathological: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const anchor = role === 'server' ? 'client-ca' : 'server-ca';
  const dos = (expect: 'accept' | 'reject', why: string) => () => ({
    ...required(expect, `${why} Denial of service: required is an answer, acceptance or refusal, within the bound (--timeout); a target that gives neither fails. Which answer it gives is information (the reference expectation: ${expect}).`),
    answerWithin: true,
  });
  const refs = (id: string) => ['limbo pathological::' + id, 'RFC 5280 §6.1'];
  const out: CaseEntry[] = [];
  for (const n of [12, 24]) {
    out.push(entry({ name: `long-chain-${n}`, title: `A ${h} under ${n} intermediates`, chain: { intermediates: cas(n) }, refs: refs('long-chain'), policy: dos('accept', `RFC 5280 sets no depth limit; ${n} intermediates exceed common defaults (nginx ssl_verify_depth 1, OpenSSL 100).`) }));
  }
  // Many candidate issuers: same subject, distinct keys, only the last is the real one.
  const candidates: OtherCert[] = Array.from({ length: 40 }, (_, i) => ({ id: `decoy-${i + 1}`, issuer: anchor, cert: { subject: `CN=mtls-conformance ${role} candidate issuer, O=mtls-conformance`, pathLength: 0 } }));
  out.push(
    entry({
      name: 'same-subject-40-candidates',
      title: `A ${h} sent with 40 issuers of the same subject and different keys, the real one last`,
      chain: { others: candidates, leafIssuer: 'decoy-40', send: { list: candidates.map((c) => c.id) } },
      refs: refs('multiple-chains-same-subject-different-keys'),
      policy: dos('accept', 'Only the last candidate verifies the leaf; a validator tries each.'),
    }),
  );
  // A cycle of two CAs certifying each other, none trusted.
  const cycle: OtherCert[] = [
    { id: 'x', issuer: 'untrusted-ca', cert: { subject: `CN=mtls-conformance ${role} cycle X, O=mtls-conformance`, pathLength: undefined } },
    { id: 'y', issuer: 'x', cert: { subject: `CN=mtls-conformance ${role} cycle Y, O=mtls-conformance`, pathLength: undefined } },
    { id: 'x-by-y', issuer: 'y', cert: { subject: `CN=mtls-conformance ${role} cycle X, O=mtls-conformance`, pathLength: undefined, keyOf: 'x' } },
  ];
  out.push(entry({ name: 'issuer-cycle', title: `A ${h} whose CAs certify each other in a cycle that reaches no trusted root`, chain: { others: cycle, leafIssuer: 'x', send: { list: ['x-by-y', 'y'] } }, refs: refs('intermediate-cycle-distinct-cas'), policy: dos('reject', 'The cycle reaches no trust anchor: a validator must stop.') }));
  out.push(entry({ name: 'unrooted-30', title: `A ${h} under 30 intermediates ending at an untrusted root`, chain: { anchor: 'untrusted-ca', intermediates: cas(30) }, refs: refs('unrooted-chain-distinct-subjects'), policy: dos('reject', 'No path reaches a trusted root.') }));
  // Name constraints × names: validators compare each name with each subtree.
  for (const [n, m] of [
    [256, 256],
    [1024, 64],
    [64, 1024],
  ] as const) {
    const sans: San[] = [...(role === 'client' ? [LOOPBACK] : []), ...Array.from({ length: m }, (_, i) => ({ type: 'dns', value: `n${i}.mtls-conformance.localhost` }) as San)];
    const nc: CertVariation = { nameConstraints: { permittedDns: ['mtls-conformance.localhost'], excludedDns: Array.from({ length: n }, (_, i) => `x${i}.other.invalid`), ...(role === 'client' ? { permittedIps: ['127.0.0.0/8'] } : {}) } };
    out.push(entry({ name: `nc-${n}-subtrees-${m}-names`, title: `A ${h} with ${m} DNS names under a CA with ${n} excluded subtrees`, chain: { intermediates: cas(1, { 1: nc }), leaf: { sans } }, refs: refs('nc-dos-1'), policy: dos('accept', `Every name is permitted and none excluded; ${n * m} comparisons.`) }));
  }
  out.push(
    entry({
      name: 'large-certificate',
      title: `A ${h} of about 48 KiB (1,500 SANs)`,
      chain: { intermediates: cas(1), leaf: { sans: [...(role === 'client' ? [LOOPBACK] : []), ...Array.from({ length: 1500 }, (_, i) => ({ type: 'dns', value: `long-name-number-${i}.mtls-conformance.localhost` }) as San)] } },
      refs: ['RFC 8446 §4.4.2', 'limbo pathological::*'],
      policy: dos('accept', 'A certificate larger than many stacks expect (RFC 8446 allows 2^24-1 bytes per certificate).'),
    }),
  );
  return out;
};
export default pathological;
