/* Shared by the figures and the report, which both read saved results: one reader for the
 * analysis/metrics JSON files and one way to write a list of seeds ("0-4, 7"). */
#ifndef RX_REPORT_RESULTS_FILES_H
#define RX_REPORT_RESULTS_FILES_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "reactivate/error.h"

/* Reads a results file that must hold one JSON object. A missing file is not an error: 0 with
 * *out NULL. A malformed, truncated or non-object file fails naming the path. */
int rr_read_json_object(const char *path, size_t max_bytes, cJSON **out, rx_error *err);

/* "0-4, 7, 9": runs of three or more consecutive seeds as ranges. */
void rr_seed_list(const int *seeds, int n, char *buf, size_t size);

#endif
