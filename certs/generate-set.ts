import { generate, type Material } from './generate.js';
import type { CertSpec } from './spec.js';

/**
 * Generate a set of specs that refer to each other by name (issuer, keyOf) in an order where
 * each issuer and each reused key exists first. `given` holds material made elsewhere (the
 * store's CAs, a user's issuer): specs may name it, and it is not regenerated. Pure apart from
 * key generation and the clock, like `generate`.
 */
export async function generateSet(specs: CertSpec[], given: ReadonlyMap<string, Material> = new Map(), now = Date.now()): Promise<Map<string, Material>> {
  const byName = new Map<string, CertSpec>();
  for (const s of specs) {
    if (byName.has(s.name) || given.has(s.name)) throw new Error(`spec name "${s.name}" is declared twice`);
    byName.set(s.name, s);
  }
  const made = new Map<string, Material>(given);
  const visiting = new Set<string>();
  const dependencies = (s: CertSpec) => [...(s.issuer === 'self' ? [] : [s.issuer]), ...(s.keyOf ? [s.keyOf] : [])];
  const make = async (name: string, from: string): Promise<Material> => {
    const done = made.get(name);
    if (done) return done;
    const spec = byName.get(name);
    if (!spec) throw new Error(`spec "${from}" refers to "${name}", which is neither in the set nor given`);
    if (visiting.has(name)) throw new Error(`specs refer to each other in a circle through "${name}": a certificate cannot be issued before its issuer`);
    visiting.add(name);
    for (const dep of dependencies(spec)) await make(dep, name);
    const issuer = spec.issuer === 'self' ? undefined : made.get(spec.issuer);
    const material = await generate(spec, issuer, now, spec.keyOf ? made.get(spec.keyOf) : undefined);
    visiting.delete(name);
    made.set(name, material);
    return material;
  };
  for (const s of specs) await make(s.name, s.name);
  return new Map([...made].filter(([name]) => byName.has(name)));
}
