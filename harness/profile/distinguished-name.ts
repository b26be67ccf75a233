/**
 * Distinguished names as a profile's `clientIdentity` (match: dn) compares them. A subject is read
 * back from a certificate as `CN=a, O=x` (certificate-facts.ts), while a person writes `CN=a,O=x`
 * (the RFC 4514 §2 form, no space), `cn=a, o=x` (attribute types are case-insensitive: RFC 4512
 * §1.4, RFC 4514 §3) or `commonName=a`. The DN is parsed and written in both separator forms, and
 * the types a pattern names are put in the subject's spelling, so the spelling of the separators
 * and of the types does not decide whether a rule matches.
 */

/** One attribute of a relative distinguished name: its type in normal form and its value unescaped. */
export interface DnAttribute {
  type: string;
  value: string;
}

/** The attribute types with a short name: short name, long name, OID (@peculiar/x509's table, which certificate-facts.ts prints subjects with). */
export const DN_ATTRIBUTE_TYPES = [
  ['CN', 'commonName', '2.5.4.3'],
  ['L', 'localityName', '2.5.4.7'],
  ['ST', 'stateOrProvinceName', '2.5.4.8'],
  ['O', 'organizationName', '2.5.4.10'],
  ['OU', 'organizationalUnitName', '2.5.4.11'],
  ['C', 'countryName', '2.5.4.6'],
  ['DC', 'domainComponent', '0.9.2342.19200300.100.1.25'],
  ['E', 'emailAddress', '1.2.840.113549.1.9.1'],
  ['G', 'givenName', '2.5.4.42'],
  ['I', 'initials', '2.5.4.43'],
  ['SN', 'surname', '2.5.4.4'],
  ['T', 'title', '2.5.4.12'],
] as const;

/** Short names by lower-case short name, long name and OID. */
const TYPE_NAMES: Record<string, string> = {};
for (const [short, long, oid] of DN_ATTRIBUTE_TYPES) {
  TYPE_NAMES[short.toLowerCase()] = short;
  TYPE_NAMES[long.toLowerCase()] = short;
  TYPE_NAMES[oid] = short;
}

/** RFC 4514-style escaping as @peculiar/x509 does it (the last replacement, like theirs, is not global): certificate-facts.ts prints subjects with it. */
export function escapeDnValue(data: string): string {
  return data
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/([ ]$)/, '\\$1')
    .replace(/([\r\n\t])/, (c) => `\\${Buffer.from(c, 'utf8').toString('hex').toUpperCase()}`);
}

/** An attribute type in normal form: the short name for a known type whatever its case or spelling, an OID as digits, else upper case. */
export function normalDnType(type: string): string {
  const t = type.trim().replace(/^oid\./i, '');
  return TYPE_NAMES[t.toLowerCase()] ?? (/^\d+(\.\d+)+$/.test(t) ? t : t.toUpperCase());
}

const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|(?:oid\.)?\d+(?:\.\d+)+)$/i;

/**
 * Parses an RFC 4514 string (RFC 4514 §3; spaces around `,` `+` `=` allowed, as RFC 1779 writes
 * them): RDNs in the order written, each a list of attributes. `\,` and `\2C` escapes are
 * unescaped. Null when it is not a DN (no `type=value`, an empty type, a dangling escape).
 */
export function parseDn(text: string): DnAttribute[][] | null {
  const rdns: DnAttribute[][] = [];
  let rdn: DnAttribute[] = [];
  let type: string | null = null;
  let value = '';
  /** Length of `value` up to its last escaped character: spaces up to there are the value's own. */
  let kept = 0;
  let part = '';
  const endAttribute = (): boolean => {
    const t = (type ?? '').trim();
    if (!TYPE.test(t)) return false;
    // RFC 4514 §2.4: spaces at either end of a value are escaped; unescaped ones are separators' padding.
    rdn.push({ type: normalDnType(t), value: value.slice(0, Math.max(kept, value.trimEnd().length)) });
    type = null;
    value = '';
    kept = 0;
    return true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (type === null) {
      if (ch === '=') {
        type = part;
        part = '';
      } else if (ch === ',' || ch === '+' || ch === ';' || ch === '\\') {
        return null;
      } else {
        part += ch;
      }
      continue;
    }
    if (ch === '\\') {
      if (/^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
        // RFC 4514 §2.4: a hex pair is one byte of the UTF-8 value; a run of them makes the characters.
        const bytes: number[] = [];
        for (; /^\\[0-9a-fA-F]{2}$/.test(text.slice(i, i + 3)); i += 3) bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i--;
        value += Buffer.from(bytes).toString('utf8');
      } else if (i + 1 < text.length) {
        value += text[++i];
      } else {
        return null;
      }
      kept = value.length;
      continue;
    }
    if (ch === '+' || ch === ',' || ch === ';') {
      if (!endAttribute()) return null;
      if (ch !== '+') {
        rdns.push(rdn);
        rdn = [];
      }
      continue;
    }
    // Spaces before a value are padding after `=` (RFC 1779 writes `CN = a`).
    if (ch === ' ' && value === '') continue;
    value += ch;
  }
  // No `=` after the last separator: not a DN (an empty string, `CN=a,`, `hello`).
  if (type === null || !endAttribute()) return null;
  rdns.push(rdn);
  return rdns;
}

/** RDNs as a string: attributes joined by `+`, RDNs by `separator`, each value escaped as certificate-facts.ts escapes it. */
export function formatDn(rdns: DnAttribute[][], separator: ', ' | ','): string {
  return rdns.map((rdn) => rdn.map((a) => `${a.type}=${escapeDnValue(a.value)}`).join('+')).join(separator);
}

/**
 * The forms a DN rule is matched against: as a certificate's subject is read back (`CN=a, O=x`,
 * the form docs/profiles.md documents) and in the RFC 4514 §2 form (`CN=a,O=x`), both in the
 * certificate's order, types in normal form. A string that is not a DN is its only form.
 */
export function dnForms(text: string): string[] {
  const rdns = parseDn(text);
  // The text as it is comes first: a form that cannot be written again (a `#` BER value) still matches as read.
  return [...new Set([text, ...(rdns ? [formatDn(rdns, ', '), formatDn(rdns, ',')] : [])])];
}

/** A DN with its types in normal form, as a subject reads back (`cn=a,o=x` -> `CN=a, O=x`); the text itself when it is not a DN. */
export function normalDn(text: string): string {
  const rdns = parseDn(text);
  return rdns ? formatDn(rdns, ', ') : text;
}

/**
 * A pattern over DNs with the attribute types it names literally in normal form, so that
 * `^cn=acme,o=x$` and `^commonName=acme` read the types as the subject's forms spell them. A type
 * is a known attribute name (the table above) followed by `=`, at the start of the pattern, of a
 * group or of an alternative, or after a `,`, with optional spaces (` `, ` ?`, `\\s*`) before it.
 * Escapes and character classes are copied as they are; so is everything else of the pattern.
 */
export function normalDnPattern(pattern: string): string {
  let out = '';
  let i = 0;
  let typeMayStart = true;
  while (i < pattern.length) {
    if (typeMayStart) {
      typeMayStart = false;
      const gap = /^(?:(?: |\\s)[?*+]?)*/.exec(pattern.slice(i))![0];
      out += gap;
      i += gap.length;
      const m = /^([A-Za-z][A-Za-z0-9]*)=/.exec(pattern.slice(i));
      const known = m ? TYPE_NAMES[m[1]!.toLowerCase()] : undefined;
      if (m && known) {
        out += `${known}=`;
        i += m[0].length;
        continue;
      }
      if (i >= pattern.length) break;
    }
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === '[') {
      // A character class, copied through its closing bracket (a `]` first in it is a member).
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) if (pattern[j] === '\\') j++;
      out += pattern.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    out += ch;
    i++;
    if (ch === '(') {
      // RE2 group prefixes: `(?:`, `(?P<name>`, `(?<name>`, flags `(?i)` / `(?i:`.
      const prefix = /^\?(?:P?<[A-Za-z_][A-Za-z0-9_]*>|[A-Za-z-]*[:)])/.exec(pattern.slice(i))?.[0] ?? '';
      out += prefix;
      i += prefix.length;
    }
    typeMayStart = ch === '^' || ch === '|' || ch === ',' || ch === '(';
  }
  return out;
}
