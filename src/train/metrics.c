/* train_metrics.json / test_metrics.json: objects keyed by step number as a string, each holding
 * the loss and the decoding error (docs/science.md §8), kept in memory and rewritten atomically. */
#include "train/metrics.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "reactivate/fileio.h"

struct rxtr_metrics {
  cJSON *root;
};

int rxtr_metrics_create(rxtr_metrics **out, rx_error *err) {
  *out = calloc(1, sizeof **out);
  if (!*out || !((*out)->root = cJSON_CreateObject())) {
    free(*out);
    *out = NULL;
    return rx_fail(err, RX_ENOMEM, "out of memory for metrics");
  }
  return RX_OK;
}

void rxtr_metrics_free(rxtr_metrics *m) {
  if (!m) return;
  cJSON_Delete(m->root);
  free(m);
}

/* JSON has no NaN: a metric not computed is written as null. */
static cJSON *number_or_null(double v) {
  return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

int rxtr_metrics_add(rxtr_metrics *m, int64_t step, const char *error_name, double loss,
                     double error) {
  char key[32];
  snprintf(key, sizeof key, "%" PRId64, step);
  cJSON *entry = cJSON_CreateObject();
  if (!entry) return RX_ENOMEM;
  cJSON_AddItemToObject(entry, "loss", number_or_null(loss));
  cJSON_AddItemToObject(entry, error_name, number_or_null(error));
  cJSON_DeleteItemFromObjectCaseSensitive(m->root, key);
  cJSON_AddItemToObject(m->root, key, entry);
  return RX_OK;
}

/* The step a key names ("0", "125"); -1 for anything else. */
static long long key_step(const char *key) {
  if (!key || !*key) return -1;
  char *end = NULL;
  errno = 0;
  long long step = strtoll(key, &end, 10);
  if (errno || !end || *end || step < 0 || key[0] < '0' || key[0] > '9') return -1;
  return step;
}

int rxtr_metrics_load(rxtr_metrics *m, const char *path, int64_t max_step, rx_error *err) {
  char *text = NULL;
  size_t n = 0;
  int rc = rx_read_file(path, &text, &n, (size_t)1 << 30, err);
  if (rc) return rc;
  cJSON *root = cJSON_ParseWithLength(text, n);
  free(text);
  if (!root || !cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return rx_fail(err, RX_EFORMAT, "%s: not a JSON object of metrics keyed by step", path);
  }
  for (cJSON *item = root->child; item; item = item->next) {
    if (key_step(item->string) < 0 || !cJSON_IsObject(item)) {
      int rc = rx_fail(err, RX_EFORMAT, "%s: key '%s' is not a step number with a metrics object",
                       path, item->string ? item->string : "");
      cJSON_Delete(root);
      return rc;
    }
  }
  cJSON_Delete(m->root);
  m->root = root;
  /* Keep only the steps up to the checkpoint we resume from; they are rewritten from there. */
  rxtr_metrics_drop_after(m, max_step);
  return RX_OK;
}

int rxtr_metrics_has(const rxtr_metrics *m, int64_t step) {
  char key[32];
  snprintf(key, sizeof key, "%" PRId64, step);
  return cJSON_GetObjectItemCaseSensitive(m->root, key) != NULL;
}

void rxtr_metrics_drop_after(rxtr_metrics *m, int64_t max_step) {
  cJSON *item = m->root->child;
  while (item) {
    cJSON *next = item->next;
    if (key_step(item->string) > max_step) cJSON_Delete(cJSON_DetachItemViaPointer(m->root, item));
    item = next;
  }
}

int rxtr_metrics_save(const rxtr_metrics *m, const char *path, rx_error *err) {
  char *text = cJSON_PrintUnformatted(m->root);
  if (!text) return rx_fail(err, RX_ENOMEM, "out of memory writing %s", path);
  int rc = rx_write_file_atomic(path, text, strlen(text), err);
  cJSON_free(text);
  return rc;
}
