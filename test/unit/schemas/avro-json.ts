/**
 * Test helper: walks Avro schemas as JSON (the .avsc text, with its docs, defaults and logical
 * types, which avsc's parsed Types do not all keep).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Every named type defined in `schema` (records, enums, fixed), by full and by short name. */
export function namedTypes(schema: Json, namespace = ''): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const visit = (t: Json, ns: string): void => {
    if (Array.isArray(t)) {
      for (const b of t) visit(b, ns);
      return;
    }
    if (t === null || typeof t !== 'object') return;
    if (t.type === 'record' || t.type === 'error' || t.type === 'enum' || t.type === 'fixed') {
      const name = String(t.name);
      const ownNs = typeof t.namespace === 'string' ? t.namespace : name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ns;
      const short = name.slice(name.lastIndexOf('.') + 1);
      out.set(ownNs ? `${ownNs}.${short}` : short, t);
      out.set(short, t);
      if (Array.isArray(t.fields)) for (const f of t.fields) visit((f as JsonObject).type, ownNs);
      return;
    }
    if (t.type === 'array') visit(t.items, ns);
    else if (t.type === 'map') visit(t.values, ns);
  };
  visit(schema, namespace);
  return out;
}

export interface AvroShape {
  nullable: boolean;
  array: boolean;
  /** A primitive name ("long"), with its logical type if any, or a named record/enum definition. */
  base: { kind: 'primitive'; name: string; logicalType: string | null } | { kind: 'record'; schema: JsonObject } | { kind: 'enum'; schema: JsonObject } | { kind: 'other'; schema: Json };
}

/** The shape of a field type: ["null", T] unions and arrays unwrapped, names resolved. */
export function shapeOf(t: Json, named: Map<string, JsonObject>): AvroShape {
  if (Array.isArray(t)) {
    const rest = t.filter((b) => b !== 'null');
    if (rest.length === 1 && t.length === 2) return { ...shapeOf(rest[0], named), nullable: true };
    return { nullable: false, array: false, base: { kind: 'other', schema: t } };
  }
  if (typeof t === 'string') {
    if (PRIMITIVES.has(t)) return { nullable: false, array: false, base: { kind: 'primitive', name: t, logicalType: null } };
    const def = named.get(t);
    if (def === undefined) return { nullable: false, array: false, base: { kind: 'other', schema: t } };
    return shapeOf(def, named);
  }
  if (t === null || typeof t !== 'object') return { nullable: false, array: false, base: { kind: 'other', schema: t } };
  if (t.type === 'array') {
    const inner = shapeOf(t.items, named);
    return { nullable: false, array: true, base: inner.array || inner.nullable ? { kind: 'other', schema: t } : inner.base };
  }
  if (t.type === 'record' || t.type === 'error') return { nullable: false, array: false, base: { kind: 'record', schema: t } };
  if (t.type === 'enum') return { nullable: false, array: false, base: { kind: 'enum', schema: t } };
  if (typeof t.type === 'string' && PRIMITIVES.has(t.type)) {
    return { nullable: false, array: false, base: { kind: 'primitive', name: t.type, logicalType: typeof t.logicalType === 'string' ? t.logicalType : null } };
  }
  return { nullable: false, array: false, base: { kind: 'other', schema: t } };
}

/** Every record definition in `schema` with its path ("RouteEvent", "RouteEvent.as_path[]"), the top one first. */
export function recordsOf(schema: JsonObject): Array<{ path: string; record: JsonObject }> {
  const out: Array<{ path: string; record: JsonObject }> = [];
  const visit = (t: Json, path: string): void => {
    if (Array.isArray(t)) {
      for (const b of t) visit(b, path);
      return;
    }
    if (t === null || typeof t !== 'object') return;
    if (t.type === 'record' || t.type === 'error') {
      out.push({ path, record: t });
      for (const f of t.fields as JsonObject[]) visit(f.type, `${path}.${String(f.name)}`);
    } else if (t.type === 'array') visit(t.items, `${path}[]`);
    else if (t.type === 'map') visit(t.values, `${path}{}`);
  };
  visit(schema, String(schema.name));
  return out;
}

/** Every inline type definition object in `schema` (records, enums, arrays, ...) with its path. */
export function typeDefinitions(schema: Json, path = ''): Array<{ path: string; def: JsonObject }> {
  const out: Array<{ path: string; def: JsonObject }> = [];
  if (Array.isArray(schema)) {
    schema.forEach((b, i) => out.push(...typeDefinitions(b, `${path}|${i}`)));
    return out;
  }
  if (schema === null || typeof schema !== 'object') return out;
  out.push({ path, def: schema });
  if (Array.isArray(schema.fields)) {
    for (const f of schema.fields as JsonObject[]) out.push(...typeDefinitions(f.type, `${path}.${String(f.name)}`));
  }
  if (schema.type === 'array') out.push(...typeDefinitions(schema.items, `${path}[]`));
  if (schema.type === 'map') out.push(...typeDefinitions(schema.values, `${path}{}`));
  if (typeof schema.type === 'object') out.push(...typeDefinitions(schema.type, path));
  return out;
}
