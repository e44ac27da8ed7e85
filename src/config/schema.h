/* Typed config schemas: a table of dotted keys (type, offset of the field in a struct, allowed
 * range, which variants - e.g. tasks - each key belongs to) and the resolver that walks a merged
 * YAML tree into the struct, and the writer back to YAML. Cross-field checks are the caller's. */
#ifndef RX_CONFIG_SCHEMA_H
#define RX_CONFIG_SCHEMA_H

#include <stddef.h>

#include "config/yaml_tree.h"
#include "reactivate/error.h"

typedef enum rxcf_key_type {
  RXCF_KEY_INT,    /* int; integral numbers only */
  RXCF_KEY_FLOAT,  /* double; a number or a product/quotient of numbers and pi */
  RXCF_KEY_BOOL,   /* int 0/1; true/false (also True/False, yes/no, on/off) */
  RXCF_KEY_STRING, /* char[size] */
  RXCF_KEY_ENUM,   /* int-sized enum; the value is the index of the name in names */
  RXCF_KEY_FLOAT2, /* double[2], written [x, y] */
  RXCF_KEY_ROWS    /* up to `size` rows of `cols` doubles (double[size][cols]) and their number
                      (an int at count_offset); written [[a, b], [c, d]], [] for none */
} rxcf_key_type;

typedef enum rxcf_key_range {
  RXCF_RANGE_ANY = 0,
  RXCF_RANGE_POSITIVE, /* > 0 */
  RXCF_RANGE_NONNEG,   /* >= 0 */
  RXCF_RANGE_UNIT,     /* in [0, 1] */
  RXCF_RANGE_UNIT_OPEN /* in [0, 1) */
} rxcf_key_range;

typedef struct rxcf_key {
  const char *name; /* dotted, e.g. "rnn.sigma2_rec" */
  rxcf_key_type type;
  size_t offset;       /* of the field in the struct */
  size_t size;         /* RXCF_KEY_STRING: buffer size, NUL included; RXCF_KEY_ROWS: most rows */
  int cols;            /* RXCF_KEY_ROWS: numbers per row */
  size_t count_offset; /* RXCF_KEY_ROWS: of the int row count */
  const char *row;     /* RXCF_KEY_ROWS: a row's form for messages, e.g. "[x, y]" */
  rxcf_key_range range;
  const char *const *names; /* RXCF_KEY_ENUM: NULL-terminated */
  unsigned variants;        /* bit i: belongs to variant i; 0: to all */
  int optional;             /* may stay unset: the caller fills a default */
  /* NULL: always written; else the key is written only where written(struct) is nonzero (keys
   * added after files were written, whose default is left out so those files stay the same) */
  int (*written)(const void *in);
} rxcf_key;

typedef struct rxcf_schema {
  const rxcf_key *keys;
  int n_keys;
  const char *const *variant_names; /* variant_names[i] names bit i, for messages */
} rxcf_schema;

/* Walks root into out (whose fields for unset keys are left alone) for the variant with bit
 * `variant`. set_by[i] (n_keys entries) receives the node that set key i, or NULL. Refuses
 * unknown keys (suggesting the nearest known one), keys of other variants, wrong types, values
 * out of range, and keys that are neither optional nor set ("<where>: missing key ..."). */
int rxcf_schema_resolve(const rxcf_schema *schema, unsigned variant, const rxcf_ynode *root,
                        const char *where, void *out, const rxcf_ynode **set_by, rx_error *err);

/* Writes every key of the variant (where its written() agrees) as YAML (header first, e.g. comment
 * lines), with floats in shortest round-trip form so that resolving the text gives back the same
 * struct. *text is malloc'd; the caller frees it. */
int rxcf_schema_to_yaml(const rxcf_schema *schema, unsigned variant, const void *in,
                        const char *header, char **text, rx_error *err);

/* Index of the key with this name, or -1. */
int rxcf_schema_find(const rxcf_schema *schema, const char *name);

/* Reads a float: a plain number (2, .5, 1e-4, -3.5E+2) or a product/quotient of numbers and `pi`
 * evaluated left to right (0.26*pi, pi/6, 2*pi, -pi, 1/3). Returns 0, or -1 when malformed or
 * not finite. */
int rxcf_parse_number(const char *s, double *out);

#endif
