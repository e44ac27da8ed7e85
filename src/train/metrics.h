/* Internal: per-step metrics tables written as train_metrics.json / test_metrics.json. */
#ifndef RX_TRAIN_METRICS_H
#define RX_TRAIN_METRICS_H

#include <stdint.h>
#include <string.h>

#include "reactivate/error.h"

typedef struct rxtr_metrics rxtr_metrics;

int rxtr_metrics_create(rxtr_metrics **out, rx_error *err);
void rxtr_metrics_free(rxtr_metrics *m);
int rxtr_metrics_add(rxtr_metrics *m, int64_t step, const char *error_name, double loss,
                     double error);
/* Replaces the table with path's content, dropping steps > max_step (resume). */
int rxtr_metrics_load(rxtr_metrics *m, const char *path, int64_t max_step, rx_error *err);
int rxtr_metrics_save(const rxtr_metrics *m, const char *path, rx_error *err);
/* 1 when the table holds an entry for step. */
int rxtr_metrics_has(const rxtr_metrics *m, int64_t step);
/* Drops the entries of steps > max_step (they are recomputed after a resume). */
void rxtr_metrics_drop_after(rxtr_metrics *m, int64_t max_step);

#endif
