import { X509Certificate } from 'node:crypto';

/**
 * Does the chain a server sent lead from its leaf to a trust anchor, using only what it sent?
 * Pure: certificates in, a fact out. RFC 8446 §4.4.2 / RFC 5246 §7.4.2: the sender provides the
 * chain; a trust anchor may be omitted, an intermediate may not.
 */
export function chainCompleteness(sentPems: string[], anchorPems: string[]): { complete: boolean; sent: number; detail: string } {
  const sent = sentPems.map((p) => new X509Certificate(p));
  // Trust anchors are the roots of the bundle: an intermediate in a CA bundle is a local copy,
  // exactly what a server that omits it gets away with on a lenient client.
  const anchors = anchorPems.map((p) => new X509Certificate(p)).filter((c) => c.issuer === c.subject && c.checkIssued(c));
  const leaf = sent[0];
  if (!leaf) return { complete: false, sent: 0, detail: 'the server sent no certificate' };
  const issuedBy = (child: X509Certificate, parent: X509Certificate) => child.issuer === parent.subject && child.checkIssued(parent) && child.verify(parent.publicKey);
  let current = leaf;
  const used = new Set<X509Certificate>([leaf]);
  for (let depth = 0; depth < 10; depth++) {
    if (anchors.some((a) => issuedBy(current, a) || a.fingerprint256 === current.fingerprint256)) {
      return { complete: true, sent: sent.length, detail: `${sent.length} certificate${sent.length > 1 ? 's' : ''} sent; the chain reaches a trusted root` };
    }
    const next = sent.find((c) => !used.has(c) && issuedBy(current, c));
    if (!next) {
      const selfSigned = current.issuer === current.subject;
      return {
        complete: false,
        sent: sent.length,
        detail: selfSigned
          ? `the chain ends at a self-signed certificate that is not a trust anchor (${current.subject.replace(/\n/g, ', ')})`
          : `the server does not send the issuer of "${current.subject.replace(/\n/g, ', ')}" (issuer "${current.issuer.replace(/\n/g, ', ')}"), and it is not a trust anchor`,
      };
    }
    used.add(next);
    current = next;
  }
  return { complete: false, sent: sent.length, detail: 'the sent chain is longer than 10 certificates' };
}
