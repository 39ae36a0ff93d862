/**
 * The protocol's schemas as the public API hands them out: validators with zod's `parse` and
 * `safeParse` and the Standard Schema interface (`~standard`), which other validation libraries
 * and frameworks accept. zod builds them (`messages.ts`); their declared type is this module's
 * own, so the published API names no type of a third-party package.
 *
 * @module
 */
import {
  AirbyteCatalogSchema as catalogSchema,
  AirbyteMessageSchema as messageSchema,
  AirbyteRecordMessageSchema as recordSchema,
  AirbyteStateMessageSchema as stateSchema,
  ConnectorSpecificationSchema as specSchema,
} from "./messages.ts";
import type {
  AirbyteCatalog,
  AirbyteMessage,
  AirbyteRecordMessage,
  AirbyteStateMessage,
  ConnectorSpecification,
} from "./messages.ts";

/**
 * One problem a validator found: where (`path`, from the value's root) and what.
 *
 * @example The issue of a record without a stream
 * ```ts
 * import { AirbyteRecordMessageSchema } from "./validators.ts";
 * const result = AirbyteRecordMessageSchema.safeParse({ data: {}, emitted_at: 1 });
 * if (result.success || result.error.issues[0].path[0] !== "stream") throw new Error();
 * ```
 */
export interface ValidationIssue {
  /** A short code for the kind of problem, e.g. `invalid_type`. */
  readonly code: string;
  /** Where in the value, e.g. `["record", "stream"]`. */
  readonly path: readonly PropertyKey[];
  /** What is wrong, in words. */
  readonly message: string;
}

/**
 * The result of {@linkcode ProtocolValidator.safeParse}: the value, or the issues.
 *
 * @example Branch on success
 * ```ts
 * import { AirbyteMessageSchema, type ValidationResult } from "./validators.ts";
 * import type { AirbyteMessage } from "./messages.ts";
 * const result: ValidationResult<AirbyteMessage> = AirbyteMessageSchema.safeParse({ type: "LOG" });
 * if (result.success) throw new Error("a LOG message needs its log");
 * ```
 */
export type ValidationResult<T> =
  | { readonly success: true; readonly data: T; readonly error?: undefined }
  | {
    readonly success: false;
    readonly data?: undefined;
    readonly error: { readonly message: string; readonly issues: readonly ValidationIssue[] };
  };

/**
 * What a Standard Schema validator returns (https://standardschema.dev).
 *
 * @example A success
 * ```ts
 * import type { StandardValidationResult } from "./validators.ts";
 * const ok: StandardValidationResult<number> = { value: 1 };
 * if (ok.issues) throw new Error();
 * ```
 */
export type StandardValidationResult<T> =
  | { readonly value: T; readonly issues?: undefined }
  | {
    readonly issues: ReadonlyArray<{
      readonly message: string;
      readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
    }>;
  };

/**
 * A validator for one protocol type. `parse` returns the value or throws; `safeParse` never
 * throws. Objects are loose: keys the protocol does not know are kept, and the value returned is
 * the one given. `~standard` is the Standard Schema v1 interface.
 *
 * @example Validate a message from elsewhere
 * ```ts
 * import { AirbyteMessageSchema, type ProtocolValidator } from "./validators.ts";
 * import type { AirbyteMessage } from "./messages.ts";
 * const validator: ProtocolValidator<AirbyteMessage> = AirbyteMessageSchema;
 * const message = validator.parse({ type: "LOG", log: { level: "INFO", message: "hi" } });
 * if (message.type !== "LOG") throw new Error();
 * ```
 */
export interface ProtocolValidator<T> {
  /** The value, typed; throws an error listing the issues when it does not fit. */
  parse(value: unknown): T;
  /** The value or the issues; never throws. */
  safeParse(value: unknown): ValidationResult<T>;
  /** The Standard Schema v1 interface, for libraries that accept any validator. */
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardValidationResult<T> | Promise<StandardValidationResult<T>>;
  };
}

/**
 * Validates any Airbyte message (the envelope and its body by `type`).
 *
 * @example Validate a RECORD message
 * ```ts
 * import { AirbyteMessageSchema } from "./validators.ts";
 * const line = { type: "RECORD", record: { stream: "users", data: { id: 1 }, emitted_at: 0 } };
 * if (!AirbyteMessageSchema.safeParse(line).success) throw new Error();
 * ```
 */
export const AirbyteMessageSchema: ProtocolValidator<AirbyteMessage> = messageSchema;

/**
 * Validates the body of a RECORD message.
 *
 * @example Validate a record body
 * ```ts
 * import { AirbyteRecordMessageSchema } from "./validators.ts";
 * if (!AirbyteRecordMessageSchema.safeParse({ stream: "s", data: {}, emitted_at: 0 }).success) throw new Error();
 * ```
 */
export const AirbyteRecordMessageSchema: ProtocolValidator<AirbyteRecordMessage> = recordSchema;

/**
 * Validates the body of a STATE message (STREAM, GLOBAL or LEGACY).
 *
 * @example Validate a STREAM state
 * ```ts
 * import { AirbyteStateMessageSchema } from "./validators.ts";
 * const state = { type: "STREAM", stream: { stream_descriptor: { name: "users" }, stream_state: { id: 5 } } };
 * if (!AirbyteStateMessageSchema.safeParse(state).success) throw new Error();
 * ```
 */
export const AirbyteStateMessageSchema: ProtocolValidator<AirbyteStateMessage> = stateSchema;

/**
 * Validates a connector's specification (the body of a SPEC message).
 *
 * @example Validate a spec
 * ```ts
 * import { ConnectorSpecificationSchema } from "./validators.ts";
 * if (!ConnectorSpecificationSchema.safeParse({ connectionSpecification: {} }).success) throw new Error();
 * ```
 */
export const ConnectorSpecificationSchema: ProtocolValidator<ConnectorSpecification> = specSchema;

/**
 * Validates a catalog (the body of a CATALOG message).
 *
 * @example Validate an empty catalog
 * ```ts
 * import { AirbyteCatalogSchema } from "./validators.ts";
 * if (!AirbyteCatalogSchema.safeParse({ streams: [] }).success) throw new Error();
 * ```
 */
export const AirbyteCatalogSchema: ProtocolValidator<AirbyteCatalog> = catalogSchema;
