/* The per-network analysis files that the probes' and replay's figures draw (docs/probes.md §5,
 * docs/replay.md §7): the first seed that has a file and the networks in it, float32 arrays of
 * its npz as doubles, typed JSON look-ups that name the file and key at fault, and the scratch
 * memory of one figure. What is drawn from them is figures_probes.c's and figures_replay.c's. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_internal.h"

/* ---- names ---- */

void fg_family_name(const fg_variant *v, const char *what, char *buf, size_t n) {
  size_t l = strlen(v->prefix);
  snprintf(buf, n, "%s%s%s", v->prefix, l && v->prefix[l - 1] == '_' ? "" : "_", what);
}

void fg_family_head(const fg_variant *v, const char *what, char *buf, size_t n) {
  snprintf(buf, n, "%s%s", what, v->gru ? ", GRU runs" : "");
}

/* ---- scratch memory ---- */

double *fg_bag_doubles(fg_bag *b, size_t n) {
  if (!n) n = 1;
  fg_bag_block *k = NULL;
  if (n <= (SIZE_MAX - sizeof(fg_bag_block)) / sizeof(double))
    k = malloc(sizeof(fg_bag_block) + n * sizeof(double));
  if (!k) {
    b->oom = 1;
    return NULL;
  }
  k->next = b->head;
  b->head = k;
  return k->d;
}
void fg_bag_free(fg_bag *b) {
  while (b->head) {
    fg_bag_block *k = b->head;
    b->head = k->next;
    free(k);
  }
}

/* ---- JSON look-ups and labels ---- */

/* root[key] when it is an object: 1; 0 when absent; negative (naming path and what.key) when
 * it is something else. */
int fg_json_object(const cJSON *root, const char *key, const char *path, const char *what,
                   const cJSON **out, rx_error *err) {
  *out = NULL;
  const cJSON *o = root ? cJSON_GetObjectItemCaseSensitive(root, key) : NULL;
  if (!o) return 0;
  if (!cJSON_IsObject(o))
    return rx_fail(err, RX_EFORMAT, "%s: '%s%s%s' should be an object", path, what,
                   what[0] ? "." : "", key);
  *out = o;
  return 1;
}

/* root[key] as a number: 1 (null: NaN, an undefined number), 0 absent (NaN), negative when it
 * is not a number. */
int fg_json_num(const cJSON *root, const char *key, const char *path, const char *what, double *v,
                rx_error *err) {
  *v = NAN;
  const cJSON *o = root ? cJSON_GetObjectItemCaseSensitive(root, key) : NULL;
  if (!o) return 0;
  if (cJSON_IsNull(o)) return 1;
  if (!cJSON_IsNumber(o))
    return rx_fail(err, RX_EFORMAT, "%s: '%s.%s' should be a number or null", path, what, key);
  *v = o->valuedouble;
  return 1;
}

/* root[key] as true / false into *b (1 / 0; -1 when absent or null): 0, or negative when it is
 * something else. */
int fg_json_bool(const cJSON *root, const char *key, const char *path, const char *what, int *b,
                 rx_error *err) {
  *b = -1;
  const cJSON *o = root ? cJSON_GetObjectItemCaseSensitive(root, key) : NULL;
  if (!o || cJSON_IsNull(o)) return 0;
  if (!cJSON_IsBool(o))
    return rx_fail(err, RX_EFORMAT, "%s: '%s.%s' should be true or false", path, what, key);
  *b = cJSON_IsTrue(o);
  return 0;
}

/* root[key], an array of numbers (null: NaN), into a bag array: 1 with *out, *n; 0 absent;
 * negative when it is not an array of numbers and nulls. */
int fg_json_numbers(const cJSON *root, const char *key, const char *path, const char *what,
                    fg_bag *b, double **out, int *n, rx_error *err) {
  *out = NULL, *n = 0;
  const cJSON *a = root ? cJSON_GetObjectItemCaseSensitive(root, key) : NULL;
  if (!a) return 0;
  if (!cJSON_IsArray(a))
    return rx_fail(err, RX_EFORMAT, "%s: '%s.%s' should be an array of numbers", path, what, key);
  int len = cJSON_GetArraySize(a), i = 0;
  double *d = fg_bag_doubles(b, (size_t)len);
  if (!d) return rx_fail(err, RX_ENOMEM, "out of memory reading %s", path);
  const cJSON *e;
  cJSON_ArrayForEach(e, a) {
    if (!cJSON_IsNumber(e) && !cJSON_IsNull(e))
      return rx_fail(err, RX_EFORMAT, "%s: '%s.%s'[%d] should be a number or null", path, what, key,
                     i);
    if (i == len) break; /* cJSON_GetArraySize counts these same elements */
    d[i++] = cJSON_IsNull(e) ? NAN : e->valuedouble;
  }
  *out = d, *n = i; /* the elements read, all of d that is set */
  return 1;
}

/* A number for a label: "0.31", "-0.93", "1.2e-05"; "n/a" when undefined. */
void fg_num_text(double v, const char *fmt, char *buf, size_t n) {
  if (!isfinite(v))
    snprintf(buf, n, "n/a");
  else
    snprintf(buf, n, fmt, v);
}

int fg_any_finite(const double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) return 1;
  return 0;
}

/* A series without s.d.: its style, rx_marker and dash (0 solid, 1 dashed, 2 dotted). */
rx_series fg_series(const char *label, const double *x, const double *y, size_t n, rx_colour colour,
                    rx_series_style style, int marker, int dashed) {
  rx_series s = {0};
  s.label = label, s.x = x, s.y = y, s.n = n, s.colour = colour;
  s.style = style, s.markers = marker, s.dashed = dashed;
  return s;
}

rx_image_spec fg_image_cells(const char *title, const char *x_label, const char *y_label,
                             const char *z_label, const double *z, int nx, int ny,
                             const double extent[4], const double *arena) {
  rx_image_spec s = {0};
  s.title = title, s.x_label = x_label, s.y_label = y_label, s.z_label = z_label;
  s.z = z, s.nx = nx, s.ny = ny;
  s.x_min = extent[0], s.x_max = extent[1], s.y_min = extent[2], s.y_max = extent[3];
  s.cells = 1;
  if (arena) memcpy(s.box, arena, sizeof s.box), s.equal_aspect = 1;
  return s;
}

int fg_fig_done(fg_ctx *c, rx_fig *fig, const char *name, int rc, fg_bag *b, rx_error *err) {
  rc = fg_fig_save(c, fig, name, rc, err);
  fg_bag_free(b);
  return rc;
}

/* ---- the file of a figure and the networks in it ---- */

/* Network colours, and the random control's. */
static const rx_colour net_colours[] = {RX_COLOUR_GREEN, RX_COLOUR_ORANGE, RX_COLOUR_PURPLE,
                                        RX_COLOUR_BROWN, RX_COLOUR_PINK,   RX_COLOUR_CYAN};

/* "reactivate analyze <analysis>[ task=head_direction][ gru=true]", for skip messages. */
static void hint_of(const fg_ctx *c, const fg_variant *v, int analysis, char *buf, size_t n) {
  snprintf(buf, n, "reactivate analyze %s%s%s", rx_results_analysis_name(analysis),
           c->cfg->task == RX_TASK_HEAD_DIRECTION ? " task=head_direction" : "",
           v->gru ? " gru=true" : "");
}

int fg_netfile_open(fg_ctx *c, const fg_variant *v, int analysis, const char *name, fg_netfile *p,
                    rx_error *err) {
  memset(p, 0, sizeof *p);
  p->analysis = analysis;
  p->seed = -1;
  int with[RX_FIGURES_MAX_SEEDS], n_with = 0;
  for (int k = 0; k < c->n_seeds; k++) {
    const cJSON *j;
    int rc = fg_analysis_json(c, analysis, v->file_prefix, c->seeds[k], &j, err);
    if (rc) return rc;
    if (!j) continue;
    with[n_with++] = c->seeds[k];
    if (p->seed < 0) p->seed = c->seeds[k], p->json = j;
  }
  char hint[200], pat[300];
  hint_of(c, v, analysis, hint, sizeof hint);
  if (p->seed < 0) {
    rx_results_analysis_pattern(analysis, v->file_prefix, c->set.noise, "json", pat, sizeof pat);
    return fg_skip(c, name, "no %s for any seed (%s)", pat, hint);
  }
  fg_analysis_path(c, analysis, v->file_prefix, p->seed, "json", p->path, sizeof p->path);
  fg_analysis_path(c, analysis, v->file_prefix, p->seed, "npz", p->npz_path, sizeof p->npz_path);
  int rc = fg_analysis_npz(c, analysis, v->file_prefix, p->seed, &p->npz, err);
  if (rc) return rc;
  if (n_with == 1) {
    snprintf(p->seeds, sizeof p->seeds, "seed %d", p->seed);
  } else {
    char list[200];
    rx_seed_list_format(with, n_with, ", ", list, sizeof list);
    snprintf(p->seeds, sizeof p->seeds, "seed %d (the first of seeds %s)", p->seed, list);
  }
  for (int i = 0; i <= v->n_conds; i++) {
    fg_net *n = &p->nets[p->n_nets];
    n->exp = i < v->n_conds ? v->conds[i] : NULL;
    if (n->exp) {
      fg_run_name(c, n->exp, p->seed, n->run, sizeof n->run);
      snprintf(n->label, sizeof n->label, "%s", n->exp->label);
      n->colour = net_colours[i % (int)(sizeof net_colours / sizeof net_colours[0])];
    } else {
      snprintf(n->run, sizeof n->run, "%s", RX_RESULTS_RANDOM);
      snprintf(n->label, sizeof n->label, "R (untrained)");
      n->colour = RX_COLOUR_GREY;
    }
    rc = fg_json_object(p->json, n->run, p->path, "", &n->json, err);
    if (rc < 0) return rc;
    p->n_nets += rc;
  }
  if (!p->n_nets)
    return fg_skip(c, name, "%s has no entry for the runs of seed %d or for '%s' (%s)", p->path,
                   p->seed, RX_RESULTS_RANDOM, hint);
  return 1;
}

int fg_family_open(fg_ctx *c, const fg_variant *v, int analysis, const char *what, char *name,
                   size_t n, fg_netfile *p, rx_error *err) {
  fg_family_name(v, what, name, n);
  return fg_netfile_open(c, v, analysis, name, p, err);
}

const char *const fg_conditions[2] = {"quiescent", "absolute_noise"};
void fg_cond_text(const fg_net *n, const char *cond, char *buf, size_t size) {
  if (!strcmp(cond, "absolute_noise"))
    snprintf(buf, size, " (abs. noise)");
  else if (!strcmp(cond, "active"))
    snprintf(buf, size, " awake");
  else if (n->exp && !n->exp->noisy)
    snprintf(buf, size, " (no noise)");
  else
    buf[0] = '\0';
}

/* The float32 array <run>.<what> as doubles: 1 with *out and its shape, 0 absent, negative
 * when present with another dtype or number of dimensions. */
int fg_netfile_doubles(const fg_netfile *p, const char *run, const char *what, int ndim, fg_bag *b,
                       double **out, const rx_array **arr, rx_error *err) {
  *out = NULL;
  *arr = NULL;
  if (!p->npz) return 0;
  char name[800];
  snprintf(name, sizeof name, "%s.%s", run, what);
  const rx_array *a = rx_npz_get(p->npz, name);
  if (!a) return 0;
  int64_t shape[RX_MAX_DIMS];
  for (int i = 0; i < RX_MAX_DIMS; i++)
    shape[i] = -1;
  int rc = rx_npz_expect(p->npz, p->npz_path, name, RX_F32, ndim, shape, &a, err);
  if (rc) return rc;
  double *d = fg_bag_doubles(b, a->size);
  if (!d) return rx_fail(err, RX_ENOMEM, "out of memory reading %s", p->npz_path);
  const float *f = a->data;
  for (size_t i = 0; i < a->size; i++)
    d[i] = f[i];
  *out = d;
  *arr = a;
  return 1;
}
