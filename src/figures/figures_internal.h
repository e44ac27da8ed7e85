/* Shared internals of `reactivate figures`: the context (settings, the results set, seeds found
 * and the shared results reader with its cache), the figure variants, and small helpers for
 * logging, outputs and the numbers the figures show. figures.c owns the context, discovery and
 * dispatch; figures_data.c the typed look-ups and numerics; figures_json.c the per-network files
 * of the probes and replay; figures_spatial.c, figures_hd.c, figures_probes.c,
 * figures_replay.c and figures_mechanisms.c draw. Run and file names, the experiment set and the
 * cache are src/results'. */
#ifndef RX_FIGURES_INTERNAL_H
#define RX_FIGURES_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "reactivate/figures.h"
#include "reactivate/npz.h"
#include "reactivate/plot.h"
#include "reactivate/results.h"
#include "reactivate/task.h"
#include "results/reader.h"

/* A set of figures drawn from one family of analysis files: Fig. 1/2 (vanilla RNN, default
 * quiescence rule), C.1 (same_: noise not doubled), C.2 (gru_). */
typedef struct fg_variant {
  const char *prefix;      /* output names: "fig" + "1c_explained_variance", "figC1_" + ... */
  const char *file_prefix; /* the analysis family: RX_RESULTS_MAIN, _SAME, _GRU */
  const char *clabel;      /* supplement figure ("C.1", "C.2") or NULL for Fig. 1/2 */
  const char *note;        /* what differs, for titles ("quiescent noise not doubled") */
  const char *hint;        /* the analyze options that produce these files, for skip messages */
  int gru;                 /* its conditions: the GRU experiments, else the vanilla ones */
  int learning_curves;     /* draw Fig. 1b for this variant (its training differs) */
  /* filled from the experiment set (fg_variant_conds): U-σ first, B-σ is conds[biased] */
  const rx_experiment *conds[RX_EXP_COUNT];
  int n_conds, biased;
} fg_variant;

/* Fills v->conds, n_conds and biased: the task's experiments of v's model, in the set's order. */
void fg_variant_conds(fg_variant *v, rx_task_kind task);

typedef struct fg_ctx {
  const rx_figures_config *cfg;
  rxr_reader rd;      /* the log and the file cache */
  rx_results_set set; /* <path>/<task> and the noise of the runs drawn */
  char out_dir[2400];
  int seeds[RX_FIGURES_MAX_SEEDS], n_seeds;
  double box[4];     /* spatial arena: x_min, x_max, y_min, y_max (from a run's config.yaml; the
                      * bounding box of an arena other than the box) */
  rx_arena arena;    /* that run's arena (zeroed: the box), outlined on the spatial figures */
  rx_task_spec task; /* that run's task (fig_arena's trajectories), task_seed its seed */
  int task_seed, have_task;
  double dt;                             /* seconds per step (head direction time axes) */
  int n_written, n_skipped, n_not_asked; /* not asked for: drawn but not saved (only=) */
} fg_ctx;

/* ---- logging and outputs (figures.c) ---- */

void fg_log(fg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs "skipped <name>: <reason>" and returns 0, so callers can `return fg_skip(...)`. */
int fg_skip(fg_ctx *c, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* <out_dir>/<name> */
void fg_out_base(const fg_ctx *c, const char *name, char *buf, size_t n);
/* Logs the two files written. */
void fg_wrote(fg_ctx *c, const char *name);
/* Creates the figure <out_dir>/<name>: n_cols x n_rows panels of w x h pixels, widened when the
 * title would not fit (fig NULL on failure). */
int fg_fig_create(const fg_ctx *c, rx_fig **fig, const char *name, int n_cols, int n_rows,
                  const char *title, int w, int h, rx_error *err);
/* Unless rc != 0, saves fig (PNG + SVG) and logs it; frees fig (NULL is fine); returns rc or
 * the save's status. */
int fg_fig_save(fg_ctx *c, rx_fig *fig, const char *name, int rc, rx_error *err);
/* "seed 3" or "pooled over seeds 0-4" for the seeds c->seeds[k] with used[k] != 0. */
void fg_pooled_text(const fg_ctx *c, const unsigned char *used, char *buf, size_t size);
/* Titles: "seed 3" or "mean ± s.d. over 5 seeds (0-4)" style text for n seeds in seeds[]. */
void fg_seeds_text(const int *seeds, int n, char *buf, size_t size);

/* ---- names and files (figures_data.c) ---- */

/* cond's run name of seed. */
void fg_run_name(const fg_ctx *c, const rx_experiment *cond, int seed, char *buf, size_t n);
/* <task dir>/<analysis>_<file_prefix><noise>_<seed>.<ext> */
void fg_analysis_path(const fg_ctx *c, int analysis, const char *file_prefix, int seed,
                      const char *ext, char *buf, size_t n);
/* The analysis file's JSON / npz for one seed (NULL when absent; the reader's cache). */
int fg_analysis_json(fg_ctx *c, int analysis, const char *file_prefix, int seed, const cJSON **out,
                     rx_error *err);
int fg_analysis_npz(fg_ctx *c, int analysis, const char *file_prefix, int seed, const rx_npz **out,
                    rx_error *err);
/* Array "<run>.<what>" of an npz: 1 and *out when present as float32 with ndim dimensions
 * (last_dim > 0: and that size last, every size >= 1), 0 when absent (or z NULL), negative
 * when present with another dtype or shape (err names the file and the array). */
int fg_array(const fg_ctx *c, const rx_npz *z, int analysis, const char *file_prefix, int seed,
             const char *run, const char *what, int ndim, int last_dim, const rx_array **out,
             rx_error *err);
/* A JSON number at root[key] (or root[key][key2] when key2): 1 and *v (NaN for null, as cJSON
 * writes NaN and Inf), 0 when absent, negative when present but not a number / object. */
int fg_json_number(const cJSON *root, const char *path, const char *key, const char *key2,
                   double *v, rx_error *err);

/* ---- numbers (figures_data.c) ---- */

/* Mean and s.d. (ddof 0, as numpy.std) of v (n,); s.d. 0 for n = 1. */
void fg_mean_sd(const double *v, int n, double *mean, double *sd);
/* (B, T, d) batch-major -> (T, n_keep, d) time-major, the first n_keep trajectories. */
float *fg_time_major(const float *x, int B, int T, int d, int n_keep);
/* Gaussian KDE (Scott's rule) of the points xy (n, 2), thinned to at most FG_KDE_POINTS evenly
 * strided, evaluated at the centres of an nx x ny grid over [x0, x1] x [y0, y1]: z (ny, nx).
 * With an arena (NULL: none) the cells centred outside it are NaN and the density is normalised
 * over the others (rx_density_grid; docs/arenas.md §4). Returns 0, 1 when no KDE can be fitted
 * (why says so), or a negative status. */
#define FG_KDE_POINTS 12000
int fg_kde_grid(const float *xy, size_t n, double x0, double x1, double y0, double y1, int nx,
                int ny, const rx_arena *arena, double *z, const char *what, char *why,
                size_t why_n);
/* Range [lo, hi] of the finite values x (n, stride) in column col, widened by frac each side. */
void fg_range(const float *x, size_t n, int stride, int col, double frac, double *lo, double *hi);

/* The first seed whose <analysis> npz (variant v's files) holds every <run>.<what[i]> of cond
 * (float32, ndim dims, last dimension last_dim when > 0): 1 (arrays in out, seed in *seed), 0
 * when no seed has them all, negative on a malformed file. */
int fg_first_arrays(fg_ctx *c, const fg_variant *v, const rx_experiment *cond, int analysis,
                    const char *const *what, int n_what, int ndim, int last_dim,
                    const rx_array **out, int *seed, rx_error *err);

/* Start of a figure title: "Fig. 1c", or "Fig. C.1 (as 1c, quiescent noise not doubled)". */
void fg_title_head(const fg_variant *v, const char *fig, char *buf, size_t n);

/* ---- per-network analysis files: the probes' and replay's (figures_json.c) ---- */

/* <prefix><what> for a family's figure: "fig_probe_mixing", "figC2_replay_scores". */
void fg_family_name(const fg_variant *v, const char *what, char *buf, size_t n);
/* "<what>" or "<what>, GRU runs" at the head of a title ("Probe", "Replay"). */
void fg_family_head(const fg_variant *v, const char *what, char *buf, size_t n);

/* Scratch arrays of one figure, freed together (rx_fig copies what it draws). Each array lives
 * in a block that is chained to the bag the moment it is allocated, so the bag owns it from then
 * on (a chain rather than a table: no limit on the count, and an owner the static analyzer can
 * follow). Zero-initialise (`fg_bag b = {0};`); oom is set when an allocation failed. */
typedef struct fg_bag_block {
  struct fg_bag_block *next;
  double d[]; /* the array handed out */
} fg_bag_block;
typedef struct fg_bag {
  fg_bag_block *head;
  int oom;
} fg_bag;
double *fg_bag_doubles(fg_bag *b, size_t n); /* (n,) doubles owned by b; NULL (and oom) */
void fg_bag_free(fg_bag *b);

/* JSON look-ups of a file at path; what names root for messages ("" at the top, "<run>",
 * "<run>.<condition>"). Each returns negative with one line naming path and what.key when the
 * key holds something of another type. */
/* root[key] when it is an object: 1 and *out; 0 when absent (or root NULL). */
int fg_json_object(const cJSON *root, const char *key, const char *path, const char *what,
                   const cJSON **out, rx_error *err);
/* root[key] as a number: 1 (null: NaN, an undefined number), 0 absent (NaN). */
int fg_json_num(const cJSON *root, const char *key, const char *path, const char *what, double *v,
                rx_error *err);
/* root[key] as true / false into *b (1 / 0; -1 when absent or null): 0. */
int fg_json_bool(const cJSON *root, const char *key, const char *path, const char *what, int *b,
                 rx_error *err);
/* root[key], an array of numbers (null: NaN), into a bag array: 1 with *out, *n; 0 absent. */
int fg_json_numbers(const cJSON *root, const char *key, const char *path, const char *what,
                    fg_bag *b, double **out, int *n, rx_error *err);
/* A number for a label with fmt ("%.2f"); "n/a" when not finite. */
void fg_num_text(double v, const char *fmt, char *buf, size_t n);
int fg_any_finite(const double *v, size_t n);
/* A series without s.d.: its style, rx_marker and dash (0 solid, 1 dashed, 2 dotted). */
rx_series fg_series(const char *label, const double *x, const double *y, size_t n, rx_colour colour,
                    rx_series_style style, int marker, int dashed);
/* An image panel drawn as cells: z (ny, nx) over extent (x_min, x_max, y_min, y_max), with its
 * title and labels; arena (x_min, x_max, y_min, y_max), when not NULL, outlined at equal aspect.
 * The rest of the spec zero (colour range from the data, no overlay, no legend chosen). */
rx_image_spec fg_image_cells(const char *title, const char *x_label, const char *y_label,
                             const char *z_label, const double *z, int nx, int ny,
                             const double extent[4], const double *arena);
/* fg_fig_save, then the figure's bag freed: returns what fg_fig_save returns. */
int fg_fig_done(fg_ctx *c, rx_fig *fig, const char *name, int rc, fg_bag *b, rx_error *err);

enum { FG_MAX_NETS = RX_EXP_COUNT + 1 }; /* a family's trained runs and the random control */

/* A network of a per-network file. */
typedef struct fg_net {
  const rx_experiment *exp; /* NULL: the untrained control */
  char run[600];            /* its key in the files */
  char label[96];           /* "U-σ", "R (untrained)" */
  rx_colour colour;         /* one per run of the family, grey for the control */
  const cJSON *json;        /* its object in the JSON */
} fg_net;

/* The analysis file of one figure: the first seed that has its JSON, its npz (when there), and
 * the networks it holds, in the family's order with the control last. */
typedef struct fg_netfile {
  int analysis, seed;
  const cJSON *json;
  const rx_npz *npz; /* NULL when absent */
  char path[2600], npz_path[2600];
  char seeds[300]; /* "seed 0" or "seed 0 (the first of seeds 0-2)" */
  fg_net nets[FG_MAX_NETS];
  int n_nets;
} fg_netfile;

/* Opens <analysis> of v's family for the figure `name`: 1 (p filled), 0 when the figure is
 * skipped (logged: no file for any seed, or no network in it), negative on a malformed file. */
int fg_netfile_open(fg_ctx *c, const fg_variant *v, int analysis, const char *name, fg_netfile *p,
                    rx_error *err);
/* The same for the figure <family prefix><what> (fg_family_name, into name (n)). */
int fg_family_open(fg_ctx *c, const fg_variant *v, int analysis, const char *what, char *name,
                   size_t n, fg_netfile *p, rx_error *err);
/* The float32 array <run>.<what> of p's npz as doubles in the bag: 1 with *out and the array
 * (its shape), 0 absent (or no npz), negative when present with another dtype or ndim (err
 * names the file and the array). */
int fg_netfile_doubles(const fg_netfile *p, const char *run, const char *what, int ndim, fg_bag *b,
                       double **out, const rx_array **arr, rx_error *err);

/* The noise conditions of a network (docs/probes.md §5, docs/replay.md §7), and how a legend
 * names cond for n: "" (or " (no noise)" for a noiseless run), " (abs. noise)", " awake". */
extern const char *const fg_conditions[2];
void fg_cond_text(const fg_net *n, const char *cond, char *buf, size_t size);

/* ---- the figures ---- */

/* Hidden states on the first two active PCs, coloured by decoded distance from the centre or
 * (cyclic) by decoded heading: Fig. 1f/g, 3c/d. */
int fg_fig_pcs(fg_ctx *c, const fg_variant *v, const rx_experiment *cond, const char *tag,
               const char *fig_label, const char *letters, int cyclic, rx_error *err);

int fg_spatial_figures(fg_ctx *c, const fg_variant *v, rx_error *err); /* Fig. 1, 2 / C.1 / C.2 */
int fg_supplement_c3(fg_ctx *c, rx_error *err);
/* fig_arena: the run's arena (outline and walls) with a few trajectories of its task's
 * generator; drawn only for arenas other than the box (docs/arenas.md §2). */
int fg_arena_figure(fg_ctx *c, rx_error *err);
int fg_supplement_c4(fg_ctx *c, rx_error *err);
int fg_hd_figures(fg_ctx *c, rx_error *err); /* Fig. 3, C.5 */
/* The probes' figures of v's family (docs/probes.md §6): <prefix>probe_mixing, _score,
 * _temperature, _diffusion, each skipped (logged) when its file is absent. */
int fg_probe_figures(fg_ctx *c, const fg_variant *v, rx_error *err);
/* Replay's figures of v's family (docs/replay.md §8): <prefix>replay_scores, _speeds, and
 * _examples (head direction) or _paths (spatial), each skipped (logged) when its file is absent. */
int fg_replay_figures(fg_ctx *c, const fg_variant *v, rx_error *err);
/* The mechanisms family's figure fig_mechanisms (docs/mechanisms.md) from the task's mech_ files:
 * drawn when any exists, else nothing is drawn or logged. */
int fg_mechanisms_figure(fg_ctx *c, rx_error *err);

#endif
