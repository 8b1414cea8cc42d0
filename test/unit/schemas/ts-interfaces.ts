/**
 * Test helper: reads TypeScript interfaces (and string-literal type aliases) from source files
 * with the TypeScript compiler's parser, flattening `extends`, so that tests can compare the event
 * model's fields with the Avro schemas: names, order, nullability, arrays and value kinds.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** What a property's TypeScript type says, reduced to what an Avro schema can be compared with. */
export type TsKind =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'buffer' }
  | { kind: 'literals'; values: string[] }
  | { kind: 'interface'; name: string }
  | { kind: 'unsupported'; text: string };

export interface TsType {
  nullable: boolean;
  array: boolean;
  base: TsKind;
}

export interface TsProperty {
  name: string;
  type: TsType;
}

export class TsInterfaces {
  private readonly interfaces = new Map<string, { extends: string[]; props: Array<{ name: string; node: ts.TypeNode }> }>();
  private readonly aliases = new Map<string, ts.TypeNode>();

  constructor(files: string[]) {
    for (const file of files) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      for (const stmt of source.statements) {
        if (ts.isInterfaceDeclaration(stmt)) {
          const ext = (stmt.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(source)));
          const props = stmt.members.filter(ts.isPropertySignature).map((m) => {
            if (m.type === undefined) throw new Error(`${stmt.name.text}.${m.name.getText(source)} has no type`);
            return { name: m.name.getText(source), node: m.type };
          });
          // First declaration wins: the event model is read before the collector records.
          if (!this.interfaces.has(stmt.name.text)) this.interfaces.set(stmt.name.text, { extends: ext, props });
        } else if (ts.isTypeAliasDeclaration(stmt) && !this.aliases.has(stmt.name.text)) {
          this.aliases.set(stmt.name.text, stmt.type);
        }
      }
    }
  }

  has(name: string): boolean {
    return this.interfaces.has(name);
  }

  /** Properties of an interface, inherited ones first, in declaration order. */
  properties(name: string): TsProperty[] {
    const decl = this.interfaces.get(name);
    if (decl === undefined) throw new Error(`interface ${name} not found`);
    const inherited = decl.extends.flatMap((e) => this.properties(e));
    return [...inherited, ...decl.props.map((p) => ({ name: p.name, type: this.describe(p.node) }))];
  }

  /** Property name -> interface name of a map-like interface such as EventByTopic. */
  topicMap(name: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const p of this.properties(name)) {
      if (p.type.base.kind !== 'interface') throw new Error(`${name}.${p.name} is not an interface type`);
      out.set(p.name, p.type.base.name);
    }
    return out;
  }

  describe(node: ts.TypeNode): TsType {
    if (ts.isParenthesizedTypeNode(node)) return this.describe(node.type);
    if (ts.isUnionTypeNode(node)) {
      const rest = node.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
      const nullable = rest.length !== node.types.length;
      if (rest.length === 1) {
        const inner = this.describe(rest[0]);
        return { ...inner, nullable: nullable || inner.nullable };
      }
      const literals = rest.map((t) => this.literalValues(t));
      if (literals.every((l) => l !== null)) {
        return { nullable, array: false, base: { kind: 'literals', values: literals.flat() as string[] } };
      }
      return { nullable, array: false, base: { kind: 'unsupported', text: node.getText() } };
    }
    if (ts.isArrayTypeNode(node)) {
      const inner = this.describe(node.elementType);
      if (inner.array || inner.nullable) return { nullable: false, array: true, base: { kind: 'unsupported', text: node.getText() } };
      return { nullable: false, array: true, base: inner.base };
    }
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return plain({ kind: 'string' });
      case ts.SyntaxKind.NumberKeyword:
        return plain({ kind: 'number' });
      case ts.SyntaxKind.BooleanKeyword:
        return plain({ kind: 'boolean' });
    }
    const literal = this.literalValues(node);
    if (literal !== null) return plain({ kind: 'literals', values: literal });
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText();
      if (name === 'Buffer') return plain({ kind: 'buffer' });
      if (this.interfaces.has(name)) return plain({ kind: 'interface', name });
      const alias = this.aliases.get(name);
      if (alias !== undefined) return this.describe(alias);
    }
    return plain({ kind: 'unsupported', text: node.getText() });
  }

  /** The string values of a literal type, or of an alias of a union of them; null otherwise. */
  private literalValues(node: ts.TypeNode): string[] | null {
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return [node.literal.text];
    if (ts.isTypeReferenceNode(node)) {
      const alias = this.aliases.get(node.typeName.getText());
      if (alias === undefined) return null;
      if (ts.isUnionTypeNode(alias)) {
        const parts = alias.types.map((t) => this.literalValues(t));
        return parts.every((p) => p !== null) ? (parts.flat() as string[]) : null;
      }
      return this.literalValues(alias);
    }
    return null;
  }
}

function plain(base: TsKind): TsType {
  return { nullable: false, array: false, base };
}
