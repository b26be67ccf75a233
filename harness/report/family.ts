/**
 * A case's family: the group reports count and list it under (issue 16: "reports group by
 * family"). A case may name its family (`family`, from the corpus); until then, and for cases that
 * do not, it is the first two segments of the id (`server/client-auth` of
 * `server/client-auth/expired`). The one place that decides it: every report calls this.
 */
export function familyOf(c: { id: string; family?: string }): string {
  if (typeof c.family === 'string' && c.family !== '') return c.family;
  const parts = c.id.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : (parts[0] ?? c.id);
}

/** Items grouped by family, families in order of first appearance (the catalogue's order), items in their own order. */
export function groupByFamily<T extends { id: string; family?: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const f = familyOf(item);
    const list = groups.get(f);
    if (list) list.push(item);
    else groups.set(f, [item]);
  }
  return groups;
}
