/* The YAML tree of yaml_tree.h: libyaml parse events turned into nodes that remember their origin,
 * the deep merge of config layers, and command-line key=value overrides. Which keys exist and
 * what their values mean is left to schema.c. */
#include "config/yaml_tree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Config files are a few KiB; anything this large is not one (and is not read into memory). */
#define RX_YAML_MAX_FILE_BYTES (1 << 20)
/* Configs nest three levels deep; the parser recurses once per level, so refuse deep input
 * instead of running out of stack. Also bounds the components of a dotted override key. */
#define RX_YAML_MAX_DEPTH 32
#define RX_YAML_MAX_KEY_LEN 255
#define RX_YAML_MAX_ORIGIN_ARG 200

static char *dupstr(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

static int nomem(rx_error *err) { return rx_fail(err, RX_ENOMEM, "out of memory reading config"); }

static rxcf_ynode *node_new(rxcf_ynode_kind kind, const char *text, const char *origin, int is_arg,
                            int layer) {
  rxcf_ynode *node = calloc(1, sizeof *node);
  if (!node) return NULL;
  node->kind = kind;
  node->origin_is_arg = is_arg;
  node->layer = layer;
  node->text = dupstr(text ? text : "");
  node->origin = dupstr(origin ? origin : "");
  if (!node->text || !node->origin) {
    rxcf_ynode_free(node);
    return NULL;
  }
  return node;
}

void rxcf_ynode_free(rxcf_ynode *node) {
  if (!node) return;
  for (int i = 0; i < node->n; i++)
    rxcf_ynode_free(node->items[i]);
  free(node->items);
  free(node->text);
  free(node->key);
  free(node->origin);
  free(node);
}

static int push(rxcf_ynode *parent, rxcf_ynode *child) {
  if (parent->n == parent->cap) {
    int cap = parent->cap ? 2 * parent->cap : 8;
    rxcf_ynode **items = realloc(parent->items, (size_t)cap * sizeof(rxcf_ynode *));
    if (!items) return -1;
    parent->items = items;
    parent->cap = cap;
  }
  parent->items[parent->n++] = child;
  return 0;
}

static int find_index(const rxcf_ynode *map, const char *key) {
  for (int i = 0; i < map->n; i++)
    if (map->items[i]->key && strcmp(map->items[i]->key, key) == 0) return i;
  return -1;
}

const rxcf_ynode *rxcf_ynode_get(const rxcf_ynode *map, const char *key) {
  if (!map || map->kind != RXCF_YNODE_MAP) return NULL;
  int i = find_index(map, key);
  return i < 0 ? NULL : map->items[i];
}

/* Name in parentheses: not expanded as yaml_tree.h's model of it for the static analyzer. */
int(rxcf_ynode_fail)(const rxcf_ynode *node, const char *key, rx_error *err, int code,
                     const char *fmt, ...) {
  if (!err) return code;
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (node->origin_is_arg || !key) return rx_fail(err, code, "%s: %s", node->origin, msg);
  return rx_fail(err, code, "%s: %s: %s", node->origin, key, msg);
}

/* ---- parsing ---- */

typedef struct parse_ctx {
  yaml_parser_t parser;
  const char *name;         /* file (or origin) name for "name:line" origins */
  const char *fixed_origin; /* a command-line argument: every node gets this origin */
  int layer;
  rx_error *err;
} parse_ctx;

static void origin_at(const parse_ctx *c, yaml_mark_t mark, char *buf, size_t n) {
  if (c->fixed_origin)
    snprintf(buf, n, "%s", c->fixed_origin);
  else
    snprintf(buf, n, "%s:%zu", c->name, mark.line + 1);
}

static int next_event(parse_ctx *c, yaml_event_t *ev) {
  if (yaml_parser_parse(&c->parser, ev)) return 0;
  const yaml_parser_t *p = &c->parser;
  if (p->error == YAML_MEMORY_ERROR) return nomem(c->err);
  const char *problem = p->problem ? p->problem : "malformed YAML";
  const char *open = p->context ? " (" : "", *context = p->context ? p->context : "";
  const char *close = p->context ? ")" : "";
  if (c->fixed_origin)
    return rx_fail(c->err, RX_EFORMAT, "%s: YAML syntax error: %s%s%s%s", c->fixed_origin, problem,
                   open, context, close);
  return rx_fail(c->err, RX_EFORMAT, "%s:%zu:%zu: YAML syntax error: %s%s%s%s", c->name,
                 p->problem_mark.line + 1, p->problem_mark.column + 1, problem, open, context,
                 close);
}

static int is_null_text(const char *t) {
  return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL");
}

static int refuse(parse_ctx *c, const char *origin, const char *path, const char *what) {
  return rx_fail(c->err, RX_EFORMAT, "%s: %s%s%s is not supported in config files", origin, path,
                 *path ? ": " : "", what);
}

/* ev: the start event of the node (the caller deletes it); path: dotted key for messages;
 * depth: of the node (the root is 0). */
static int parse_node(parse_ctx *c, const yaml_event_t *ev, const char *path, const char *origin,
                      int depth, rxcf_ynode **out) {
  *out = NULL;
  int is_arg = c->fixed_origin != NULL, rc = 0;
  rxcf_ynode *node = NULL;
  switch (ev->type) {
  case YAML_ALIAS_EVENT:
    return refuse(c, origin, path, "an alias (*name)");
  case YAML_SCALAR_EVENT: {
    if (ev->data.scalar.anchor) return refuse(c, origin, path, "an anchor (&name)");
    const char *t = (const char *)ev->data.scalar.value;
    if (strlen(t) != ev->data.scalar.length)
      return rx_fail(c->err, RX_EFORMAT, "%s: %s: value contains a NUL character", origin, path);
    int null = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && is_null_text(t);
    node = node_new(null ? RXCF_YNODE_NULL : RXCF_YNODE_SCALAR, null ? "" : t, origin, is_arg,
                    c->layer);
    if (!node) return nomem(c->err);
    *out = node;
    return 0;
  }
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    if (depth >= RX_YAML_MAX_DEPTH)
      return rx_fail(c->err, RX_EFORMAT,
                     "%s: %s%snesting deeper than %d levels is not supported in config files",
                     origin, path, *path ? ": " : "", RX_YAML_MAX_DEPTH);
    if (is_map ? ev->data.mapping_start.anchor != NULL : ev->data.sequence_start.anchor != NULL)
      return refuse(c, origin, path, "an anchor (&name)");
    node = node_new(is_map ? RXCF_YNODE_MAP : RXCF_YNODE_SEQ, "", origin, is_arg, c->layer);
    if (!node) return nomem(c->err);
    for (int index = 0;; index++) {
      yaml_event_t e;
      if ((rc = next_event(c, &e))) break;
      if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
        yaml_event_delete(&e);
        break;
      }
      char item_origin[1024], item_path[512];
      origin_at(c, e.start_mark, item_origin, sizeof item_origin);
      char *key = NULL;
      if (is_map) {
        if (e.type != YAML_SCALAR_EVENT || e.data.scalar.anchor) {
          rc = refuse(c, item_origin, path, "a non-scalar or anchored mapping key");
          yaml_event_delete(&e);
          break;
        }
        const char *k = (const char *)e.data.scalar.value;
        snprintf(item_path, sizeof item_path, "%s%s%s", path, *path ? "." : "", k);
        if (find_index(node, k) >= 0)
          rc = rx_fail(c->err, RX_EINVAL, "%s: duplicate key '%s'", item_origin, item_path);
        else if (!(key = dupstr(k)))
          rc = nomem(c->err);
        yaml_event_delete(&e);
        if (rc) break;
        if ((rc = next_event(c, &e))) {
          free(key);
          break;
        }
      } else {
        snprintf(item_path, sizeof item_path, "%s[%d]", path, index);
      }
      rxcf_ynode *child = NULL;
      rc = parse_node(c, &e, item_path, item_origin, depth + 1, &child);
      yaml_event_delete(&e);
      if (rc || !child) {
        free(key);
        break;
      }
      child->key = key;
      if (push(node, child)) {
        rxcf_ynode_free(child);
        rc = nomem(c->err);
        break;
      }
    }
    if (rc) {
      rxcf_ynode_free(node);
      return rc;
    }
    *out = node;
    return 0;
  }
  default:
    return rx_fail(c->err, RX_EFORMAT, "%s: unexpected YAML event", origin);
  }
}

/* One document; any_root: accept a scalar or sequence root (override values). */
static int parse_doc(parse_ctx *c, int any_root, rxcf_ynode **out) {
  *out = NULL;
  rxcf_ynode *root = NULL;
  const char *root_origin = c->fixed_origin ? c->fixed_origin : c->name;
  yaml_event_t e;
  int rc, docs = 0;
  while (!(rc = next_event(c, &e))) {
    yaml_event_type_t type = e.type;
    if (type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
      char o[1024];
      origin_at(c, e.start_mark, o, sizeof o);
      rc = rx_fail(c->err, RX_EFORMAT, "%s: only one YAML document is allowed", o);
    } else if (type == YAML_SCALAR_EVENT || type == YAML_SEQUENCE_START_EVENT ||
               type == YAML_MAPPING_START_EVENT || type == YAML_ALIAS_EVENT) {
      rc = parse_node(c, &e, "", root_origin, 0, &root);
    }
    yaml_event_delete(&e);
    if (rc || type == YAML_STREAM_END_EVENT) break;
  }
  if (rc) {
    rxcf_ynode_free(root);
    return rc;
  }
  if (!any_root && (!root || root->kind == RXCF_YNODE_NULL)) {
    rxcf_ynode_free(root);
    if (!(root = node_new(RXCF_YNODE_MAP, "", root_origin, 0, c->layer))) return nomem(c->err);
  }
  if (!any_root && root->kind != RXCF_YNODE_MAP) {
    rxcf_ynode_free(root);
    return rx_fail(c->err, RX_EFORMAT,
                   "%s: expected a mapping of keys (key: value) at the top level", root_origin);
  }
  if (!root) return rx_fail(c->err, RX_EINVAL, "%s: missing value", root_origin);
  *out = root;
  return 0;
}

static int parse_text(rxcf_ynode **out, const char *text, size_t len, const char *name,
                      const char *fixed_origin, int layer, rx_error *err) {
  parse_ctx c = {.name = name, .fixed_origin = fixed_origin, .layer = layer, .err = err};
  if (!yaml_parser_initialize(&c.parser)) return nomem(err);
  yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
  int rc = parse_doc(&c, fixed_origin != NULL, out);
  yaml_parser_delete(&c.parser);
  return rc;
}

int rxcf_yaml_parse(rxcf_ynode **out, const char *text, size_t len, const char *name, int layer,
                    rx_error *err) {
  return parse_text(out, text, len, name, NULL, layer, err);
}

int rxcf_yaml_parse_file(rxcf_ynode **out, const char *path, int layer, rx_error *err) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return rx_fail(err, RX_EIO, "%s: cannot open: %s", path, strerror(errno));
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  while (buf) {
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap || len > RX_YAML_MAX_FILE_BYTES) break;
    char *more = realloc(buf, cap *= 2);
    if (!more) free(buf);
    buf = more;
  }
  int failed = ferror(f), saved = errno;
  fclose(f);
  if (!buf) return nomem(err);
  int rc = failed ? rx_fail(err, RX_EIO, "%s: cannot read: %s", path, strerror(saved))
           : len > RX_YAML_MAX_FILE_BYTES
               ? rx_fail(err, RX_EFORMAT,
                         "%s: more than %d bytes, too large for a config file (not read)", path,
                         RX_YAML_MAX_FILE_BYTES)
               : rxcf_yaml_parse(out, buf, len, path, layer, err);
  free(buf);
  return rc;
}

/* ---- merging and overrides ---- */

int rxcf_ynode_merge(rxcf_ynode *dst, rxcf_ynode *src, rx_error *err) {
  int rc = 0;
  for (int i = 0; i < src->n; i++) {
    rxcf_ynode *s = src->items[i];
    src->items[i] = NULL;
    if (rc) {
      rxcf_ynode_free(s);
      continue;
    }
    int j = find_index(dst, s->key);
    if (j < 0) {
      if (push(dst, s)) {
        rxcf_ynode_free(s);
        rc = nomem(err);
      }
      continue;
    }
    rxcf_ynode *d = dst->items[j];
    if (d->kind == RXCF_YNODE_MAP && s->kind == RXCF_YNODE_MAP) {
      rc = rxcf_ynode_merge(d, s, err);
    } else if (d->kind == RXCF_YNODE_MAP && s->kind == RXCF_YNODE_NULL) {
      rxcf_ynode_free(s);
    } else {
      dst->items[j] = s;
      rxcf_ynode_free(d);
    }
  }
  src->n = 0;
  rxcf_ynode_free(src);
  return rc;
}

/* Merges {c1: {c2: ... {ck: value}}} into root, for the dotted key c1.c2...ck. Consumes value. */
static int set_path(rxcf_ynode *root, const char *dotted, rxcf_ynode *value, const char *origin,
                    int is_arg, int layer, rx_error *err) {
  rxcf_ynode *wrap = node_new(RXCF_YNODE_MAP, "", origin, is_arg, layer), *cur = wrap;
  char *copy = dupstr(dotted);
  int rc = 0;
  if (!wrap || !copy) rc = nomem(err);
  for (char *part = copy, *dot; !rc && part; part = dot ? dot + 1 : NULL) {
    if ((dot = strchr(part, '.'))) *dot = '\0';
    rxcf_ynode *child = dot ? node_new(RXCF_YNODE_MAP, "", origin, is_arg, layer) : value;
    if (!dot) value = NULL; /* owned by the tree from here */
    if (!child || !(child->key = dupstr(part)) || push(cur, child)) {
      rxcf_ynode_free(child);
      rc = nomem(err);
      break;
    }
    cur = child;
  }
  free(copy);
  rxcf_ynode_free(value);
  if (rc) {
    rxcf_ynode_free(wrap);
    return rc;
  }
  return rxcf_ynode_merge(root, wrap, err);
}

int rxcf_ynode_set_scalar(rxcf_ynode *root, const char *key, const char *text, const char *origin,
                          int layer, rx_error *err) {
  rxcf_ynode *v = node_new(RXCF_YNODE_SCALAR, text, origin, 0, layer);
  if (!v) return nomem(err);
  return set_path(root, key, v, origin, 0, layer, err);
}

static char *trimmed(const char *begin, const char *end) {
  while (begin < end && (*begin == ' ' || *begin == '\t'))
    begin++;
  while (end > begin && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  char *s = malloc((size_t)(end - begin) + 1);
  if (s) {
    memcpy(s, begin, (size_t)(end - begin));
    s[end - begin] = '\0';
  }
  return s;
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points beyond U+10FFFF), as libyaml
 * demands of files: a value from the command line must be writable back to YAML. */
static int valid_utf8(const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  while (*s) {
    unsigned c = *s;
    int len = c < 0x80             ? 1
              : (c & 0xE0) == 0xC0 ? 2
              : (c & 0xF0) == 0xE0 ? 3
              : (c & 0xF8) == 0xF0 ? 4
                                   : 0;
    if (!len) return 0;
    unsigned long cp = len == 1 ? c : c & (0x7Fu >> len);
    for (int k = 1; k < len; k++) {
      if ((s[k] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[k] & 0x3F);
    }
    static const unsigned long min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    s += len;
  }
  return 1;
}

static int valid_key(const char *k) {
  int len = 0;
  for (const char *p = k;; p++) {
    if (*p == '.' || !*p) {
      if (len == 0) return 0;
      if (!*p) return 1;
      len = 0;
    } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '_' || *p == '-') {
      len++;
    } else {
      return 0;
    }
  }
}

int rxcf_yaml_apply_override(rxcf_ynode *root, const char *arg, int layer, rx_error *err) {
  const char *eq = strchr(arg, '=');
  if (!eq)
    return rx_fail(err, RX_EINVAL,
                   "command line: '%s': expected key=value (e.g. rnn.sigma2_rec=0.0001)", arg);
  char *key = trimmed(arg, eq), *value = trimmed(eq + 1, eq + strlen(eq));
  /* "command line: " + the argument, or its first RX_YAML_MAX_ORIGIN_ARG bytes + "..." */
  const size_t origin_size = strlen(arg) + RX_YAML_MAX_ORIGIN_ARG + 32;
  char *origin = malloc(origin_size);
  int rc = 0;
  if (!key || !value || !origin)
    rc = nomem(err);
  else if (!*key)
    rc = rx_fail(err, RX_EINVAL, "command line: '%s': empty key before '='", arg);
  else if (strlen(key) > RX_YAML_MAX_KEY_LEN)
    rc = rx_fail(err, RX_EINVAL,
                 "command line: key '%.40s...' is too long (%zu characters, at most %d)", key,
                 strlen(key), RX_YAML_MAX_KEY_LEN);
  else if (!valid_key(key))
    rc = rx_fail(err, RX_EINVAL, "command line: '%s': malformed key '%s' (expected e.g. rnn.n_rec)",
                 arg, key);
  else if (!*value)
    rc = rx_fail(err, RX_EINVAL, "command line: %s: missing value after '='", arg);
  else if (!valid_utf8(value))
    rc = rx_fail(err, RX_EINVAL, "command line: %s=...: the value is not valid UTF-8 text", key);
  if (!rc) {
    /* a long argument is cut in the origin, so messages keep room for the fault itself */
    if (strlen(arg) > RX_YAML_MAX_ORIGIN_ARG)
      snprintf(origin, origin_size, "command line: %.*s...", RX_YAML_MAX_ORIGIN_ARG, arg);
    else
      snprintf(origin, origin_size, "command line: %s", arg);
    rxcf_ynode *v = NULL;
    if (strchr("[{'\"", value[0]))
      rc = parse_text(&v, value, strlen(value), origin, origin, layer, err);
    else if (!(v = node_new(RXCF_YNODE_SCALAR, value, origin, 1, layer)))
      rc = nomem(err);
    if (!rc) rc = set_path(root, key, v, origin, 1, layer, err);
  }
  free(key);
  free(value);
  free(origin);
  return rc;
}
