/* Checkpoint files (model_<step>.npz): save and validated load of weights, population code,
 * resolved config and optimiser state. The npz format itself is src/io's job. */
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/checkpoint.h"
#include "reactivate/npz.h"

void rx_checkpoint_path(char *buf, size_t n, const char *dir, int64_t step) {
  snprintf(buf, n, "%s/model_%" PRId64 ".npz", dir, step);
}

int64_t rx_checkpoint_step_of(const char *filename) {
  long long s;
  char tail[8];
  if (sscanf(filename, "model_%lld%7s", &s, tail) == 2 && strcmp(tail, ".npz") == 0 && s >= 0)
    return s;
  return -1;
}

int64_t rx_checkpoint_latest_upto(const char *dir, int64_t max_step) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int64_t best = -1;
  for (struct dirent *e; (e = readdir(d));) {
    int64_t s = rx_checkpoint_step_of(e->d_name);
    if (s > best && s <= max_step) best = s;
  }
  closedir(d);
  return best;
}

int64_t rx_checkpoint_latest(const char *dir) { return rx_checkpoint_latest_upto(dir, INT64_MAX); }

static void param_shape(const rx_param *p, int64_t shape[2]) {
  shape[0] = p->shape[0];
  shape[1] = p->ndim == 2 ? p->shape[1] : 0;
}

int rx_checkpoint_save(const char *path, const rx_train_config *cfg, const rx_rnn *rnn,
                       const rx_population *pop, const rx_adam *adam, int64_t step, rx_error *err) {
  char *yaml = NULL;
  int rc = rx_config_to_yaml(cfg, &yaml, err);
  if (rc) return rc;
  enum { MAX_ARRAYS = 3 * RX_MAX_PARAMS + 8 };
  rx_array arrays[MAX_ARRAYS];
  char names[2 * RX_MAX_PARAMS][64];
  int n = 0;
  int64_t shapes[RX_MAX_PARAMS][2];
  for (int i = 0; i < rnn->n_params; i++) {
    const rx_param *p = &rnn->params[i];
    param_shape(p, shapes[i]);
    arrays[n++] = rx_array_f32(p->name, rnn->w + p->offset, p->ndim, shapes[i]);
  }
  int64_t pop_shape[2] = {pop ? pop->n : 0, pop ? pop->dim : 0};
  if (pop && !pop->identity)
    arrays[n++] =
        rx_array_f32("population.centers", pop->centers, pop->dim == 1 ? 1 : 2, pop_shape);
  arrays[n++] = rx_array_str("config", yaml);
  arrays[n++] = rx_array_i64_scalar("step", &step);
  int64_t adam_step = adam ? adam->step : 0;
  if (adam) {
    arrays[n++] = rx_array_i64_scalar("optimizer.step", &adam_step);
    for (int i = 0; i < rnn->n_params; i++) {
      const rx_param *p = &rnn->params[i];
      char *m_name = names[2 * (size_t)i], *v_name = names[2 * (size_t)i + 1];
      snprintf(m_name, sizeof names[0], "optimizer.exp_avg.%s", p->name);
      snprintf(v_name, sizeof names[0], "optimizer.exp_avg_sq.%s", p->name);
      arrays[n++] = rx_array_f32(m_name, adam->m + p->offset, p->ndim, shapes[i]);
      arrays[n++] = rx_array_f32(v_name, adam->v + p->offset, p->ndim, shapes[i]);
    }
  }
  rc = rx_npz_write(path, arrays, n, err);
  free(yaml);
  return rc;
}

void rx_checkpoint_free(rx_checkpoint *ck) {
  if (!ck) return;
  rx_rnn_free(ck->rnn);
  rx_population_free(ck->pop);
  rx_adam_free(ck->adam);
  memset(ck, 0, sizeof *ck);
}

static int load_i64_scalar(const rx_npz *z, const char *path, const char *name, int64_t *v,
                           rx_error *err) {
  const rx_array *a;
  int rc = rx_npz_expect(z, path, name, RX_I64, 0, NULL, &a, err);
  if (rc) return rc;
  *v = *(const int64_t *)a->data;
  return RX_OK;
}

static int load_body(const char *path, const rx_npz *z, rx_checkpoint *ck, rx_error *err) {
  const rx_array *a;
  int rc = rx_npz_expect(z, path, "config", RX_STR, 0, NULL, &a, err);
  if (rc) return rc;
  char origin[4200];
  snprintf(origin, sizeof origin, "%s[config]", path);
  if ((rc = rx_config_from_yaml(&ck->cfg, (const char *)a->data, origin, err))) return rc;
  if ((rc = load_i64_scalar(z, path, "step", &ck->step, err))) return rc;
  if (ck->step < 0) return rx_fail(err, RX_EFORMAT, "checkpoint %s: negative step", path);

  rx_rnn_spec spec;
  rx_config_rnn_spec(&ck->cfg, &spec);
  /* The stored config sizes the network: refuse one the file's own weights cannot fill before
   * allocating it (a corrupt config could otherwise ask for n_rec^2 = 2^62 floats). */
  uint64_t n_f32 = 0, N = (uint64_t)spec.n_rec;
  for (int i = 0; i < z->n; i++)
    if (z->arrays[i].dtype == RX_F32) n_f32 += z->arrays[i].size;
  uint64_t need = N * N + N * (uint64_t)spec.n_in + N * (uint64_t)spec.n_init +
                  N * (uint64_t)spec.n_out; /* vanilla weights; a GRU has more */
  if (need > n_f32)
    return rx_fail(err, RX_EFORMAT,
                   "checkpoint %s: its config (rnn.n_rec=%d) needs at least %llu weights, the file "
                   "holds %llu float32 values",
                   path, spec.n_rec, (unsigned long long)need, (unsigned long long)n_f32);
  if ((rc = rx_rnn_create(&ck->rnn, &spec, err)))
    return rx_error_prefix(err, rc, "checkpoint %s", path);
  for (int i = 0; i < ck->rnn->n_params; i++) {
    const rx_param *p = &ck->rnn->params[i];
    int64_t shape[2];
    param_shape(p, shape);
    if ((rc = rx_npz_expect(z, path, p->name, RX_F32, p->ndim, shape, &a, err))) return rc;
    memcpy(ck->rnn->w + p->offset, a->data, p->size * sizeof(float));
  }

  rx_population_spec ps;
  rx_config_population_spec(&ck->cfg, &ps);
  if (ps.identity) {
    rc = rx_population_create(&ck->pop, &ps, (uint32_t)ck->cfg.seed, err); /* draws nothing */
  } else {
    int dim = rx_task_dim(ps.kind);
    int64_t shape[2] = {ps.n, dim};
    if ((rc = rx_npz_expect(z, path, "population.centers", RX_F32, dim == 1 ? 1 : 2, shape, &a,
                            err)))
      return rc;
    rc = rx_population_create_with_centers(&ck->pop, &ps, (const float *)a->data, err);
  }
  if (rc) return rx_error_prefix(err, rc, "checkpoint %s", path);

  if (rx_npz_get(z, "optimizer.step")) {
    int64_t adam_step;
    if ((rc = load_i64_scalar(z, path, "optimizer.step", &adam_step, err))) return rc;
    if ((rc = rx_adam_create(&ck->adam, ck->rnn->n_weights, ck->cfg.trainer.lr,
                             ck->cfg.trainer.weight_decay, err)))
      return rx_error_prefix(err, rc, "checkpoint %s", path);
    ck->adam->step = adam_step;
    for (int i = 0; i < ck->rnn->n_params; i++) {
      const rx_param *p = &ck->rnn->params[i];
      int64_t shape[2];
      param_shape(p, shape);
      char name[64];
      snprintf(name, sizeof name, "optimizer.exp_avg.%s", p->name);
      if ((rc = rx_npz_expect(z, path, name, RX_F32, p->ndim, shape, &a, err))) return rc;
      memcpy(ck->adam->m + p->offset, a->data, p->size * sizeof(float));
      snprintf(name, sizeof name, "optimizer.exp_avg_sq.%s", p->name);
      if ((rc = rx_npz_expect(z, path, name, RX_F32, p->ndim, shape, &a, err))) return rc;
      memcpy(ck->adam->v + p->offset, a->data, p->size * sizeof(float));
    }
  }
  return RX_OK;
}

int rx_checkpoint_load(const char *path, rx_checkpoint *out, rx_error *err) {
  memset(out, 0, sizeof *out);
  rx_npz z;
  int rc = rx_npz_read(path, &z, err);
  if (rc) return rc;
  rc = load_body(path, &z, out, err);
  rx_npz_free(&z);
  if (rc) rx_checkpoint_free(out);
  return rc;
}
