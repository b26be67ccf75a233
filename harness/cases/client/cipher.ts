import { area, recommended } from '../define.js';

/** client/cipher: the suites the client offers, read from its ClientHello by the positive control's server. */

export default area('client', 'cipher', [
  {
    name: 'offered-suites',
    title: "The client offers only cipher suites in the profile's allowlists",
    probe: { kind: 'control' },
    property: 'offered-suites',
    refs: ['RFC 9325 §4.2', 'RFC 8446 §4.1.2', 'profile tls.ciphers12', 'profile tls.ciphers13'],
    policy: (p) =>
      recommended(
        'property',
        `Allowed: ${[...p.tls.ciphers13, ...p.tls.ciphers12].join(', ')}. A partner server picks from its own list, so offering more does not break a connection, but the client then supports suites the policy excludes; GREASE values and signalling suites (SCSVs) are not counted.`,
      ),
  },
]);
