// Compiled (not run) by test/types.test.js: the declarations must accept
// every documented use and type the results as documented.
import type { IncomingHttpHeaders } from 'node:http';
import * as traceprop from 'traceprop';
import { configure, extract, inject, injectInto, translate, TracepropError, type ExtractedContext } from 'traceprop';
import { TracepropPropagator, B3MultiPropagator, propagatorFromEnv, TRACEPROP_CONTEXT_KEY } from 'traceprop/opentelemetry';
import { propagation, ROOT_CONTEXT, type TextMapPropagator } from '@opentelemetry/api';
import type * as native from '../../native';

declare const incoming: IncomingHttpHeaders;
const config = configure('tracecontext,b3', { policy: 'first' });
const ctx: ExtractedContext | null = extract(incoming, config);
if (ctx !== null) {
  const sampled: boolean | null = ctx.sampled;
  const id: string = ctx.traceId;
  const baggage: string[] = ctx.baggage.map((e) => `${e.key}=${e.value};${e.properties}`);
  const headers: Record<string, string> = inject(ctx, { propagators: ['b3multi'] });
  const sw8: string | null = ctx.sw8;
  const hop: Record<string, string> = inject({ traceId: ctx.traceId, spanId: 'b', sampled: true, sw8: ctx.toJSON().sw8 }, { propagators: 'sw8' });
  void [sampled, id, baggage, headers, sw8, hop, ctx.report.rejections.map((r) => r.code), ctx.toJSON().source];
}
extract(new Headers(), { propagators: 'jaeger' });
extract(new Map([['traceparent', 'x']]));
extract([['TraceParent', 'x']] as const);
const out = injectInto(new Headers(), { traceId: 'a', spanId: 'b', sampled: null, baggage: { k: 'v' } });
const target: Headers = out;
translate(incoming, 'datadog' as never as traceprop.Options, config);
const env = traceprop.configFromEnv(process.env);
const fromEnv: traceprop.Config = env.extract;
const dd: { decimal: string; tid: string | null } = traceprop.traceIdToDatadog('x');
try {
  traceprop.traceIdFromHex('x');
} catch (e) {
  if (e instanceof TracepropError) {
    const code: traceprop.ErrorCode = e.code;
    void code;
  }
}
const p: TextMapPropagator = new TracepropPropagator({ propagators: 'tracecontext,baggage' });
const q: TextMapPropagator = new B3MultiPropagator();
const r: TextMapPropagator = propagatorFromEnv();
const s: TextMapPropagator = new TracepropPropagator(env);
propagation.setGlobalPropagator(p);
const found = p.extract(ROOT_CONTEXT, incoming, { get: (c: IncomingHttpHeaders, k) => c[k], keys: (c) => Object.keys(c) });
void [found.getValue(TRACEPROP_CONTEXT_KEY), q, r, s, target, fromEnv, dd];
type NativeExtract = typeof native.extract;
const nativeExtract: NativeExtract | undefined = undefined;
void nativeExtract;

// The declarations also refuse what is wrong (an unused expectation fails the compile).
// @ts-expect-error: sampled is boolean | null
const wrong: number = extract(incoming)!.sampled;
// @ts-expect-error: an unknown policy
configure('b3', { policy: 'middle' });
// @ts-expect-error: inject needs the ids
inject({ sampled: true });
void wrong;
