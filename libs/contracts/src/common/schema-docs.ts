import type { z } from 'zod';

/** One field of a request as the docs show it. */
export interface FieldDoc {
  name: string;
  type: string;
  required: boolean;
  description?: string;
}

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { def: Def }).def;

/** The schema a field really is, under optional/default/preprocess/transform wrappers. */
function unwrap(schema: z.ZodType): { core: z.ZodType; optional: boolean } {
  let current = schema;
  let optional = false;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') {
      optional ||= def.type !== 'nullable';
      current = def.innerType as z.ZodType;
    } else if (def.type === 'pipe') {
      // preprocess(fn, schema) is pipe(transform, schema); schema.transform(fn) is pipe(schema, transform).
      current = (defOf(def.in).type === 'transform' ? def.out : def.in) as z.ZodType;
    } else break;
  }
  return { core: current, optional };
}

/** A short type for the docs: `1–1000`, `"one" \| "all"`, `string`. */
function typeName(schema: z.ZodType): string {
  const { core } = unwrap(schema);
  const def = defOf(core);
  const c = core as unknown as { minValue?: number; maxValue?: number; isInt?: boolean; options?: unknown[]; maxLength?: number | null };
  switch (def.type) {
    case 'number':
      return c.minValue !== undefined && c.maxValue !== undefined && Number.isFinite(c.minValue) && Number.isFinite(c.maxValue)
        ? `${c.isInt ? 'integer' : 'number'} ${c.minValue}–${c.maxValue}`
        : c.isInt
          ? 'integer'
          : 'number';
    case 'string':
      return c.maxLength ? `string ≤ ${c.maxLength}` : 'string';
    case 'enum':
      return (c.options ?? []).map((o) => JSON.stringify(o)).join(' | ');
    case 'literal':
      return ((def.values as unknown[]) ?? []).map((o) => JSON.stringify(o)).join(' | ');
    case 'array':
      return `${typeName(def.element as z.ZodType)}[]`;
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    default:
      return def.type;
  }
}

/** The fields of an object schema (under its wrappers), in declaration order. */
export function describeFields(schema: z.ZodType): FieldDoc[] {
  const { core } = unwrap(schema);
  const shape = (core as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) return [];
  return Object.entries(shape).map(([name, field]) => ({
    name,
    type: typeName(field),
    required: !unwrap(field).optional && !defOf(field).type.startsWith('optional'),
    description: field.description ?? unwrap(field).core.description,
  }));
}
