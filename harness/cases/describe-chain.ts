import { defaultAnchor, INTERMEDIATE_DEFAULTS, type CertSide, type CertVariation, type ChainSpec } from '../../certs/chain-spec.js';

/** A chain spec in one line of prose, for docs/cases.md: what it varies, and what the peer sends. Pure. */

function variation(v: CertVariation | undefined, skip: CertVariation = {}): string {
  const parts = Object.entries(v ?? {})
    .filter(([k, val]) => JSON.stringify((skip as Record<string, unknown>)[k]) !== JSON.stringify(val))
    .map(([k, val]) => `${k} ${typeof val === 'string' ? val : JSON.stringify(val)}`);
  return parts.join(', ');
}

export function describeChain(chain: ChainSpec | null, side: CertSide): string {
  if (chain === null) return 'no certificate';
  const anchor = chain.anchor ?? defaultAnchor(side);
  const leaf = variation(chain.leaf);
  const parts = [`${side} leaf${leaf ? ` with ${leaf}` : ' (defaults)'}`];
  if (anchor === 'self') parts.push('self-signed');
  else {
    const inters = (chain.intermediates ?? []).map((i, n) => (typeof i === 'string' ? i : `inline intermediate ${n + 1}${variation(i, INTERMEDIATE_DEFAULTS) ? ` (${variation(i, INTERMEDIATE_DEFAULTS)})` : ''}`));
    parts.push(inters.length ? `issued through ${inters.join(' → ')} under ${anchor}` : `issued by ${anchor}`);
  }
  const send = chain.send ?? {};
  const sent = [
    send.intermediates === 'none' ? 'the leaf alone' : send.intermediates === 'reversed' ? 'the intermediates in reverse order' : (chain.intermediates ?? []).length ? 'leaf and intermediates' : 'the leaf',
    ...(send.root ? ['the root'] : []),
    ...(send.extra ?? []).map((e) => `extra ${e}`),
  ];
  parts.push(`sends ${sent.join(', ')}`);
  return parts.join('; ');
}
