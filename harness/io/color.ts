/**
 * Whether terminal output is coloured: on a terminal by default; NO_COLOR (no-color.org, any
 * non-empty value) turns it off and wins; FORCE_COLOR (force-color.org) turns it on where stdout is
 * not a terminal (a CI log that renders ANSI), except FORCE_COLOR=0 or false, which turns it off as
 * chalk and Node read it; TERM=dumb turns it off unless forced.
 */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}
