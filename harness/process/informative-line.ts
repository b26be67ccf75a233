/**
 * The line of a program's stderr worth quoting in one line of a report: not the last line, which
 * is often boilerplate (`Node.js v24.21.0` after an uncaught error; curl's "please visit the web
 * page mentioned above"), but the line that says what went wrong (the OpenSSL error, curl's
 * "SSL certificate problem", Node's `Error: ...`). Pure.
 */

/** Lines that never explain a failure: runtime banners, pointers to documentation, stack frames, error-object dumps. */
const BOILERPLATE: readonly RegExp[] = [
  /^Node\.js v\d/,
  /^at\s/, // a stack frame
  /^\^+$/, // the caret under a source line
  /^throw\s+\w+;?$/,
  /^node:[\w/]+:\d+$/, // the source position Node prints above an uncaught error
  /^file:\/\/\S+:\d+$/,
  /^\/\S+:\d+$/,
  /^[{}[\]],?$/,
  /^\.\.\.( \d+ more)?/,
  /^More details here: https?:\/\//i,
  /please visit the web page mentioned above/i,
  /^curl failed to verify the legitimacy of the server/i,
  /^establish a secure connection to it\./i,
  /^how to fix it, please visit/i,
  /^\(Use `node --trace-\w+/,
];

/** What the words of an informative line are about; a line scores one point per group it names. */
const SIGNALS: readonly RegExp[] = [
  /\berr(or)?\b|\bfail(ed|ure)?\b|\bE[A-Z]{3,}\b/i,
  /verif/i,
  /certificate|\bcert\b|issuer|self[- ]signed|expired|revoked|unknown ca|\bCA\b/i,
  /alert|handshake/i,
  /refused|reset|denied|forbidden|unauthori[sz]ed|timed? ?out|not found|no such file/i,
  /\bssl\b|\btls\b|openssl/i,
];

const CUT = /… \(\d+ more characters\)$/;

function boilerplate(line: string): boolean {
  return BOILERPLATE.some((re) => re.test(line));
}

function score(line: string): number {
  return SIGNALS.reduce((n, re) => n + (re.test(line) ? 1 : 0), 0);
}

/**
 * The most informative line of `text`, cut at `max` characters ("… (N more characters)"); undefined when
 * there is none. Ties go to the later line: the last error a program prints is usually the one
 * that ended it.
 */
export function informativeLine(text: string, max = 200): string | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim())
    .filter((l) => l !== '' && !boilerplate(l));
  if (lines.length === 0) return undefined;
  let best = lines[lines.length - 1]!;
  let bestScore = score(best);
  for (let i = lines.length - 2; i >= 0; i--) {
    const s = score(lines[i]!);
    if (s > bestScore) {
      best = lines[i]!;
      bestScore = s;
    }
  }
  // A line the probe already cut (client-command-probe.ts: "… (N more characters)") keeps its own bound and count.
  if (best.length <= max || CUT.test(best)) return best;
  return `${best.slice(0, max)}… (${best.length - max} more characters)`;
}
