/* The schema resolver and writer of schema.h: typed conversion of YAML scalars (numbers with pi
 * expressions, integers, booleans, enums, pairs), unknown-key detection with a did-you-mean
 * suggestion, and YAML output that reads back to the same values. */
#include "config/schema.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/config.h"

static const double PI = 3.14159265358979323846; /* Python's math.pi */

static int applies(const rxcf_key *k, unsigned variant) {
  return !k->variants || (k->variants & variant);
}

int rxcf_schema_find(const rxcf_schema *schema, const char *name) {
  for (int i = 0; i < schema->n_keys; i++)
    if (strcmp(schema->keys[i].name, name) == 0) return i;
  return -1;
}

static int is_section(const rxcf_schema *schema, const char *prefix) {
  size_t n = strlen(prefix);
  for (int i = 0; i < schema->n_keys; i++)
    if (strncmp(schema->keys[i].name, prefix, n) == 0 && schema->keys[i].name[n] == '.') return 1;
  return 0;
}

/* ---- values ---- */

/* One factor: `pi` or an unsigned decimal number; advances *p. */
static int parse_factor(const char **p, double *out) {
  const char *s = *p;
  if (s[0] == 'p' && s[1] == 'i') {
    *out = PI;
    *p = s + 2;
    return 0;
  }
  const char *q = s;
  int digits = 0;
  while (*q >= '0' && *q <= '9')
    q++, digits++;
  if (*q == '.') {
    q++;
    while (*q >= '0' && *q <= '9')
      q++, digits++;
  }
  if (!digits) return -1;
  if (*q == 'e' || *q == 'E') {
    const char *e = q + 1;
    if (*e == '+' || *e == '-') e++;
    if (!(*e >= '0' && *e <= '9')) return -1;
    while (*e >= '0' && *e <= '9')
      e++;
    q = e;
  }
  char tok[128];
  if ((size_t)(q - s) >= sizeof tok) return -1;
  memcpy(tok, s, (size_t)(q - s));
  tok[q - s] = '\0';
  *out = strtod(tok, NULL);
  *p = q;
  return 0;
}

int rxcf_parse_number(const char *s, double *out) {
  const char *p = s;
  while (*p == ' ' || *p == '\t')
    p++;
  int negative = 0;
  if (*p == '+' || *p == '-') negative = *p++ == '-';
  double v = 0.0;
  for (char op = 0;;) {
    while (*p == ' ' || *p == '\t')
      p++;
    double f;
    if (parse_factor(&p, &f)) return -1;
    v = op == '*' ? v * f : op == '/' ? v / f : f;
    while (*p == ' ' || *p == '\t')
      p++;
    if (!*p) break;
    if (*p != '*' && *p != '/') return -1;
    op = *p++;
  }
  if (!isfinite(v)) return -1;
  *out = negative ? -v : v;
  return 0;
}

static int parse_bool(const char *s, int *out) {
  static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char *const no[] = {"false", "False", "FALSE", "no", "No",
                                   "NO",    "off",   "Off",   "OFF"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
    if (!strcmp(s, yes[i])) return *out = 1, 0;
    if (!strcmp(s, no[i])) return *out = 0, 0;
  }
  return -1;
}

static void join_names(const char *const *names, char *buf, size_t n) {
  buf[0] = '\0';
  for (int i = 0; names[i]; i++) {
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, "%s%s", i ? ", " : "", names[i]);
  }
}

static const char *kind_name(rxcf_ynode_kind kind) {
  return kind == RXCF_YNODE_MAP ? "a mapping" : kind == RXCF_YNODE_SEQ ? "a sequence" : "a value";
}

/* A range violation; file origins get the offending value appended (a command-line origin
 * shows it already). */
static int fail_range(const rxcf_ynode *node, const char *key, rx_error *err, const char *what) {
  if (node->origin_is_arg) return rxcf_ynode_fail(node, key, err, RX_EINVAL, "%s", what);
  return rxcf_ynode_fail(node, key, err, RX_EINVAL, "%s, got %s", what, node->text);
}

static int check_float_range(const rxcf_key *k, const rxcf_ynode *node, double v, rx_error *err) {
  switch (k->range) {
  case RXCF_RANGE_POSITIVE:
    return v > 0 ? 0 : fail_range(node, k->name, err, "must be > 0");
  case RXCF_RANGE_NONNEG:
    return v >= 0 ? 0 : fail_range(node, k->name, err, "must be >= 0");
  case RXCF_RANGE_UNIT:
    return v >= 0 && v <= 1 ? 0 : fail_range(node, k->name, err, "must be in [0, 1]");
  case RXCF_RANGE_UNIT_OPEN:
    return v >= 0 && v < 1 ? 0 : fail_range(node, k->name, err, "must be in [0, 1)");
  default:
    return 0;
  }
}

/* A list of rows, each `cols` numbers (or pi expressions): [[-1, -1], [1, -1], [0, 1]]. */
static int convert_rows(const rxcf_key *k, const rxcf_ynode *node, void *out, rx_error *err) {
  if (node->kind != RXCF_YNODE_SEQ)
    return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "must be a list of %s, e.g. [%s, %s]",
                           k->row, k->row, k->row);
  if ((size_t)node->n > k->size)
    return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "has %d rows, at most %zu allowed",
                           node->n, k->size);
  double *rows = (double *)((char *)out + k->offset);
  double row[8];
  for (int i = 0; i < node->n; i++) {
    const rxcf_ynode *it = node->items[i];
    int ok = it->kind == RXCF_YNODE_SEQ && it->n == k->cols && k->cols <= 8;
    for (int c = 0; ok && c < k->cols; c++)
      ok = it->items[c]->kind == RXCF_YNODE_SCALAR &&
           !rxcf_parse_number(it->items[c]->text, &row[c]);
    if (!ok)
      return rxcf_ynode_fail(node, k->name, err, RX_EINVAL,
                             "row %d must be %s of finite numbers (or pi expressions)", i + 1,
                             k->row);
    memcpy(rows + (size_t)i * k->cols, row, (size_t)k->cols * sizeof(double));
  }
  memcpy((char *)out + k->count_offset, &node->n, sizeof node->n);
  return 0;
}

static int convert(const rxcf_key *k, const rxcf_ynode *node, void *out, rx_error *err) {
  char *field = (char *)out + k->offset;
  const char *t = node->text;
  if (node->kind == RXCF_YNODE_NULL)
    return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "missing value");
  if (k->type != RXCF_KEY_FLOAT2 && k->type != RXCF_KEY_ROWS && node->kind != RXCF_YNODE_SCALAR)
    return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "expected a single value, got %s",
                           kind_name(node->kind));
  switch (k->type) {
  case RXCF_KEY_INT: {
    double d;
    if (rxcf_parse_number(t, &d) || d != floor(d))
      return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "must be an integer, got '%s'", t);
    if (d < INT_MIN || d > INT_MAX)
      return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "'%s' is out of range for an integer",
                             t);
    int v = (int)d;
    if (k->range == RXCF_RANGE_POSITIVE && v < 1)
      return fail_range(node, k->name, err, "must be a positive integer");
    if (k->range == RXCF_RANGE_NONNEG && v < 0)
      return fail_range(node, k->name, err, "must be a non-negative integer");
    memcpy(field, &v, sizeof v);
    return 0;
  }
  case RXCF_KEY_FLOAT: {
    double v;
    if (rxcf_parse_number(t, &v))
      return rxcf_ynode_fail(node, k->name, err, RX_EINVAL,
                             "must be a finite number (or a product/quotient of numbers and pi, "
                             "e.g. 0.26*pi), got '%s'",
                             t);
    if (check_float_range(k, node, v, err)) return RX_EINVAL;
    memcpy(field, &v, sizeof v);
    return 0;
  }
  case RXCF_KEY_BOOL: {
    int v;
    if (parse_bool(t, &v))
      return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "must be true or false, got '%s'", t);
    memcpy(field, &v, sizeof v);
    return 0;
  }
  case RXCF_KEY_STRING: {
    size_t len = strlen(t);
    if (len == 0) return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "must not be empty");
    if (len >= k->size)
      return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "is too long (at most %zu characters)",
                             k->size - 1);
    memset(field, 0, k->size);
    memcpy(field, t, len + 1);
    return 0;
  }
  case RXCF_KEY_ENUM: {
    for (int i = 0; k->names[i]; i++) {
      if (strcmp(k->names[i], t) == 0) {
        memcpy(field, &i, sizeof i);
        return 0;
      }
    }
    char names[256];
    join_names(k->names, names, sizeof names);
    return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "'%s' is not one of %s", t, names);
  }
  case RXCF_KEY_FLOAT2: {
    double v[2];
    int ok = node->kind == RXCF_YNODE_SEQ && node->n == 2;
    for (int i = 0; ok && i < 2; i++)
      ok = node->items[i]->kind == RXCF_YNODE_SCALAR &&
           !rxcf_parse_number(node->items[i]->text, &v[i]);
    if (!ok)
      return rxcf_ynode_fail(node, k->name, err, RX_EINVAL,
                             "must be a pair [x, y] of finite numbers (or pi expressions)");
    memcpy(field, v, sizeof v);
    return 0;
  }
  case RXCF_KEY_ROWS:
    return convert_rows(k, node, out, err);
  }
  return rxcf_ynode_fail(node, k->name, err, RX_EINVAL, "has an unknown type");
}

/* ---- unknown keys ---- */

static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 127 || lb > 127) return (size_t)-1;
  size_t row[128];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static const char *leaf(const char *name) {
  const char *dot = strrchr(name, '.');
  return dot ? dot + 1 : name;
}

/* The known key of this variant the user most likely meant, or NULL. */
static const char *suggest(const rxcf_schema *schema, unsigned variant, const char *name) {
  const char *best = NULL;
  size_t best_d = (size_t)-1, limit = strlen(name) / 4 > 2 ? strlen(name) / 4 : 2;
  for (int i = 0; i < schema->n_keys; i++) {
    const rxcf_key *k = &schema->keys[i];
    if (!applies(k, variant)) continue;
    if (strcmp(leaf(k->name), leaf(name)) == 0) return k->name; /* right key, wrong section */
    size_t d = edit_distance(name, k->name);
    if (d < best_d) best_d = d, best = k->name;
  }
  return best_d <= limit ? best : NULL;
}

static int fail_unknown(const rxcf_schema *schema, unsigned variant, const rxcf_ynode *node,
                        const char *name, rx_error *err) {
  int idx = rxcf_schema_find(schema, name);
  if (idx >= 0) { /* a key of another variant */
    const char *mine = "", *theirs = "";
    for (int b = 0; b < 32; b++) {
      if (variant & (1u << b)) mine = schema->variant_names[b];
      if (schema->keys[idx].variants & (1u << b)) theirs = schema->variant_names[b];
    }
    return rxcf_ynode_fail(node, NULL, err, RX_EINVAL, "unknown key '%s' for %s (it is a %s key)",
                           name, mine, theirs);
  }
  const char *s = suggest(schema, variant, name);
  if (s)
    return rxcf_ynode_fail(node, NULL, err, RX_EINVAL, "unknown key '%s' (did you mean '%s'?)",
                           name, s);
  return rxcf_ynode_fail(node, NULL, err, RX_EINVAL, "unknown key '%s'", name);
}

/* ---- resolution ---- */

typedef struct resolve_ctx {
  const rxcf_schema *schema;
  unsigned variant;
  void *out;
  const rxcf_ynode **set_by;
  rx_error *err;
} resolve_ctx;

static int walk(resolve_ctx *c, const rxcf_ynode *map, const char *prefix) {
  for (int i = 0; i < map->n; i++) {
    const rxcf_ynode *it = map->items[i];
    char name[256];
    snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "", it->key);
    int idx = rxcf_schema_find(c->schema, name);
    int rc;
    if (idx >= 0 && applies(&c->schema->keys[idx], c->variant)) {
      if ((rc = convert(&c->schema->keys[idx], it, c->out, c->err))) return rc;
      c->set_by[idx] = it;
    } else if (idx < 0 && is_section(c->schema, name)) {
      if (it->kind == RXCF_YNODE_MAP) {
        if ((rc = walk(c, it, name))) return rc;
      } else if (it->kind != RXCF_YNODE_NULL) {
        return rxcf_ynode_fail(it, name, c->err, RX_EINVAL,
                               "expected a mapping of %s.* keys, got %s", name,
                               it->kind == RXCF_YNODE_SCALAR ? "a single value" : "a sequence");
      }
    } else {
      return fail_unknown(c->schema, c->variant, it, name, c->err);
    }
  }
  return 0;
}

int rxcf_schema_resolve(const rxcf_schema *schema, unsigned variant, const rxcf_ynode *root,
                        const char *where, void *out, const rxcf_ynode **set_by, rx_error *err) {
  for (int i = 0; i < schema->n_keys; i++)
    set_by[i] = NULL;
  resolve_ctx c = {schema, variant, out, set_by, err};
  int rc = walk(&c, root, "");
  if (rc) return rc;
  for (int i = 0; i < schema->n_keys; i++) {
    const rxcf_key *k = &schema->keys[i];
    if (applies(k, variant) && !k->optional && !set_by[i])
      return rx_fail(err, RX_EINVAL, "%s: missing key '%s'", where, k->name);
  }
  return 0;
}

/* ---- writing ---- */

typedef struct strbuf {
  char *p;
  size_t len, cap;
  int oom;
} strbuf;

static void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *sb, const char *fmt, ...) {
  if (sb->oom) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    sb->oom = 1;
    return;
  }
  if (sb->len + (size_t)n + 1 > sb->cap) {
    size_t cap = sb->cap ? sb->cap : 1024;
    while (cap < sb->len + (size_t)n + 1)
      cap *= 2;
    char *p = realloc(sb->p, cap);
    if (!p) {
      sb->oom = 1;
      return;
    }
    sb->p = p;
    sb->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
  va_end(ap);
  sb->len += (size_t)n;
}

/* Component i of a dotted name. */
static size_t component(const char *name, int i, const char **start) {
  while (i-- > 0)
    name = strchr(name, '.') + 1;
  *start = name;
  const char *dot = strchr(name, '.');
  return dot ? (size_t)(dot - name) : strlen(name);
}

static int count_dots(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '.';
  return n;
}

static void write_quoted(strbuf *sb, const char *s) {
  sb_printf(sb, "\"");
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      sb_printf(sb, "\\%c", ch);
    else if (ch < 0x20 || ch == 0x7f)
      sb_printf(sb, "\\x%02x", ch);
    else
      sb_printf(sb, "%c", ch);
  }
  sb_printf(sb, "\"");
}

static void write_value(strbuf *sb, const rxcf_key *k, const char *field) {
  char num[2][64];
  int iv;
  double dv[2];
  switch (k->type) {
  case RXCF_KEY_INT:
    memcpy(&iv, field, sizeof iv);
    sb_printf(sb, "%d", iv);
    break;
  case RXCF_KEY_BOOL:
    memcpy(&iv, field, sizeof iv);
    sb_printf(sb, "%s", iv ? "true" : "false");
    break;
  case RXCF_KEY_ENUM: {
    memcpy(&iv, field, sizeof iv);
    int n = 0;
    while (k->names[n])
      n++;
    sb_printf(sb, "%s", iv >= 0 && iv < n ? k->names[iv] : "?");
    break;
  }
  case RXCF_KEY_FLOAT:
    memcpy(dv, field, sizeof dv[0]);
    rx_format_py_float(dv[0], num[0], sizeof num[0]);
    sb_printf(sb, "%s", num[0]);
    break;
  case RXCF_KEY_FLOAT2:
    memcpy(dv, field, sizeof dv);
    rx_format_py_float(dv[0], num[0], sizeof num[0]);
    rx_format_py_float(dv[1], num[1], sizeof num[1]);
    sb_printf(sb, "[%s, %s]", num[0], num[1]);
    break;
  case RXCF_KEY_STRING:
    write_quoted(sb, field);
    break;
  case RXCF_KEY_ROWS: {
    memcpy(&iv, field - k->offset + k->count_offset, sizeof iv);
    sb_printf(sb, "[");
    for (int i = 0; i < iv; i++) {
      sb_printf(sb, "%s[", i ? ", " : "");
      for (int c = 0; c < k->cols; c++) {
        double v;
        memcpy(&v, field + ((size_t)i * k->cols + c) * sizeof(double), sizeof v);
        rx_format_py_float(v, num[0], sizeof num[0]);
        sb_printf(sb, "%s%s", c ? ", " : "", num[0]);
      }
      sb_printf(sb, "]");
    }
    sb_printf(sb, "]");
    break;
  }
  }
}

int rxcf_schema_to_yaml(const rxcf_schema *schema, unsigned variant, const void *in,
                        const char *header, char **text, rx_error *err) {
  *text = NULL;
  strbuf sb = {0};
  sb_printf(&sb, "%s", header ? header : "");
  const char *prev = NULL;
  for (int i = 0; i < schema->n_keys; i++) {
    const rxcf_key *k = &schema->keys[i];
    if (!applies(k, variant) || (k->written && !k->written(in))) continue;
    int depth = count_dots(k->name), prev_depth = prev ? count_dots(prev) : 0, common = 0;
    for (; common < depth && common < prev_depth; common++) {
      const char *a, *b;
      size_t la = component(k->name, common, &a), lb = component(prev, common, &b);
      if (la != lb || strncmp(a, b, la) != 0) break;
    }
    for (int level = common; level < depth; level++) {
      const char *s;
      size_t len = component(k->name, level, &s);
      sb_printf(&sb, "%*s%.*s:\n", 2 * level, "", (int)len, s);
    }
    sb_printf(&sb, "%*s%s: ", 2 * depth, "", leaf(k->name));
    write_value(&sb, k, (const char *)in + k->offset);
    sb_printf(&sb, "\n");
    prev = k->name;
  }
  if (sb.oom || !sb.p) {
    free(sb.p);
    return rx_fail(err, RX_ENOMEM, "out of memory writing config");
  }
  *text = sb.p;
  return 0;
}
