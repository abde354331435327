/**
 * Reads back JSON we stored in Redis ourselves, without trusting it:
 * returns a field getter for a JSON object, or null for anything else.
 */
export function jsonFields(text: string): ((key: string) => unknown) | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const object: object = value;
  return (key) => (Object.hasOwn(object, key) ? (Reflect.get(object, key) as unknown) : undefined);
}
