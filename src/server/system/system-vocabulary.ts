// The elements and attributes of a Microkit .system file for completion and hover, taken from the
// format's one table (src/system/sdf-schema.ts): which children each element takes, which
// attributes, their documentation, and the values an attribute can take when they form a small set.
import { SDF_ELEMENTS, type SdfAttribute } from '../../system/sdf-schema';

function describe(a: SdfAttribute): string {
  const notes: string[] = [];
  if (a.since) notes.push(`Microkit ${a.since} and later`);
  if (a.until) notes.push(`Microkit ${a.until} and earlier`);
  if (a.arches) notes.push(a.arches.join(', ') + ' only');
  return notes.length > 0 ? `${a.doc} (${notes.join('; ')})` : a.doc;
}

export const CHILD_ELEMENTS: Record<string, readonly string[]> = {
  '': ['system'],
  ...Object.fromEntries(Object.entries(SDF_ELEMENTS).map(([tag, e]) => [tag, e.children])),
};

export const ATTRIBUTES: Record<string, { name: string; doc: string }[]> = Object.fromEntries(
  Object.entries(SDF_ELEMENTS).map(([tag, e]) => [tag, e.attributes.map((a) => ({ name: a.name, doc: describe(a) }))]),
);

/** Documentation of each element, for hover on its name and for completion. */
export const ELEMENT_DOCS: Record<string, string> = Object.fromEntries(
  Object.entries(SDF_ELEMENTS).map(([tag, e]) => [
    tag,
    e.doc + (e.since ? ` (Microkit ${e.since} and later)` : '') + (e.arches ? ` (${e.arches.join(', ')} only)` : ''),
  ]),
);

/** Attribute values from a closed set, by element and attribute (`trigger` is the same everywhere; `perms` is not). */
export function attributeValues(tag: string, name: string): readonly string[] {
  return SDF_ELEMENTS[tag]?.attributes.find((a) => a.name === name)?.values ?? [];
}
