/**
 * `schemaFor`: ties a zod schema to the TypeScript interface it validates, checked both ways at
 * compile time. The protocol and config modules write each type as an interface (the contract,
 * and an explicit type that JSR and `deno doc` can read without running inference) and annotate
 * its schema as `z.ZodType<T, T>` (or `z.ZodType<T, Input>` when defaults make the input looser);
 * this helper makes sure the schema still infers exactly those types.
 *
 * @module
 */
import type { z } from "npm:zod@4.6.7";

/** The keys a type names, leaving out its index signature; for a union, every member's keys. */
type KnownKeys<T> = T extends unknown ? keyof {
    [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
  }
  : never;

/** Whether `A` and `B` are assignable both ways. */
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * True when `A` and `B` are the same type: assignable both ways and naming the same keys. The key
 * check matters for loose objects, whose index signature (`[key: string]: unknown`) would
 * otherwise accept an optional key that one side lacks.
 */
type Agrees<A, B> = MutuallyAssignable<A, B> extends true ? MutuallyAssignable<KnownKeys<A>, KnownKeys<B>>
  : false;

/**
 * Returns `schema` typed as `z.ZodType<T, I>`, and does not compile unless the types the schema
 * infers are exactly `T` (its output) and `I` (its input, `T` unless given): the same keys,
 * optionality and value types. Annotating a schema as `z.ZodType<T, I>` alone would only check
 * that its types fit `T` and `I`.
 *
 * @example Tie a schema to its interface
 * ```ts
 * import { z } from "npm:zod@4.6.7";
 * import { schemaFor } from "./_schema_for.ts";
 * interface Point { x: number; y?: number | null }
 * const PointSchema: z.ZodType<Point, Point> = schemaFor<Point>()(
 *   z.object({ x: z.number(), y: z.number().nullish() }),
 * );
 * if (!PointSchema.safeParse({ x: 1 }).success) throw new Error();
 * ```
 */
export function schemaFor<T, I = T>(): <S extends z.ZodType<T, I>>(
  schema: S & Mismatch<S, T, I>,
) => z.ZodType<T, I> {
  return (schema) => schema;
}

/** `unknown` when `S` infers exactly `T` and `I`, else a type no schema has (naming the problem). */
type Mismatch<S extends z.ZodType, T, I> = Agrees<z.output<S>, T> extends false
  ? { "the schema does not match its interface": T }
  : Agrees<z.input<S>, I> extends false ? { "the schema's input does not match its input interface": I }
  : unknown;
