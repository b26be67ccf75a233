import { area, info, required } from '../define.js';

/** server/session: what the target announces about session resumption. */

export default area('server', 'session', [
  {
    name: 'ticket-lifetime',
    title: "The session ticket lifetime the target announces is within the profile's maximum",
    probe: { kind: 'session-lifetime' },
    property: 'session-lifetime',
    refs: ['RFC 8446 §4.6.1', 'RFC 5077 §3.3', 'profile tls.maxSessionLifetimeSeconds'],
    policy: (p) =>
      p.tls.maxSessionLifetimeSeconds === null
        ? info('property', 'The profile sets no maximum session lifetime (tls.maxSessionLifetimeSeconds): the lifetime the target announces is reported, not judged.')
        : required(
            'property',
            `Sessions may live at most ${p.tls.maxSessionLifetimeSeconds} s: the lifetime announced with TLS 1.3 and TLS 1.2 tickets must not exceed it, and with --slow a session offered again ${p.tls.maxSessionLifetimeSeconds} s later must not be resumed.`,
          ),
  },
]);
