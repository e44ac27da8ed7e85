/* Internal: per-step metrics tables written as train_metrics.json / test_metrics.json. */
#ifndef RX_TRAIN_METRICS_H
#define RX_TRAIN_METRICS_H

#include <stdint.h>
#include <string.h>

#include "reactivate/error.h"

typedef struct rx_metrics rx_metrics;

int rx_metrics_create(rx_metrics **out, rx_error *err);
void rx_metrics_free(rx_metrics *m);
int rx_metrics_add(rx_metrics *m, int64_t step, const char *error_name, double loss, double error);
/* Replaces the table with path's content, dropping steps > max_step (resume). */
int rx_metrics_load(rx_metrics *m, const char *path, int64_t max_step, rx_error *err);
int rx_metrics_save(const rx_metrics *m, const char *path, rx_error *err);
/* 1 when the table holds an entry for step. */
int rx_metrics_has(const rx_metrics *m, int64_t step);
/* Drops the entries of steps > max_step (they are recomputed after a resume). */
void rx_metrics_drop_after(rx_metrics *m, int64_t max_step);

#endif
