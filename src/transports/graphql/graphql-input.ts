/** GraphQL arguments arrive as null-prototype objects with explicit nulls; the domain reads plain objects of set fields. */
export function setFields(input: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    fields[key] = value !== null && typeof value === 'object' && !Array.isArray(value) ? setFields(value as object) : value;
  }
  return fields;
}
