/* libFuzzer target: the dotted key=value overrides of the command line. The input's first byte
 * picks a bundled experiment; the rest, split at newlines, are the override arguments, given to
 * rx_config_load (reactivate train) and rx_analysis_config_load (reactivate analyze) exactly as
 * the CLI passes argv, and as offline mechanism overrides of the resolved run
 * (rx_config_mechanism_overrides). Resolved configs must round-trip through YAML; failures are
 * one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "reactivate/analyze.h"
#include "reactivate/config.h"

#define MAX_OVERRIDES 16

static const char *const experiments[] = {
    "spatial_navigation/noisy_unbiased",    "spatial_navigation/noisy_biased",
    "spatial_navigation/no-noise_unbiased", "spatial_navigation/noisy_unbiased_gru",
    "head_direction/noisy_unbiased",        "head_direction/no-noise_biased",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *experiment = experiments[data[0] % (sizeof experiments / sizeof experiments[0])];
  char *text = malloc(size);
  if (!text) return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  const char *args[MAX_OVERRIDES];
  int n = 0;
  for (char *line = text, *next; line && n < MAX_OVERRIDES; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    args[n++] = line;
  }

  rx_train_config cfg;
  rx_error err = {{0}};
  if (rx_config_load(&cfg, experiment, n, args, &err) == 0) {
    char *y1 = NULL, *y2 = NULL;
    FUZZ_ASSERT(rx_config_to_yaml(&cfg, &y1, &err) == 0, "to_yaml: %s", err.msg);
    rx_train_config back;
    FUZZ_ASSERT(rx_config_from_yaml(&back, y1, "round trip", &err) == 0, "%s\n%s", err.msg, y1);
    FUZZ_ASSERT(rx_config_to_yaml(&back, &y2, &err) == 0, "to_yaml: %s", err.msg);
    FUZZ_ASSERT(strcmp(y1, y2) == 0, "round trip differs:\n%s\n---\n%s", y1, y2);
    free(y1);
    free(y2);
    /* the same arguments as offline mechanism overrides of the resolved run (simulate,
     * analyze): accepted only when the network they make passes the spec's checks */
    rx_mechanism m;
    if (rx_config_mechanism_overrides(&cfg, "fuzz run", n, args, &m, &err) == 0) {
      rx_rnn_spec spec;
      rx_config_rnn_spec(&cfg, &spec);
      spec.mech = m;
      FUZZ_ASSERT(rx_rnn_spec_check(&spec, &err) == 0, "override accepted, spec refused: %s",
                  err.msg);
    } else {
      fuzz_check_message(err.msg);
    }
  } else {
    fuzz_check_message(err.msg);
  }

  rx_analysis_config acfg;
  memset(&err, 0, sizeof err);
  if (rx_analysis_config_load(&acfg, n, args, &err) != 0) fuzz_check_message(err.msg);
  free(text);
  return 0;
}
