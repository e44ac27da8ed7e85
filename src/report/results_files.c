/* Reading saved results for figures and the report (see results_files.h). */
#include "report/results_files.h"

#include <stdio.h>
#include <stdlib.h>

#include "reactivate/fileio.h"

int rr_read_json_object(const char *path, size_t max_bytes, cJSON **out, rx_error *err) {
  *out = NULL;
  if (!rx_file_exists(path)) return 0;
  char *text = NULL;
  size_t n = 0;
  int rc = rx_read_file(path, &text, &n, max_bytes, err);
  if (rc) return rc;
  cJSON *json = cJSON_ParseWithLength(text, n);
  free(text);
  if (!json || !cJSON_IsObject(json)) {
    cJSON_Delete(json);
    return rx_fail(err, RX_EFORMAT, "%s: not a JSON object (malformed or truncated results file)",
                   path);
  }
  *out = json;
  return 0;
}

void rr_seed_list(const int *seeds, int n, char *buf, size_t size) {
  size_t k = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && k < size; i++) {
    int j = i;
    while (j + 1 < n && seeds[j + 1] == seeds[j] + 1)
      j++;
    if (j <= i + 1) j = i; /* two in a row are listed, not a range */
    int w = j > i ? snprintf(buf + k, size - k, "%s%d-%d", i ? ", " : "", seeds[i], seeds[j])
                  : snprintf(buf + k, size - k, "%s%d", i ? ", " : "", seeds[i]);
    if (w < 0) return;
    k += (size_t)w;
    i = j;
  }
}
