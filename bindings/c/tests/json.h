/* A small JSON reader for the C tests: parses a whole document into a tree
 * allocated with malloc. Strings are decoded (\uXXXX included) and keep their
 * length, so embedded NULs survive. Not part of the library. */
#ifndef TRACEPROP_TEST_JSON_H
#define TRACEPROP_TEST_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jtype;

typedef struct jvalue {
  jtype type;
  bool boolean;
  double number;
  char *str; /* J_STRING: NUL-terminated copy, `len` bytes */
  size_t len;
  struct jvalue *items; /* J_ARRAY / J_OBJECT values */
  char **keys;          /* J_OBJECT keys */
  size_t *key_lens;
  size_t count;
} jvalue;

typedef struct {
  const char *p, *end;
  const char *error;
} jparser;

static void j_ws(jparser *jp) {
  while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r')) jp->p++;
}

static bool j_fail(jparser *jp, const char *why) {
  if (!jp->error) jp->error = why;
  return false;
}

static int j_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool j_hex4(jparser *jp, uint32_t *out) {
  if (jp->end - jp->p < 4) return j_fail(jp, "short \\u escape");
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    int h = j_hex(jp->p[i]);
    if (h < 0) return j_fail(jp, "bad \\u escape");
    v = v * 16 + (uint32_t)h;
  }
  jp->p += 4;
  *out = v;
  return true;
}

static size_t j_utf8(uint32_t cp, char *out) {
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

static bool j_string(jparser *jp, char **out, size_t *out_len) {
  if (jp->p >= jp->end || *jp->p != '"') return j_fail(jp, "expected string");
  jp->p++;
  /* Decoding never grows the text: \uXXXX (6 bytes) -> at most 3, a pair (12) -> 4. */
  const char *start = jp->p;
  while (jp->p < jp->end && *jp->p != '"') jp->p += (*jp->p == '\\') ? 2 : 1;
  if (jp->p >= jp->end) return j_fail(jp, "unterminated string");
  size_t cap = (size_t)(jp->p - start) + 1;
  char *buf = malloc(cap);
  size_t n = 0;
  jp->p = start;
  while (*jp->p != '"') {
    char c = *jp->p++;
    if ((unsigned char)c < 0x20) { free(buf); return j_fail(jp, "control character in string"); }
    if (c != '\\') { buf[n++] = c; continue; }
    c = *jp->p++;
    switch (c) {
      case '"': case '\\': case '/': buf[n++] = c; break;
      case 'b': buf[n++] = '\b'; break;
      case 'f': buf[n++] = '\f'; break;
      case 'n': buf[n++] = '\n'; break;
      case 'r': buf[n++] = '\r'; break;
      case 't': buf[n++] = '\t'; break;
      case 'u': {
        uint32_t cp;
        if (!j_hex4(jp, &cp)) { free(buf); return false; }
        if (cp >= 0xD800 && cp < 0xDC00 && jp->end - jp->p >= 6 && jp->p[0] == '\\' && jp->p[1] == 'u') {
          const char *save = jp->p;
          uint32_t lo;
          jp->p += 2;
          if (j_hex4(jp, &lo) && lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          else jp->p = save;
        }
        n += j_utf8(cp, buf + n); /* a lone surrogate stays as its 3 bytes (not UTF-8) */
        break;
      }
      default: free(buf); return j_fail(jp, "bad escape");
    }
  }
  jp->p++;
  buf[n] = '\0';
  *out = buf;
  *out_len = n;
  return true;
}

static bool j_value(jparser *jp, jvalue *v, int depth);

static bool j_push(jparser *jp, jvalue *v, size_t *cap) {
  if (v->count == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    v->items = realloc(v->items, *cap * sizeof *v->items);
    if (v->type == J_OBJECT) {
      v->keys = realloc(v->keys, *cap * sizeof *v->keys);
      v->key_lens = realloc(v->key_lens, *cap * sizeof *v->key_lens);
    }
  }
  (void)jp;
  return true;
}

static bool j_value(jparser *jp, jvalue *v, int depth) {
  memset(v, 0, sizeof *v);
  if (depth > 64) return j_fail(jp, "nesting too deep");
  j_ws(jp);
  if (jp->p >= jp->end) return j_fail(jp, "unexpected end");
  char c = *jp->p;
  if (c == '"') { v->type = J_STRING; return j_string(jp, &v->str, &v->len); }
  if (c == '[' || c == '{') {
    bool object = c == '{';
    v->type = object ? J_OBJECT : J_ARRAY;
    size_t cap = 0;
    jp->p++;
    j_ws(jp);
    if (jp->p < jp->end && *jp->p == (object ? '}' : ']')) { jp->p++; return true; }
    for (;;) {
      j_push(jp, v, &cap);
      if (object) {
        j_ws(jp);
        if (!j_string(jp, &v->keys[v->count], &v->key_lens[v->count])) return false;
        j_ws(jp);
        if (jp->p >= jp->end || *jp->p != ':') return j_fail(jp, "expected ':'");
        jp->p++;
      }
      if (!j_value(jp, &v->items[v->count], depth + 1)) return false;
      v->count++;
      j_ws(jp);
      if (jp->p < jp->end && *jp->p == ',') { jp->p++; continue; }
      if (jp->p < jp->end && *jp->p == (object ? '}' : ']')) { jp->p++; return true; }
      return j_fail(jp, "expected ',' or a closing bracket");
    }
  }
  if (jp->end - jp->p >= 4 && !memcmp(jp->p, "null", 4)) { jp->p += 4; v->type = J_NULL; return true; }
  if (jp->end - jp->p >= 4 && !memcmp(jp->p, "true", 4)) { jp->p += 4; v->type = J_BOOL; v->boolean = true; return true; }
  if (jp->end - jp->p >= 5 && !memcmp(jp->p, "false", 5)) { jp->p += 5; v->type = J_BOOL; return true; }
  if (c == '-' || (c >= '0' && c <= '9')) {
    char tmp[64];
    size_t n = 0;
    while (jp->p < jp->end && n < sizeof tmp - 1 && strchr("+-0123456789.eE", *jp->p)) tmp[n++] = *jp->p++;
    tmp[n] = '\0';
    char *endp;
    v->type = J_NUMBER;
    v->number = strtod(tmp, &endp);
    if (*endp != '\0') return j_fail(jp, "bad number");
    return true;
  }
  return j_fail(jp, "unexpected character");
}

static void j_free(jvalue *v) {
  free(v->str);
  for (size_t i = 0; i < v->count; i++) {
    j_free(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->key_lens);
}

/* Parses `len` bytes; on failure returns false with `*error` set. */
static bool j_parse(const char *text, size_t len, jvalue *out, const char **error) {
  jparser jp = {text, text + len, NULL};
  bool ok = j_value(&jp, out, 0);
  if (ok) {
    j_ws(&jp);
    if (jp.p != jp.end) ok = j_fail(&jp, "trailing characters");
  }
  if (!ok) {
    j_free(out);
    memset(out, 0, sizeof *out);
    *error = jp.error;
  }
  return ok;
}

/* The member `key` of object `v`, or NULL. */
static const jvalue *j_get(const jvalue *v, const char *key) {
  if (!v || v->type != J_OBJECT) return NULL;
  size_t n = strlen(key);
  for (size_t i = 0; i < v->count; i++)
    if (v->key_lens[i] == n && !memcmp(v->keys[i], key, n)) return &v->items[i];
  return NULL;
}

#endif
