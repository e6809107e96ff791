/* The C conformance runner: every case of every *.json file in
 * $TRACEPROP_VECTORS (default tests/vectors, relative to the project root)
 * through the C API. Prints "FAIL file :: case: why" lines and
 * "c: N passed, M failed"; exits non-zero on any failure. A case it cannot
 * run (unknown field, unknown propagator) fails. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "traceprop.h"

static char why[1024];

static bool fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  return false;
}

static bool is_string(const jvalue *v) { return v && v->type == J_STRING; }

static bool known_keys(const jvalue *obj, const char *const *allowed) {
  for (size_t i = 0; i < obj->count; i++) {
    bool ok = false;
    for (const char *const *a = allowed; *a; a++)
      if (strlen(*a) == obj->key_lens[i] && !memcmp(*a, obj->keys[i], obj->key_lens[i])) ok = true;
    if (!ok) return fail("unknown field \"%s\"", obj->keys[i]);
  }
  return true;
}

static bool parse_config(const jvalue *list, const jvalue *policy, traceprop_config *config) {
  if (!is_string(list)) return fail("propagators is not a string");
  size_t unknown = 0;
  traceprop_str name;
  traceprop_result r = traceprop_config_unknown_names(list->str, list->len, &name, 1, &unknown);
  if (unknown > 0) return fail("unknown propagator(s) in \"%s\"", list->str);
  if (r != TRACEPROP_RESULT_OK) return fail("config_unknown_names: %s", traceprop_result_str(r));
  r = traceprop_config_parse(list->str, list->len, config);
  if (r != TRACEPROP_RESULT_OK) return fail("config_parse: %s", traceprop_result_str(r));
  if (policy) {
    if (is_string(policy) && !strcmp(policy->str, "last")) config->policy = TRACEPROP_POLICY_LAST;
    else if (is_string(policy) && !strcmp(policy->str, "first")) config->policy = TRACEPROP_POLICY_FIRST;
    else return fail("unknown policy");
  }
  return true;
}

/* Header lines from a JSON list of [name, value] pairs (views into the JSON). */
static bool header_list(const jvalue *v, traceprop_header **out, size_t *n) {
  if (!v || v->type != J_ARRAY) return fail("header list is not a list");
  *out = calloc(v->count + 1, sizeof **out);
  *n = v->count;
  for (size_t i = 0; i < v->count; i++) {
    const jvalue *pair = &v->items[i];
    if (pair->type != J_ARRAY || pair->count != 2 || !is_string(&pair->items[0]) || !is_string(&pair->items[1]))
      return fail("bad header pair");
    (*out)[i].name = (traceprop_str){pair->items[0].str, pair->items[0].len};
    (*out)[i].value = (traceprop_str){pair->items[1].str, pair->items[1].len};
  }
  return true;
}

static bool same(const jvalue *want, const char *got, size_t len) {
  return is_string(want) && want->len == len && !memcmp(want->str, got, len);
}

static bool check_context(const traceprop_extraction *x, const jvalue *want) {
  if (want->type == J_NULL) return x->has_context ? fail("context: got one, want null") : true;
  if (want->type != J_OBJECT) return fail("context is not an object");
  if (!x->has_context) return fail("context: got null, want one");
  const traceprop_context *c = &x->context;
  char buf[64];
  size_t n;
  for (size_t i = 0; i < want->count; i++) {
    const char *key = want->keys[i];
    const jvalue *w = &want->items[i];
    if (!strcmp(key, "trace_id")) {
      traceprop_trace_id_to_hex(c->trace_id, buf, sizeof buf, &n);
      if (!same(w, buf, n)) return fail("context.trace_id: got %.*s", (int)n, buf);
    } else if (!strcmp(key, "span_id")) {
      traceprop_span_id_to_hex(c->span_id, buf, sizeof buf, &n);
      if (!same(w, buf, n)) return fail("context.span_id: got %.*s", (int)n, buf);
    } else if (!strcmp(key, "sampled")) {
      int want_s = w->type == J_NULL ? TRACEPROP_SAMPLED_DEFERRED : w->type == J_BOOL ? w->boolean : 99;
      if (c->sampled != want_s) return fail("context.sampled: got %d, want %d", c->sampled, want_s);
    } else if (!strcmp(key, "debug") || !strcmp(key, "random")) {
      bool got = !strcmp(key, "debug") ? c->debug : c->random;
      if (w->type != J_BOOL || w->boolean != got) return fail("context.%s: got %d", key, got);
    } else if (!strcmp(key, "sampling_priority")) {
      if (w->type == J_NULL ? c->has_sampling_priority
                            : (w->type != J_NUMBER || !c->has_sampling_priority || (double)c->sampling_priority != w->number))
        return fail("context.sampling_priority: got %s%d", c->has_sampling_priority ? "" : "null/", c->sampling_priority);
    } else if (!strcmp(key, "origin")) {
      if (w->type == J_NULL) {
        if (c->origin.ptr) return fail("context.origin: got one, want null");
        continue;
      }
      char *origin = malloc(c->origin.len + 1);
      traceprop_result r = traceprop_context_origin_decode(c, origin, c->origin.len, &n);
      bool ok = r == TRACEPROP_RESULT_OK && same(w, origin, n);
      if (!ok) fail("context.origin: got %s \"%.*s\"", traceprop_result_name(r), r ? 0 : (int)n, origin);
      free(origin);
      if (!ok) return false;
    } else {
      return fail("unknown context field \"%s\"", key);
    }
  }
  return true;
}

static bool check_tracestate(const traceprop_extraction *x, const jvalue *want) {
  static char buf[16384];
  size_t n;
  traceprop_result r = traceprop_tracestate_encode(x->tracestate, x->tracestate_len, buf, sizeof buf, &n);
  if (r != TRACEPROP_RESULT_OK) return fail("tracestate_encode: %s", traceprop_result_str(r));
  if (want->type == J_NULL) return n == 0 ? true : fail("tracestate: got \"%.*s\", want null", (int)n, buf);
  return same(want, buf, n) && n > 0 ? true : fail("tracestate: got \"%.*s\", want \"%s\"", (int)n, buf, want->str);
}

static bool check_baggage(const traceprop_extraction *x, const jvalue *want) {
  if (want->type != J_ARRAY) return fail("baggage is not a list");
  if (want->count != x->baggage_len) return fail("baggage: got %zu members, want %zu", x->baggage_len, want->count);
  static char buf[TRACEPROP_BAGGAGE_MAX_LEN];
  size_t n;
  for (size_t i = 0; i < want->count; i++) {
    const traceprop_baggage_member *m = &x->baggage[i];
    const jvalue *w = &want->items[i];
    if (w->type != J_ARRAY || w->count < 2 || w->count > 3) return fail("bad baggage member");
    if (!same(&w->items[0], m->key.ptr, m->key.len)) return fail("baggage[%zu].key: got \"%.*s\"", i, (int)m->key.len, m->key.ptr);
    traceprop_result r = traceprop_baggage_value_decode(m, buf, sizeof buf, &n);
    if (r || !same(&w->items[1], buf, n)) return fail("baggage[%zu].value: got %s \"%.*s\"", i, traceprop_result_name(r), (int)n, buf);
    r = traceprop_baggage_properties_encode(m, buf, sizeof buf, &n);
    if (r) return fail("baggage[%zu].properties: %s", i, traceprop_result_str(r));
    if (w->count == 3 ? !same(&w->items[2], buf, n) : n != 0)
      return fail("baggage[%zu].properties: got \"%.*s\"", i, (int)n, buf);
  }
  return true;
}

static bool check_extraction(const traceprop_extraction *x, const jvalue *expect) {
  static const char *const keys[] = {"context", "tracestate", "baggage", "source", NULL};
  if (!known_keys(expect, keys)) return false;
  const jvalue *v;
  if ((v = j_get(expect, "context")) && !check_context(x, v)) return false;
  if ((v = j_get(expect, "tracestate")) && !check_tracestate(x, v)) return false;
  if ((v = j_get(expect, "baggage")) && !check_baggage(x, v)) return false;
  if ((v = j_get(expect, "source"))) {
    const char *got = x->has_context ? traceprop_format_name(x->source) : NULL;
    if (v->type == J_NULL ? got != NULL : !(got && same(v, got, strlen(got))))
      return fail("source: got %s", got ? got : "null");
  }
  return true;
}

/* Injected headers, collected by the sink callback. */
typedef struct {
  char **names, **values;
  size_t count, cap;
} collected;

static void collect(void *user, traceprop_str name, traceprop_str value) {
  collected *c = user;
  if (c->count == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 16;
    c->names = realloc(c->names, c->cap * sizeof *c->names);
    c->values = realloc(c->values, c->cap * sizeof *c->values);
  }
  c->names[c->count] = strndup(name.ptr, name.len);
  c->values[c->count] = strndup(value.ptr, value.len);
  c->count++;
}

static void collected_free(collected *c) {
  for (size_t i = 0; i < c->count; i++) { free(c->names[i]); free(c->values[i]); }
  free(c->names);
  free(c->values);
}

static bool compare_headers(const collected *got, const jvalue *expect) {
  static const char *const keys[] = {"headers", NULL};
  if (!known_keys(expect, keys)) return false;
  const jvalue *want = j_get(expect, "headers");
  if (!want || want->type != J_ARRAY) return fail("missing expect.headers");
  for (size_t i = 0; i < got->count; i++)
    for (const char *p = got->names[i]; *p; p++)
      if (*p >= 'A' && *p <= 'Z') return fail("injected header name \"%s\" is not lowercase", got->names[i]);
  if (got->count != want->count) return fail("headers: got %zu, want %zu", got->count, want->count);
  /* Order-insensitive: match each wanted pair to a distinct got pair. */
  bool *used = calloc(got->count + 1, 1);
  bool ok = true;
  for (size_t i = 0; i < want->count && ok; i++) {
    const jvalue *pair = &want->items[i];
    if (pair->type != J_ARRAY || pair->count != 2) { ok = fail("bad header pair"); break; }
    bool found = false;
    for (size_t j = 0; j < got->count && !found; j++)
      if (!used[j] && same(&pair->items[0], got->names[j], strlen(got->names[j])) &&
          same(&pair->items[1], got->values[j], strlen(got->values[j])))
        found = used[j] = true;
    if (!found) ok = fail("headers: missing %s: %s", pair->items[0].str, pair->items[1].str);
  }
  free(used);
  return ok;
}

/* The propagation described by an inject object. The returned arrays hold
 * views into the JSON. */
static bool propagation(const jvalue *in, traceprop_propagation *p, traceprop_tracestate_member *ts,
                        traceprop_baggage_member *bag) {
  static const char *const keys[] = {"trace_id", "span_id", "sampled", "random", "debug", "tracestate", "baggage",
                                     "sampling_priority", "origin", "dd_tags", "xray_extra", NULL};
  if (in->type != J_OBJECT) return fail("inject is not an object");
  if (!known_keys(in, keys)) return false;
  memset(p, 0, sizeof *p);
  traceprop_context *c = &p->context;
  const jvalue *v = j_get(in, "trace_id");
  if (!is_string(v) || traceprop_trace_id_from_hex(v->str, v->len, &c->trace_id)) return fail("bad trace_id");
  v = j_get(in, "span_id");
  if (!is_string(v) || traceprop_span_id_from_hex(v->str, v->len, &c->span_id)) return fail("bad span_id");
  v = j_get(in, "sampled");
  if (!v || (v->type != J_NULL && v->type != J_BOOL)) return fail("bad sampled");
  c->sampled = v->type == J_NULL ? TRACEPROP_SAMPLED_DEFERRED : v->boolean ? TRACEPROP_SAMPLED_YES : TRACEPROP_SAMPLED_NO;
  c->random = (v = j_get(in, "random")) && v->type == J_BOOL && v->boolean;
  c->debug = (v = j_get(in, "debug")) && v->type == J_BOOL && v->boolean;
  if ((v = j_get(in, "sampling_priority")) && v->type != J_NULL) {
    if (v->type != J_NUMBER) return fail("bad sampling_priority");
    c->has_sampling_priority = true;
    c->sampling_priority = (int32_t)v->number;
  }
  if ((v = j_get(in, "origin")) && is_string(v)) c->origin = (traceprop_str){v->str, v->len};
  if ((v = j_get(in, "dd_tags")) && is_string(v)) {
    c->dd_tags_syntax = TRACEPROP_DD_TAGS_HEADER;
    c->dd_tags = (traceprop_str){v->str, v->len};
  }
  if ((v = j_get(in, "xray_extra")) && is_string(v)) c->xray_extra = (traceprop_str){v->str, v->len};
  if ((v = j_get(in, "tracestate")) && is_string(v)) {
    traceprop_result r = traceprop_tracestate_parse(v->str, v->len, ts, TRACEPROP_TRACESTATE_MAX_MEMBERS, &p->tracestate_len);
    if (r) return fail("tracestate: %s", traceprop_result_str(r));
    p->tracestate = ts;
  }
  if ((v = j_get(in, "baggage")) && v->type == J_ARRAY) {
    if (v->count > TRACEPROP_BAGGAGE_MAX_MEMBERS) return fail("too many baggage members");
    for (size_t i = 0; i < v->count; i++) {
      const jvalue *m = &v->items[i];
      if (m->type != J_ARRAY || m->count < 2 || m->count > 3) return fail("baggage member needs 2 or 3 parts");
      for (size_t k = 0; k < m->count; k++)
        if (!is_string(&m->items[k])) return fail("baggage part is not a string");
      bag[i].key = (traceprop_str){m->items[0].str, m->items[0].len};
      bag[i].value = (traceprop_str){m->items[1].str, m->items[1].len};
      bag[i].encoding = TRACEPROP_ENCODING_RAW;
      bag[i].properties = m->count == 3 ? (traceprop_str){m->items[2].str, m->items[2].len} : (traceprop_str){NULL, 0};
    }
    p->baggage = bag;
    p->baggage_len = v->count;
  }
  return true;
}

static traceprop_extraction extraction; /* 13 KiB: not on the stack */

static bool run_case(const jvalue *c) {
  static const char *const keys[] = {"name", "reason", "propagators", "policy", "extract",
                                     "inject", "inject_propagators", "expect", NULL};
  if (c->type != J_OBJECT) return fail("case is not an object");
  if (!known_keys(c, keys)) return false;
  const jvalue *reason = j_get(c, "reason");
  if (!is_string(reason) || reason->len == 0) return fail("missing reason");
  traceprop_config config;
  if (!parse_config(j_get(c, "propagators"), j_get(c, "policy"), &config)) return false;
  const jvalue *expect = j_get(c, "expect");
  if (!expect || expect->type != J_OBJECT) return fail("missing expect");
  const jvalue *extract = j_get(c, "extract"), *inject = j_get(c, "inject"), *to = j_get(c, "inject_propagators");
  if ((extract != NULL) == (inject != NULL)) return fail("a case needs exactly one of extract, inject, translate");

  collected got = {0};
  bool ok;
  if (extract) {
    traceprop_header *headers = NULL;
    size_t n = 0;
    ok = header_list(extract, &headers, &n);
    traceprop_result r = ok ? traceprop_extract(&config, headers, n, &extraction) : TRACEPROP_RESULT_OK;
    if (ok && r) ok = fail("extract: %s", traceprop_result_str(r));
    if (ok && to) {
      traceprop_config to_config;
      ok = parse_config(to, NULL, &to_config);
      traceprop_propagation p;
      if (ok && extraction.has_context) {
        traceprop_extraction_propagation(&extraction, &p);
        r = traceprop_inject(&to_config, &p, collect, &got);
        if (r) ok = fail("inject: %s", traceprop_result_str(r));
      }
      if (ok) ok = compare_headers(&got, expect);
    } else if (ok) {
      ok = check_extraction(&extraction, expect);
    }
    free(headers);
  } else {
    static traceprop_tracestate_member ts[TRACEPROP_TRACESTATE_MAX_MEMBERS];
    static traceprop_baggage_member bag[TRACEPROP_BAGGAGE_MAX_MEMBERS];
    traceprop_propagation p;
    ok = !to || fail("inject_propagators without extract");
    if (ok) ok = propagation(inject, &p, ts, bag);
    if (ok) {
      traceprop_result r = traceprop_inject(&config, &p, collect, &got);
      if (r) ok = fail("inject: %s", traceprop_result_str(r));
    }
    if (ok) ok = compare_headers(&got, expect);
  }
  collected_free(&got);
  return ok;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  const char *dir = getenv("TRACEPROP_VECTORS");
  if (!dir || !*dir) dir = "tests/vectors";
  DIR *d = opendir(dir);
  if (!d) { fprintf(stderr, "cannot read %s\n", dir); return 2; }
  char **files = NULL;
  size_t nfiles = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n > 5 && !strcmp(e->d_name + n - 5, ".json")) {
      files = realloc(files, (nfiles + 1) * sizeof *files);
      files[nfiles++] = strdup(e->d_name);
    }
  }
  closedir(d);
  qsort(files, nfiles, sizeof *files, by_name);
  if (nfiles == 0) { fprintf(stderr, "no vector files in %s\n", dir); return 2; }

  size_t passed = 0, failed = 0;
  for (size_t f = 0; f < nfiles; f++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, files[f]);
    FILE *fp = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    if (fp) {
      fseek(fp, 0, SEEK_END);
      len = (size_t)ftell(fp);
      fseek(fp, 0, SEEK_SET);
      text = malloc(len + 1);
      len = fread(text, 1, len, fp);
      fclose(fp);
    }
    jvalue doc;
    const char *error = "unreadable";
    if (!text || !j_parse(text, len, &doc, &error)) {
      printf("FAIL %s: invalid JSON: %s\n", files[f], error);
      failed++;
      free(text);
      free(files[f]);
      continue;
    }
    const jvalue *schema = j_get(&doc, "schema"), *cases = j_get(&doc, "cases");
    if (!is_string(schema) || strcmp(schema->str, "traceprop-vectors/1") || !cases || cases->type != J_ARRAY) {
      printf("FAIL %s: unknown schema or no cases array\n", files[f]);
      failed++;
    } else {
      for (size_t i = 0; i < cases->count; i++) {
        const jvalue *name = j_get(&cases->items[i], "name");
        if (run_case(&cases->items[i])) {
          passed++;
        } else {
          failed++;
          printf("FAIL %s :: %s: %s\n", files[f], is_string(name) ? name->str : "<unnamed>", why);
        }
      }
    }
    j_free(&doc);
    free(text);
    free(files[f]);
  }
  free(files);
  printf("c: %zu passed, %zu failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
