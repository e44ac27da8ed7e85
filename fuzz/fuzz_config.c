/* libFuzzer target: the YAML training-config loader fed arbitrary text, both as a resolved
 * config (rx_config_from_yaml, the path a checkpoint's config takes) and as the user's own file
 * merged over the bundled base files (rx_config_load on a .yml path). Whatever resolves must
 * write back to YAML that resolves to the same config; whatever fails must say so in one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "reactivate/config.h"

/* A resolved config survives rx_config_to_yaml -> rx_config_from_yaml unchanged. */
static void check_round_trip(const rx_train_config *cfg) {
  char *y1 = NULL, *y2 = NULL;
  rx_error err = {{0}};
  FUZZ_ASSERT(rx_config_to_yaml(cfg, &y1, &err) == 0, "to_yaml: %s", err.msg);
  rx_train_config back;
  FUZZ_ASSERT(rx_config_from_yaml(&back, y1, "round trip", &err) == 0, "%s\n%s", err.msg, y1);
  FUZZ_ASSERT(rx_config_to_yaml(&back, &y2, &err) == 0, "to_yaml: %s", err.msg);
  FUZZ_ASSERT(strcmp(y1, y2) == 0, "round trip differs:\n%s\n---\n%s", y1, y2);
  free(y1);
  free(y2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';

  rx_train_config cfg;
  rx_error err = {{0}};
  if (rx_config_from_yaml(&cfg, text, "fuzz.yml", &err) == 0)
    check_round_trip(&cfg);
  else
    fuzz_check_message(err.msg);

  /* As the user's own file: the directory names the task when `config` is absent. */
  char dir[600];
  snprintf(dir, sizeof dir, "%s/spatial_navigation", fuzz_dir());
  mkdir(dir, 0777);
  const char *path = fuzz_write("spatial_navigation/fuzz_run.yml", data, size);
  memset(&err, 0, sizeof err);
  if (rx_config_load(&cfg, path, 0, NULL, &err) == 0)
    check_round_trip(&cfg);
  else
    fuzz_check_message(err.msg);
  free(text);
  return 0;
}
