/* C API tests: real calls through include/traceprop.h, run under
 * AddressSanitizer + UBSan (and valgrind by `make c-valgrind`). Covers NULL
 * pointers, short buffers, invalid UTF-8, huge inputs and concurrent use.
 * Prints "c-api: N passed, M failed". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traceprop.h"

static int passed, failed;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (cond) {                                                       \
      passed++;                                                       \
    } else {                                                          \
      failed++;                                                       \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
    }                                                                 \
  } while (0)

#define EQ_RESULT(expr, want)                                                              \
  do {                                                                                     \
    traceprop_result got_ = (expr);                                                        \
    if (got_ == (want)) {                                                                  \
      passed++;                                                                            \
    } else {                                                                               \
      failed++;                                                                            \
      printf("FAIL %s:%d: %s = %s, want %s\n", __FILE__, __LINE__, #expr,                  \
             traceprop_result_name(got_), traceprop_result_name(want));                    \
    }                                                                                      \
  } while (0)

#define S(lit) lit, sizeof(lit) - 1
#define STR(lit) ((traceprop_str){lit, sizeof(lit) - 1})

static const char T[] = "4bf92f3577b34da6a3ce929d0e0e4736";
static const char SPAN[] = "00f067aa0ba902b7";
static const char TP[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

static bool text_is(const char *buf, size_t n, const char *want) {
  return n == strlen(want) && memcmp(buf, want, n) == 0;
}

static void test_results(void) {
  CHECK(!strcmp(traceprop_result_str(TRACEPROP_RESULT_OK), "success"));
  CHECK(!strcmp(traceprop_result_name(TRACEPROP_RESULT_INVALID_HEX), "invalid_hex"));
  CHECK(!strcmp(traceprop_result_name(TRACEPROP_RESULT_NULL_PARAMETER), "null_parameter"));
  CHECK(traceprop_result_str(999) == NULL);
  CHECK(traceprop_result_name(23) == NULL);
  CHECK(!strcmp(traceprop_version(), TRACEPROP_VERSION));
}

static void test_ids(void) {
  traceprop_trace_id t;
  traceprop_span_id s;
  char buf[64];
  size_t n = 0;
  EQ_RESULT(traceprop_trace_id_from_hex(T, 32, &t), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_trace_id_to_hex(t, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, T));
  EQ_RESULT(traceprop_trace_id_from_hex(S("4BF92F3577B34DA6A3CE929D0E0E4736"), &t), TRACEPROP_RESULT_INVALID_HEX);
  EQ_RESULT(traceprop_trace_id_from_hex(S("00000000000000000000000000000000"), &t), TRACEPROP_RESULT_ZERO_ID);
  EQ_RESULT(traceprop_trace_id_from_hex(NULL, 0, &t), TRACEPROP_RESULT_INVALID_LENGTH);
  EQ_RESULT(traceprop_trace_id_from_hex(NULL, 32, &t), TRACEPROP_RESULT_NULL_PARAMETER);
  EQ_RESULT(traceprop_trace_id_from_hex(T, 32, NULL), TRACEPROP_RESULT_NULL_PARAMETER);
  EQ_RESULT(traceprop_trace_id_from_hex(S("4bf92f3577b34da6a3ce929d0e0e473\xff"), &t), TRACEPROP_RESULT_INVALID_UTF8);

  /* A short buffer reports the size needed and leaves the buffer alone. */
  memset(buf, '#', sizeof buf);
  traceprop_trace_id_from_hex(T, 32, &t);
  EQ_RESULT(traceprop_trace_id_to_hex(t, buf, 31, &n), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == TRACEPROP_TRACE_ID_HEX_LEN && buf[0] == '#');
  EQ_RESULT(traceprop_trace_id_to_hex(t, NULL, 0, &n), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  EQ_RESULT(traceprop_trace_id_to_hex(t, NULL, 32, &n), TRACEPROP_RESULT_NULL_PARAMETER);
  EQ_RESULT(traceprop_trace_id_to_hex(t, buf, sizeof buf, NULL), TRACEPROP_RESULT_NULL_PARAMETER);

  EQ_RESULT(traceprop_trace_id_from_hex_short(S("a3ce929d0e0e4736"), &t), TRACEPROP_RESULT_OK);
  traceprop_trace_id_to_hex(t, buf, sizeof buf, &n);
  CHECK(text_is(buf, n, "0000000000000000a3ce929d0e0e4736"));

  EQ_RESULT(traceprop_trace_id_from_datadog(S("11803532876627986230"), S("4bf92f3577b34da6"), &t), TRACEPROP_RESULT_OK);
  traceprop_trace_id_to_hex(t, buf, sizeof buf, &n);
  CHECK(text_is(buf, n, T));
  EQ_RESULT(traceprop_trace_id_to_datadog(t, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "11803532876627986230"));
  EQ_RESULT(traceprop_trace_id_to_datadog_tid(t, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "4bf92f3577b34da6"));
  EQ_RESULT(traceprop_trace_id_from_datadog(S("5"), NULL, 0, &t), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_trace_id_to_datadog_tid(t, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(n == 0);
  EQ_RESULT(traceprop_trace_id_from_datadog(S("18446744073709551616"), NULL, 0, &t), TRACEPROP_RESULT_OUT_OF_RANGE);

  EQ_RESULT(traceprop_trace_id_from_xray_root(S("1-5759e988-bd862e3fe1be46a994272793"), &t), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_trace_id_to_xray_root(t, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "1-5759e988-bd862e3fe1be46a994272793"));
  EQ_RESULT(traceprop_trace_id_from_xray_root(S("2-5759e988-bd862e3fe1be46a994272793"), &t), TRACEPROP_RESULT_UNSUPPORTED_VERSION);

  EQ_RESULT(traceprop_span_id_from_hex(SPAN, 16, &s), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_span_id_to_decimal(s, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "67667974448284343"));
  EQ_RESULT(traceprop_span_id_from_decimal(buf, n, &s), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_span_id_to_hex(s, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, SPAN));
  CHECK(traceprop_span_id_is_valid(s));
  CHECK(!traceprop_trace_id_is_valid((traceprop_trace_id){{0}}));
}

static void test_w3c_codecs(void) {
  traceprop_traceparent tp;
  traceprop_context ctx;
  char buf[256];
  size_t n;
  EQ_RESULT(traceprop_traceparent_parse(TP, sizeof TP - 1, &tp), TRACEPROP_RESULT_OK);
  CHECK(tp.version == 0 && tp.flags == 1);
  EQ_RESULT(traceprop_traceparent_context(&tp, &ctx), TRACEPROP_RESULT_OK);
  CHECK(ctx.sampled == TRACEPROP_SAMPLED_YES && ctx.origin.ptr == NULL);
  EQ_RESULT(traceprop_traceparent_encode(&ctx, buf, TRACEPROP_TRACEPARENT_LEN, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, TP));
  EQ_RESULT(traceprop_traceparent_encode(&ctx, buf, 54, &n), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == TRACEPROP_TRACEPARENT_LEN);
  EQ_RESULT(traceprop_traceparent_parse(S("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), &tp),
            TRACEPROP_RESULT_UNSUPPORTED_VERSION);
  ctx.sampled = 7; /* not a traceprop_sampled value */
  EQ_RESULT(traceprop_traceparent_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_INVALID_ARGUMENT);
  ctx.sampled = TRACEPROP_SAMPLED_YES;
  ctx.origin = (traceprop_str){NULL, 3}; /* NULL origin means absent: the length is ignored */
  EQ_RESULT(traceprop_traceparent_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  ctx.xray_extra = (traceprop_str){NULL, 3};
  EQ_RESULT(traceprop_traceparent_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_NULL_PARAMETER);

  traceprop_tracestate_member ts[TRACEPROP_TRACESTATE_MAX_MEMBERS];
  size_t count;
  EQ_RESULT(traceprop_tracestate_parse(S("rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE"), ts, 32, &count), TRACEPROP_RESULT_OK);
  CHECK(count == 2 && text_is(ts[1].key.ptr, ts[1].key.len, "congo"));
  EQ_RESULT(traceprop_tracestate_parse(S("a=1,b=2"), ts, 1, &count), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(count == 2);
  EQ_RESULT(traceprop_tracestate_parse(S("a=1,b=2"), ts, 2, &count), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_tracestate_encode(ts, count, buf, 3, &n), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 7);
  EQ_RESULT(traceprop_tracestate_encode(ts, count, buf, n, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "a=1,b=2"));
  EQ_RESULT(traceprop_tracestate_parse(S("FOO=1"), ts, 32, &count), TRACEPROP_RESULT_INVALID_KEY);
  ts[0].key = STR("Bad Key");
  EQ_RESULT(traceprop_tracestate_encode(ts, 1, buf, sizeof buf, &n), TRACEPROP_RESULT_INVALID_KEY);
  EQ_RESULT(traceprop_tracestate_encode(NULL, 0, NULL, 0, &n), TRACEPROP_RESULT_OK);
  CHECK(n == 0);

  traceprop_baggage_member bag[4];
  EQ_RESULT(traceprop_baggage_parse(S("userId=Am%C3%A9lie;p1 ; p2 = x, bad key=1, k=%FF"), bag, 4, &count), TRACEPROP_RESULT_OK);
  CHECK(count == 2);
  EQ_RESULT(traceprop_baggage_value_decode(&bag[0], buf, 3, &n), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == bag[0].value.len);
  EQ_RESULT(traceprop_baggage_value_decode(&bag[0], buf, n, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "Am\xc3\xa9lie"));
  EQ_RESULT(traceprop_baggage_value_decode(&bag[1], buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "\xef\xbf\xbd")); /* invalid UTF-8 after decoding becomes U+FFFD */
  EQ_RESULT(traceprop_baggage_properties_encode(&bag[0], buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "p1;p2=x"));
  traceprop_baggage_property props[2];
  EQ_RESULT(traceprop_baggage_properties_parse(&bag[0], props, 1, &count), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(count == 2);
  EQ_RESULT(traceprop_baggage_properties_parse(&bag[0], props, 2, &count), TRACEPROP_RESULT_OK);
  CHECK(props[0].value.ptr == NULL && text_is(props[1].value.ptr, props[1].value.len, "x"));
  bag[2] = (traceprop_baggage_member){STR("k"), STR("a b+c"), TRACEPROP_ENCODING_RAW, {NULL, 0}};
  EQ_RESULT(traceprop_baggage_encode(&bag[2], 1, buf, 2, &n), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == strlen("k=a%20b%2Bc"));
  EQ_RESULT(traceprop_baggage_encode(&bag[2], 1, buf, n, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "k=a%20b%2Bc"));
  bag[2].encoding = 9;
  EQ_RESULT(traceprop_baggage_encode(&bag[2], 1, buf, sizeof buf, &n), TRACEPROP_RESULT_INVALID_ARGUMENT);
  bag[2] = (traceprop_baggage_member){STR("k"), STR("%zz"), TRACEPROP_ENCODING_PERCENT, {NULL, 0}};
  EQ_RESULT(traceprop_baggage_encode(&bag[2], 1, buf, sizeof buf, &n), TRACEPROP_RESULT_INVALID_ESCAPE);
}

static void test_vendor_codecs(void) {
  traceprop_context ctx;
  char buf[512];
  size_t n;
  EQ_RESULT(traceprop_b3_parse(S("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d"), &ctx), TRACEPROP_RESULT_OK);
  CHECK(ctx.debug && ctx.sampled == TRACEPROP_SAMPLED_YES);
  EQ_RESULT(traceprop_b3_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d"));
  EQ_RESULT(traceprop_b3_parse(S("1"), &ctx), TRACEPROP_RESULT_SAMPLING_ONLY);

  EQ_RESULT(traceprop_jaeger_parse(S("4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1"), &ctx), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_jaeger_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1"));

  static const char xray[] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1";
  EQ_RESULT(traceprop_xray_parse(xray, sizeof xray - 1, &ctx), TRACEPROP_RESULT_OK);
  CHECK(text_is(ctx.xray_extra.ptr, ctx.xray_extra.len, "Lineage=a87bd80c:1"));
  EQ_RESULT(traceprop_xray_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, xray));
  EQ_RESULT(traceprop_xray_encode(&ctx, buf, 10, &n), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == sizeof xray - 1);

  EQ_RESULT(traceprop_cloudtrace_parse(S("4bf92f3577b34da6a3ce929d0e0e4736/67667974448284343;o=1"), &ctx), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_cloudtrace_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "4bf92f3577b34da6a3ce929d0e0e4736/67667974448284343;o=1"));

  uint8_t bin[64];
  EQ_RESULT(traceprop_grpc_trace_bin_encode_bytes(&ctx, bin, sizeof bin, &n), TRACEPROP_RESULT_OK);
  CHECK(n == 29);
  traceprop_context back;
  EQ_RESULT(traceprop_grpc_trace_bin_parse_bytes(bin, n, &back), TRACEPROP_RESULT_OK);
  CHECK(!memcmp(&back.trace_id, &ctx.trace_id, sizeof ctx.trace_id) && back.sampled == TRACEPROP_SAMPLED_YES);
  EQ_RESULT(traceprop_grpc_trace_bin_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_grpc_trace_bin_parse(buf, n, &back), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_sw8_encode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  EQ_RESULT(traceprop_sw8_parse(buf, n, &back), TRACEPROP_RESULT_OK);
  CHECK(!memcmp(&back.trace_id, &ctx.trace_id, sizeof ctx.trace_id));

  EQ_RESULT(traceprop_datadog_parse(S("3541769181224051710"), S("67667974448284343"), S("2"), S("rum"),
                                    S("_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000"), &ctx),
            TRACEPROP_RESULT_OK);
  traceprop_trace_id_to_hex(ctx.trace_id, buf, sizeof buf, &n);
  CHECK(text_is(buf, n, "640cfd8d000000003126e44e234923fe"));
  CHECK(ctx.has_sampling_priority && ctx.sampling_priority == 2 && ctx.dd_tags_syntax == TRACEPROP_DD_TAGS_HEADER);
  EQ_RESULT(traceprop_context_origin_decode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(text_is(buf, n, "rum"));
  EQ_RESULT(traceprop_datadog_parse(S("1"), S("2"), NULL, 0, NULL, 0, NULL, 0, &ctx), TRACEPROP_RESULT_OK);
  CHECK(ctx.sampled == TRACEPROP_SAMPLED_DEFERRED && ctx.origin.ptr == NULL);
  EQ_RESULT(traceprop_context_origin_decode(&ctx, buf, sizeof buf, &n), TRACEPROP_RESULT_MISSING);
}

static traceprop_extraction x; /* 13 KiB: not on the stack */

static void test_config_and_extract(void) {
  traceprop_config config;
  traceprop_str unknown[2];
  size_t count;
  EQ_RESULT(traceprop_config_parse(S("tracecontext, B3 ,bogus,b3,baggage"), &config), TRACEPROP_RESULT_OK);
  CHECK(config.formats_len == 3 && config.formats[1] == TRACEPROP_FORMAT_B3 && config.policy == TRACEPROP_POLICY_LAST);
  EQ_RESULT(traceprop_config_unknown_names(S("a,tracecontext,b"), NULL, 0, &count), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(count == 2);
  EQ_RESULT(traceprop_config_unknown_names(S("a,tracecontext,b"), unknown, 2, &count), TRACEPROP_RESULT_OK);
  CHECK(text_is(unknown[1].ptr, unknown[1].len, "b"));
  uint32_t format;
  EQ_RESULT(traceprop_format_from_name(S("b3 single header"), &format), TRACEPROP_RESULT_OK);
  CHECK(format == TRACEPROP_FORMAT_B3 && !strcmp(traceprop_format_name(format), "b3"));
  EQ_RESULT(traceprop_format_from_name(S("zipkin"), &format), TRACEPROP_RESULT_UNKNOWN_PROPAGATOR);
  CHECK(traceprop_format_name(TRACEPROP_FORMAT_COUNT) == NULL);
  CHECK(traceprop_config_reads(&config, S("X-B3-Sampled")) && !traceprop_config_reads(&config, S("user-agent")));
  CHECK(!strcmp(traceprop_header_name(0), "traceparent") && traceprop_header_name(TRACEPROP_HEADER_COUNT) == NULL);
  CHECK(!strcmp(traceprop_header_prefix(0), "uberctx-") && traceprop_header_prefix(TRACEPROP_HEADER_PREFIX_COUNT) == NULL);

  /* Two formats with different trace ids: the last one wins, conflict set. */
  traceprop_header h[] = {
      {STR("TraceParent"), STR(TP)},
      {STR("tracestate"), STR("a=1")},
      {STR("b3"), STR("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1")},
      {STR("baggage"), STR("k=v%20w;p")},
      {STR("user-agent"), STR("curl")},
  };
  EQ_RESULT(traceprop_extract(&config, h, 5, &x), TRACEPROP_RESULT_OK);
  CHECK(x.has_context && x.source == TRACEPROP_FORMAT_B3 && x.conflict && x.matched_len == 2);
  CHECK(x.tracestate_len == 0); /* the tracestate belongs to the losing trace id */
  CHECK(x.baggage_len == 1 && text_is(x.baggage[0].key.ptr, x.baggage[0].key.len, "k"));
  config.policy = TRACEPROP_POLICY_FIRST;
  EQ_RESULT(traceprop_extract(&config, h, 5, &x), TRACEPROP_RESULT_OK);
  CHECK(x.source == TRACEPROP_FORMAT_TRACECONTEXT && x.tracestate_len == 1);

  /* Invalid input: rejected per format, never an error of the call. */
  traceprop_header bad[] = {{STR("traceparent"), STR("00-zz")}, {STR("b3"), STR("1")}};
  EQ_RESULT(traceprop_extract(&config, bad, 2, &x), TRACEPROP_RESULT_OK);
  CHECK(!x.has_context && x.rejected_len == 2 && x.rejected[0].format == TRACEPROP_FORMAT_TRACECONTEXT);
  CHECK(x.rejected[0].error == TRACEPROP_RESULT_INVALID_LENGTH);
  CHECK(x.rejected[1].format == TRACEPROP_FORMAT_B3 && x.rejected[1].error == TRACEPROP_RESULT_SAMPLING_ONLY);

  /* Pointer checks. */
  EQ_RESULT(traceprop_extract(NULL, h, 5, &x), TRACEPROP_RESULT_NULL_PARAMETER);
  EQ_RESULT(traceprop_extract(&config, NULL, 5, &x), TRACEPROP_RESULT_NULL_PARAMETER);
  EQ_RESULT(traceprop_extract(&config, h, 5, NULL), TRACEPROP_RESULT_NULL_PARAMETER);
  EQ_RESULT(traceprop_extract(&config, NULL, 0, &x), TRACEPROP_RESULT_OK);
  CHECK(!x.has_context && x.baggage_len == 0);
  traceprop_header null_value[] = {{STR("traceparent"), {NULL, 4}}};
  EQ_RESULT(traceprop_extract(&config, null_value, 1, &x), TRACEPROP_RESULT_NULL_PARAMETER);
  traceprop_config broken = config;
  broken.formats[0] = 77;
  EQ_RESULT(traceprop_extract(&broken, h, 5, &x), TRACEPROP_RESULT_INVALID_ARGUMENT);
  broken = config;
  broken.formats_len = 99;
  EQ_RESULT(traceprop_extract(&broken, h, 5, &x), TRACEPROP_RESULT_INVALID_ARGUMENT);
  broken = config;
  broken.policy = 3;
  EQ_RESULT(traceprop_extract(&broken, h, 5, &x), TRACEPROP_RESULT_INVALID_ARGUMENT);
}

static void test_invalid_utf8(void) {
  traceprop_config config;
  traceprop_config_parse(S("tracecontext,baggage"), &config);
  /* A value that is not UTF-8 is invalid for its format. */
  traceprop_header h1[] = {{STR("traceparent"), STR("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\xff")}};
  EQ_RESULT(traceprop_extract(&config, h1, 1, &x), TRACEPROP_RESULT_OK);
  CHECK(!x.has_context && x.rejected_len == 1);
  /* A bad tracestate or baggage line is dropped; the context stays. */
  traceprop_header h2[] = {
      {STR("traceparent"), STR(TP)},
      {STR("tracestate"), STR("a=\xc3\x28")},
      {STR("baggage"), STR("k=\xe2\x82")},
      {STR("baggage"), STR("ok=1")},
  };
  EQ_RESULT(traceprop_extract(&config, h2, 4, &x), TRACEPROP_RESULT_OK);
  CHECK(x.has_context && x.tracestate_len == 0 && x.tracestate_error != TRACEPROP_RESULT_OK);
  CHECK(x.baggage_len == 1 && text_is(x.baggage[0].key.ptr, x.baggage[0].key.len, "ok"));
  /* A name that is not UTF-8 is ignored. */
  traceprop_header h3[] = {{STR("traceparent\xff"), STR(TP)}};
  EQ_RESULT(traceprop_extract(&config, h3, 1, &x), TRACEPROP_RESULT_OK);
  CHECK(!x.has_context && x.rejected_len == 0);
  /* Inputs that must be text. */
  traceprop_str out;
  size_t count;
  EQ_RESULT(traceprop_config_parse(S("b3\xff"), &config), TRACEPROP_RESULT_INVALID_UTF8);
  EQ_RESULT(traceprop_config_unknown_names(S("\xc0"), &out, 1, &count), TRACEPROP_RESULT_INVALID_UTF8);
}

static void collect_count(void *user, traceprop_str name, traceprop_str value) {
  (void)name;
  (void)value;
  ++*(size_t *)user;
}

static void test_inject(void) {
  traceprop_config config;
  traceprop_config_parse(S("tracecontext,baggage,b3multi,ottrace"), &config);
  traceprop_header h[] = {{STR("traceparent"), STR(TP)}, {STR("tracestate"), STR("a=1")}, {STR("baggage"), STR("k=v")}};
  EQ_RESULT(traceprop_extract(&config, h, 3, &x), TRACEPROP_RESULT_OK);
  traceprop_propagation p;
  EQ_RESULT(traceprop_extraction_propagation(&x, &p), TRACEPROP_RESULT_OK);

  size_t calls = 0;
  EQ_RESULT(traceprop_inject(&config, &p, collect_count, &calls), TRACEPROP_RESULT_OK);
  CHECK(calls == 10); /* traceparent tracestate baggage x-b3-{traceid,spanid,sampled} ot-tracer-{traceid,spanid,sampled} ot-baggage-k */
  EQ_RESULT(traceprop_inject(&config, &p, NULL, NULL), TRACEPROP_RESULT_NULL_PARAMETER);

  char buf[1024];
  size_t need = 0, n = 0;
  memset(buf, '#', sizeof buf);
  EQ_RESULT(traceprop_inject_lines(&config, &p, buf, 10, &need), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(need > 100 && need < sizeof buf);
  EQ_RESULT(traceprop_inject_lines(&config, &p, buf, need, &n), TRACEPROP_RESULT_OK);
  CHECK(n == need && !memcmp(buf, "traceparent: ", 13) && buf[n] == '#');
  CHECK(memmem(buf, n, "\r\ntracestate: a=1\r\n", 19) != NULL);

  traceprop_header out[16];
  size_t nh = 0, nb = 0;
  EQ_RESULT(traceprop_inject_headers(&config, &p, buf, sizeof buf, out, 2, &nh, &nb), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  CHECK(nh == 10 && nb > 0);
  EQ_RESULT(traceprop_inject_headers(&config, &p, buf, nb - 1, out, 16, &nh, &nb), TRACEPROP_RESULT_BUFFER_TOO_SMALL);
  EQ_RESULT(traceprop_inject_headers(&config, &p, buf, nb, out, nh, &nh, &nb), TRACEPROP_RESULT_OK);
  CHECK(text_is(out[0].name.ptr, out[0].name.len, "traceparent") && text_is(out[0].value.ptr, out[0].value.len, TP));
  CHECK(out[9].name.ptr + out[9].name.len + out[9].value.len == buf + nb);

  /* A raw baggage value with CR/LF never reaches a header line. */
  traceprop_baggage_member evil = {STR("k"), STR("v\r\nx-evil: 1"), TRACEPROP_ENCODING_RAW, {NULL, 0}};
  p.baggage = &evil;
  p.baggage_len = 1;
  EQ_RESULT(traceprop_inject_lines(&config, &p, buf, sizeof buf, &n), TRACEPROP_RESULT_OK);
  CHECK(memmem(buf, n, "\nx-evil", 7) == NULL);
  /* An invalid context writes only the baggage. */
  p.context.trace_id = (traceprop_trace_id){{0}};
  p.baggage_len = 0;
  calls = 0;
  EQ_RESULT(traceprop_inject(&config, &p, collect_count, &calls), TRACEPROP_RESULT_OK);
  CHECK(calls == 0);
  p.baggage_len = 5;
  p.baggage = NULL;
  EQ_RESULT(traceprop_inject(&config, &p, collect_count, &calls), TRACEPROP_RESULT_NULL_PARAMETER);
}

static void test_huge_inputs(void) {
  traceprop_config config;
  traceprop_config_parse(S("tracecontext,baggage,jaeger,ottrace,b3,datadog,xray"), &config);
  const size_t big = 1 << 20;
  char *value = malloc(big);
  memset(value, 'a', big);
  /* A 1 MiB value in every header: rejected, never read out of bounds. */
  const char *names[] = {"traceparent", "tracestate", "baggage", "uber-trace-id", "b3", "x-datadog-trace-id",
                         "x-datadog-parent-id", "x-amzn-trace-id", "uberctx-k", "ot-baggage-k"};
  traceprop_header h[10];
  for (size_t i = 0; i < 10; i++) h[i] = (traceprop_header){{names[i], strlen(names[i])}, {value, big}};
  EQ_RESULT(traceprop_extract(&config, h, 10, &x), TRACEPROP_RESULT_OK);
  CHECK(!x.has_context && x.rejected_len > 0);

  /* 1 MiB of baggage members in one line: capped at the limits. */
  size_t len = 0;
  while (len + 16 < big) len += (size_t)sprintf(value + len, "k%07zu=v,", len);
  traceprop_header many[] = {{STR("traceparent"), STR(TP)}, {STR("baggage"), {value, len}}};
  EQ_RESULT(traceprop_extract(&config, many, 2, &x), TRACEPROP_RESULT_OK);
  CHECK(x.has_context && x.baggage_len > 0 && x.baggage_len <= TRACEPROP_BAGGAGE_MAX_MEMBERS);

  /* 10,000 header lines. */
  size_t n = 10000;
  traceprop_header *lines = malloc(n * sizeof *lines);
  for (size_t i = 0; i < n; i++) lines[i] = (traceprop_header){STR("baggage"), STR("k=v")};
  lines[n - 1] = (traceprop_header){STR("traceparent"), STR(TP)};
  EQ_RESULT(traceprop_extract(&config, lines, n, &x), TRACEPROP_RESULT_OK);
  CHECK(x.has_context && x.baggage_len == 1);
  free(lines);
  free(value);
}

/* The library is stateless: threads extracting and injecting at once get
 * the same answers as one thread. */
typedef struct {
  const char *want;
  size_t want_len;
  int mismatches;
} thread_arg;

static void *worker(void *p) {
  thread_arg *arg = p;
  traceprop_config config;
  traceprop_config_parse(S("tracecontext,baggage,b3,datadog,jaeger"), &config);
  traceprop_extraction *ex = malloc(sizeof *ex);
  char buf[2048];
  traceprop_header h[] = {{STR("traceparent"), STR(TP)}, {STR("baggage"), STR("user=alice,team=a%20b")}};
  for (int i = 0; i < 2000; i++) {
    traceprop_propagation prop;
    size_t n = 0;
    if (traceprop_extract(&config, h, 2, ex) || traceprop_extraction_propagation(ex, &prop) ||
        traceprop_inject_lines(&config, &prop, buf, sizeof buf, &n) || n != arg->want_len ||
        memcmp(buf, arg->want, n))
      arg->mismatches++;
  }
  free(ex);
  return NULL;
}

static void test_threads(void) {
  traceprop_config config;
  traceprop_config_parse(S("tracecontext,baggage,b3,datadog,jaeger"), &config);
  traceprop_header h[] = {{STR("traceparent"), STR(TP)}, {STR("baggage"), STR("user=alice,team=a%20b")}};
  traceprop_extract(&config, h, 2, &x);
  traceprop_propagation prop;
  traceprop_extraction_propagation(&x, &prop);
  static char want[2048];
  size_t want_len = 0;
  EQ_RESULT(traceprop_inject_lines(&config, &prop, want, sizeof want, &want_len), TRACEPROP_RESULT_OK);
  enum { N = 4 };
  pthread_t threads[N];
  thread_arg args[N];
  for (int i = 0; i < N; i++) {
    args[i] = (thread_arg){want, want_len, 0};
    CHECK(pthread_create(&threads[i], NULL, worker, &args[i]) == 0);
  }
  for (int i = 0; i < N; i++) {
    pthread_join(threads[i], NULL);
    CHECK(args[i].mismatches == 0);
  }
}

int main(void) {
  test_results();
  test_ids();
  test_w3c_codecs();
  test_vendor_codecs();
  test_config_and_extract();
  test_invalid_utf8();
  test_inject();
  test_huge_inputs();
  test_threads();
  printf("c-api: %d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
