import { caseChains } from '../cases/catalogue.js';
import { resolve } from 'node:path';
import { startServerMatrix, type MatrixConnection, type MatrixServer } from '../peers/server-matrix.js';
import { loadProfile } from '../profile/load.js';
import { defaultCertsDir } from '../../certs/default-dir.js';
import { prepareCerts } from '../../certs/prepare-certs.js';

/**
 * `conformance serve`: the whole client-side server matrix at once, for trying a client by hand
 * or from its own test suite. Prints where each server listens and what a correct client does
 * there, then one line per connection until SIGINT/SIGTERM.
 *
 * With --json the first stdout line is one JSON document (the servers and the files a client
 * needs), and every later line is one JSON object per connection, so a program can read both.
 */

export interface ServeFlags {
  profile: string;
  certs?: string;
  json?: boolean;
}

/** First clause of a rationale, for one table cell: up to the first `;` or end of sentence, to follow a colon. */
export function shortRationale(rationale: string): string {
  const clause = rationale.split(/;|\.(?:\s|$)/)[0]!.trim();
  // "The validity…" reads as "the validity…" after a colon; "RSA-1024…", "SHA-1…", "RFC…" stay.
  return /^[A-Z][a-z]/.test(clause) ? clause[0]!.toLowerCase() + clause.slice(1) : clause;
}

/** What a correct client does at one server, for the table. */
export function correctBehaviour(s: Pick<MatrixServer, 'expect' | 'rationale'>): string {
  return s.expect === 'accept' ? 'connect and send a request' : `refuse: ${shortRationale(s.rationale)}`;
}

/** One human line per connection: `<time> <id> request "GET / HTTP/1.1" → correct`. */
export function formatConnection(e: MatrixConnection): string {
  const seen =
    e.outcome === 'request'
      ? `request ${JSON.stringify(e.request ?? '')}`
      : e.outcome === 'alert'
        ? `alert ${e.alert!.code} ${e.alert!.name}`
        : `closed ${e.tlsVersion ? 'after the handshake' : 'during the handshake'}, no request`;
  return `${e.at} ${e.id} ${seen} → ${e.judgement === 'correct' ? 'correct' : `WRONG: ${e.reason}`}`;
}

function formatTable(servers: MatrixServer[]): string {
  const idW = Math.max(...servers.map((s) => s.id.length), 'case'.length);
  const urlW = Math.max(...servers.map((s) => s.url.length), 'url'.length);
  const rows = servers.map((s) => `${s.id.padEnd(idW)}  ${s.url.padEnd(urlW)}  ${correctBehaviour(s)}`);
  return [`${'case'.padEnd(idW)}  ${'url'.padEnd(urlW)}  a correct client`, ...rows].join('\n');
}

export async function serveCommand(flags: ServeFlags): Promise<number> {
  // Listen for the stop signal from the start: a Ctrl-C while certificates generate still ends cleanly.
  let stop!: (s: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((res) => (stop = res));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await serve(flags, stopped);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function serve(flags: ServeFlags, stopped: Promise<NodeJS.Signals>): Promise<number> {
  const loaded = loadProfile(flags.profile);
  const store = await prepareCerts(resolve(flags.certs ?? defaultCertsDir()), loaded.profile, caseChains());
  const out = (line: string) => process.stdout.write(line + '\n');
  const matrix = await startServerMatrix({
    profile: loaded.profile,
    store,
    onConnection: (e) => out(flags.json ? JSON.stringify({ event: 'connection', ...e }) : formatConnection(e)),
  });

  if (flags.json) {
    out(
      JSON.stringify({
        profile: loaded.profile.name,
        servers: matrix.servers.map((s) => ({ id: s.id, url: s.url, expect: s.expect, rationale: s.rationale, ...(s.crlFile ? { crlFile: s.crlFile } : {}) })),
        caFile: matrix.caFile,
        crlFile: matrix.crlFile,
        clientCertFile: matrix.clientCertFile,
        clientKeyFile: matrix.clientKeyFile,
      }),
    );
  } else {
    out(`Serving ${matrix.servers.length} reference servers on 127.0.0.1 under profile ${loaded.profile.name}. Stop with Ctrl-C.`);
    out(`The client trusts ${matrix.caFile}${matrix.clientCertFile ? ` and presents ${matrix.clientCertFile} (key ${matrix.clientKeyFile})` : ''}.`);
    if (matrix.crlFile) out(`A client that checks revocation loads ${matrix.crlFile} (client/server-auth/revoked).`);
    // A case with revocation material of its own (a stale CRL no shared bundle holds) names its file, as a run hands it as {crl}.
    for (const s of matrix.servers) if (s.crlFile && s.crlFile !== matrix.crlFile) out(`At ${s.id} it loads ${s.crlFile} instead (that case's own CRL file).`);
    out('');
    out(formatTable(matrix.servers));
    out('');
  }

  const signal = await stopped;
  await matrix.close();
  if (!flags.json) out(`${signal}: closed ${matrix.servers.length} servers.`);
  return 0;
}
