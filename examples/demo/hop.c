/* The demo's C hop: a small HTTP/1.1 server on the C ABI (libtraceprop).
 *
 *   hop-c <port> [next-hop-url]
 *
 * GET /health answers {"ok":true}. GET /hop extracts the caller's context
 * with `b3,jaeger,baggage` (what the Node hop sends), starts a child span, and
 * when a next hop is given calls it with `datadog,baggage` headers (as a
 * Datadog-instrumented JVM service expects). It answers
 * {"spans":[its span, ...the next hop's spans]}. Loopback only, one request
 * at a time: a demo, not a server. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "traceprop.h"

#define REQ_MAX 65536
#define OUT_MAX 65536
#define MAX_HEADERS 128

static const char *EXTRACT = "b3,jaeger,baggage";
static const char *INJECT = "datadog,baggage";

/* Appends printf-style text to a bounded buffer. */
typedef struct {
  char *buf;
  size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n) {
  if (t->len + n < t->cap) {
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = 0;
  }
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

/* Appends `s` as a JSON string. */
static void put_json(text *t, const char *s, size_t n) {
  puts_(t, "\"");
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', c};
      put(t, esc, 2);
    } else if ((unsigned char)c >= 0x20) {
      put(t, &c, 1);
    }
  }
  puts_(t, "\"");
}

static void random_bytes(uint8_t *out, size_t n) {
  int fd = open("/dev/urandom", O_RDONLY);
  if (fd < 0 || read(fd, out, n) != (ssize_t)n) {
    perror("urandom");
    exit(1);
  }
  close(fd);
}

static void hex(const uint8_t *b, size_t n, char *out) {
  static const char *digits = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = 0;
}

/* A header map as JSON, keeping only headers the library reads. */
static void put_headers(text *t, const traceprop_header *h, size_t n) {
  puts_(t, "{");
  int first = 1;
  for (size_t i = 0; i < n; i++) {
    char name[128];
    size_t len = h[i].name.len < sizeof name - 1 ? h[i].name.len : sizeof name - 1;
    for (size_t j = 0; j < len; j++) name[j] = (char)((h[i].name.ptr[j] >= 'A' && h[i].name.ptr[j] <= 'Z') ? h[i].name.ptr[j] + 32 : h[i].name.ptr[j]);
    name[len] = 0;
    int known = 0;
    for (size_t k = 0; traceprop_header_name(k); k++) known |= strcmp(traceprop_header_name(k), name) == 0;
    for (size_t k = 0; traceprop_header_prefix(k); k++) known |= strncmp(traceprop_header_prefix(k), name, strlen(traceprop_header_prefix(k))) == 0;
    if (!known) continue;
    if (!first) puts_(t, ",");
    first = 0;
    put_json(t, name, len);
    puts_(t, ":");
    put_json(t, h[i].value.ptr, h[i].value.len);
  }
  puts_(t, "}");
}

/* GETs `url` with `lines` (CRLF-terminated header lines); the body in `body`. */
static int call_next(const char *url, const char *lines, text *body) {
  unsigned port = 0;
  char path[256] = "/";
  if (sscanf(url, "http://127.0.0.1:%u%255s", &port, path) < 1) return -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  char req[OUT_MAX];
  int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nhost: 127.0.0.1:%u\r\nconnection: close\r\n%s\r\n", path, port,
                   lines);
  if (write(fd, req, (size_t)n) != n) {
    close(fd);
    return -1;
  }
  static char resp[OUT_MAX];
  size_t got = 0;
  ssize_t r;
  while (got < sizeof resp - 1 && (r = read(fd, resp + got, sizeof resp - 1 - got)) > 0) got += (size_t)r;
  resp[got] = 0;
  close(fd);
  char *start = strstr(resp, "\r\n\r\n");
  if (!start) return -1;
  puts_(body, start + 4);
  return 0;
}

static void hop(int fd, traceprop_header *headers, size_t n, const char *next) {
  static traceprop_config in, out;
  traceprop_config_parse(EXTRACT, strlen(EXTRACT), &in);
  traceprop_config_parse(INJECT, strlen(INJECT), &out);
  static traceprop_extraction x;
  traceprop_extract(&in, headers, n, &x);

  traceprop_propagation p;
  traceprop_extraction_propagation(&x, &p);
  uint8_t span[8];
  random_bytes(span, sizeof span);
  span[7] |= 1;
  char parent[17] = "", trace[33], span_hex[17];
  if (x.has_context) {
    hex(x.context.span_id.bytes, 8, parent);
  } else { /* no usable context: a new trace */
    random_bytes(p.context.trace_id.bytes, 16);
    p.context.sampled = TRACEPROP_SAMPLED_YES;
  }
  memcpy(p.context.span_id.bytes, span, 8);
  hex(p.context.trace_id.bytes, 16, trace);
  hex(span, 8, span_hex);

  static char lines[OUT_MAX];
  size_t lines_len = 0;
  lines[0] = 0;
  static traceprop_header sent[MAX_HEADERS];
  static char sent_buf[OUT_MAX];
  size_t sent_n = 0, sent_len = 0;
  if (next) {
    traceprop_inject_lines(&out, &p, lines, sizeof lines - 1, &lines_len);
    lines[lines_len] = 0;
    traceprop_inject_headers(&out, &p, sent_buf, sizeof sent_buf, sent, MAX_HEADERS, &sent_n, &sent_len);
  }

  static char buf[OUT_MAX];
  text t = {buf, 0, sizeof buf};
  puts_(&t, "{\"spans\":[{\"service\":\"c\",\"language\":\"c\",\"trace_id\":\"");
  puts_(&t, trace);
  puts_(&t, "\",\"span_id\":\"");
  puts_(&t, span_hex);
  puts_(&t, "\",\"parent_id\":");
  if (x.has_context) {
    put_json(&t, parent, 16);
  } else {
    puts_(&t, "null");
  }
  puts_(&t, ",\"extracted_from\":");
  if (x.has_context) {
    put_json(&t, traceprop_format_name(x.source), strlen(traceprop_format_name(x.source)));
  } else {
    puts_(&t, "null");
  }
  puts_(&t, ",\"received\":");
  put_headers(&t, headers, n);
  puts_(&t, ",\"sent\":");
  put_headers(&t, sent, sent_n);
  puts_(&t, "}");
  if (next) {
    static char body_buf[OUT_MAX];
    text body = {body_buf, 0, sizeof body_buf};
    body_buf[0] = 0;
    char *spans = NULL, *end = NULL;
    if (call_next(next, lines, &body) == 0 && (spans = strstr(body_buf, "\"spans\":[")) && (end = strrchr(body_buf, ']'))) {
      spans += strlen("\"spans\":[");
      if (end > spans) {
        puts_(&t, ",");
        put(&t, spans, (size_t)(end - spans));
      }
    } else {
      puts_(&t, ",{\"error\":");
      put_json(&t, next, strlen(next));
      puts_(&t, "}");
    }
  }
  puts_(&t, "]}");
  dprintf(fd, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %zu\r\nconnection: close\r\n\r\n%s",
          t.len, t.buf);
}

static void serve(int fd, const char *next) {
  static char req[REQ_MAX];
  size_t got = 0;
  ssize_t r;
  while (got < sizeof req - 1 && (r = read(fd, req + got, sizeof req - 1 - got)) > 0) {
    got += (size_t)r;
    req[got] = 0;
    if (strstr(req, "\r\n\r\n")) break;
  }
  req[got] = 0;
  static traceprop_header headers[MAX_HEADERS];
  size_t n = 0;
  char *line = strstr(req, "\r\n");
  int is_hop = strncmp(req, "GET /hop", 8) == 0;
  while (line && n < MAX_HEADERS) {
    line += 2;
    char *eol = strstr(line, "\r\n");
    if (!eol || eol == line) break;
    char *colon = memchr(line, ':', (size_t)(eol - line));
    if (colon) {
      char *v = colon + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      headers[n].name = (traceprop_str){line, (size_t)(colon - line)};
      headers[n].value = (traceprop_str){v, (size_t)(eol - v)};
      n++;
    }
    line = eol;
  }
  if (is_hop) {
    hop(fd, headers, n, next);
  } else {
    const char *ok = "{\"ok\":true}";
    dprintf(fd, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %zu\r\nconnection: close\r\n\r\n%s",
            strlen(ok), ok);
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: hop-c <port> [next-hop-url]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const char *next = argc > 2 ? argv[2] : NULL;
  int srv = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(srv, 16) != 0) {
    perror("listen");
    return 1;
  }
  for (;;) {
    int fd = accept(srv, NULL, NULL);
    if (fd < 0) continue;
    serve(fd, next);
    close(fd);
  }
}
