// The Standard Schema v1 interface (https://standardschema.dev), as its spec asks libraries to
// carry it: copied types, no dependency. zod 3.24+ and 4, valibot 1 and arktype 2 implement it.

/**
 * A Standard Schema v1 validator: any object with a `~standard` member of version 1. Claims and
 * scope schemas are these, whichever library made them.
 *
 * @example
 * ```ts
 * const claims: StandardSchemaV1<unknown, { org: string }> = z.object({ org: z.string() });
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaProps<Input, Output>;
}

/** The `~standard` member of a Standard Schema v1 validator. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/** What `validate` returns: the output, or the issues. */
export type StandardResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] };

/** One problem `validate` found; its message is never shown (it may quote the value). */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** The type a schema validates into (its output). */
export type StandardOutput<TSchema extends StandardSchemaV1> = NonNullable<TSchema["~standard"]["types"]>["output"];
/** The type a schema accepts (its input). */
export type StandardInput<TSchema extends StandardSchemaV1> = NonNullable<TSchema["~standard"]["types"]>["input"];

/** Whether `value` is a Standard Schema v1 validator. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  // Read from an unknown object: each member is checked before it is trusted.
  const props = (value as { "~standard"?: Partial<StandardSchemaProps> | null })["~standard"];
  return typeof props === "object" && props !== null && props.version === 1 && typeof props.validate === "function";
}

/**
 * A validation that finished: the output, or the path of the first issue (`[]` at the root);
 * `async` when the validator answered with a promise.
 */
export type Validation = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly path: readonly string[]; readonly async?: true };

/**
 * Validates synchronously. A validator that answers with a promise (an async refinement) is a
 * failure at its root: verification stays synchronous, and fails closed.
 *
 * @example
 * ```ts
 * const result = validate(schema, { org: "acme" });
 * if (!result.ok) throw new JwtConfigError(["claims", ...result.path].join("."), "does not fit");
 * ```
 */
export function validate(schema: StandardSchemaV1, value: unknown): Validation {
  let result: ReturnType<StandardSchemaProps["validate"]>;
  try {
    result = schema["~standard"].validate(value);
  } catch {
    return { ok: false, path: [] };
  }
  if (result instanceof Promise) {
    result.catch(() => undefined);
    return { ok: false, path: [], async: true };
  }
  if (result.issues === undefined) return { ok: true, value: result.value };
  const path = result.issues[0]?.path ?? [];
  return { ok: false, path: path.map((segment) => String(typeof segment === "object" ? segment.key : segment)) };
}
