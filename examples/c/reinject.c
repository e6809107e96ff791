/* Reads HTTP header lines ("name: value") from stdin, extracts a trace
 * context with the formats in argv[1] (default "tracecontext,baggage,b3,datadog"),
 * and prints the context and the headers every configured format writes.
 *
 *   printf 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n' |
 *     ./reinject "tracecontext,b3,datadog"
 *
 * Build (after `make install PREFIX=...`):
 *   cc reinject.c $(pkg-config --cflags --libs traceprop) -o reinject */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traceprop.h"

#define MAX_LINES 256

static void print_header(void *user, traceprop_str name, traceprop_str value) {
  (void)user;
  printf("  %.*s: %.*s\n", (int)name.len, name.ptr, (int)value.len, value.ptr);
}

static const char *trim(char *s, size_t *len) {
  while (*len > 0 && (s[*len - 1] == '\n' || s[*len - 1] == '\r')) (*len)--;
  return s;
}

int main(int argc, char **argv) {
  const char *list = argc > 1 ? argv[1] : "tracecontext,baggage,b3,datadog";
  traceprop_config config;
  traceprop_result r = traceprop_config_parse(list, strlen(list), &config);
  if (r != TRACEPROP_RESULT_OK) {
    fprintf(stderr, "bad propagator list: %s\n", traceprop_result_str(r));
    return 2;
  }

  /* Read "name: value" lines; the header views point into `lines`. */
  static char lines[MAX_LINES][8192];
  static traceprop_header headers[MAX_LINES];
  size_t n = 0;
  while (n < MAX_LINES && fgets(lines[n], sizeof lines[n], stdin)) {
    size_t len = strlen(lines[n]);
    char *line = (char *)trim(lines[n], &len);
    char *colon = memchr(line, ':', len);
    if (!colon) continue;
    headers[n].name = (traceprop_str){line, (size_t)(colon - line)};
    headers[n].value = (traceprop_str){colon + 1, len - (size_t)(colon + 1 - line)};
    n++;
  }

  static traceprop_extraction x; /* about 13 KiB */
  r = traceprop_extract(&config, headers, n, &x);
  if (r != TRACEPROP_RESULT_OK) {
    fprintf(stderr, "extract: %s\n", traceprop_result_str(r));
    return 1;
  }
  for (size_t i = 0; i < x.rejected_len; i++)
    printf("rejected %s: %s\n", traceprop_format_name(x.rejected[i].format), traceprop_result_str(x.rejected[i].error));
  if (!x.has_context) {
    printf("no context\n");
  } else {
    char trace[TRACEPROP_TRACE_ID_HEX_LEN], span[TRACEPROP_SPAN_ID_HEX_LEN];
    size_t tn, sn;
    traceprop_trace_id_to_hex(x.context.trace_id, trace, sizeof trace, &tn);
    traceprop_span_id_to_hex(x.context.span_id, span, sizeof span, &sn);
    const char *sampled = x.context.sampled == TRACEPROP_SAMPLED_DEFERRED ? "deferred"
                          : x.context.sampled == TRACEPROP_SAMPLED_YES    ? "yes"
                                                                          : "no";
    printf("context from %s: trace_id=%.*s span_id=%.*s sampled=%s%s%s\n", traceprop_format_name(x.source), (int)tn,
           trace, (int)sn, span, sampled, x.context.debug ? " debug" : "", x.conflict ? " (formats disagree)" : "");
  }
  for (size_t i = 0; i < x.baggage_len; i++) {
    char value[8192];
    size_t vn = 0;
    if (traceprop_baggage_value_decode(&x.baggage[i], value, sizeof value, &vn) == TRACEPROP_RESULT_OK)
      printf("baggage %.*s = %.*s\n", (int)x.baggage[i].key.len, x.baggage[i].key.ptr, (int)vn, value);
  }

  /* Re-inject in each configured format, one at a time. */
  traceprop_propagation p;
  traceprop_extraction_propagation(&x, &p);
  for (size_t i = 0; i < config.formats_len; i++) {
    traceprop_config one = config;
    one.formats[0] = config.formats[i];
    one.formats_len = 1;
    printf("%s:\n", traceprop_format_name(config.formats[i]));
    traceprop_inject(&one, &p, print_header, NULL);
  }
  return 0;
}
