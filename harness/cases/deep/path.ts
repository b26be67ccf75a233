import type { Role } from '../../model.js';
import type { CaseEntry } from '../define.js';
import { cas, entry, holder, must, should, type Family } from './kit.js';

/**
 * path: the shape of the chain (RFC 5280 §6.1): depth, anchor, issuers that are not CAs, what the
 * peer leaves off or adds. limbo rfc5280::chain-untrusted-root, rfc5280::intermediate-ca-*,
 * rfc5280::root-and-intermediate-swapped; RFC 8446 §4.4.2 for order and extra certificates.
 */
const path: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const untrusted = 'untrusted-ca' as const;
  const out: CaseEntry[] = [];
  for (const n of [0, 1, 2, 3, 4]) {
    out.push(
      entry({
        name: `depth-${n}-valid`,
        title: `A valid ${h} with ${n} intermediate${n === 1 ? '' : 's'} under the trusted CA is accepted`,
        chain: { intermediates: cas(n) },
        refs: ['RFC 5280 §6.1', 'limbo rfc5280::pathlen::*'],
        policy: must('accept', `Every certificate is valid and each issues the next; ${n} intermediates is within every pathLenConstraint (set to exactly what is below).`),
      }),
    );
  }
  for (const n of [0, 1, 2]) {
    out.push(
      entry({
        name: `untrusted-root-depth-${n}`,
        title: `A ${h} with ${n} intermediate${n === 1 ? '' : 's'} under a CA the target does not trust is refused`,
        chain: { anchor: untrusted, intermediates: cas(n) },
        refs: ['RFC 5280 §6.1', 'limbo rfc5280::chain-untrusted-root'],
        policy: must('reject', 'The path ends at a self-signed CA that is not a trust anchor of the target.'),
      }),
    );
  }
  out.push(
    entry({
      name: 'self-signed-leaf',
      title: `A self-signed ${h} is refused`,
      chain: { anchor: 'self' },
      refs: ['RFC 5280 §6.1', 'limbo rfc5280::self-signed-leaf'],
      policy: must('reject', 'A self-signed leaf chains to no trust anchor.'),
    }),
    entry({
      name: 'issuer-ca-false',
      title: `A ${h} issued by a certificate with cA=FALSE is refused`,
      chain: { intermediates: [{ ca: false, pathLength: undefined, keyCertSign: true }] },
      refs: ['RFC 5280 §6.1.4 (k)', 'limbo rfc5280::intermediate-ca-without-ca-bit'],
      policy: must('reject', 'basicConstraints cA is FALSE: the issuer is not a CA (RFC 5280 §6.1.4 (k)).'),
    }),
    entry({
      name: 'issuer-no-basic-constraints',
      title: `A ${h} issued by a certificate without basicConstraints is refused`,
      chain: { intermediates: [{ ca: null, pathLength: undefined, keyCertSign: true }] },
      refs: ['RFC 5280 §6.1.4 (k)', 'limbo rfc5280::intermediate-ca-missing-basic-constraints'],
      policy: must('reject', 'Without basicConstraints the issuer is not a CA (RFC 5280 §6.1.4 (k)), whatever keyUsage says.'),
    }),
    entry({
      name: 'issuer-is-leaf',
      title: `A ${h} issued by another end-entity certificate (no keyCertSign, cA=FALSE) is refused`,
      chain: { intermediates: [{ ca: false, pathLength: undefined }] },
      refs: ['RFC 5280 §6.1.4 (k)', 'RFC 5280 §6.1.4 (n)'],
      policy: must('reject', 'The issuer is an end entity: neither cA nor keyCertSign.'),
    }),
  );
  for (const [n, omit] of [
    [1, [1]],
    [2, [1]],
    [2, [2]],
    [2, [1, 2]],
  ] as const) {
    out.push(
      entry({
        name: `missing-intermediate-${n}-omit-${omit.join('-')}`,
        title: `A ${h} under ${n} intermediates is refused when intermediate ${omit.join(' and ')} is not sent`,
        chain: { intermediates: cas(n), send: { omit: [...omit] } },
        refs: ['RFC 5280 §6.1', 'RFC 8446 §4.4.2'],
        policy: must('reject', 'The target holds only the root; without the missing intermediate no path reaches it (a validator that fetches issuers by AIA has no URL here either).'),
      }),
    );
  }
  for (const n of [0, 1, 2]) {
    out.push(
      entry({
        name: `root-included-depth-${n}`,
        title: `A valid ${h} with ${n} intermediates sent with the trusted root is accepted`,
        chain: { intermediates: cas(n), send: { root: true } },
        refs: ['RFC 8446 §4.4.2', 'limbo rfc5280::root-and-intermediate-swapped'],
        policy: should('accept', 'RFC 8446 §4.4.2 allows the sender to include the trust anchor; the receiver ignores it and finds its own.'),
      }),
    );
  }
  for (const n of [2, 3, 4]) {
    out.push(
      entry({
        name: `reversed-order-${n}`,
        title: `A valid ${h} whose ${n} intermediates are sent top first is accepted`,
        chain: { intermediates: cas(n), send: { intermediates: 'reversed' } },
        refs: ['RFC 8446 §4.4.2', 'limbo rfc5280::root-and-intermediate-swapped'],
        policy: should('accept', 'RFC 8446 §4.4.2: receivers SHOULD be prepared to handle certificates in any order but the leaf first.'),
      }),
    );
  }
  out.push(
    entry({
      name: 'root-first',
      title: `A valid ${h} sent as leaf, root, then intermediates is accepted`,
      chain: { intermediates: cas(2), send: { list: [role === 'server' ? 'client-ca' : 'server-ca', 'i1', 'i2'] } },
      refs: ['RFC 8446 §4.4.2'],
      policy: should('accept', 'Any order after the leaf is allowed (RFC 8446 §4.4.2); the root is redundant.'),
    }),
    entry({
      name: 'extra-unrelated',
      title: `A valid ${h} followed by an unrelated CA certificate is accepted`,
      chain: { intermediates: cas(1), send: { extra: ['untrusted-ca'] } },
      refs: ['RFC 8446 §4.4.2'],
      policy: should('accept', 'RFC 8446 §4.4.2: a receiver should ignore certificates it does not need for the path.'),
    }),
    entry({
      name: 'duplicate-intermediate',
      title: `A valid ${h} whose intermediate is sent twice is accepted`,
      chain: { intermediates: cas(1), send: { list: ['i1', 'i1'] } },
      refs: ['RFC 8446 §4.4.2'],
      policy: should('accept', 'A repeated certificate adds nothing and takes nothing away from the path.'),
    }),
    entry({
      name: 'leaf-twice',
      title: `A valid ${h} sent twice before its intermediate is accepted`,
      chain: { intermediates: cas(1), send: { leafTwice: true } },
      refs: ['RFC 8446 §4.4.2'],
      policy: should('accept', 'The leaf again after itself is an unneeded certificate, which RFC 8446 §4.4.2 lets a receiver ignore.'),
    }),
  );
  return out;
};
export default path;
