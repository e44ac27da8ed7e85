/* A small YAML tree for config files: mappings, sequences and scalars read with libyaml, each node
 * remembering where it was written ("file:line" or "command line: key=value"), plus the deep merge
 * and the dotted key=value overrides configs are built from. Typing values is schema.h's job. */
#ifndef RX_CONFIG_YAML_TREE_H
#define RX_CONFIG_YAML_TREE_H

#include <stddef.h>

#include "reactivate/error.h"

typedef enum rxcf_ynode_kind {
  RXCF_YNODE_NULL = 0, /* empty value, ~ or null */
  RXCF_YNODE_SCALAR,
  RXCF_YNODE_MAP,
  RXCF_YNODE_SEQ
} rxcf_ynode_kind;

typedef struct rxcf_ynode {
  rxcf_ynode_kind kind;
  char *text;        /* scalar text ("" for null and containers) */
  char *key;         /* key in the parent mapping; NULL for sequence items and roots */
  char *origin;      /* "file:line" of the key (or item), or "command line: key=value" */
  int origin_is_arg; /* the origin is a command-line argument that already names the key */
  int layer;         /* merge layer it came from (later layers were merged later) */
  int n, cap;
  struct rxcf_ynode **items; /* children of a mapping or sequence, in document order */
} rxcf_ynode;

/* Parses one YAML document (a mapping, or empty) from text; name appears in origins and
 * messages ("name:line"). Refuses syntax errors (name:line:column), duplicate keys, anchors,
 * aliases, non-scalar keys and several documents. */
int rxcf_yaml_parse(rxcf_ynode **out, const char *text, size_t len, const char *name, int layer,
                    rx_error *err);
/* Reads and parses a file; the path names it in messages. */
int rxcf_yaml_parse_file(rxcf_ynode **out, const char *path, int layer, rx_error *err);
void rxcf_ynode_free(rxcf_ynode *node);

/* Deep merge of mapping src into mapping dst: mappings merge key by key, anything else (scalars,
 * sequences) replaces; a null never replaces a mapping. Consumes src. */
int rxcf_ynode_merge(rxcf_ynode *dst, rxcf_ynode *src, rx_error *err);
/* Applies "a.b.c=value" (value read as a YAML flow scalar or sequence) to root as the given
 * layer. A missing '=', an empty key or an empty value is an error naming the argument. */
int rxcf_yaml_apply_override(rxcf_ynode *root, const char *arg, int layer, rx_error *err);
/* Sets a top-level scalar (e.g. `config`), replacing any value. */
int rxcf_ynode_set_scalar(rxcf_ynode *root, const char *key, const char *text, const char *origin,
                          int layer, rx_error *err);
/* The child of a mapping with the given key, or NULL. */
const rxcf_ynode *rxcf_ynode_get(const rxcf_ynode *map, const char *key);

/* Fills err with "<origin>: <key>: <message>" ("<origin>: <message>" when the origin is a
 * command-line argument, which names the key already; key may be NULL). Returns code. */
int rxcf_ynode_fail(const rxcf_ynode *node, const char *key, rx_error *err, int code,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#ifdef __clang_analyzer__ /* its result, for the static analyzer (see reactivate/error.h) */
#define rxcf_ynode_fail(node, key, err, code, ...)                                                 \
  (rxcf_ynode_fail((node), (key), (err), (code), __VA_ARGS__), (code))
#endif

#endif
