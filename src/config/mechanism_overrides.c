/* Offline overrides of a trained run's mechanisms (docs/science.md §3.6): "key=value" settings
 * of rnn.adaptation_strength, rnn.adaptation_tau and rnn.momentum laid over the run's own config
 * and resolved by the training schema, so they read and check exactly as training configs do.
 * Which runs and commands take them is the callers' business (simulate, analyze). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/train_config.h"

const char *const rx_mechanism_keys[3] = {"rnn.adaptation_strength", "rnn.adaptation_tau",
                                          "rnn.momentum"};

/* The key of "key=value" (spaces around it trimmed) into buf; 0, or -1 when there is no '='
 * or the key does not fit. */
static int key_of(const char *arg, char *buf, size_t n) {
  const char *eq = strchr(arg, '=');
  if (!eq) return -1;
  const char *a = arg, *b = eq;
  while (a < b && isspace((unsigned char)*a))
    a++;
  while (b > a && isspace((unsigned char)b[-1]))
    b--;
  if ((size_t)(b - a) >= n) return -1;
  memcpy(buf, a, (size_t)(b - a));
  buf[b - a] = '\0';
  return 0;
}

int rx_mechanism_override_key(const char *arg) {
  char key[256];
  if (!arg || key_of(arg, key, sizeof key)) return 0;
  for (int i = 0; i < 3; i++)
    if (!strcmp(key, rx_mechanism_keys[i])) return 1;
  return 0;
}

/* The run's config as a tree: its resolved text, which leaves the mechanisms out when they are
 * off, with the mechanisms' values merged on top (so a run's tau_a is its own). */
static int run_tree(const rx_train_config *cfg, const char *where, rxcf_ynode **root,
                    rx_error *err) {
  *root = NULL;
  char *text = NULL;
  int rc = rx_config_to_yaml(cfg, &text, err);
  if (!rc) rc = rxcf_yaml_parse(root, text, strlen(text), where, 0, err);
  free(text);
  if (rc) return rc;
  char v[3][40], mech[256];
  rx_format_py_float(cfg->rnn.adaptation_strength, v[0], sizeof v[0]);
  rx_format_py_float(cfg->rnn.adaptation_tau, v[1], sizeof v[1]);
  rx_format_py_float(cfg->rnn.momentum, v[2], sizeof v[2]);
  snprintf(mech, sizeof mech,
           "rnn:\n  adaptation_strength: %s\n  adaptation_tau: %s\n  momentum: %s\n", v[0], v[1],
           v[2]);
  rxcf_ynode *layer = NULL;
  if (!(rc = rxcf_yaml_parse(&layer, mech, strlen(mech), where, 1, err)))
    rc = rxcf_ynode_merge(*root, layer, err); /* consumes layer */
  return rc;
}

int rx_config_mechanism_overrides(const rx_train_config *cfg, const char *origin, int n,
                                  const char *const *overrides, rx_mechanism *out, rx_error *err) {
  const char *where = origin && *origin ? origin : "the run's config";
  for (int i = 0; i < n; i++) {
    if (rx_mechanism_override_key(overrides[i])) continue;
    char key[256];
    if (!overrides[i] || key_of(overrides[i], key, sizeof key))
      return rx_fail(err, RX_EINVAL,
                     "'%.80s': expected key=value with key one of " RX_MECHANISM_KEYS_TEXT,
                     overrides[i] ? overrides[i] : "(null)");
    return rx_fail(err, RX_EINVAL,
                   "%s: a trained run's setting cannot change offline, except the mechanisms' "
                   "(" RX_MECHANISM_KEYS_TEXT ")",
                   key);
  }
  if (n == 0) {
    rx_config_mechanism(cfg, out);
    return RX_OK;
  }
  rxcf_ynode *root = NULL;
  int rc = run_tree(cfg, where, &root, err);
  for (int i = 0; i < n && !rc; i++)
    rc = rxcf_yaml_apply_override(root, overrides[i], 2 + i, err);
  rx_train_config tmp;
  if (!rc) rc = rxcf_resolve(&tmp, root, where, err);
  rxcf_ynode_free(root);
  if (!rc) rx_config_mechanism(&tmp, out);
  return rc;
}
