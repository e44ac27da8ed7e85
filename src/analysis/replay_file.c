/* `analyze replay --posterior F.npz | --trajectories F.npz` (docs/replay.md §7): events read from
 * a file, recorded or synthetic, scored with the same statistics, nulls and names as a network's
 * (replay_events.c). Each row of the array is one event: a posterior (events, steps, bins) gets the
 * line score; decoded points (events, steps, 2) the path score; headings (events, steps) a one-hot
 * posterior over ring bins and the circular line score. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/probes_internal.h"
#include "analysis/replay_internal.h"
#include "core/log_line.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "reactivate/rng.h"

enum { IN_POSTERIOR, IN_POINTS, IN_HEADINGS, IN_TRACK };
static const char *const kind_names[] = {"posterior", "points", "headings", "track"};

/* An array read from a file: (n, steps, width) float32, as stored (batch-major). */
typedef struct replay_input {
  int kind;
  rx_array a; /* owns the data */
  size_t n;
  int steps, width;
  char file[1024], key[128], shape[128], what[1400];
} replay_input;

static void shape_text(const rx_array *a, char *buf, size_t n) {
  size_t k = (size_t)snprintf(buf, n, "(");
  for (int i = 0; i < a->ndim && k < n; i++)
    k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? ", " : "", (long long)a->shape[i]);
  if (k < n) snprintf(buf + k, n - k, "%s)", a->ndim == 1 ? "," : "");
}

/* Reads key (NULL: "posterior" or "decoded") from path (.npz, or a .npy holding the array) and
 * checks its shape and values; every failure is one line naming file, key and shape. */
static int load(replay_input *in, const char *path, const char *key, int posterior, int track,
                const rx_analysis_config *cfg, rx_error *err) {
  memset(in, 0, sizeof *in);
  snprintf(in->file, sizeof in->file, "%s", path);
  snprintf(in->key, sizeof in->key, "%s", key ? key : posterior ? "posterior" : "decoded");
  const size_t len = strlen(path);
  int rc;
  if (len > 4 && !strcmp(path + len - 4, ".npy")) {
    rc = rx_npy_read(path, &in->a, err);
    snprintf(in->key, sizeof in->key, "%s", "(the .npy array)");
  } else {
    rx_npz z = {0};
    rc = rx_npz_read(path, &z, err);
    const rx_array *found = rc ? NULL : rx_npz_get(&z, in->key);
    if (!rc && !found)
      rc = rx_fail(err, RX_EFORMAT, "%s: no array '%s' in it (name the array with --key)", path,
                   in->key);
    if (found) { /* take it out of z */
      in->a = *found;
      for (int i = 0; i < z.n; i++)
        if (&z.arrays[i] == found) memset(&z.arrays[i], 0, sizeof z.arrays[i]);
    }
    rx_npz_free(&z);
  }
  if (rc) return rc;
  const rx_array *a = &in->a;
  shape_text(a, in->shape, sizeof in->shape);
  snprintf(in->what, sizeof in->what, "%s, array '%s' of shape %s", path, in->key, in->shape);
  const int64_t *s = a->shape;
  if (posterior && a->ndim == 3)
    in->kind = IN_POSTERIOR;
  else if (track && (a->ndim == 2 || (a->ndim == 3 && (s[2] == 1 || s[2] == 2))))
    in->kind = IN_TRACK;
  else if (!posterior && a->ndim == 3 && s[2] == 2)
    in->kind = IN_POINTS;
  else if (!posterior && (a->ndim == 2 || (a->ndim == 3 && s[2] == 1)))
    in->kind = IN_HEADINGS;
  else
    return rx_fail(err, RX_EFORMAT, "%s: expected %s", in->what,
                   posterior ? "(events, steps, bins) posteriors"
                   : track   ? "(events, steps) positions along the track or (events, steps, 2) "
                               "points"
                             : "(events, steps, 2) points or (events, steps) headings");
  for (int i = 0; i < a->ndim; i++)
    if (s[i] == 0) return rx_fail(err, RX_EFORMAT, "%s: it is empty", in->what);
  if (s[0] > (1 << 25) || s[1] > 65536 || (a->ndim == 3 && s[2] > 1000000))
    return rx_fail(err, RX_EFORMAT,
                   "%s: too large (at most 2^25 events of 65536 steps over 10^6 bins)", in->what);
  in->n = (size_t)s[0];
  in->steps = (int)s[1];
  in->width = in->kind == IN_POINTS     ? 2
              : in->kind == IN_HEADINGS ? 1
              : in->kind == IN_TRACK    ? (a->ndim == 3 ? (int)s[2] : 1) /* x in column 0 */
                                        : (int)s[2];
  const int min_steps = in->kind == IN_POINTS ? 3 : 2;
  if (in->steps < min_steps)
    return rx_fail(err, RX_EFORMAT, "%s: events need at least %d steps for a %s", in->what,
                   min_steps, in->kind == IN_POINTS ? "path fit" : "line");
  if (in->kind == IN_POSTERIOR && in->width <= 2 * cfg->replay.band + 1)
    return rx_fail(err, RX_EFORMAT,
                   "%s: %d bins; the line's band (+-%d bins, replay.band) needs more than %d",
                   in->what, in->width, cfg->replay.band, 2 * cfg->replay.band + 1);
  if (in->kind == IN_POSTERIOR && cfg->replay.v_max > in->width)
    return rx_fail(err, RX_EFORMAT, "%s: %d bins, fewer than replay.v_max (%g bins per step)",
                   in->what, in->width, cfg->replay.v_max);
  if ((rc = rx_array_to_f32(&in->a, in->what, err))) return rc;
  if ((rc = rx_array_check_finite(&in->a, in->what, err))) return rc;
  if (in->kind != IN_POSTERIOR) return RX_OK;
  const float *p = a->data;
  for (size_t e = 0; e < in->n; e++)
    for (int t = 0; t < in->steps; t++) {
      const float *row = p + (e * in->steps + t) * (size_t)in->width;
      double sum = 0;
      for (int b = 0; b < in->width; b++) {
        if (row[b] < 0)
          return rx_fail(err, RX_EFORMAT, "%s: %g at [%zu, %d, %d]; probabilities must be >= 0",
                         in->what, (double)row[b], e, t, b);
        sum += row[b];
      }
      if (!(sum > 0))
        return rx_fail(err, RX_EFORMAT, "%s: step [%zu, %d] has no mass (all bins 0)", in->what, e,
                       t);
    }
  return RX_OK;
}

static cJSON *source_json(const replay_input *in, int circular) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "file", in->file);
  cJSON_AddStringToObject(o, "key", in->key);
  double shape[3];
  for (int i = 0; i < in->a.ndim && i < 3; i++)
    shape[i] = (double)in->a.shape[i];
  cJSON_AddItemToObject(o, "shape", rxa_json_array(shape, in->a.ndim));
  cJSON_AddStringToObject(o, "kind", kind_names[in->kind]);
  cJSON_AddBoolToObject(o, "circular", circular);
  return o;
}

/* Headings (n, steps) in radians as a one-hot posterior over the ring bins of g; or positions
 * along a track (column 0 of rows of in->width values) over its line bins, those beyond an end
 * in the end's bin. */
static float *one_hot(const replay_input *in, const rx_replay_grid *g) {
  const size_t rows = in->n * in->steps;
  float *post = calloc(rows * g->n_bins, sizeof *post);
  const float *h = in->a.data;
  const size_t stride = in->kind == IN_TRACK ? (size_t)in->width : 1;
  for (size_t i = 0; post && i < rows; i++) {
    const double v = h[i * stride];
    int b = rx_replay_grid_index(g, &v);
    if (b < 0) b = v < g->lo[0] ? 0 : g->n_bins - 1; /* the track: beyond an end */
    post[i * g->n_bins + b] = 1;
  }
  return post;
}

int rxa_replay_file(const rx_analysis_config *cfg, const rx_probe_file_request *req,
                    const char *npz_path, rx_analysis_log_fn log, void *ctx, rx_error *err) {
  const int posterior = req->posterior != NULL;
  replay_input in;
  const double track = posterior ? 0 : req->track_length;
  int rc = load(&in, posterior ? req->posterior : req->trajectories, req->key, posterior, track > 0,
                cfg, err);
  rx_replay_grid g;
  memset(&g, 0, sizeof g);
  float *post = NULL;
  const float *data = in.a.data;
  if (!rc && (in.kind == IN_HEADINGS || in.kind == IN_TRACK)) {
    if (in.kind == IN_TRACK) {
      rc = rx_replay_grid_line(&g, -track / 2, track / 2, cfg->replay.bin_size, err);
      if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        rc = rx_fail(err, rc, "replay.bin_size: %s", why);
      }
    } else {
      rc = rx_replay_grid_ring(&g, cfg->replay.bin_degrees * M_PI / 180, err);
    }
    if (!rc && !(post = one_hot(&in, &g)))
      rc = rx_fail(err, RX_ENOMEM, "out of memory for the posterior of %s", in.what);
    data = post;
  }
  const int circular = in.kind == IN_HEADINGS || (posterior && req->circular);
  rxa_replay_opts o;
  memset(&o, 0, sizeof o);
  o.line = in.kind != IN_POINTS;
  o.points = in.kind == IN_POINTS;
  o.lo = rx_line_score_opts_default();
  o.lo.circular = circular;
  o.lo.n_speeds = cfg->replay.n_speeds;
  o.lo.v_max = cfg->replay.v_max;
  o.lo.band = cfg->replay.band;
  o.lo.n_shuffles = cfg->replay.n_shuffles;
  o.lo.alpha = cfg->replay.alpha;
  o.lo.seed = (uint32_t)cfg->seed;
  o.lo.stream = RX_STREAM_REPLAY;
  o.po = rx_path_score_opts_default();
  o.po.n_shuffles = cfg->replay.n_shuffles;
  o.po.alpha = cfg->replay.alpha;
  o.po.seed = (uint32_t)cfg->seed;
  o.po.stream = RX_STREAM_REPLAY;
  o.n_examples = cfg->replay.n_examples;
  const int one_hot_bins = in.kind == IN_HEADINGS || in.kind == IN_TRACK;
  const int width = one_hot_bins ? g.n_bins : in.width;
  rxa_replay_set set;
  memset(&set, 0, sizeof set);
  if (!rc) rc = rxa_replay_set_init(&set, &o, in.n, in.steps, width, err);
  if (!rc) rc = rxa_replay_score(&set, data, 0, in.n, 0, NULL, err);
  if (rc && err->msg[0] && !strstr(err->msg, in.file)) { /* name the file in a scorer's message */
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    rx_fail(err, rc, "%s: %s", in.what, why);
  }
  /* speeds: bins per step (posterior), radians per step (headings), the data's units (points) */
  const rxa_replay_units u = {one_hot_bins ? g.width[0] : 1.0, NULL};
  const char *unit = in.kind == IN_POSTERIOR  ? "bins/step"
                     : in.kind == IN_HEADINGS ? "rad/step"
                     : in.kind == IN_TRACK    ? "m/step"
                                              : "units/step";
  rx_replay_summary sum;
  cJSON *root = cJSON_CreateObject();
  npz_list *arrays = calloc(1, sizeof *arrays);
  if (!rc && (!root || !arrays)) rc = rx_fail(err, RX_ENOMEM, "out of memory");
  if (!rc) {
    cJSON_AddItemToObject(root, "source", source_json(&in, circular));
    cJSON *st = cJSON_AddObjectToObject(root, "settings");
    cJSON_AddStringToObject(st, "score", o.line ? "line" : "path");
    cJSON_AddNumberToObject(st, "n_events", (double)in.n);
    cJSON_AddNumberToObject(st, "event_steps", in.steps);
    if (o.line) {
      cJSON_AddNumberToObject(st, "bins", width);
      if (in.kind == IN_HEADINGS)
        cJSON_AddNumberToObject(st, "bin_degrees", cfg->replay.bin_degrees);
      if (in.kind == IN_TRACK) {
        cJSON_AddNumberToObject(st, "track_length", track);
        cJSON_AddNumberToObject(st, "bin_size", cfg->replay.bin_size);
      }
      cJSON_AddNumberToObject(st, "n_speeds", o.lo.n_speeds);
      cJSON_AddNumberToObject(st, "v_max", o.lo.v_max);
      cJSON_AddNumberToObject(st, "band", o.lo.band);
    }
    cJSON_AddNumberToObject(st, "n_shuffles", cfg->replay.n_shuffles);
    cJSON_AddNumberToObject(st, "alpha", cfg->replay.alpha);
    cJSON_AddNumberToObject(st, "n_examples", set.o.n_examples);
    cJSON_AddNumberToObject(st, "seed", cfg->seed);
    cJSON_AddStringToObject(st, "speed_unit", unit);
    rc = rxa_replay_json(cJSON_AddObjectToObject(root, "summary"), &set, &u, &sum, err);
  }
  if (!rc) {
    rxa_replay_json_events(cJSON_AddObjectToObject(root, "events"), &set, &u);
    rc = rxa_replay_arrays(arrays, NULL, &set, &u, err);
  }
  if (!rc) rc = rx_npz_write(npz_path, arrays->arrays, arrays->n, err);
  char *text = !rc ? cJSON_Print(root) : NULL;
  if (!rc && !text) rc = rx_fail(err, RX_ENOMEM, "out of memory writing %s", req->out);
  if (!rc) rc = rx_write_file_atomic(req->out, text, strlen(text), err);
  if (!rc)
    rxa_file_log(log, ctx, "replay: %zu of %zu events of %s significant; wrote %s and %s",
                 sum.n_significant, sum.n_events, in.file, req->out, npz_path);
  cJSON_free(text);
  if (arrays) rxa_npz_discard(arrays);
  free(arrays);
  cJSON_Delete(root);
  rxa_replay_set_free(&set);
  rx_replay_grid_free(&g);
  free(post);
  rx_array_free(&in.a);
  return rc;
}
