// Type definitions for `traceprop`. Checked against the runtime exports and
// compiled by the tests (test/types.test.js).

/** A format name, as in OTEL_PROPAGATORS. */
export type FormatName =
  | 'tracecontext'
  | 'baggage'
  | 'b3'
  | 'b3multi'
  | 'jaeger'
  | 'ottrace'
  | 'xray'
  | 'datadog'
  | 'cloudtrace'
  | 'sw8'
  | 'grpc-trace-bin';

/** Which format wins when several yield a context: the last listed (OpenTelemetry) or the first (Datadog). */
export type Policy = 'last' | 'first';

/**
 * Incoming headers: Node's `IncomingHttpHeaders` (or any object with
 * lowercase names), a fetch `Headers` or a `Map`, or `[name, value]` pairs
 * (names in any case, a repeated header as several pairs).
 */
export type HeaderInput =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | readonly string[] | null | undefined; [Symbol.iterator]?(): Iterator<[string, unknown]> }
  | ReadonlyArray<readonly [string, string]>;

/** Where to take the configuration from: a `Config`, or a list and a policy. */
export type Options = Config | { propagators?: string | readonly string[]; policy?: Policy };

/** An ordered list of formats and a policy, parsed once (see `configure`). */
export declare class Config {
  private constructor();
  /** The formats, in order. */
  readonly formats: readonly FormatName[];
  /** The extraction policy. */
  readonly policy: Policy;
  /** Every header name the formats read, lowercase. */
  readonly headers: readonly string[];
  /** The per-key baggage header prefixes the formats read (`uberctx-`, `ot-baggage-`). */
  readonly prefixes: readonly string[];
  /** The OTEL_PROPAGATORS spelling (`none` when empty). */
  toString(): string;
}

/** One baggage member. */
export interface BaggageEntry {
  key: string;
  /** The decoded value. */
  value: string;
  /** The canonical properties (`p1;p2=x`), empty when none. */
  properties: string;
}

/** A format that yielded a valid context. */
export interface Match {
  format: FormatName;
  traceId: string;
  spanId: string;
}

/** A format whose headers were present but invalid, and why (a core error name). */
export interface Rejection {
  format: FormatName;
  code: ErrorCode;
}

/** What every configured format found. */
export interface ExtractionReport {
  /** The format whose context won, or null. */
  source: FormatName | null;
  /** Every format that yielded a valid context, in list order. */
  matched: Match[];
  /** Whether the matched formats disagree on the trace id. */
  conflict: boolean;
  /** Every format whose headers were present but invalid. */
  rejections: Rejection[];
  /** Why a present tracestate was dropped, or null. */
  tracestateError: ErrorCode | null;
}

/** The context fields `inject` reads. Only `traceId` and `spanId` are required. */
export interface SpanContextInput {
  /** 32 lowercase hex. */
  traceId: string;
  /** 16 lowercase hex. */
  spanId: string;
  /** true, false, or null/undefined for no decision. */
  sampled?: boolean | null;
  debug?: boolean;
  random?: boolean;
  /** A W3C tracestate value. */
  tracestate?: string | null;
  /** Baggage entries, or a `{key: value}` object. */
  baggage?: ReadonlyArray<{ key: string; value: string; properties?: string }> | Readonly<Record<string, string>> | null;
  /** Datadog's sampling priority (a 32-bit integer). */
  samplingPriority?: number | null;
  /** Datadog's origin. */
  origin?: string | null;
  /** Carried Datadog `_dd.p.*` tags, as received. */
  datadogTags?: string | null;
  /** `header` (x-datadog-tags syntax, the default) or `tracestate` (the dd member's `t.*` syntax). */
  datadogTagsSyntax?: 'header' | 'tracestate' | null;
  /** X-Ray fields other than Root, Parent and Sampled, verbatim. */
  xrayExtra?: string | null;
  /** The SkyWalking `sw8` value the context was extracted from, verbatim (its trace id and fields are kept). */
  sw8?: string | null;
}

/** A remote span context found by `extract`. Fields past `source` are read lazily. */
export declare class ExtractedContext implements SpanContextInput {
  private constructor();
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean | null;
  readonly debug: boolean;
  readonly random: boolean;
  readonly tracestate: string | null;
  readonly source: FormatName;
  readonly baggage: BaggageEntry[];
  readonly samplingPriority: number | null;
  readonly origin: string | null;
  readonly datadogTags: string | null;
  readonly datadogTagsSyntax: 'header' | 'tracestate' | null;
  readonly xrayExtra: string | null;
  readonly sw8: string | null;
  readonly report: ExtractionReport;
  toJSON(): {
    traceId: string;
    spanId: string;
    sampled: boolean | null;
    debug: boolean;
    random: boolean;
    tracestate: string | null;
    baggage: BaggageEntry[];
    samplingPriority: number | null;
    origin: string | null;
    datadogTags: string | null;
    datadogTagsSyntax: 'header' | 'tracestate' | null;
    xrayExtra: string | null;
    sw8: string | null;
    source: FormatName;
    report: ExtractionReport;
  };
}

/** A core error name: the `code` of a `TracepropError`. */
export type ErrorCode =
  | 'empty'
  | 'invalid_length'
  | 'invalid_hex'
  | 'invalid_decimal'
  | 'out_of_range'
  | 'zero_id'
  | 'unsupported_version'
  | 'malformed'
  | 'invalid_sampling'
  | 'invalid_key'
  | 'invalid_value'
  | 'duplicate'
  | 'too_many_members'
  | 'too_long'
  | 'buffer_too_small'
  | 'missing'
  | 'sampling_only'
  | 'invalid_base64'
  | 'invalid_escape'
  | 'invalid_utf8'
  | 'truncation'
  | 'unknown_propagator';

/** Thrown for bad arguments; `code` is the core's stable error name. */
export declare class TracepropError extends Error {
  readonly code: ErrorCode;
}

/** Every core error name, in code order. */
export declare const ERROR_CODES: readonly ErrorCode[];
/** Every format name. */
export declare const FORMATS: readonly FormatName[];

/** Extracts the remote span context; null when no configured format yields one. Never throws on bad header values. */
export declare function extract(headers: HeaderInput, options?: Options): ExtractedContext | null;
/** The merged baggage, with or without a span context. */
export declare function extractBaggage(headers: HeaderInput, options?: Options): BaggageEntry[];
/** What every configured format found. */
export declare function explain(headers: HeaderInput, options?: Options): ExtractionReport;
/** The headers carrying `context` in every configured format (lowercase names). */
export declare function inject(context: SpanContextInput, options?: Options): Record<string, string>;
/** Sets the headers of `inject` on `target` (setHeader, set, or properties) and returns it. */
export declare function injectInto<T extends object>(target: T, context: SpanContextInput, options?: Options): T;
/** Extracts with `from` and injects the result with `to`, in one call. */
export declare function translate(headers: HeaderInput, from: Options, to: Options): Record<string, string>;
/** Parses an OTEL_PROPAGATORS-style list; an unknown name throws `unknown_propagator`. */
export declare function configure(propagators?: string | readonly string[], options?: { policy?: Policy }): Config;
/** The configuration in `env` (default `process.env`): Datadog's DD_TRACE_PROPAGATION_STYLE* when set, else OTEL_PROPAGATORS. */
export declare function configFromEnv(env?: Readonly<Record<string, string | undefined>>): {
  extract: Config;
  inject: Config;
  unknown: { variable: string; name: string }[];
};

/** Checks a 32-hex trace id (lowercase, non-zero); returns it. */
export declare function traceIdFromHex(hex: string): string;
/** A 16- or 32-hex trace id, left-padded to 32. */
export declare function traceIdFromShortHex(hex: string): string;
/** The low 64 bits of a trace id as 16 hex (the high half is dropped). */
export declare function traceIdLowHex(hex: string): string;
/** From Datadog's decimal trace id and optional `_dd.p.tid`. */
export declare function traceIdFromDatadog(decimal: string, tid?: string | null): string;
/** To Datadog's decimal trace id and `_dd.p.tid` (null when the high half is zero). */
export declare function traceIdToDatadog(hex: string): { decimal: string; tid: string | null };
/** From an AWS X-Ray Root (`1-{8 hex}-{24 hex}`). */
export declare function traceIdFromXRayRoot(root: string): string;
/** To an AWS X-Ray Root. */
export declare function traceIdToXRayRoot(hex: string): string;
/** Checks a 16-hex span id (lowercase, non-zero); returns it. */
export declare function spanIdFromHex(hex: string): string;
/** From a decimal span id (Datadog, Cloud Trace). */
export declare function spanIdFromDecimal(decimal: string): string;
/** To a decimal span id. */
export declare function spanIdToDecimal(hex: string): string;
