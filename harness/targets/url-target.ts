import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HarnessError, UsageError, quote } from '../errors.js';
import { probeHandshake } from '../probes/handshake-probe.js';
import { buildClientHello, probeHello } from '../probes/raw-hello.js';
import { startedTarget, type StartedServerTarget, type Target } from './target.js';

/**
 * `--target https://host:port` or `tls://host:port`: a server that runs already. Nothing to start
 * or stop; a preflight handshake checks, before any case runs, that it resolves, listens and
 * speaks TLS.
 */

export interface UrlSpec {
  url: string;
  host: string;
  port: number;
  protocol: 'https' | 'tls';
}

/** The URL as the user wrote it, checked: refused (exit 2) before any file is read or certificate made. */
export function parseTargetUrl(input: string): UrlSpec {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError('target-invalid', `--target ${quote(input)} is not a URL the harness can probe. Use https://host:port (or tls://host:port for a non-HTTP service).`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'https' && scheme !== 'tls') {
    const hint = scheme === 'http' ? ' Plain http cannot carry mutual TLS.' : '';
    throw new UsageError('target-invalid', `--target ${quote(input)} is not a URL the harness can probe: unknown scheme ${quote(scheme)}.${hint} Use https://host:port.`);
  }
  if (!url.hostname) throw new UsageError('target-invalid', `--target ${quote(input)} has no host. Use https://host:port.`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search) {
    // The harness probes host:port; the request path is --http-path, so a path here would be dropped.
    throw new UsageError('target-has-path', `--target ${quote(input)} has a path (${quote(url.pathname + url.search)}); the harness probes the host and port and requests --http-path. Pass --target ${scheme}://${url.host} --http-path ${url.pathname + url.search}.`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : 443;
  // Port 0 means "any free port" to a listener; no server can be reached there (RFC 6335 §6: reserved).
  if (port === 0) throw new UsageError('target-invalid', `--target ${quote(input)} names port 0, which no server listens on. Pass the port the target listens on, e.g. https://${url.hostname}:8443.`);
  return { url: input, host, port, protocol: scheme === 'tls' ? 'tls' : 'https' };
}

export function urlTarget(input: string): Target {
  const spec = parseTargetUrl(input);
  return {
    role: 'server',
    source: `--target ${quote(input)}`,
    async start(ctx) {
      const endpoint = { host: spec.host, port: spec.port, servername: ctx.servername ?? spec.host, url: spec.url };
      await preflight(endpoint, ctx.timeoutMs);
      return startedTarget<StartedServerTarget>({ role: 'server', endpoint, report: { kind: 'url', url: spec.url }, protocol: ctx.protocol ?? spec.protocol, timeoutMs: ctx.timeoutMs, warnings: [] });
    },
  };
}

/**
 * Check, before any case runs, that the target resolves, listens and speaks TLS, so the user gets
 * one line about the real problem instead of twenty inconclusive cases.
 */
export async function preflight(target: { host: string; port: number; url: string }, timeoutMs: number): Promise<void> {
  if (!isIP(target.host)) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const answer = await Promise.race([lookup(target.host), timedOut]);
      if (answer === 'timeout') throw Object.assign(new Error('lookup timed out'), { code: `no answer within ${timeoutMs} ms` });
    } catch (err) {
      throw new HarnessError('target-unresolvable', `target host ${quote(target.host)} does not resolve (${(err as NodeJS.ErrnoException).code}). Check the name in --target ${quote(target.url)}.`);
    } finally {
      clearTimeout(timer);
    }
  }
  const obs = await tlsAnswer(target.host, target.port, timeoutMs);
  if (obs.outcome === 'timeout') {
    throw new HarnessError('target-timeout', `target ${quote(target.url)} gave no TLS answer within ${timeoutMs} ms. Check that it is a TLS port, or raise --timeout.`);
  }
  if ((obs.outcome === 'closed-no-data' || obs.outcome === 'tcp-reset') && !/after the handshake/.test(obs.detail)) {
    // A TLS server answers a ClientHello before it judges anything (its ServerHello comes first);
    // a port that accepts and closes without one byte is not a TLS service, and no case could mean anything.
    const raw = await rawAnswer(target.host, target.port, timeoutMs);
    if (raw && (raw.kind === 'closed' || raw.kind === 'reset') && raw.bytesReceived === 0) {
      throw new HarnessError(
        'target-not-tls',
        `${target.host}:${target.port} accepts connections but ${raw.kind === 'reset' ? 'resets' : 'closes'} them without a TLS answer (not one byte to a ClientHello) for --target ${quote(target.url)}. Point --target at the TLS port, or check what listens there.`,
      );
    }
    return;
  }
  if (obs.outcome !== 'harness-error') return;
  if (/ECONNREFUSED/.test(obs.detail)) {
    throw new HarnessError('target-unreachable', `nothing listens on ${target.host}:${target.port} (connection refused) for --target ${quote(target.url)}. Start the server or fix the port.`);
  }
  if (/ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE|UNEXPECTED_EOF|HTTP_REQUEST)|wrong version number|packet length too long/i.test(obs.detail)) {
    throw new HarnessError('target-not-tls', `${target.host}:${target.port} answers, but not with TLS (plain HTTP?) for --target ${quote(target.url)}. Point --target at the TLS port.`);
  }
  if (/^ERR_SSL_|^the target sent malformed TLS/.test(obs.detail)) {
    // The host answered, in TLS's framing but against its rules: say what it sent, once, plainly.
    const what = await describeMalformedTls(target.host, target.port, obs.detail, timeoutMs);
    throw new HarnessError('target-malformed-tls', `${target.host}:${target.port} answers, but ${what}; refused. The target (or something in front of it) does not speak TLS correctly: check --target ${quote(target.url)}.`);
  }
  if (/^(ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|ECONNABORTED)\b/.test(obs.detail)) {
    throw new HarnessError('target-unreachable', `cannot reach --target ${quote(target.url)} (${obs.detail.split(':')[0]}). Check the host and port.`);
  }
  throw new HarnessError('target-unreachable', `cannot reach --target ${quote(target.url)}: ${oneLine(obs.detail)}. Check the host and port.`);
}

function oneLine(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

/**
 * One sentence for TLS that OpenSSL refused: a raw ClientHello (harness/probes/raw-hello.ts, bounded
 * in bytes and time) reads what the target sends, so the sentence can say "a TLS record of 64 KB",
 * not OpenSSL's error string.
 */
export async function describeMalformedTls(host: string, port: number, opensslDetail: string, timeoutMs: number): Promise<string> {
  // OpenSSL's code leads the detail, or closes a probe's own sentence ("... (ERR_SSL_...)").
  const code = /\b(ERR_SSL_[A-Z0-9_]+)/.exec(opensslDetail)?.[1] ?? '';
  let raw: Awaited<ReturnType<typeof probeHello>> | null = null;
  try {
    raw = await probeHello({ host, port, hello: buildClientHello({ version: 'TLSv1.3', suites: [0x1301, 0x1302, 0x1303], servername: isIP(host) ? undefined : host }), timeoutMs: Math.min(timeoutMs, 3000) });
  } catch {
    raw = null;
  }
  const m = raw?.kind === 'malformed' ? raw.detail : '';
  const record = /record of type (\d+) claims (\d+) bytes/.exec(m);
  if (record) return `the target sent a TLS record of ${size(Number(record[2]))} (TLS allows at most ${size(2 ** 14 + 2048)}, RFC 8446 §5.1)`;
  const hello = /ServerHello claims (\d+) bytes/.exec(m);
  if (hello) return `the target announced a ServerHello of ${size(Number(hello[1]))}`;
  if (/EXCESSIVE_MESSAGE_SIZE/.test(code)) return 'the target sent a handshake message larger than a TLS client accepts (a certificate chain over 100 KB, or a forged length)';
  if (/DATA_LENGTH_TOO_LONG|PACKET_LENGTH_TOO_LONG|RECORD_OVERFLOW|ENCRYPTED_LENGTH_TOO_LONG/.test(code)) return 'the target sent a TLS record longer than TLS allows (RFC 8446 §5.1)';
  if (m) return `the target sent malformed TLS (${oneLine(m, 160)})`;
  const reason = /:([a-z][a-z0-9 ]+):[^:]*:\d+:?$/m.exec(opensslDetail.trim())?.[1];
  return `the target broke the TLS handshake (${code}${reason ? `: ${reason}` : ''})`;
}

async function rawAnswer(host: string, port: number, timeoutMs: number) {
  try {
    return await probeHello({ host, port, hello: buildClientHello({ version: 'TLSv1.3', suites: [0x1301, 0x1302, 0x1303], servername: isIP(host) ? undefined : host }), timeoutMs: Math.min(timeoutMs, 3000) });
  } catch {
    return null;
  }
}

/** One handshake attempt with no client certificate, any version: does something answer TLS here? */
export function tlsAnswer(host: string, port: number, timeoutMs: number) {
  return probeHandshake({
    host,
    port,
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.3',
    legacy: true,
    protocol: 'tls',
    httpPath: '/',
    httpMethod: 'GET',
    timeoutMs,
    readWindowMs: 1,
  });
}
