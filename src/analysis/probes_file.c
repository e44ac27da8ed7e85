/* `analyze diffusion|score --trajectories F.npz` (docs/probes.md §5): the probes' statistics on
 * trajectories read from a file, recorded or synthetic, with the same code and the same names
 * as on the networks' simulations (probes_internal.h). Replay's file mode (`--posterior`,
 * `--trajectories`) is replay_file.c's; the checks of --out here are shared. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/probes_internal.h"
#include "analysis/replay_internal.h"
#include "core/log_line.h"
#include "reactivate/analysis.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"

void rxa_file_log(rx_analysis_log_fn log, void *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rxc_log_vprintf(log, ctx, fmt, ap);
  va_end(ap);
}

/* A data set read from a file, time-major (T, B, dim) float32. */
typedef struct file_data {
  float *y;
  int T, B, dim, circular;
  int64_t shape[3];
  int ndim;
  char file[1024], key[128];
} file_data;

static void shape_text(const rx_array *a, char *buf, size_t n) {
  size_t k = (size_t)snprintf(buf, n, "(");
  for (int i = 0; i < a->ndim && k < n; i++)
    k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? ", " : "", (long long)a->shape[i]);
  if (k < n) snprintf(buf + k, n - k, "%s)", a->ndim == 1 ? "," : "");
}

/* Reads key from path (.npz, or a .npy holding the array itself). samples: a reference sample,
 * which may also be (N, 2) or (N,) (one step each); else trajectories (B, T[, dim]) with T >= 2. */
static int load(file_data *d, const char *path, const char *key, int samples, rx_error *err) {
  memset(d, 0, sizeof *d);
  snprintf(d->file, sizeof d->file, "%s", path);
  snprintf(d->key, sizeof d->key, "%s", key ? key : "decoded");
  rx_npz z = {0};
  rx_array one = {0};
  const rx_array *a = NULL;
  const size_t len = strlen(path);
  int rc;
  if (len > 4 && !strcmp(path + len - 4, ".npy")) {
    rc = rx_npy_read(path, &one, err);
    a = &one;
    snprintf(d->key, sizeof d->key, "%s", "(the .npy array)");
  } else {
    rc = rx_npz_read(path, &z, err);
    if (!rc && !(a = rx_npz_get(&z, d->key)))
      rc = rx_fail(err, RX_EFORMAT, "%s: no array '%s' in it (name the array with --key%s)", path,
                   d->key, samples ? " / --reference-key" : "");
  }
  char what[1300], shape[128];
  if (!rc) {
    snprintf(what, sizeof what, "%s, array '%s'", path, d->key);
    shape_text(a, shape, sizeof shape);
    rc = rx_array_to_f32((rx_array *)a, what, err);
  }
  if (!rc) {
    /* (B, T, 2) positions; (B, T) or (B, T, 1) headings; samples also (N, 2) or (N,). */
    const int64_t *s = a->shape;
    int B = 0, T = 0, dim = 0;
    if (a->ndim == 3 && (s[2] == 1 || s[2] == 2))
      B = (int)s[0], T = (int)s[1], dim = (int)s[2];
    else if (a->ndim == 2 && samples && s[1] == 2)
      B = 1, T = (int)s[0], dim = 2;
    else if (a->ndim == 2)
      B = (int)s[0], T = (int)s[1], dim = 1;
    else if (a->ndim == 1 && samples)
      B = 1, T = (int)s[0], dim = 1;
    if (!dim)
      rc = rx_fail(err, RX_EFORMAT,
                   "%s has shape %s: expected (B, T, 2) positions or (B, T) / (B, T, 1) headings%s",
                   what, shape, samples ? " (or samples (N, 2) / (N,))" : "");
    else if ((int64_t)B * T == 0 || (!samples && T < 2))
      rc = rx_fail(err, RX_EFORMAT, "%s has shape %s: %s", what, shape,
                   (int64_t)B * T == 0 ? "it is empty" : "trajectories need at least 2 steps");
    if (!rc) rc = rx_array_check_finite(a, what, err);
    if (!rc) {
      d->B = B, d->T = T, d->dim = dim, d->circular = dim == 1;
      d->ndim = a->ndim;
      for (int i = 0; i < a->ndim && i < 3; i++)
        d->shape[i] = a->shape[i];
      d->y = malloc(sizeof(float) * (size_t)B * T * dim);
      if (!d->y) rc = rx_fail(err, RX_ENOMEM, "out of memory for %s", what);
      const float *src = a->data;
      for (int b = 0; !rc && b < B; b++) /* batch-major to time-major */
        for (int t = 0; t < T; t++)
          memcpy(d->y + ((size_t)t * B + b) * dim, src + ((size_t)b * T + t) * dim,
                 sizeof(float) * dim);
    }
  }
  rx_npz_free(&z);
  rx_array_free(&one);
  return rc;
}

static cJSON *source_json(const file_data *d) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "file", d->file);
  cJSON_AddStringToObject(o, "key", d->key);
  double shape[3];
  for (int i = 0; i < d->ndim; i++)
    shape[i] = (double)d->shape[i];
  cJSON_AddItemToObject(o, "shape", rxa_json_array(shape, d->ndim));
  cJSON_AddBoolToObject(o, "circular", d->circular);
  return o;
}

static int diffusion_file(const rx_analysis_config *cfg, const file_data *d, cJSON *root,
                          npz_list *arrays, rx_error *err) {
  enum { BINS = 50 };
  rx_step_summary s;
  int rc = rx_step_sizes(d->y, d->T, d->B, d->dim, d->circular, NULL, 0, NULL, &s, err);
  if (rc) return rc;
  double edges[BINS + 1], counts[BINS];
  for (int i = 0; i <= BINS; i++)
    edges[i] = (s.max > 0 ? s.max : 1) * i / BINS;
  rxa_diffusion_stats st;
  rc = rxa_diffusion_compute(d->y, d->T, d->B, d->dim, d->circular, cfg->diffusion.tau_max, edges,
                             BINS, counts, &st, err);
  if (rc) return rc;
  cJSON *set = cJSON_AddObjectToObject(root, "settings");
  cJSON_AddNumberToObject(set, "tau_max", st.tau_max);
  cJSON_AddItemToObject(set, "fit",
                        rxa_json_array((const double[]){RX_MSD_TAU_LO, RX_MSD_TAU_HI}, 2));
  rxa_diffusion_json(root, &st);
  rxa_npz_add(arrays, NULL, "step_counts", rxa_to_float(counts, BINS), 1, BINS, 0, 0);
  rxa_npz_add(arrays, "settings", "step_edges", rxa_to_float(edges, BINS + 1), 1, BINS + 1, 0, 0);
  rxa_diffusion_stats_free(&st);
  return RX_OK;
}

static int score_file(const rx_analysis_config *cfg, const file_data *d, const file_data *ref,
                      cJSON *root, npz_list *arrays, rx_error *err) {
  if (ref->dim != d->dim || ref->circular != d->circular)
    return rx_fail(err, RX_EINVAL, "%s ('%s') holds %s but %s ('%s') holds %s", ref->file, ref->key,
                   ref->dim == 2 ? "positions" : "headings", d->file, d->key,
                   d->dim == 2 ? "positions" : "headings");
  const size_t n = (size_t)ref->T * ref->B;
  double *x = rxa_to_double(ref->y, n * ref->dim);
  if (!x) return rx_fail(err, RX_ENOMEM, "out of memory");
  char what[1300];
  snprintf(what, sizeof what, "%s, array '%s'", ref->file, ref->key);
  rx_density *kde = NULL;
  rx_circular_kde *ckde = NULL;
  int rc = d->circular ? rx_circular_kde_create(&ckde, x, n, what, err)
                       : rx_density_kde(&kde, x, n, 2, what, err);
  free(x);
  rx_drift_opts o = rx_drift_opts_default(d->dim, d->circular);
  o.nx = cfg->score.bins;
  o.ny = d->dim == 2 ? cfg->score.bins : 1;
  o.min_count = (size_t)cfg->score.min_count;
  rx_drift_field f;
  memset(&f, 0, sizeof f);
  rx_drift_score cmp;
  memset(&cmp, 0, sizeof cmp);
  double *score = NULL;
  if (!rc) rc = rx_drift_field_compute(&f, d->y, d->T, d->B, d->dim, &o, err);
  if (!rc)
    rc =
        rxa_score_compare(&f, kde, ckde, cfg->score.n_perm, (uint32_t)cfg->seed, &score, &cmp, err);
  if (!rc) {
    cJSON *set = cJSON_AddObjectToObject(root, "settings");
    cJSON_AddNumberToObject(set, "bins", cfg->score.bins);
    cJSON_AddNumberToObject(set, "min_count", cfg->score.min_count);
    cJSON_AddNumberToObject(set, "n_perm", cfg->score.n_perm);
    cJSON_AddNumberToObject(set, "seed", cfg->seed);
    rxa_score_json(root, &f, &cmp);
    double *dens = malloc(sizeof(double) * f.n_bins), *pts = malloc(sizeof(double) * f.n_bins * 2);
    if (dens && pts) {
      for (int iy = 0; iy < f.ny; iy++)
        for (int ix = 0; ix < f.nx; ix++) {
          const int b = iy * f.nx + ix;
          pts[(size_t)b * f.dim] = f.lo[0] + (f.hi[0] - f.lo[0]) * (ix + 0.5) / f.nx;
          if (f.dim == 2)
            pts[(size_t)b * 2 + 1] = f.lo[1] + (f.hi[1] - f.lo[1]) * (iy + 0.5) / f.ny;
        }
      if (ckde)
        rx_circular_kde_eval(ckde, pts, (size_t)f.n_bins, dens);
      else
        rx_density_eval(kde, pts, (size_t)f.n_bins, dens);
    }
    rxa_score_arrays(arrays, NULL, "", &f, score, &cmp, dens && pts ? dens : NULL);
    rxa_score_edges(arrays, &f);
    free(dens);
    free(pts);
  }
  free(score);
  rx_drift_score_free(&cmp);
  rx_drift_field_free(&f);
  rx_density_free(kde);
  rx_circular_kde_free(ckde);
  return rc;
}

int rx_analyze_file(const rx_analysis_config *cfg, const rx_probe_file_request *req,
                    rx_analysis_log_fn log, void *ctx, rx_error *err) {
  const int replay = req->analysis == RX_RESULTS_REPLAY;
  if (req->analysis != RX_RESULTS_DIFFUSION && req->analysis != RX_RESULTS_SCORE && !replay)
    return rx_fail(err, RX_EINVAL,
                   "--trajectories: %s does not take trajectories from a file "
                   "(diffusion, score and replay do)",
                   rx_results_analysis_name(req->analysis) ? rx_results_analysis_name(req->analysis)
                                                           : "this analysis");
  if (replay && (!req->trajectories) == (!req->posterior))
    return rx_fail(err, RX_EINVAL,
                   "replay from a file takes one of --posterior F.npz or --trajectories F.npz");
  if (!replay && req->posterior) return rx_fail(err, RX_EINVAL, "--posterior goes with replay");
  if (!(req->trajectories || req->posterior) || !req->out)
    return rx_fail(err, RX_EINVAL, "--%s needs --out R.json",
                   req->posterior ? "posterior" : "trajectories");
  if (req->analysis == RX_RESULTS_SCORE && !req->reference)
    return rx_fail(err, RX_EINVAL,
                   "score --trajectories needs --reference G.npz: an independent sample of the "
                   "density whose score the drift is compared with (docs/probes.md §4)");
  char npz_path[2100];
  const size_t len = strlen(req->out);
  if (len < 6 || strcmp(req->out + len - 5, ".json") || len + 1 > sizeof npz_path)
    return rx_fail(err, RX_EINVAL, "--out %s: must name a .json file", req->out);
  snprintf(npz_path, sizeof npz_path, "%.*s.npz", (int)(len - 5), req->out);

  /* R.npz must not be an input: it would be overwritten. */
  const char *inputs[3] = {req->trajectories, req->reference, req->posterior};
  for (int i = 0; i < 3; i++) {
    char a[4096], b[4096];
    if (inputs[i] && (!strcmp(inputs[i], npz_path) ||
                      (realpath(inputs[i], a) && realpath(npz_path, b) && !strcmp(a, b))))
      return rx_fail(err, RX_EINVAL, "--out %s would overwrite the input %s with its arrays (%s)",
                     req->out, inputs[i], npz_path);
  }
  if (replay) return rxa_replay_file(cfg, req, npz_path, log, ctx, err);
  file_data d, ref;
  memset(&ref, 0, sizeof ref);
  int rc = load(&d, req->trajectories, req->key, 0, err);
  if (!rc && req->analysis == RX_RESULTS_SCORE)
    rc = load(&ref, req->reference, req->reference_key ? req->reference_key : req->key, 1, err);
  cJSON *root = cJSON_CreateObject();
  npz_list *arrays = calloc(1, sizeof *arrays);
  if (!rc && (!root || !arrays)) rc = rx_fail(err, RX_ENOMEM, "out of memory");
  if (!rc) {
    cJSON_AddItemToObject(root, "source", source_json(&d));
    if (req->analysis == RX_RESULTS_SCORE) {
      cJSON_AddItemToObject(root, "reference", source_json(&ref));
      rc = score_file(cfg, &d, &ref, root, arrays, err);
    } else {
      rc = diffusion_file(cfg, &d, root, arrays, err);
    }
  }
  if (!rc) rc = rx_npz_write(npz_path, arrays->arrays, arrays->n, err);
  char *text = !rc ? cJSON_Print(root) : NULL;
  if (!rc && !text) rc = rx_fail(err, RX_ENOMEM, "out of memory writing %s", req->out);
  if (!rc) rc = rx_write_file_atomic(req->out, text, strlen(text), err);
  if (!rc) rxa_file_log(log, ctx, "wrote %s and %s", req->out, npz_path);
  cJSON_free(text);
  if (arrays) rxa_npz_discard(arrays);
  free(arrays);
  cJSON_Delete(root);
  free(d.y);
  free(ref.y);
  return rc;
}
