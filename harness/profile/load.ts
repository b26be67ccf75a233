import { existsSync, readdirSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { findCase, catalogue } from '../cases/catalogue.js';
import { closestMatch } from '../did-you-mean.js';
import { UsageError, quote } from '../errors.js';
import { READ_LIMITS, readBoundedTextSync } from '../io/read-bounded.js';
import { packagePath } from '../package-root.js';
import { profileSchema, type Profile } from './schema.js';
import { profileHash } from './profile-hash.js';

export { profileHash };

/**
 * Profiles come from files: built-ins are files in `profiles/` of the package. `extends` names a
 * built-in or another file; the result is validated once, after merging, so an error always
 * points at a field a user can see.
 */

export interface LoadedProfile {
  profile: Profile;
  /** Where it came from: `builtin:intermediate` or a file path. */
  source: string;
  /** SHA-256 of the resolved profile (canonical JSON), recorded in every report. */
  sha256: string;
}

const BUILTIN_DIR = packagePath('profiles');
/** The partner policies from examples/profiles ship in the package and resolve by name too. */
const EXAMPLES_DIR = packagePath('examples', 'profiles');

export function builtinProfileNames(): string[] {
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** A reference that names a file (not a built-in): it has a path separator or a YAML/JSON extension. */
export function exampleProfileNames(): string[] {
  try {
    return readdirSync(EXAMPLES_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length))
      .sort();
  } catch {
    return [];
  }
}

export function looksLikePath(ref: string): boolean {
  return /[/\\]|\.(ya?ml|json)$/i.test(ref);
}

function locate(ref: string, relativeTo: string): string {
  if (looksLikePath(ref)) return resolve(relativeTo, ref);
  const builtin = join(BUILTIN_DIR, `${ref}.yaml`);
  if (existsSync(builtin)) return builtin;
  const example = join(EXAMPLES_DIR, `${ref}.yaml`);
  if (/^[a-z0-9][a-z0-9._-]*$/.test(ref) && existsSync(example)) return example;
  throw new UsageError(
    'profile-unknown',
    `profile ${quote(ref)} is neither a built-in profile (${builtinProfileNames().join(', ')}), an example profile (${exampleProfileNames().join(', ')}) nor a file path. Pass one of those names or a path to a YAML/JSON profile.`,
  );
}

type Raw = Record<string, unknown>;

/** Aliases a profile may expand in all; real profiles use none. */
const MAX_ALIAS_COUNT = 50;
/** Depth of an `extends` chain: a policy built on a policy built on a built-in, not a linked list. */
const MAX_EXTENDS_DEPTH = 8;

function isPlainObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and scalars from the child replace the base's. */
function merge(base: Raw, child: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(child)) {
    out[k] = isPlainObject(v) && isPlainObject(base[k]) ? merge(base[k] as Raw, v) : v;
  }
  return out;
}

interface ParsedFile {
  path: string;
  doc: Document;
  lines: LineCounter;
  data: Raw;
}

function parseFile(path: string): ParsedFile {
  // Bounded (a profile is a page of YAML; /dev/zero or a 50 MB description is not one) and text only.
  const text = readBoundedTextSync(path, { maxBytes: READ_LIMITS.profile, label: 'profile file', code: 'profile' });
  const lines = new LineCounter();
  // YAML 1.2 is a superset of JSON, so one parser serves both formats with positions.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    throw new UsageError('profile-syntax', `${path}:${pos.line}:${pos.col}: not valid YAML/JSON: ${e.message.split('\n')[0]}. Fix the syntax.`);
  }
  let data: unknown;
  try {
    // Aliases expand when converted: a "billion laughs" file is refused, not expanded (yaml counts them).
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (err) {
    const why = /alias/i.test((err as Error).message) ? `more than ${MAX_ALIAS_COUNT} YAML alias expansions (an alias bomb?)` : String((err as Error).message).split('\n')[0];
    throw new UsageError('profile-syntax', `${path}: refused: ${why}. A profile needs no YAML aliases; write the values out.`);
  }
  if (!isPlainObject(data)) {
    throw new UsageError('profile-shape', `${path}:1:1: a profile must be a mapping of fields (name, tls, certificates, ...), found ${data === null ? 'nothing' : typeof data}.`);
  }
  return { path, doc, lines, data };
}

function keyNode(file: ParsedFile, path: PropertyKey[]): unknown {
  // Point at the field's key (`cipher:`), not its value, when the parent is a mapping.
  const parent = path.length === 1 ? file.doc.contents : file.doc.getIn(path.slice(0, -1) as unknown[], true);
  if (isMap(parent)) {
    const last = String(path[path.length - 1]);
    const pair = parent.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === last);
    if (pair?.key) return pair.key;
  }
  return file.doc.getIn(path as unknown[], true);
}

function position(file: ParsedFile, path: PropertyKey[]): string {
  // Walk to the deepest node that exists, so a missing field points at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? file.doc.contents : keyNode(file, path.slice(0, n));
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      const pos = file.lines.linePos(range[0]);
      return `${file.path}:${pos.line}:${pos.col}`;
    }
  }
  return `${file.path}:1:1`;
}

/** Which file a field of the merged profile came from: the nearest file in the chain that sets it. */
function ownerOf(chain: ParsedFile[], path: PropertyKey[]): ParsedFile {
  for (let i = chain.length - 1; i >= 0; i--) {
    const f = chain[i]!;
    if (isMap(f.doc.contents) && f.doc.hasIn(path.slice(0, 1) as unknown[])) {
      let prefix = path.length;
      while (prefix > 0 && !f.doc.hasIn(path.slice(0, prefix) as unknown[])) prefix--;
      if (prefix > 0) return f;
    }
  }
  return chain[chain.length - 1]!;
}

/** The field names the schema allows at `path` (for "did you mean" on an unknown field). */
function fieldsAt(path: PropertyKey[]): string[] {
  type Def = { innerType?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType> };
  const defOf = (t: z.core.$ZodType | undefined): Def | undefined => t?._zod.def as Def | undefined;
  let schema: z.core.$ZodType | undefined = profileSchema;
  for (const key of [...path, null]) {
    // Through .default(), .prefault(), .nullable() and friends to the object they wrap.
    while (defOf(schema)?.innerType) schema = defOf(schema)!.innerType;
    const shape: Record<string, z.core.$ZodType> | undefined = defOf(schema)?.shape;
    if (!shape) return [];
    if (key === null) return Object.keys(shape);
    schema = shape[String(key)];
  }
  return [];
}

/** ` (did you mean "versions"?)` for a misspelt field, or nothing. */
function suggestField(key: string, path: PropertyKey[]): string {
  const near = closestMatch(key, fieldsAt(path));
  return near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const found = value === undefined ? 'nothing' : JSON.stringify(value);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}${suggestField(issue.keys[0]!, issue.path as PropertyKey[])}`;
    case 'invalid_value':
      return `found ${found}, allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return `found ${found}, expected ${issue.expected}`;
    default:
      return `found ${found}: ${issue.message}`;
  }
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of path) v = isPlainObject(v) || Array.isArray(v) ? (v as Raw)[k as string] : undefined;
  return v;
}

function loadChain(ref: string, relativeTo: string, seen: string[]): ParsedFile[] {
  const path = locate(ref, relativeTo);
  if (seen.includes(path)) {
    throw new UsageError('profile-extends-cycle', `profile ${quote(path)} extends itself through ${[...seen, path].map((p) => quote(p)).join(' -> ')}. Remove one "extends".`);
  }
  if (seen.length >= MAX_EXTENDS_DEPTH) {
    throw new UsageError('profile-extends-depth', `profile ${quote(path)} is ${seen.length + 1} "extends" deep (${quote(seen[0])} -> ...); at most ${MAX_EXTENDS_DEPTH} are followed. Flatten the chain.`);
  }
  const file = parseFile(path);
  const parent = file.data['extends'];
  if (parent === undefined) return [file];
  if (typeof parent !== 'string') {
    throw new UsageError('profile-invalid', `${position(file, ['extends'])}: field "extends": found ${JSON.stringify(parent)}, expected a built-in profile name or a file path.`);
  }
  try {
    return [...loadChain(parent, dirname(path), [...seen, path]), file];
  } catch (err) {
    if (err instanceof UsageError && err.code === 'profile-unknown') {
      throw new UsageError('profile-unknown', `${position(file, ['extends'])}: field "extends": ${quote(parent)} is neither a built-in profile (${builtinProfileNames().join(', ')}) nor a readable file. Fix "extends".`);
    }
    throw err;
  }
}

export function loadProfile(ref: string, cwd = process.cwd()): LoadedProfile {
  const chain = loadChain(ref, cwd, []);
  let merged: Raw = {};
  for (const f of chain) {
    const { extends: _ignored, ...rest } = f.data;
    merged = merge(merged, rest);
  }
  const result = profileSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path as PropertyKey[];
    const keyPath = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]!] : path;
    const owner = ownerOf(chain, keyPath);
    const field = path.length > 0 ? path.join('.') : '(top level)';
    throw new UsageError(
      'profile-invalid',
      `${position(owner, keyPath)}: field ${quote(field)}: ${describeIssue(issue, valueAt(merged, path))}. See docs/profiles.md.`,
    );
  }
  const profile = result.data;
  checkConsistency(profile, chain);
  const last = chain[chain.length - 1]!;
  const source = last.path.startsWith(BUILTIN_DIR) && chain.length === 1 ? `builtin:${profile.name}` : last.path;
  return { profile, source, sha256: profileHash(profile) };
}

/** Edit distance, for "did you mean" on a mistyped case id. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function nearestCaseId(id: string): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const c of catalogue()) {
    const d = distance(id, c.id);
    if (!best || d < best.d) best = { id: c.id, d };
  }
  return best && best.d <= Math.max(3, Math.floor(id.length / 4)) ? best.id : undefined;
}

/**
 * Rules between fields the schema checks one at a time: each would let a profile pass `profile
 * check` and then mislead a run (a waiver for a case that does not exist, a required version the
 * profile forbids, a refusal status the positive control answers with).
 */
function checkConsistency(profile: Profile, chain: ParsedFile[]): void {
  // The error points at the entry (a map key, a list item); the field named is the one the docs list.
  const fail = (path: PropertyKey[], message: string): never => {
    const field = path.slice(0, 2).join('.');
    throw new UsageError('profile-invalid', `${position(ownerOf(chain, path), path)}: field ${quote(field)}: ${message}`);
  };
  for (const field of ['waive', 'severity'] as const) {
    for (const id of Object.keys(profile.cases[field])) {
      if (findCase(id)) continue;
      const near = nearestCaseId(id);
      fail(['cases', field, id], `${quote(id)} is not a case id${near ? ` (did you mean ${quote(near)}?)` : ''}. Use an id that "conformance cases" lists.`);
    }
  }
  for (const [i, v] of profile.tls.requiredVersions.entries()) {
    if (profile.tls.versions.includes(v)) continue;
    const allowed = profile.tls.versions.map((x) => JSON.stringify(x)).join(', ');
    // Point at the field the later file in the chain set: a child narrowing tls.versions below a base's requiredVersions is the child's error.
    const setBy = (field: string) => chain.findLastIndex((f) => f.doc.hasIn(['tls', field]));
    if (setBy('versions') > setBy('requiredVersions')) {
      fail(['tls', 'versions'], `leaves out ${quote(v)}, which tls.requiredVersions requires (allowed here: ${allowed}). Add ${quote(v)} to tls.versions or set tls.requiredVersions without it.`);
    }
    fail(['tls', 'requiredVersions', i], `${quote(v)} is required but not in tls.versions (${allowed}). Add it to tls.versions or remove it from tls.requiredVersions.`);
  }
  for (const [i, status] of profile.rejection.httpStatuses.entries()) {
    if (status < 200 || status > 299) continue;
    fail(['rejection', 'httpStatuses', i], `${quote(String(status))} is a success status: the positive control's accepted request would count as a refusal. List only statuses that refuse (4xx, 5xx).`);
  }
}

