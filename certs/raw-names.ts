import { AsnArray, AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';

/**
 * GeneralNames whose bytes a spec gives verbatim (BetterTLS's SAN smuggling; RFC 5280 §4.2.1.6,
 * §4.2.1.10): a context tag 0-15 and the octets of a primitive value, whether or not the tag's
 * type allows them (a NUL inside a dNSName, an address as text in iPAddress, a primitive [4]
 * directoryName, tags 9-15 that no GeneralName defines). The DER is built with
 * @peculiar/asn1-schema; its decorators are applied as functions (no legacy decorators here).
 */

/** One GeneralName as raw bytes: `[tag] IMPLICIT OCTET STRING` on the wire (X.690 §8.14, primitive). */
export interface RawName {
  tag: number;
  valueHex: string;
}

type Ctor = new () => object;
const prop = (c: Ctor, key: string, opts: Parameters<typeof AsnProp>[0]) => AsnProp(opts)(c.prototype, key);

/** A CHOICE of sixteen `[n] IMPLICIT OCTET STRING` alternatives: set one, and it serializes as that tag. */
class RawGeneralName {
  [key: string]: ArrayBuffer | undefined;
}
for (let n = 0; n < 16; n++) prop(RawGeneralName, `t${n}`, { type: AsnPropTypes.OctetString, context: n, implicit: true, optional: true });
AsnType({ type: AsnTypeTypes.Choice })(RawGeneralName as never);

/** A SEQUENCE whose items are kept as their DER (GeneralNames, GeneralSubtrees). */
class DerSequence extends AsnArray<ArrayBuffer> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Any })(DerSequence as never);

/** GeneralSubtree ::= SEQUENCE { base GeneralName, ... } with the base as DER (minimum 0 is the DEFAULT, so absent). */
class DerSubtree {
  base = new ArrayBuffer(0);
}
prop(DerSubtree, 'base', { type: AsnPropTypes.Any });
AsnType({ type: AsnTypeTypes.Sequence })(DerSubtree as never);

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] ... } (RFC 5280 §4.2.1.10, implicit tags). */
class DerNameConstraints {
  permitted?: DerSequence;
  excluded?: DerSequence;
}
prop(DerNameConstraints, 'permitted', { type: DerSequence, context: 0, implicit: true, optional: true });
prop(DerNameConstraints, 'excluded', { type: DerSequence, context: 1, implicit: true, optional: true });
AsnType({ type: AsnTypeTypes.Sequence })(DerNameConstraints as never);

/** The DER of one raw GeneralName; a tag outside 0-15 or a value that is not hex is a spec error. */
export function rawNameDer({ tag, valueHex }: RawName): ArrayBuffer {
  if (!Number.isInteger(tag) || tag < 0 || tag > 15) throw new Error(`raw GeneralName tag ${tag} is not a GeneralName tag 0-15`);
  if (!/^([0-9a-f]{2})*$/i.test(valueHex)) throw new Error(`raw GeneralName value "${valueHex}" is not hex`);
  const name = new RawGeneralName();
  name[`t${tag}`] = new Uint8Array(Buffer.from(valueHex, 'hex')).buffer;
  return AsnConvert.serialize(name);
}

/** A GeneralNames SEQUENCE (the subjectAltName value, RFC 5280 §4.2.1.6) with raw names appended after its own. */
export function withRawNames(generalNames: ArrayBuffer | null, raw: RawName[]): ArrayBuffer {
  const items = generalNames ? [...AsnConvert.parse(generalNames, DerSequence)] : [];
  return AsnConvert.serialize(new DerSequence([...items, ...raw.map(rawNameDer)]));
}

/** A NameConstraints value with raw subtree bases appended to the permitted and excluded subtrees. */
export function withRawSubtrees(nameConstraints: ArrayBuffer | null, raw: { permitted?: RawName[]; excluded?: RawName[] }): ArrayBuffer {
  const nc = nameConstraints ? AsnConvert.parse(nameConstraints, DerNameConstraints) : new DerNameConstraints();
  const extend = (have: DerSequence | undefined, more: RawName[] = []): DerSequence | undefined => {
    if (more.length === 0) return have;
    const subtrees = more.map((r) => {
      const s = new DerSubtree();
      s.base = rawNameDer(r);
      return AsnConvert.serialize(s);
    });
    return new DerSequence([...(have ?? []), ...subtrees]);
  };
  const out = new DerNameConstraints();
  const permitted = extend(nc.permitted, raw.permitted);
  const excluded = extend(nc.excluded, raw.excluded);
  // RFC 5280 §4.2.1.10: at least one of the two MUST be present.
  if (!permitted?.length && !excluded?.length) throw new Error('nameConstraints with neither permitted nor excluded subtrees: RFC 5280 §4.2.1.10 requires one');
  if (permitted?.length) out.permitted = permitted;
  if (excluded?.length) out.excluded = excluded;
  return AsnConvert.serialize(out);
}
