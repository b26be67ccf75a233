import { stringify } from 'yaml';
import { loadProfile } from '../profile/load.js';

/** `conformance profile check FILE` and `conformance profile show NAME|FILE`. */

export function profileCheck(file: string): number {
  const loaded = loadProfile(file);
  process.stdout.write(`ok: ${loaded.source} is a valid profile "${loaded.profile.name}" (sha256 ${loaded.sha256})\n`);
  return 0;
}

export function profileShow(ref: string): number {
  const loaded = loadProfile(ref);
  process.stdout.write(`# resolved from ${loaded.source}; sha256 ${loaded.sha256}\n${stringify(loaded.profile)}`);
  return 0;
}
