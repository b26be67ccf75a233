import type { CertVariation } from '../../../certs/chain-spec.js';
import type { Role } from '../../model.js';
import type { CaseEntry } from '../define.js';
import { entry, holder, must, note, type Family } from './kit.js';

/**
 * path-length: pathLenConstraint (RFC 5280 §4.2.1.9, §6.1.4 (l)(m)): met, exceeded, a lower CA
 * that claims more, self-issued CAs not counted, a leaf's pathLen ignored. limbo pathlen::*.
 */
const pathLength: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const out: CaseEntry[] = [];
  const chainOf = (top: number | undefined, below: number): CertVariation[] => [
    { pathLength: top },
    ...Array.from({ length: below }, () => ({ pathLength: undefined }) as CertVariation),
  ];
  for (const top of [0, 1, 2]) {
    out.push(
      entry({
        name: `pathlen-${top}-met`,
        title: `A ${h} with exactly ${top} CA${top === 1 ? '' : 's'} below an intermediate of pathLen ${top} is accepted`,
        chain: { intermediates: chainOf(top, top) },
        refs: ['RFC 5280 §6.1.4 (l)', 'RFC 5280 §6.1.4 (m)', `limbo pathlen::intermediate-pathlen-${top}`],
        policy: must('accept', `pathLenConstraint ${top} allows ${top} non-self-issued CAs below; there are ${top}.`),
      }),
      entry({
        name: `pathlen-${top}-exceeded`,
        title: `A ${h} with ${top + 1} CAs below an intermediate of pathLen ${top} is refused`,
        chain: { intermediates: chainOf(top, top + 1) },
        refs: ['RFC 5280 §6.1.4 (l)', 'RFC 5280 §6.1.4 (m)', 'limbo pathlen::intermediate-violates-pathlen-0'],
        policy: must('reject', `pathLenConstraint ${top} allows ${top} CAs below it; there are ${top + 1} (RFC 5280 §6.1.4 (l)).`),
      }),
    );
  }
  out.push(
    entry({
      name: 'lower-ca-claims-more',
      title: `A ${h} two CAs below a pathLen 1 intermediate whose child claims pathLen 5 is refused`,
      chain: { intermediates: [{ pathLength: 1 }, { pathLength: 5 }, { pathLength: undefined }] },
      refs: ['RFC 5280 §6.1.4 (m)', 'limbo pathlen::may-increase'],
      policy: must('reject', 'RFC 5280 §6.1.4 (m): max_path_length only decreases; a lower CA cannot widen what its issuer allowed.'),
    }),
    entry({
      name: 'lower-ca-claims-more-within',
      title: `A ${h} one CA below a pathLen 1 intermediate whose child claims pathLen 5 is accepted`,
      chain: { intermediates: [{ pathLength: 1 }, { pathLength: 5 }] },
      refs: ['RFC 5280 §6.1.4 (m)', 'limbo pathlen::may-increase'],
      policy: must('accept', 'The larger pathLen below does not matter while the path stays within the top one.'),
    }),
    entry({
      name: 'unlimited-four',
      title: `A ${h} under four intermediates without pathLenConstraint is accepted`,
      chain: { intermediates: [{ pathLength: undefined }, { pathLength: undefined }, { pathLength: undefined }, { pathLength: undefined }] },
      refs: ['RFC 5280 §4.2.1.9'],
      policy: must('accept', 'Without pathLenConstraint the path length is not limited.'),
    }),
    entry({
      name: 'self-issued-not-counted',
      title: `A ${h} under a pathLen 0 CA and a self-issued CA (same name, new key) below it is accepted`,
      chain: {
        intermediates: [
          { pathLength: 0, subject: `CN=mtls-conformance ${role} self-issued pathlen CA, O=mtls-conformance` },
          { pathLength: 0, subject: `CN=mtls-conformance ${role} self-issued pathlen CA, O=mtls-conformance` },
        ],
      },
      refs: ['RFC 5280 §6.1.4 (l)', 'RFC 5280 §3.2 (self-issued)', 'limbo pathlen::self-issued-certs-pathlen'],
      policy: note('accept', 'RFC 5280 §6.1.4 (l): a self-issued certificate (key rollover) does not count against pathLenConstraint; many validators count it anyway.'),
    }),
    entry({
      name: 'leaf-pathlen-ignored',
      title: `A ${h} carrying pathLenConstraint 0 on the leaf is accepted`,
      chain: { intermediates: [{ pathLength: 0 }], leaf: { pathLength: 0, ca: false } },
      refs: ['RFC 5280 §4.2.1.9', 'limbo pathlen::ee-with-intermediate-pathlen-0'],
      policy: note('accept', 'pathLenConstraint is meaningful only with cA=TRUE; on a leaf it is an encoding defect (RFC 5280 §4.2.1.9 "CAs MUST NOT include" it otherwise).'),
    }),
  );
  return out;
};
export default pathLength;
