import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';

/** True when the certificate's public key is the public half of the private key. */
export function keyMatchesCert(certPem: string, keyPem: string): boolean {
  const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return Buffer.compare(fromCert, fromKey) === 0;
}
