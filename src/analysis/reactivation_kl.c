/* The distribution match (docs/science.md §6): KDEs of each run's decoded awake and quiescent
 * outputs, the untrained-network and uniform controls, and the Monte-Carlo KL matrix between them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "analysis/reactivation_internal.h"
#include "reactivate/analysis.h"
#include "reactivate/rng.h"

/* ---- KL: distribution match (spatial) ---- */

static int arena_inside(const void *arena, const double *x) {
  return rx_arena_contains(arena, x[0], x[1]);
}

int rxa_arena(const rx_train_config *cfg, rx_arena *out, rx_error *err) {
  rx_task_spec spec;
  rx_config_task_spec(cfg, &spec);
  return rx_arena_init(out, &spec.arena, spec.box_width, spec.box_height, 0, err);
}

unsigned char *rxa_arena_mask(const rx_arena *ar, int nx, int ny, int *n_inside) {
  const size_t n = (size_t)nx * ny;
  *n_inside = (int)n;
  if (ar->kind == RX_ARENA_BOX) return NULL; /* every centre is inside: the box's grids as before */
  unsigned char *in = malloc(n ? n : 1);
  if (!in) {
    *n_inside = -1;
    return NULL;
  }
  *n_inside = rx_arena_grid_mask(ar, ar->lo, ar->hi, nx, ny, in);
  if (*n_inside == (int)n) {
    free(in);
    return NULL;
  }
  return in;
}

int rxa_uniform_control(const rx_train_config *cfg, rx_density **out, rx_error *err) {
  if (cfg->task.arena == RX_ARENA_BOX) {
    double lo[2] = {-cfg->task.box_width / 2, -cfg->task.box_height / 2};
    double hi[2] = {-lo[0], -lo[1]};
    return rx_density_uniform_box(out, 2, lo, hi, err);
  }
  rx_task_spec spec;
  rx_config_task_spec(cfg, &spec);
  rx_arena arena;
  int rc = rx_arena_init(&arena, &spec.arena, spec.box_width, spec.box_height, 0, err);
  if (rc) return rc;
  return rx_density_uniform_region(out, 2, arena.lo, arena.hi, arena.area, arena_inside, &arena,
                                   sizeof arena, err);
}

int rxa_kl(analysis_ctx *a, rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  /* quiescent of each run, the random network and the uniform arena; awake of each run */
  rx_density *src[RX_RESULTS_MAX_RUNS + 2] = {0}, *tgt[RX_RESULTS_MAX_RUNS] = {0};
  const char *src_names[RX_RESULTS_MAX_RUNS + 2], *tgt_names[RX_RESULTS_MAX_RUNS];
  int n_src = 0, n_tgt = 0, rc = 0;
  npz_list *arrays = calloc(1, sizeof *arrays);
  if (!arrays) return rx_fail(err, RX_ENOMEM, "out of memory");
  const rx_checkpoint *any = NULL;
  for (int i = 0; i < a->n_runs && !rc; i++) {
    run_slot *r = &a->runs[i];
    if (!r->loaded) continue;
    any = any ? any : &r->ck;
    const int T_act = r->ck.cfg.task.sequence_length;
    rx_sim_result act, q;
    if ((rc = rxa_simulate(a, &r->ck, cfg->batch_size, T_act, 0, 0, 0, 0, SIM_ACTIVE, &act, err)))
      break;
    rc = rxa_simulate(a, &r->ck, cfg->batch_size, cfg->t_quiescent, 1, rxa_rule(a, &r->ck), 0, 0,
                      SIM_QUIESCENT, &q, err);
    if (rc) {
      rx_sim_result_free(&act);
      break;
    }
    size_t na = (size_t)act.T * act.B, nq = (size_t)q.T * q.B;
    double *xa = rxa_to_double(act.decoded, na * 2), *xq = rxa_to_double(q.decoded, nq * 2);
    char what[400];
    snprintf(what, sizeof what, "active outputs of %s", r->name);
    if (!xa || !xq) rc = rx_fail(err, RX_ENOMEM, "out of memory for KDE data");
    if (!rc) rc = rx_density_kde(&tgt[n_tgt], xa, na, 2, what, err);
    snprintf(what, sizeof what, "quiescent outputs of %s", r->name);
    if (!rc) rc = rx_density_kde(&src[n_src], xq, nq, 2, what, err);
    if (!rc) {
      tgt_names[n_tgt++] = r->name;
      src_names[n_src++] = r->name;
      rxa_npz_add(arrays, r->name, "active", rxa_batch_major(act.decoded, act.T, act.B, 2), 3,
                  act.B, act.T, 2);
      rxa_npz_add(arrays, r->name, "quiescent", rxa_batch_major(q.decoded, q.T, q.B, 2), 3, q.B,
                  q.T, 2);
    }
    free(xa);
    free(xq);
    rx_sim_result_free(&act);
    rx_sim_result_free(&q);
    rxa_log(a, "kl: simulated %s", r->name);
  }
  /* Controls: an untrained network (PyTorch-default weights, as model_0) and the uniform arena. */
  if (!rc && any) {
    rx_sim_result q;
    if ((rc = rxa_simulate_random(a, any, &q, err))) goto out;
    size_t nq = (size_t)q.T * q.B;
    double *xq = rxa_to_double(q.decoded, nq * 2);
    if (!xq) rc = rx_fail(err, RX_ENOMEM, "out of memory for KDE data");
    if (!rc)
      rc = rx_density_kde(&src[n_src], xq, nq, 2, "quiescent outputs of the random network", err);
    if (!rc) {
      src_names[n_src++] = RX_RESULTS_RANDOM;
      rxa_npz_add(arrays, RX_RESULTS_RANDOM, "quiescent", rxa_batch_major(q.decoded, q.T, q.B, 2),
                  3, q.B, q.T, 2);
    }
    free(xq);
    rx_sim_result_free(&q);
    if (!rc) rc = rxa_uniform_control(&any->cfg, &src[n_src], err);
    if (!rc) src_names[n_src++] = RX_RESULTS_UNIFORM;
  }
  if (!rc && n_tgt > 0) {
    double *kl = malloc((size_t)n_src * n_tgt * sizeof(double));
    if (!kl) {
      rc = rx_fail(err, RX_ENOMEM, "out of memory");
      goto out;
    }
    rc = rx_kl_matrix((const rx_density *const *)src, n_src, (const rx_density *const *)tgt, n_tgt,
                      (size_t)cfg->kl.n_samples, (uint32_t)cfg->seed, RX_STREAM_ANALYSIS, kl, err);
    if (!rc) {
      cJSON *root = cJSON_CreateObject();
      for (int i = 0; i < n_src; i++) {
        cJSON *row = cJSON_AddObjectToObject(root, src_names[i]);
        for (int j = 0; j < n_tgt; j++)
          cJSON_AddNumberToObject(row, tgt_names[j], kl[(size_t)i * n_tgt + j]);
      }
      rc = rxa_write_json(a, RX_RESULTS_KL, root, err);
      cJSON_Delete(root);
    }
    free(kl);
    if (!rc) rc = rxa_npz_flush(a, RX_RESULTS_KL, arrays, err);
  }
out:
  rxa_npz_discard(arrays); /* anything left after an error */
  free(arrays);
  for (int i = 0; i < RX_RESULTS_MAX_RUNS + 2; i++)
    rx_density_free(src[i]);
  for (int i = 0; i < RX_RESULTS_MAX_RUNS; i++)
    rx_density_free(tgt[i]);
  return rc;
}
