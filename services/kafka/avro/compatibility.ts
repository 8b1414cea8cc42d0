/**
 * Schema evolution: released versions of each topic's schema and the BACKWARD compatibility check
 * (a reader using the new schema reads data written with the old one), the rule the schema
 * registry enforces on every subject. Checking it here, in unit tests, catches an incompatible
 * change before a deployment runs into the registry's refusal.
 *
 * The check has three parts:
 *  1. avsc's schema resolution: `newType.createResolver(oldType)` throws when the new schema
 *     cannot read the old one (type changed, field added without default, enum symbol removed
 *     without an enum default, record renamed without alias, ...);
 *  2. the explicit rule that every field added since the released version (in any record, at
 *     any depth) has a default, reported by path;
 *  3. a smoke test: random records of the old schema are decoded with the new one.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Type, types } from 'avsc';
import { type AvroSchema, type AvroTopic, RELEASED_DIR, parseSchema, readSchemaFile } from './schemas.js';

export interface ReleasedVersion {
  topic: AvroTopic;
  version: number;
  path: string;
}

/** Released versions of `topic`'s schema, oldest first (`released/<topic>.v<N>.avsc`). */
export function releasedVersions(topic: AvroTopic, dir: string = RELEASED_DIR): ReleasedVersion[] {
  const pattern = new RegExp(`^${topic}\\.v([1-9][0-9]*)\\.avsc$`);
  const out: ReleasedVersion[] = [];
  for (const name of readdirSync(dir)) {
    const m = pattern.exec(name);
    if (m) out.push({ topic, version: Number(m[1]), path: join(dir, name) });
  }
  return out.sort((a, b) => a.version - b.version);
}

/** The newest released version of `topic`'s schema, or null when none was released. */
export function newestReleased(topic: AvroTopic, dir: string = RELEASED_DIR): (ReleasedVersion & { schema: AvroSchema }) | null {
  const versions = releasedVersions(topic, dir);
  const last = versions[versions.length - 1];
  return last === undefined ? null : { ...last, schema: readSchemaFile(last.path) };
}

/**
 * Why a reader with `readerSchema` cannot read every record written with `writerSchema` (BACKWARD
 * compatibility of the new schema `readerSchema` with the old `writerSchema`); empty when it can.
 */
export function backwardCompatibilityProblems(readerSchema: object, writerSchema: object): string[] {
  let reader: Type;
  let writer: Type;
  try {
    reader = parseSchema(readerSchema);
  } catch (err) {
    return [`new schema does not parse: ${message(err)}`];
  }
  try {
    writer = parseSchema(writerSchema);
  } catch (err) {
    return [`old schema does not parse: ${message(err)}`];
  }
  const problems: string[] = [];
  let resolver: ReturnType<Type['createResolver']> | null = null;
  try {
    resolver = reader.createResolver(writer);
  } catch (err) {
    problems.push(`new schema cannot read data of the old one: ${message(err)}`);
  }
  for (const path of addedFieldsWithoutDefault(reader, writer)) {
    problems.push(`field ${path} was added without a default`);
  }
  if (resolver !== null) {
    for (let i = 0; i < 20; i++) {
      const sample: unknown = writer.random();
      try {
        reader.fromBuffer(writer.toBuffer(sample), resolver);
      } catch (err) {
        problems.push(`a record of the old schema does not decode with the new one: ${message(err)}`);
        break;
      }
    }
  }
  return problems;
}

/**
 * Paths ("Record.field"; nested "Outer.field.Inner.field", "Outer.list[].Inner.field") of fields of `reader`'s records that
 * have no counterpart (by name or alias) in the matching record of `writer` and no default.
 */
export function addedFieldsWithoutDefault(reader: Type, writer: Type): string[] {
  const out: string[] = [];
  walk(reader, writer, '', out, new Set());
  return out;
}

function walk(reader: Type, writer: Type, path: string, out: string[], seen: Set<string>): void {
  const r = branches(reader);
  const w = branches(writer);
  for (const rt of r) {
    if (rt.typeName === 'record' || rt.typeName === 'error') {
      const wt = w.find((t) => (t.typeName === 'record' || t.typeName === 'error') && namesMatch(rt, t));
      if (wt === undefined) continue; // createResolver reports a record that has no counterpart
      const key = `${rt.name}<-${wt.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const base = path === '' ? shortName(rt) : `${path}.${shortName(rt)}`;
      const wFields = (wt as types.RecordType).fields;
      for (const field of (rt as types.RecordType).fields) {
        const names = [field.name, ...(field.aliases ?? [])];
        const match = wFields.find((wf) => names.includes(wf.name));
        if (match === undefined) {
          if (field.defaultValue() === undefined) out.push(`${base}.${field.name}`);
        } else {
          walk(field.type, match.type, `${base}.${field.name}`, out, seen);
        }
      }
    } else if (rt.typeName === 'array') {
      const wt = w.find((t) => t.typeName === 'array');
      if (wt !== undefined) walk((rt as types.ArrayType).itemsType, (wt as types.ArrayType).itemsType, `${path}[]`, out, seen);
    } else if (rt.typeName === 'map') {
      const wt = w.find((t) => t.typeName === 'map');
      if (wt !== undefined) walk((rt as types.MapType).valuesType as Type, (wt as types.MapType).valuesType as Type, `${path}{}`, out, seen);
    }
  }
}

/** The branches of a union, or the type itself. */
function branches(t: Type): Type[] {
  return t.typeName.startsWith('union') ? (t as types.UnwrappedUnionType).types : [t];
}

function namesMatch(reader: Type, writer: Type): boolean {
  return reader.name === writer.name || (reader.aliases ?? []).includes(writer.name ?? '');
}

function shortName(t: Type): string {
  const name = t.name ?? t.typeName;
  return name.slice(name.lastIndexOf('.') + 1);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
