/* Replay's figures (docs/replay.md §8): example events under their best line (head direction) or
 * along their fitted path (spatial navigation), the score and p-value distributions, and the
 * replay speeds, drawn from the replay_<prefix><noise>_<seed>.json / .npz files of `reactivate
 * analyze replay` (their layout: docs/replay.md §7) for the main family (fig_replay_*) and the
 * GRUs (figC2_replay_*). Each figure draws the first seed that has its file, and says which.
 * Nothing is scored here: the numbers drawn are the files', plus histograms of them, the line
 * b0 + v t and the path y0 + v t at their ends, and the posterior summed over steps. Opening and
 * reading the files is figures_json.c's, shared with the probes' figures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_internal.h"
#include "reactivate/plot.h"

enum { MAX_ROWS = 8, P_BINS = 20, SCORE_BINS = 25, SPEED_BINS = 41 };

/* ---- the file: its settings and its rows (a network under one condition) ---- */

typedef struct rp_settings {
  int ring;         /* line scores: bins.kind "ring" or "line"; else "plane" (path scores) */
  int track;        /* bins.kind "line": a linear track's long axis (no wrap, metres) */
  double alpha;     /* significance level of each null */
  double n_speeds;  /* ring: the line score's speed grid, NaN when absent */
  double v_max;     /* ... its largest speed, bins per step */
  double width;     /* ring: bin width, radians (from the centres) */
  int nx, ny;       /* plane: bins per axis (bin b = iy nx + ix) */
  double box[4];    /* plane: the bins' extent, x_min, x_max, y_min, y_max */
  int n_bins;       /* settings.centers rows */
  double *centers;  /* (n_bins,) radians or (n_bins, 2) metres; NULL when the npz lacks them */
  const char *unit; /* "rad/s" or "m/s" */
} rp_settings;

typedef struct rp_row {
  const fg_net *n;
  const char *cond;    /* "quiescent" or "absolute_noise" */
  char label[160];     /* "U (abs. noise)" */
  const cJSON *src[2]; /* the quiescent and awake summaries (NULL when absent) */
  char what[2][40];    /* "<cond>.quiescent", "<cond>.awake": the arrays' names after the run */
  double dt;           /* seconds per step of the run (NaN when absent) */
} rp_row;

static const char *const sources[2] = {"quiescent", "awake"};
static const rx_colour source_colours[2] = {RX_COLOUR_QUIESCENT, RX_COLOUR_ACTIVE};

static int read_settings(const fg_netfile *p, fg_bag *b, rp_settings *s, rx_error *err) {
  memset(s, 0, sizeof *s);
  const cJSON *set, *bins;
  int rc = fg_json_object(p->json, "settings", p->path, "", &set, err);
  if (rc >= 0) rc = fg_json_object(set, "bins", p->path, "settings", &bins, err);
  if (rc < 0) return rc;
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(bins, "kind");
  if (!cJSON_IsString(kind) ||
      (strcmp(kind->valuestring, "ring") && strcmp(kind->valuestring, "plane") &&
       strcmp(kind->valuestring, "line")))
    return rx_fail(err, RX_EFORMAT,
                   "%s: 'settings.bins.kind' should be \"ring\", \"line\" or \"plane\"", p->path);
  s->track = !strcmp(kind->valuestring, "line");
  s->ring = s->track || !strcmp(kind->valuestring, "ring");
  s->unit = s->ring && !s->track ? "rad/s" : "m/s";
  double nx = NAN, ny = NAN;
  if ((rc = fg_json_num(set, "alpha", p->path, "settings", &s->alpha, err)) < 0 ||
      (rc = fg_json_num(set, "n_speeds", p->path, "settings", &s->n_speeds, err)) < 0 ||
      (rc = fg_json_num(set, "v_max", p->path, "settings", &s->v_max, err)) < 0 ||
      (rc = fg_json_num(bins, "nx", p->path, "settings.bins", &nx, err)) < 0 ||
      (rc = fg_json_num(bins, "ny", p->path, "settings.bins", &ny, err)) < 0)
    return rc;
  if (!(s->alpha > 0 && s->alpha < 1)) s->alpha = 0.05; /* docs/replay.md §7's default */
  const rx_array *a = NULL;
  rc = fg_netfile_doubles(p, "settings", "centers", s->ring ? 1 : 2, b, &s->centers, &a, err);
  if (rc < 0) return rc;
  if (!rc) return 0;
  s->n_bins = (int)a->shape[0];
  if (!s->ring && a->shape[1] != 2)
    return rx_fail(err, RX_EFORMAT, "%s: array 'settings.centers' has %lld columns, expected 2",
                   p->npz_path, (long long)a->shape[1]);
  if (s->track) { /* equal bins along the track, from their centres */
    s->width = s->n_bins > 1 ? (s->centers[s->n_bins - 1] - s->centers[0]) / (s->n_bins - 1) : NAN;
    return 0;
  }
  if (s->ring) {
    s->width = 2 * M_PI / s->n_bins;
    return 0;
  }
  s->nx = isfinite(nx) ? (int)nx : 0, s->ny = isfinite(ny) ? (int)ny : 0;
  if (s->nx < 1 || s->ny < 1 || (long)s->nx * s->ny != s->n_bins)
    return rx_fail(err, RX_EFORMAT,
                   "%s: array 'settings.centers' has %d bins, settings.bins %g x %g in %s",
                   p->npz_path, s->n_bins, nx, ny, p->path);
  /* the grid's extent from its centres: bin b = iy nx + ix, equal widths */
  const double *c = s->centers;
  const double wx = s->nx > 1 ? (c[2 * (size_t)(s->nx - 1)] - c[0]) / (s->nx - 1) : NAN;
  const double wy = s->ny > 1 ? (c[2 * (size_t)(s->ny - 1) * s->nx + 1] - c[1]) / (s->ny - 1) : NAN;
  const double w = isfinite(wx) && wx > 0 ? wx : wy, h = isfinite(wy) && wy > 0 ? wy : w;
  if (!(w > 0 && h > 0))
    return rx_fail(err, RX_EFORMAT, "%s: array 'settings.centers' is not a grid of %d x %d bins",
                   p->npz_path, s->nx, s->ny);
  s->box[0] = c[0] - w / 2, s->box[1] = s->box[0] + s->nx * w;
  s->box[2] = c[1] - h / 2, s->box[3] = s->box[2] + s->ny * h;
  return 0;
}

/* The rows: every network and condition of the file, in its order (at most MAX_ROWS, logged). */
static int find_rows(fg_ctx *c, const fg_netfile *p, const char *name, rp_row *rows, int *n_rows,
                     rx_error *err) {
  *n_rows = 0;
  for (int i = 0; i < p->n_nets; i++) {
    const fg_net *n = &p->nets[i];
    double dt;
    int rc = fg_json_num(n->json, "dt", p->path, n->run, &dt, err);
    if (rc < 0) return rc;
    for (int q = 0; q < 2; q++) {
      const cJSON *co;
      if ((rc = fg_json_object(n->json, fg_conditions[q], p->path, n->run, &co, err)) < 0)
        return rc;
      if (!co) continue;
      if (*n_rows == MAX_ROWS) {
        fg_log(c, "%s: more than %d rows: %s.%s left out", name, MAX_ROWS, n->run,
               fg_conditions[q]);
        continue;
      }
      rp_row *r = &rows[(*n_rows)++];
      memset(r, 0, sizeof *r);
      r->n = n, r->cond = fg_conditions[q], r->dt = dt;
      char ct[40];
      fg_cond_text(n, r->cond, ct, sizeof ct);
      snprintf(r->label, sizeof r->label, "%s%s", n->label, ct);
      char what[700];
      snprintf(what, sizeof what, "%s.%s", n->run, r->cond);
      for (int k = 0; k < 2; k++) {
        snprintf(r->what[k], sizeof r->what[k], "%s.%s", r->cond, sources[k]);
        if ((rc = fg_json_object(co, sources[k], p->path, what, &r->src[k], err)) < 0) return rc;
      }
    }
  }
  return 0;
}

/* The per-event arrays of one source (docs/replay.md §7): NULL where absent. */
typedef struct rp_events {
  double *score, *speed, *p_time, *p_column;
  size_t n;
} rp_events;

/* Reads <run>.<what>.{score, speed, p_time, p_column}: 1 when the scores are there (the others,
 * where present, of their length), 0 when not, negative when an array is malformed. */
static int read_events(const fg_netfile *p, const rp_row *r, int source, fg_bag *b, rp_events *e,
                       rx_error *err) {
  memset(e, 0, sizeof *e);
  static const char *const names[4] = {"score", "speed", "p_time", "p_column"};
  double **dst[4] = {&e->score, &e->speed, &e->p_time, &e->p_column};
  for (int k = 0; k < 4; k++) {
    char what[80];
    const rx_array *a;
    snprintf(what, sizeof what, "%s.%s", r->what[source], names[k]);
    int rc = fg_netfile_doubles(p, r->n->run, what, 1, b, dst[k], &a, err);
    if (rc < 0) return rc;
    if (!rc) continue;
    if (k == 0) e->n = a->size;
    if (k > 0 && e->score && a->size != e->n)
      return rx_fail(err, RX_EFORMAT, "%s: array '%s.%s' has %zu events, '%s.%s.score' %zu",
                     p->npz_path, r->n->run, what, a->size, r->n->run, r->what[source], e->n);
  }
  return e->score && e->n > 0;
}

/* A number of a source's summary (NaN when absent). */
static int summary_num(const fg_netfile *p, const rp_row *r, int source, const char *key, double *v,
                       rx_error *err) {
  char what[800];
  snprintf(what, sizeof what, "%s.%s", r->n->run, r->what[source]);
  int rc = fg_json_num(r->src[source], key, p->path, what, v, err);
  return rc < 0 ? rc : 0;
}

/* ---- histograms ---- */

/* Probability density of the finite v (n,) over nb bins of width w from lo (the last bin closed
 * at its right edge; values outside left out): y (nb,) and the bins' centres x (nb,). Bin i holds
 * floor((v - lo) / w) = i. Returns the count binned. */
static size_t histogram(const double *v, size_t n, double lo, double w, int nb, double *x,
                        double *y) {
  size_t used = 0;
  for (int i = 0; i < nb; i++)
    x[i] = lo + (i + 0.5) * w, y[i] = 0;
  for (size_t k = 0; k < n; k++) {
    if (!isfinite(v[k])) continue;
    double f = floor((v[k] - lo) / w);
    int i = f == nb && v[k] <= lo + nb * w ? nb - 1 : (int)fmax(-1, fmin(f, nb));
    if (i < 0 || i >= nb) continue;
    y[i]++, used++;
  }
  for (int i = 0; i < nb; i++)
    y[i] = used ? y[i] / ((double)used * w) : NAN;
  return used;
}

/* Finite range of v (n,) and u (m,) (u may be NULL): 0 when nothing is finite. */
static int finite_range(const double *v, size_t n, const double *u, size_t m, double *lo,
                        double *hi) {
  *lo = INFINITY, *hi = -INFINITY;
  for (size_t k = 0; k < n + m; k++) {
    double x = k < n ? v[k] : u[k - n];
    if (isfinite(x)) *lo = fmin(*lo, x), *hi = fmax(*hi, x);
  }
  return *lo <= *hi;
}

static double series_max(const rx_series *s, int n) {
  double m = 0;
  for (int i = 0; i < n; i++)
    for (size_t j = 0; j < s[i].n; j++)
      if (isfinite(s[i].y[j])) m = fmax(m, s[i].y[j]);
  return m;
}

/* "Replay: <what>, <seeds>" with the family's head. */
static void title_of(const fg_variant *v, const fg_netfile *p, const char *what, char *buf,
                     size_t n) {
  char head[64];
  fg_family_head(v, "Replay", head, sizeof head);
  snprintf(buf, n, "%s: %s, %s", head, what, p->seeds);
}

/* One replay figure being drawn: its name, its file with the settings and rows, and the scratch
 * memory it draws from. */
typedef struct rp_fig {
  char name[128];
  fg_netfile p;
  rp_settings s;
  rp_row rows[MAX_ROWS];
  int n_rows;
  fg_bag b;
} rp_fig;

/* Opens the replay file for the figure <family prefix><what> (f->name) with its settings and
 * rows: 1, or 0 (skipped, logged), or negative; f's memory is freed unless 1. */
static int open_replay(fg_ctx *c, const fg_variant *v, const char *what, rp_fig *f, rx_error *err) {
  memset(&f->s, 0, sizeof f->s);
  f->n_rows = 0;
  f->b = (fg_bag){0};
  int rc = fg_family_open(c, v, RX_RESULTS_REPLAY, what, f->name, sizeof f->name, &f->p, err);
  if (rc > 0 && !f->p.npz)
    rc = fg_skip(c, f->name, "no %s (the per-event arrays) next to %s", f->p.npz_path, f->p.path);
  if (rc > 0 && (rc = read_settings(&f->p, &f->b, &f->s, err)) >= 0 &&
      (rc = find_rows(c, &f->p, f->name, f->rows, &f->n_rows, err)) >= 0)
    rc = f->n_rows ? 1
                   : fg_skip(c, f->name, "no <run>.quiescent or .absolute_noise entries in %s",
                             f->p.path);
  if (rc <= 0) fg_bag_free(&f->b);
  return rc;
}

/* The events of both sources of every row of f (ev) and the rows to draw (drawn, *n_drawn): those
 * with quiescent scores, or (speeds) those with a finite speed of either source. 0 or negative. */
static int read_all_events(rp_fig *f, int speeds, rp_events ev[][2], int *drawn, int *n_drawn,
                           rx_error *err) {
  int rc = 0;
  *n_drawn = 0;
  for (int i = 0; i < f->n_rows && rc >= 0; i++) {
    int have = 0;
    for (int k = 0; k < 2 && rc >= 0; k++) {
      rc = read_events(&f->p, &f->rows[i], k, &f->b, &ev[i][k], err);
      have += speeds ? rc > 0 && ev[i][k].speed && fg_any_finite(ev[i][k].speed, ev[i][k].n)
                     : rc > 0 && k == 0;
    }
    if (rc >= 0 && have) drawn[(*n_drawn)++] = i;
  }
  return rc < 0 ? rc : 0;
}

/* ---- 1. example events: posterior images under their line (the ring) ---- */

/* The line b0 + v t (bins; bin b's centre at lo + (b + 0.5) w) over steps 0 .. T-1, wrapped on
 * the ring of B bins, in the image's units (y in degrees): one segment between each two seam
 * crossings, from its first to its last point, with NaN between segments. x, y: (cap,), cap at
 * least line_points(v, T, B); returns the points written. */
static size_t line_points(double v, int T, int B) {
  return 3 * ((size_t)(fabs(v) * (T - 1) / B) + 3);
}
static size_t wrapped_line(double b0, double v, int T, int B, double lo, double w, double *x,
                           double *y, size_t cap) {
  const double u0 = b0 + 0.5; /* bin widths from the seam */
  double k = v > 0 ? floor(u0 / B) + 1 : ceil(u0 / B) - 1, ta = 0;
  size_t m = 0;
  while (m + 3 <= cap) {
    const double tc = v != 0 ? (k * B - u0) / v : INFINITY; /* the next crossing, at u = k B */
    const int cross = tc < T - 1;
    const double tb = cross ? tc : T - 1, ua = u0 + v * ta, ub = cross ? k * B : u0 + v * tb;
    const double shift = floor((ua + ub) / 2 / B) * B; /* the segment's turn of the ring */
    x[m] = ta, y[m++] = lo + (ua - shift) * w;
    x[m] = tb, y[m++] = lo + (ub - shift) * w;
    if (!cross) break;
    x[m] = NAN, y[m++] = NAN;
    ta = tb;
    k += v > 0 ? 1 : -1;
  }
  return m;
}

/* The line b0 + v t on a linear track of B bins of w metres from lo (no wrap): one segment, the
 * part of steps 0 .. T-1 where the line lies on the track ([lo, lo + B w]); x, y: (2,). Returns
 * the points written, 0 when the line misses the track. */
static size_t track_line(double b0, double v, int T, int B, double lo, double w, double *x,
                         double *y) {
  const double u0 = b0 + 0.5; /* bin widths from lo */
  double ta = 0, tb = T - 1;
  if (v != 0) {
    const double t0 = (0 - u0) / v, t1 = (B - u0) / v;
    ta = fmax(ta, fmin(t0, t1));
    tb = fmin(tb, fmax(t0, t1));
  } else if (u0 < 0 || u0 > B) {
    return 0;
  }
  if (!(ta <= tb)) return 0;
  x[0] = ta, y[0] = lo + (u0 + v * ta) * w;
  x[1] = tb, y[1] = lo + (u0 + v * tb) * w;
  return 2;
}

static int fig_examples(fg_ctx *c, const fg_variant *v, rx_error *err) {
  rp_fig rf;
  int rc = open_replay(c, v, "replay_examples", &rf, err);
  if (rc <= 0) return rc;
  if (!rf.s.ring) {
    fg_bag_free(&rf.b);
    return 0;
  }
  if (!rf.s.centers) {
    fg_bag_free(&rf.b);
    return fg_skip(c, rf.name, "no settings.centers (the ring's bins) in %s", rf.p.npz_path);
  }

  /* each row's examples: index, significance, posterior (k, T, B), line (k, 3) */
  struct ex {
    double *index, *sig, *post, *line, *p_time, *p_column;
    int k, T;
  } ex[MAX_ROWS];
  int n_cols = 0, T = 0, any = 0;
  for (int i = 0; i < rf.n_rows && rc >= 0; i++) {
    memset(&ex[i], 0, sizeof ex[i]);
    static const char *const names[4] = {"examples.index", "examples.significant",
                                         "examples.posterior", "examples.line"};
    static const int ndims[4] = {1, 1, 3, 2};
    double **dst[4] = {&ex[i].index, &ex[i].sig, &ex[i].post, &ex[i].line};
    const rx_array *a[4] = {NULL, NULL, NULL, NULL};
    char what[4][120];
    int have = 0;
    for (int k = 0; k < 4 && rc >= 0; k++) {
      snprintf(what[k], sizeof what[k], "%s.%s", rf.rows[i].what[0], names[k]);
      rc = fg_netfile_doubles(&rf.p, rf.rows[i].n->run, what[k], ndims[k], &rf.b, dst[k], &a[k],
                              err);
      have += rc > 0;
    }
    if (rc < 0) break;
    rc = 0;
    if (have == 0) continue;
    for (int k = 0; k < 4; k++)
      if (!a[k]) {
        rc =
            rx_fail(err, RX_EFORMAT, "%s: '%s.%s' is missing (the other examples arrays are there)",
                    rf.p.npz_path, rf.rows[i].n->run, what[k]);
        break;
      }
    if (rc < 0) break;
    const int64_t k0 = a[0]->shape[0];
    int bad = -1;
    if (a[1]->shape[0] != k0)
      bad = 1;
    else if (a[2]->shape[0] != k0 || a[2]->shape[2] != rf.s.n_bins)
      bad = 2;
    else if (a[3]->shape[0] != k0 || a[3]->shape[1] != 3)
      bad = 3;
    if (bad >= 0) {
      rc = rx_fail(
          err, RX_EFORMAT,
          "%s: array '%s.%s' does not match %lld examples of %d ring bins (settings.centers)"
          " with (k, 3) lines",
          rf.p.npz_path, rf.rows[i].n->run, what[bad], (long long)k0, rf.s.n_bins);
      break;
    }
    ex[i].k = (int)k0, ex[i].T = (int)a[2]->shape[1];
    if (T && ex[i].T != T) {
      rc = rx_fail(err, RX_EFORMAT, "%s: array '%s.%s' has %d steps per event, another row %d",
                   rf.p.npz_path, rf.rows[i].n->run, what[2], ex[i].T, T);
      break;
    }
    T = ex[i].T;
    const rx_array *pa;
    char pw[120];
    snprintf(pw, sizeof pw, "%s.p_time", rf.rows[i].what[0]);
    if ((rc = fg_netfile_doubles(&rf.p, rf.rows[i].n->run, pw, 1, &rf.b, &ex[i].p_time, &pa, err)) <
        0)
      break;
    const size_t n_time = rc ? pa->size : 0;
    snprintf(pw, sizeof pw, "%s.p_column", rf.rows[i].what[0]);
    if ((rc = fg_netfile_doubles(&rf.p, rf.rows[i].n->run, pw, 1, &rf.b, &ex[i].p_column, &pa,
                                 err)) < 0)
      break;
    const size_t n_col = rc ? pa->size : 0;
    rc = 0;
    for (int e = 0; e < ex[i].k && rc >= 0; e++) {
      const double id = ex[i].index[e];
      if (!(id >= 0 && id == floor(id)) || (ex[i].p_time && id >= (double)n_time) ||
          (ex[i].p_column && id >= (double)n_col))
        rc = rx_fail(err, RX_EFORMAT, "%s: '%s.%s.examples.index'[%d] = %g is not an event of '%s'",
                     rf.p.npz_path, rf.rows[i].n->run, rf.rows[i].what[0], e, id,
                     rf.rows[i].what[0]);
    }
    if (ex[i].k > n_cols) n_cols = ex[i].k;
    any += ex[i].k > 0;
  }
  if (rc >= 0 && rf.b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", rf.name);
  if (rc < 0 || !any) {
    fg_bag_free(&rf.b);
    return rc < 0 ? rc
                  : fg_skip(c, rf.name, "no <run>.<condition>.quiescent.examples.* arrays in %s",
                            rf.p.npz_path);
  }
  const int B = rf.s.n_bins, track = rf.s.track;
  /* the ring [-π, π) of docs/replay.md §2, in degrees (its centres are float32); a linear
   * track's line bins in metres, from the first centre and the bin width */
  const double w_y = track ? rf.s.width : 360.0 / B;
  const double lo_y = track ? rf.s.centers[0] - rf.s.width / 2 : -180;
  if (track && !(isfinite(w_y) && w_y > 0 && isfinite(lo_y))) {
    fg_bag_free(&rf.b);
    return rx_fail(err, RX_EFORMAT, "%s: array 'settings.centers' is not a line of equal bins",
                   rf.p.npz_path);
  }
  if (!track && fabs((rf.s.centers[0] - rf.s.width / 2) * 180 / M_PI - lo_y) > 1e-3 * w_y) {
    fg_bag_free(&rf.b);
    return rx_fail(err, RX_EFORMAT,
                   "%s: array 'settings.centers' does not start at the centre of [-π, -π + 2π/%d)",
                   rf.p.npz_path, B);
  }
  char title[900];
  title_of(v, &rf.p,
           track ? "quiescent example events, posterior over position along the track at each "
                   "step under the best line b#d0#u + v t, no wrap (R: the line score; p: the "
                   "larger of the two nulls')"
                 : "quiescent example events, posterior over heading at each step under the best "
                   "line b#d0#u + v t (R: the line score; p: the larger of the two nulls')",
           title, sizeof title);
  rx_fig *fig = NULL;
  rc = fg_fig_create(c, &fig, rf.name, n_cols, rf.n_rows, title, 330, 290, err);
  double *z = fg_bag_doubles(&rf.b, (size_t)T * B);
  for (int i = 0; i < rf.n_rows && !rc; i++) {
    for (int e = 0; e < n_cols && !rc; e++) {
      if (e >= ex[i].k) {
        rc = rx_fig_skip(fig, err);
        continue;
      }
      const double *post = ex[i].post + (size_t)e * T * B, *ln = ex[i].line + (size_t)e * 3;
      double top = 0;
      for (int t = 0; z && t < T; t++)
        for (int j = 0; j < B; j++) {
          z[(size_t)j * T + t] = post[(size_t)t * B + j];
          if (isfinite(post[(size_t)t * B + j])) top = fmax(top, post[(size_t)t * B + j]);
        }
      const size_t line_cap = isfinite(ln[1]) && fabs(ln[1]) < 1e6 ? line_points(ln[1], T, B) : 3;
      double *lx = fg_bag_doubles(&rf.b, line_cap), *ly = fg_bag_doubles(&rf.b, line_cap);
      if (!z || !lx || !ly) {
        rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", rf.name);
        break;
      }
      size_t nl = !isfinite(ln[0]) || !isfinite(ln[1]) ? 0
                  : track ? track_line(ln[0], ln[1], T, B, lo_y, w_y, lx, ly)
                          : wrapped_line(ln[0], ln[1], T, B, lo_y, w_y, lx, ly, line_cap);
      const int sig = ex[i].sig[e] != 0;
      const size_t id = (size_t)ex[i].index[e];
      const double pt = ex[i].p_time ? ex[i].p_time[id] : NAN,
                   pc = ex[i].p_column ? ex[i].p_column[id] : NAN;
      char t[200], rt[32], pv[32], ylab[200];
      fg_num_text(ln[2], "%.2f", rt, sizeof rt);
      fg_num_text(isfinite(pt) && isfinite(pc) ? fmax(pt, pc)
                  : isfinite(pt)               ? pt
                                               : pc,
                  "%.3f", pv, sizeof pv);
      snprintf(t, sizeof t, "%s #%zu: R %s, p %s", sig ? "sig." : "n.s.", id, rt, pv);
      snprintf(ylab, sizeof ylab, "%s%s%s", e == 0 ? rf.rows[i].label : "", e == 0 ? ": " : "",
               track ? "x along the track (m)" : "heading (°)");
      rx_series line =
          fg_series(NULL, lx, ly, nl, RX_COLOUR_QUIESCENT, RX_SERIES_LINE, 0, sig ? 0 : 1);
      const double extent[4] = {-0.5, T - 0.5, lo_y, track ? lo_y + B * w_y : lo_y + 360};
      rx_image_spec im =
          fg_image_cells(t, "step in event", ylab, "posterior", z, T, B, extent, NULL);
      im.z_min = 0, im.z_max = top > 0 ? top : 1;
      im.compact = 1;
      im.overlay = &line, im.n_overlay = nl ? 1 : 0;
      im.legend = RX_LEGEND_NONE;
      rc = rx_fig_add_image(fig, &im, err);
    }
  }
  return fg_fig_done(c, fig, rf.name, rc, &rf.b, err);
}

/* ---- 2. scores and p-values ---- */

static int fig_scores(fg_ctx *c, const fg_variant *v, rx_error *err) {
  rp_fig rf;
  int rc = open_replay(c, v, "replay_scores", &rf, err);
  if (rc <= 0) return rc;
  rp_events ev[MAX_ROWS][2];
  int drawn[MAX_ROWS], n_drawn = 0;
  rc = read_all_events(&rf, 0, ev, drawn, &n_drawn, err);
  if (rc < 0 || !n_drawn) {
    fg_bag_free(&rf.b);
    return rc < 0 ? rc
                  : fg_skip(c, rf.name, "no <run>.<condition>.quiescent.score arrays in %s",
                            rf.p.npz_path);
  }
  char title[900], what[300];
  snprintf(what, sizeof what,
           "%s of the quiescent and awake events (%s), and the quiescent events' p-values "
           "against the uniform",
           rf.s.ring ? "line scores R" : "path scores R#u2#d",
           rf.s.track  ? "linear track, no wrap"
           : rf.s.ring ? "ring"
                       : "posterior-weighted, constant velocity");
  title_of(v, &rf.p, what, title, sizeof title);
  rx_fig *fig = NULL;
  rc = fg_fig_create(c, &fig, rf.name, 2, n_drawn, title, 560, 400, err);
  for (int d = 0; d < n_drawn && !rc; d++) {
    const rp_row *r = &rf.rows[drawn[d]];
    rp_events *q = &ev[drawn[d]][0], *a = &ev[drawn[d]][1];
    /* scores: one range for both sources */
    double lo, hi;
    if (!finite_range(q->score, q->n, a->score, a->n, &lo, &hi)) lo = 0, hi = 1;
    if (!(hi > lo)) lo -= 0.5 * fmax(fabs(lo), 1e-3), hi += 0.5 * fmax(fabs(hi), 1e-3);
    const double w = (hi - lo) / SCORE_BINS;
    rx_series ser[4];
    char labels[4][200], t[2][300];
    int ns = 0;
    for (int k = 0; k < 2 && !rc; k++) {
      const rp_events *e = k ? a : q;
      if (!e->score) continue;
      double *hx = fg_bag_doubles(&rf.b, SCORE_BINS), *hy = fg_bag_doubles(&rf.b, SCORE_BINS), med;
      if (!hx || !hy) break;
      histogram(e->score, e->n, lo, w, SCORE_BINS, hx, hy);
      if ((rc = summary_num(&rf.p, r, k, rf.s.ring ? "median_score" : "median_r2", &med, err)))
        break;
      char mt[32];
      fg_num_text(med, "%.3g", mt, sizeof mt);
      snprintf(labels[ns], sizeof labels[ns], "%s: %zu events, median %s", sources[k], e->n, mt);
      ser[ns] = fg_series(labels[ns], hx, hy, SCORE_BINS, source_colours[k], RX_SERIES_STEPS, 0, 0);
      ns++;
    }
    if (!rc && rf.b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", rf.name);
    if (rc) break;
    snprintf(t[0], sizeof t[0], "%s: %s", r->label, rf.s.ring ? "line score" : "path score");
    rx_lines_spec ls = {0};
    ls.title = t[0];
    ls.x_label = rf.s.ring ? "line score R" : "path score R#u2#d";
    ls.y_label = "probability density";
    ls.series = ser, ls.n_series = ns;
    ls.x_min = lo, ls.x_max = hi;
    const double top = series_max(ser, ns);
    ls.y_min = 0, ls.y_max = top > 0 ? 1.05 * top / 0.8 : 1; /* room for the legend */
    ls.legend = RX_LEGEND_AUTO;
    if ((rc = rx_fig_add_lines(fig, &ls, err))) break;
    /* p-values of the quiescent events, 20 bins on [0, 1], against the uniform density 1 */
    static const char *const nulls[2] = {"time-bin null", "column-cycle null"};
    static const char *const fracs[2] = {"fraction_significant_time",
                                         "fraction_significant_column"};
    const double *pv[2] = {q->p_time, rf.s.ring ? q->p_column : NULL};
    ns = 0;
    for (int k = 0; k < 2 && !rc; k++) {
      if (!pv[k]) continue;
      double *hx = fg_bag_doubles(&rf.b, P_BINS), *hy = fg_bag_doubles(&rf.b, P_BINS), f = NAN;
      if (!hx || !hy) break;
      histogram(pv[k], q->n, 0, 1.0 / P_BINS, P_BINS, hx, hy);
      if (rf.s.ring && (rc = summary_num(&rf.p, r, 0, fracs[k], &f, err))) break;
      if (!rf.s.ring && (rc = summary_num(&rf.p, r, 0, "fraction_significant", &f, err))) break;
      char ft[32];
      fg_num_text(100 * f, "%.1f %%", ft, sizeof ft);
      snprintf(labels[ns], sizeof labels[ns], "%s: %s below α", nulls[k], ft);
      ser[ns] = fg_series(labels[ns], hx, hy, P_BINS, k ? RX_COLOUR_ORANGE : RX_COLOUR_QUIESCENT,
                          RX_SERIES_STEPS, 0, 0);
      ns++;
    }
    if (!rc && rf.b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", rf.name);
    if (rc) break;
    if (!ns) {
      fg_log(c, "%s: panel '%s' left empty: no p-values", rf.name, r->label);
      rc = rx_fig_skip(fig, err);
      continue;
    }
    static const double ux[2] = {0, 1}, uy[2] = {1, 1};
    ser[ns++] =
        fg_series("uniform (no sequence)", ux, uy, 2, RX_COLOUR_BLACK, RX_SERIES_LINE, 0, 1);
    double frac;
    if ((rc = summary_num(&rf.p, r, 0, "fraction_significant", &frac, err))) break;
    char ft[32], band[64];
    fg_num_text(100 * frac, "%.1f %%", ft, sizeof ft);
    snprintf(t[1], sizeof t[1], "%s: quiescent p-values, %s significant", r->label, ft);
    snprintf(band, sizeof band, "p < α = %g", rf.s.alpha);
    rx_lines_spec ps = {0};
    ps.title = t[1];
    ps.x_label = rf.s.ring ? "p-value" : "p-value (time-bin null)";
    ps.y_label = "probability density";
    ps.series = ser, ps.n_series = ns;
    ps.x_min = 0, ps.x_max = 1;
    const double ptop = fmax(series_max(ser, ns), 1);
    ps.y_min = 0, ps.y_max = 1.05 * ptop / 0.68;
    ps.band_x_min = 0, ps.band_x_max = rf.s.alpha, ps.band_label = band;
    ps.legend = RX_LEGEND_AUTO;
    rc = rx_fig_add_lines(fig, &ps, err);
  }
  return fg_fig_done(c, fig, rf.name, rc, &rf.b, err);
}

/* ---- 3. replay speeds ---- */

/* Histogram bins for speeds in [a, b]: on the ring, whole groups of the line score's speed grid
 * (v_k = v_max (2k - (n - 1)) / (n - 1) bins per step, times width / dt), centred on 0; else (or
 * without the grid) SPEED_BINS bins over [a, b], from 0 in the plane. Returns the bin count. */
static int speed_bins(const rp_settings *s, double dt, double a, double b, double *lo, double *w) {
  if (!(a <= b)) a = 0, b = 1;
  if (s->ring && s->n_speeds >= 3 && s->v_max > 0 && dt > 0 && s->width > 0) {
    const double step = 2 * s->v_max / (s->n_speeds - 1) * s->width / dt; /* rad/s */
    const int g = (int)ceil(s->n_speeds / SPEED_BINS);
    const int half = (int)ceil(fmax(fabs(a), fabs(b)) / (g * step) - 0.5 + 1e-9);
    *w = g * step;
    *lo = -(half + 0.5) * *w;
    return 2 * half + 1;
  }
  if (!s->ring) a = 0;
  if (!(b > a)) b = a + 1;
  *lo = a, *w = (b - a) / SPEED_BINS;
  return SPEED_BINS;
}

static int fig_speeds(fg_ctx *c, const fg_variant *v, rx_error *err) {
  rp_fig rf;
  int rc = open_replay(c, v, "replay_speeds", &rf, err);
  if (rc <= 0) return rc;
  rp_events ev[MAX_ROWS][2];
  int drawn[MAX_ROWS], n_drawn = 0;
  rc = read_all_events(&rf, 1, ev, drawn, &n_drawn, err);
  if (rc < 0 || !n_drawn) {
    fg_bag_free(&rf.b);
    return rc < 0 ? rc
                  : fg_skip(c, rf.name, "no finite <run>.<condition>.<source>.speed arrays in %s",
                            rf.p.npz_path);
  }
  /* one range for every panel */
  double a = INFINITY, z = -INFINITY;
  for (int d = 0; d < n_drawn; d++)
    for (int k = 0; k < 2; k++) {
      const rp_events *e = &ev[drawn[d]][k];
      double x0, x1;
      if (e->speed && finite_range(e->speed, e->n, NULL, 0, &x0, &x1))
        a = fmin(a, x0), z = fmax(z, x1);
    }
  char title[900], what[300];
  snprintf(what, sizeof what,
           "replay speeds of every event, quiescent and awake (%s), dashed: median of the "
           "significant events",
           rf.s.track  ? "line slopes, > 0 towards +x"
           : rf.s.ring ? "line slopes, > 0 counter-clockwise"
                       : "|v| of the fitted paths");
  title_of(v, &rf.p, what, title, sizeof title);
  const int n_cols = n_drawn < 4 ? n_drawn : 4, n_fig_rows = (n_drawn + n_cols - 1) / n_cols;
  rx_fig *fig = NULL;
  rc = fg_fig_create(c, &fig, rf.name, n_cols, n_fig_rows, title, 520, 400, err);
  for (int d = 0; d < n_drawn && !rc; d++) {
    const rp_row *r = &rf.rows[drawn[d]];
    const rp_events *e = ev[drawn[d]];
    double lo, w;
    const int nb = speed_bins(&rf.s, r->dt, a, z, &lo, &w);
    rx_series ser[4];
    char labels[4][200], mlabels[2][200], t[200], xl[80];
    double med[2] = {NAN, NAN};
    int ns = 0;
    for (int k = 0; k < 2 && !rc; k++) {
      if (!e[k].speed) continue;
      double *hx = fg_bag_doubles(&rf.b, (size_t)nb), *hy = fg_bag_doubles(&rf.b, (size_t)nb), f;
      if (!hx || !hy) break;
      histogram(e[k].speed, e[k].n, lo, w, nb, hx, hy);
      if ((rc = summary_num(&rf.p, r, k, "median_speed", &med[k], err)) ||
          (rc = summary_num(&rf.p, r, k, "fraction_significant", &f, err)))
        break;
      char mt[32], ft[32];
      fg_num_text(med[k], "%.3g", mt, sizeof mt);
      fg_num_text(100 * f, "%.0f %%", ft, sizeof ft);
      snprintf(labels[ns], sizeof labels[ns], "%s, %s significant", sources[k], ft);
      snprintf(mlabels[k], sizeof mlabels[k], "median of sig. %s: %s %s", sources[k], mt,
               rf.s.unit);
      ser[ns] = fg_series(labels[ns], hx, hy, (size_t)nb, source_colours[k], RX_SERIES_STEPS, 0, 0);
      ns++;
    }
    if (!rc && rf.b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", rf.name);
    if (rc) break;
    const double top = 1.05 * series_max(ser, ns);
    for (int k = 0; k < 2; k++) {
      if (!isfinite(med[k]) || !(top > 0)) continue;
      double *mx = fg_bag_doubles(&rf.b, 2), *my = fg_bag_doubles(&rf.b, 2);
      if (!mx || !my) break;
      mx[0] = mx[1] = med[k], my[0] = 0, my[1] = top;
      ser[ns++] = fg_series(mlabels[k], mx, my, 2, source_colours[k], RX_SERIES_LINE, 0, 1);
    }
    if (rf.b.oom) {
      rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", rf.name);
      break;
    }
    snprintf(t, sizeof t, "%s", r->label);
    snprintf(xl, sizeof xl, "%s (%s)", rf.s.ring ? "replay speed" : "replay speed |v|", rf.s.unit);
    rx_lines_spec ls = {0};
    ls.title = t;
    ls.x_label = xl;
    ls.y_label =
        rf.s.ring && !rf.s.track ? "probability density (s/rad)" : "probability density (s/m)";
    ls.series = ser, ls.n_series = ns;
    ls.x_min = lo, ls.x_max = lo + nb * w;
    ls.y_min = 0, ls.y_max = top > 0 ? top / 0.68 : 1; /* room for the legend above the data */
    ls.legend = RX_LEGEND_AUTO;
    rc = rx_fig_add_lines(fig, &ls, err);
  }
  return fg_fig_done(c, fig, rf.name, rc, &rf.b, err);
}

/* ---- 4. decoded paths in the arena (the plane) ---- */

static int fig_paths(fg_ctx *c, const fg_variant *v, rx_error *err) {
  rp_fig rf;
  int rc = open_replay(c, v, "replay_paths", &rf, err);
  if (rc <= 0) return rc;
  if (rf.s.ring) {
    fg_bag_free(&rf.b);
    return 0;
  }
  if (!rf.s.centers) {
    fg_bag_free(&rf.b);
    return fg_skip(c, rf.name, "no settings.centers (the arena's bins) in %s", rf.p.npz_path);
  }
  struct ex {
    double *sig, *mean, *path, *post; /* (k,), (k, T, 2), (k, 5), (k, T, n_bins) or NULL */
    int k, T;
  } ex[MAX_ROWS];
  int drawn[MAX_ROWS], n_drawn = 0;
  for (int i = 0; i < rf.n_rows && rc >= 0; i++) {
    memset(&ex[i], 0, sizeof ex[i]);
    static const char *const names[4] = {"examples.significant", "examples.mean", "examples.path",
                                         "examples.posterior"};
    static const int ndims[4] = {1, 3, 2, 3};
    double **dst[4] = {&ex[i].sig, &ex[i].mean, &ex[i].path, &ex[i].post};
    const rx_array *a[4] = {NULL, NULL, NULL, NULL};
    char what[4][120];
    for (int k = 0; k < 4 && rc >= 0; k++) {
      snprintf(what[k], sizeof what[k], "%s.%s", rf.rows[i].what[0], names[k]);
      rc = fg_netfile_doubles(&rf.p, rf.rows[i].n->run, what[k], ndims[k], &rf.b, dst[k], &a[k],
                              err);
    }
    if (rc < 0) break;
    rc = 0;
    if (!a[1]) continue; /* no decoded paths */
    const int64_t k0 = a[1]->shape[0], T = a[1]->shape[1];
    int bad = -1;
    if (a[1]->shape[2] != 2)
      bad = 1;
    else if (!a[0] || a[0]->shape[0] != k0)
      bad = 0;
    else if (!a[2] || a[2]->shape[0] != k0 || a[2]->shape[1] != 5)
      bad = 2;
    else if (a[3] && (a[3]->shape[0] != k0 || a[3]->shape[1] != T || a[3]->shape[2] != rf.s.n_bins))
      bad = 3;
    if (bad >= 0) {
      rc = rx_fail(err, RX_EFORMAT,
                   "%s: array '%s.%s' is missing or does not match '%s.%s' (%lld examples of %lld "
                   "steps; paths (k, 5), posteriors over %d bins)",
                   rf.p.npz_path, rf.rows[i].n->run, what[bad], rf.rows[i].n->run, what[1],
                   (long long)k0, (long long)T, rf.s.n_bins);
      break;
    }
    ex[i].k = (int)k0, ex[i].T = (int)T;
    drawn[n_drawn++] = i;
  }
  if (rc >= 0 && rf.b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", rf.name);
  if (rc < 0 || !n_drawn) {
    fg_bag_free(&rf.b);
    return rc < 0 ? rc
                  : fg_skip(c, rf.name, "no <run>.<condition>.quiescent.examples.mean arrays in %s",
                            rf.p.npz_path);
  }
  char title[900];
  title_of(v, &rf.p,
           "quiescent example events, decoded path (posterior mean per step, start ● end ▲) "
           "and fitted path y#d0#u + v t (dashed), over their summed posterior",
           title, sizeof title);
  const int n_cols = n_drawn < 4 ? n_drawn : 4, n_fig_rows = (n_drawn + n_cols - 1) / n_cols;
  rx_fig *fig = NULL;
  rc = fg_fig_create(c, &fig, rf.name, n_cols, n_fig_rows, title, 520, 500, err);
  for (int d = 0; d < n_drawn && !rc; d++) {
    const rp_row *r = &rf.rows[drawn[d]];
    const struct ex *x = &ex[drawn[d]];
    const int T = x->T, K = x->k, nb = rf.s.n_bins;
    /* the examples' posteriors summed over steps and events, per step and event */
    double *z = fg_bag_doubles(&rf.b, (size_t)nb);
    /* per example: its path (T points), its fit (2); starts and ends by kind */
    double *px = fg_bag_doubles(&rf.b, (size_t)K * (T + 2)),
           *py = fg_bag_doubles(&rf.b, (size_t)K * (T + 2));
    double *ends = fg_bag_doubles(&rf.b, (size_t)8 * K);
    if (!z || !px || !py || !ends) {
      rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", rf.name);
      break;
    }
    for (int j = 0; j < nb; j++)
      z[j] = x->post ? 0 : NAN;
    for (size_t q = 0; x->post && q < (size_t)K * T; q++)
      for (int j = 0; j < nb; j++)
        z[j] += x->post[q * nb + j] / ((double)K * T);
    rx_series ser[32];
    int ns = 0, n_end[2] = {0, 0};
    const size_t Kz = (size_t)K;
    double *sx[2] = {ends, ends + 2 * Kz}, *sy[2] = {ends + Kz, ends + 3 * Kz};
    double *ex_[2] = {ends + 4 * Kz, ends + 6 * Kz}, *ey[2] = {ends + 5 * Kz, ends + 7 * Kz};
    int labelled[2] = {0, 0};
    for (int e = 0; e < K && ns + 2 <= 28; e++) {
      const int sig = x->sig[e] != 0, kind = sig ? 0 : 1;
      const rx_colour col = sig ? RX_COLOUR_QUIESCENT : RX_COLOUR_BLACK;
      double *mx = px + (size_t)e * (T + 2), *my = py + (size_t)e * (T + 2);
      for (int t = 0; t < T; t++)
        mx[t] = x->mean[((size_t)e * T + t) * 2], my[t] = x->mean[((size_t)e * T + t) * 2 + 1];
      const double *f = x->path + (size_t)e * 5; /* y0 (x, y), v (x, y) per step, R² */
      double *fx = mx + T, *fy = my + T;
      fx[0] = f[0], fy[0] = f[1], fx[1] = f[0] + f[2] * (T - 1), fy[1] = f[1] + f[3] * (T - 1);
      const char *lab = labelled[kind] ? NULL : sig ? "significant" : "not significant";
      labelled[kind] = 1;
      ser[ns++] = fg_series(lab, mx, my, (size_t)T, col, RX_SERIES_LINE, 0, 0);
      ser[ns++] = fg_series(NULL, fx, fy, 2, col, RX_SERIES_LINE, 0, 1);
      sx[kind][n_end[kind]] = mx[0], sy[kind][n_end[kind]] = my[0];
      ex_[kind][n_end[kind]] = mx[T - 1], ey[kind][n_end[kind]++] = my[T - 1];
    }
    for (int kind = 0; kind < 2; kind++) {
      if (!n_end[kind]) continue;
      const rx_colour col = kind ? RX_COLOUR_BLACK : RX_COLOUR_QUIESCENT;
      ser[ns++] = fg_series(NULL, sx[kind], sy[kind], (size_t)n_end[kind], col, RX_SERIES_POINTS,
                            RX_MARKER_CIRCLE, 0);
      ser[ns++] = fg_series(NULL, ex_[kind], ey[kind], (size_t)n_end[kind], col, RX_SERIES_POINTS,
                            RX_MARKER_TRIANGLE, 0);
    }
    double frac;
    if ((rc = summary_num(&rf.p, r, 0, "fraction_significant", &frac, err))) break;
    char t[300], ft[32];
    fg_num_text(100 * frac, "%.1f %%", ft, sizeof ft);
    snprintf(t, sizeof t, "%s: %s of events significant", r->label, ft);
    rx_image_spec im =
        fg_image_cells(t, "decoded x (m)", "decoded y (m)", "mean posterior of the examples", z,
                       rf.s.nx, rf.s.ny, rf.s.box, c->box);
    im.arena = &c->arena;
    im.compact = 1;
    im.greys = 1;
    im.overlay = ser, im.n_overlay = ns;
    im.legend = RX_LEGEND_AUTO;
    if (x->post && fg_any_finite(z, (size_t)nb) && rf.s.nx >= 2 && rf.s.ny >= 2) {
      rc = rx_fig_add_image(fig, &im, err);
    } else {
      /* no posteriors (or a grid too small to draw as an image): the paths alone */
      rx_lines_spec ls = {0};
      ls.title = t;
      ls.x_label = im.x_label, ls.y_label = im.y_label;
      ls.series = ser, ls.n_series = ns;
      ls.x_min = rf.s.box[0], ls.x_max = rf.s.box[1], ls.y_min = rf.s.box[2],
      ls.y_max = rf.s.box[3];
      ls.legend = RX_LEGEND_AUTO;
      rc = rx_fig_add_lines(fig, &ls, err);
    }
  }
  return fg_fig_done(c, fig, rf.name, rc, &rf.b, err);
}

int fg_replay_figures(fg_ctx *c, const fg_variant *v, rx_error *err) {
  /* the line score's examples: heading, or position along a linear track (a spatial file with
   * bins.kind "line"; fig_paths draws nothing for it) */
  const int line = c->cfg->task == RX_TASK_HEAD_DIRECTION ||
                   (c->have_task && c->arena.kind == RX_ARENA_LINEAR_TRACK);
  int rc = line ? fig_examples(c, v, err) : 0;
  if (!rc && c->cfg->task != RX_TASK_HEAD_DIRECTION) rc = fig_paths(c, v, err);
  if (!rc) rc = fig_scores(c, v, err);
  if (!rc) rc = fig_speeds(c, v, err);
  return rc;
}
