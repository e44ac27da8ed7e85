/* Figures (docs/science.md §7), drawn with PLplot's cairo drivers: every figure is written as
 * <base>.png and <base>.svg, each atomically (temporary file, then rename). One spec struct and one
 * function per kind of panel; a figure is one panel (rx_plot_*) or a grid of panels of any kinds
 * (rx_fig_*). What it is not: a general plotting library. Data arrive already computed
 * (rx_analysis); nothing here fits, smooths or evaluates densities. The library draws one figure at
 * a time (PLplot keeps global state), so these functions are not thread-safe.
 *
 * Conventions shared by every panel:
 * - Zero-initialise a spec (`rx_lines_spec s = {0};`) and fill what you need: a range whose
 *   min is not below its max is taken from the data; a NULL or empty string draws nothing.
 * - Text is UTF-8 ("σ", "°" and "π" are fine); '#' is PLplot's escape character ("#u"/"#d"
 *   superscript/subscript), write "##" for a literal '#'.
 * - Non-finite values (NaN, ±Inf) are skipped (lines break, points and samples are left out,
 *   image cells stay blank, matrix cells read "n/a"); a panel with no finite value at all is
 *   refused with RX_ENUMERIC. Empty panels (no series, n = 0 everywhere), inconsistent sizes,
 *   NULL arrays and non-finite settings are refused with RX_EINVAL.
 * - Colours are fixed across all figures: ACTIVE data blue, QUIESCENT data red, further series
 *   (conditions, seeds) from a small palette that avoids both.
 * - Failures return a negative rx_status and fill err with one line naming the figure's base
 *   path; an unwritable directory leaves no file (and no temporary file) behind.
 * - With the data record on (rx_plot_set_data_record, rx_fig_set_data_record) a figure also
 *   writes <base>.data.json: the numbers each panel draws, for re-plotting elsewhere
 *   (docs/formats.md, "Figure data"). The PNG and SVG are the same with it on or off. */
#ifndef RX_PLOT_H
#define RX_PLOT_H

#include <stddef.h>

#include "reactivate/arena.h"
#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Chords a circular arena's outline is drawn with (rx_traj_spec.arena). */
#define RX_PLOT_ARENA_CHORDS 120

typedef enum rx_colour {
  RX_COLOUR_AUTO = 0,  /* the palette's i-th colour for the i-th series / trajectory */
  RX_COLOUR_ACTIVE,    /* blue  #1f77b4: active (online) data, in every figure */
  RX_COLOUR_QUIESCENT, /* red   #d62728: quiescent (offline) data, in every figure */
  RX_COLOUR_GREEN,     /* the palette, in the order AUTO uses it */
  RX_COLOUR_ORANGE,
  RX_COLOUR_PURPLE,
  RX_COLOUR_BROWN,
  RX_COLOUR_PINK,
  RX_COLOUR_OLIVE,
  RX_COLOUR_CYAN,
  RX_COLOUR_GREY,
  RX_COLOUR_BLACK,
  RX_COLOUR_COUNT
} rx_colour;

/* Where a legend goes; AUTO picks the inside corner that covers the fewest data points. */
typedef enum rx_legend_pos {
  RX_LEGEND_AUTO = 0,
  RX_LEGEND_TOP_RIGHT,
  RX_LEGEND_TOP_LEFT,
  RX_LEGEND_BOTTOM_RIGHT,
  RX_LEGEND_BOTTOM_LEFT,
  RX_LEGEND_OUTSIDE, /* right of the plot area (the panel's plot area shrinks) */
  RX_LEGEND_NONE
} rx_legend_pos;

/* ---- 1, 2. Lines: learning curves (Fig. 1b), cumulative explained variance (Fig. 1c); also
 * points, step histograms given by their counts and bars (the probes' figures) ---- */

/* Marker shapes (rx_series.markers), about 2 mm across. */
typedef enum rx_marker {
  RX_MARKER_NONE = 0,
  RX_MARKER_CIRCLE = 1,  /* a filled dot */
  RX_MARKER_OPEN_CIRCLE, /* white inside, ringed in the series' colour: points of another kind
                          * (a value at a search bound) next to filled ones */
  RX_MARKER_SQUARE,      /* filled */
  RX_MARKER_TRIANGLE     /* filled, pointing up */
} rx_marker;

/* How a series is drawn. */
typedef enum rx_series_style {
  RX_SERIES_LINE = 0, /* the points joined by straight lines, broken at a skipped point */
  RX_SERIES_POINTS,   /* markers only (markers 0: filled dots) */
  RX_SERIES_STEPS,    /* a histogram given by its bin centres x and heights y: y[i] held from
                       * midway to x[i-1] to midway to x[i+1] (the outer bins as wide as their
                       * neighbour's gap), dropping to the axis at both ends and at skipped bins */
  RX_SERIES_BARS      /* a bar from y = 0 (a log axis: its bottom) to y[i], centred on x[i], 0.8
                       * of the smallest gap between neighbouring x wide; filled translucent and
                       * outlined in the series' colour */
} rx_series_style;

typedef struct rx_series {
  const char *label; /* legend entry (NULL: not in the legend) */
  const double *x;   /* (n,) */
  const double *y;   /* (n,) mean */
  const double *sd;  /* (n,) s.d. drawn as y +- sd, or NULL */
  size_t n;
  rx_colour colour;
  int markers; /* an rx_marker at every point (1: a dot) */
  int sd_bars; /* s.d. as error bars (default: a shaded band) */
  int dashed;  /* 1 dashed, 2 dotted (lines and steps) */
  rx_series_style style;
} rx_series;

typedef struct rx_lines_spec {
  const char *title, *x_label, *y_label;
  const rx_series *series; /* (n_series,) */
  int n_series;
  int log_x, log_y; /* logarithmic axis, labelled at decades; values <= 0 are skipped */
  double x_min, x_max, y_min, y_max;
  rx_legend_pos legend;
  /* A light grey band across the plot over x in [band_x_min, band_x_max] (clipped to the axis),
   * behind the data: a fit range, say; band_label is its legend entry. min >= max: none. */
  double band_x_min, band_x_max;
  const char *band_label;
} rx_lines_spec;

/* ---- 3. Decoded trajectories (Fig. 1d/e, 2a/b, C.3; headings vs time for C.5) ---- */

typedef struct rx_traj_spec {
  const char *title, *x_label, *y_label;
  const float *x; /* (T, B, dim) time-major; dim 2: positions, drawn in the plane with equal
                   * aspect; dim 1: headings in radians, drawn against time, broken at the
                   * +-pi wrap */
  int T, B, dim;
  const int *index;      /* (n_show,) trajectories to draw, or NULL: the first n_show */
  int n_show;            /* 0: min(B, 5) */
  int t_max;             /* draw steps 0 .. t_max-1 (0: all T) */
  double dt;             /* dim 1: seconds per step for the time axis (0: the axis counts steps) */
  double box[4];         /* dim 2: x_min, x_max, y_min, y_max of the arena, drawn as an outline;
                          * the square axis range covers it and the data (all 0: no outline) */
  const rx_arena *arena; /* dim 2, optional: an arena other than the box (rx_arena_init's; copied)
                          * is drawn as its outline (rx_arena_outline: walls inside included, the
                          * circle as RX_PLOT_ARENA_CHORDS chords) instead of the box rectangle,
                          * the axis range covering it; NULL or the box: box above */
  rx_colour colour;      /* AUTO: one palette colour per trajectory; else all in this colour */
} rx_traj_spec;

/* ---- 4. Scatter coloured by a scalar (Fig. 1f/g PCs by distance from centre, 3c/d by heading) */

typedef struct rx_scatter_spec {
  const char *title, *x_label, *y_label, *c_label;
  const double *xy; /* (n, stride): column 0 is x, column 1 is y (e.g. rx_pca_project output) */
  int stride;       /* values per row, >= 2 (0: 2) */
  const double *c;  /* (n,) colour value per point, or NULL: every point in `colour` */
  size_t n;
  int cyclic; /* c is an angle in radians: cyclic colour map over [-pi, pi), bar in π units */
  double c_min, c_max;
  double x_min, x_max, y_min, y_max;
  size_t max_points; /* draw at most this many, evenly strided (0: 6000; the SVG takes ~0.4 kB
                      * per point) */
  int equal_aspect;
  rx_colour colour; /* when c is NULL */
} rx_scatter_spec;

/* ---- 5. Density image on a grid (Fig. 1h-k, 2c/d; replay's posteriors under their fits) ---- */

typedef struct rx_image_spec {
  const char *title, *x_label, *y_label, *z_label;
  const double *z;                   /* (ny, nx) row-major: z[j * nx + i] is the cell centred at
                                      * (x_min + (i + 0.5) dx, y_min + (j + 0.5) dy) */
  int nx, ny;                        /* >= 2 each */
  double x_min, x_max, y_min, y_max; /* outer edges of the grid (required) */
  double z_min, z_max;               /* colour range */
  int n_contours;                    /* white contour lines at this many levels (0: none) */
  double box[4];                     /* optional arena outline, as in rx_traj_spec */
  const rx_arena *arena;             /* as in rx_traj_spec; also blanks (NaN) every cell whose
                                      * centre lies outside it */
  int equal_aspect;
  int diverging; /* colour map blue - white - red instead of viridis, for signed values: a range
                  * symmetric about 0 (z_min = -z_max) puts white at 0 */
  int cells;     /* z holds nx x ny bins (a binned statistic): each drawn as a flat cell exactly
                  * over its extent above. 0: z samples a smooth field (a KDE), drawn as PLplot
                  * draws images, (nx - 1) x (ny - 1) cells between samples spread from edge to
                  * edge, so within a cell of the places above: invisible on a fine grid only */
  int greys;     /* colour map white to mid grey instead of viridis: a faint background for an
                  * overlay (not with diverging) */
  int compact;   /* with cells: colours in 32 equal steps of the range (the colour bar in the
                  * same 32 bands), neighbouring cells of one step up a column drawn as one
                  * rectangle: a far smaller SVG for large grids of few colours (posteriors) */
  /* Drawn over the image in its axes (a fitted line, decoded paths): series of style LINE or
   * POINTS, lines broken at non-finite points (sd is not drawn); the labelled ones in a legend
   * at `legend` (AUTO: the corner with the fewest overlay points; OUTSIDE is not offered). */
  const rx_series *overlay; /* (n_overlay,) or NULL */
  int n_overlay;            /* 0 .. 32 */
  rx_legend_pos legend;
} rx_image_spec;

/* ---- 6. Annotated matrix (Fig. 2e, the KL matrix) ---- */

typedef struct rx_matrix_spec {
  const char *title, *x_label, *y_label, *z_label;
  const double *v; /* (n_rows, n_cols) row-major; row 0 is drawn at the top */
  int n_rows, n_cols;
  const char *const *row_labels; /* (n_rows,) or NULL */
  const char *const *col_labels; /* (n_cols,) or NULL */
  const char *format;            /* cell text: "%.<d>f", "%.<d>g" or "%.<d>e" (NULL: "%.2f") */
  double z_min, z_max;
} rx_matrix_spec;

/* ---- 7, 9. Samples: box plots (Fig. 2f, C.4), histograms with means (C.5) ---- */

typedef struct rx_value_set {
  const char *label; /* box: the group's label under the axis ('\n' breaks lines; long labels
                      * wrap at spaces); histogram: the legend entry */
  const double *v;   /* (n,) */
  size_t n;
  rx_colour colour;
} rx_value_set;

/* Median, quartiles (linear interpolation, as numpy), whiskers at the furthest points within
 * 1.5 IQR of the box, points beyond drawn individually. On a log axis values <= 0 are left out,
 * of the statistics too (the data record counts them per group). */
typedef struct rx_box_spec {
  const char *title, *x_label, *y_label;
  const rx_value_set *groups; /* (n_groups,), left to right */
  int n_groups;
  int log_y;
  double y_min, y_max;
  int points; /* every value drawn as a dot in its group's colour over the box: for groups of a
               * few values (one per seed), where a box alone hides them */
} rx_box_spec;

typedef struct rx_hist_spec {
  const char *title, *x_label, *y_label;
  const rx_value_set *sets; /* (n_sets,), drawn as outlined translucent step histograms */
  int n_sets;
  int n_bins;          /* 0: 40 */
  double x_min, x_max; /* bin range (values outside are left out) */
  int counts;          /* y = counts (default: probability density, so sets of different
                        * sizes compare) */
  int show_mean;       /* dashed vertical line at each set's mean; the legend gives it */
  rx_legend_pos legend;
} rx_hist_spec;

/* ---- 8. Polar histograms of angles (Fig. 3a/b) ---- */

typedef struct rx_angle_set {
  const char *label;
  const float *theta; /* (n,) radians, any range (wrapped into [-pi, pi)); decoded headings */
  size_t n;
  rx_colour colour;
} rx_angle_set;

typedef struct rx_polar_spec {
  const char *title;
  const rx_angle_set *sets; /* (n_sets,), overlaid translucent wedges; radius = fraction of
                             * that set's samples in the bin */
  int n_sets;
  int n_bins; /* 0: 20 */
  rx_legend_pos legend;
} rx_polar_spec;

/* ---- 10. Vector fields: arrows over an optional shaded grid (drift and score, probes §4) ---- */

/* Arrows drawn by PLplot's plvect, each centred on its point, of length scale x |(u, v)| in axis
 * units (the x and y axes are taken to share units), with a filled head; a point with a
 * non-finite x, y, u or v, or a zero vector, gets no arrow. A key under the plot area shows a
 * reference arrow of a round length and its value ("0.02 m per step"), so panels scaled
 * differently read correctly. An optional scalar grid (a density) shades the background in
 * light greys, with a colour bar. */
typedef struct rx_vector_spec {
  const char *title, *x_label, *y_label;
  const double *x, *y; /* (n,) the points */
  const double *u, *v; /* (n,) the vectors there */
  size_t n;
  double scale;      /* axis units of arrow length per unit of (u, v); 0: the longest arrow is
                      * 0.9 x (x range) / ceil(sqrt(number of arrows)), about the spacing of that
                      * many points on a square grid */
  const char *units; /* of (u, v), for the key ("m per step"; NULL: the key shows the value only) */
  rx_colour colour;  /* AUTO: black */
  double x_min, x_max, y_min, y_max; /* axis ranges; min >= max: from the points and the grid */
  const double *z;                   /* (ny, nx) background grid as rx_image_spec's z, or NULL */
  int nx, ny;                        /* >= 2 each when z is given */
  double z_x_min, z_x_max, z_y_min, z_y_max; /* the grid's outer edges (required with z) */
  double z_min, z_max;                       /* its shading range (min >= max: 0 to its maximum) */
  const char *z_label;                       /* colour bar label */
  double box[4];                             /* optional arena outline, as in rx_traj_spec */
  const rx_arena *arena;                     /* as in rx_traj_spec (the grid is not blanked) */
  int equal_aspect;
} rx_vector_spec;

/* ---- figures with several panels ---- */

typedef struct rx_fig rx_fig;

/* A figure of n_cols x n_rows panels, filled row by row by the rx_fig_add_* calls, written to
 * <base>.png and <base>.svg by rx_fig_save. title (optional) is drawn above all panels. Every
 * add validates and copies its spec and data, so they need not outlive the call. */
int rx_fig_create(rx_fig **out, const char *base, int n_cols, int n_rows, const char *title,
                  rx_error *err);
/* Size of one panel in PNG pixels (default 560 x 440; SVG uses the same numbers in points). */
int rx_fig_set_panel_size(rx_fig *fig, int width_px, int height_px, rx_error *err);
int rx_fig_add_lines(rx_fig *fig, const rx_lines_spec *s, rx_error *err);
int rx_fig_add_traj(rx_fig *fig, const rx_traj_spec *s, rx_error *err);
int rx_fig_add_scatter(rx_fig *fig, const rx_scatter_spec *s, rx_error *err);
int rx_fig_add_image(rx_fig *fig, const rx_image_spec *s, rx_error *err);
int rx_fig_add_matrix(rx_fig *fig, const rx_matrix_spec *s, rx_error *err);
int rx_fig_add_box(rx_fig *fig, const rx_box_spec *s, rx_error *err);
int rx_fig_add_hist(rx_fig *fig, const rx_hist_spec *s, rx_error *err);
int rx_fig_add_polar(rx_fig *fig, const rx_polar_spec *s, rx_error *err);
int rx_fig_add_vectors(rx_fig *fig, const rx_vector_spec *s, rx_error *err);
/* Cumulative explained variance of the first k components, active (blue) vs quiescent (red),
 * mean +- s.d. over seeds as lines with markers and error bars; sd arrays may be NULL. */
int rx_fig_add_explained_variance(rx_fig *fig, const char *title, int k, const double *active_mean,
                                  const double *active_sd, const double *quiescent_mean,
                                  const double *quiescent_sd, rx_error *err);
/* Data record of this figure: 1 writes <base>.data.json with the PNG and SVG, 0 does not (and
 * removes one an earlier drawing left), -1 (the default) follows rx_plot_data_record(). */
int rx_fig_set_data_record(rx_fig *fig, int on, rx_error *err);
/* Leaves an empty cell (to skip a place in the grid). */
int rx_fig_skip(rx_fig *fig, rx_error *err);
int rx_fig_save(const rx_fig *fig, rx_error *err);
void rx_fig_free(rx_fig *fig);

/* ---- data record, process-wide: for figures drawn by code that does not set it per figure
 * (rx_plot_*, rx_figures, rx_report_write). on: 1 on, 0 off, -1 back to the default, which is
 * on when the environment variable REACTIVATE_PLOT_DATA is set and not "0" (so
 * `REACTIVATE_PLOT_DATA=1 reactivate figures ...` records every figure it draws). ---- */
void rx_plot_set_data_record(int on);
int rx_plot_data_record(void); /* whether figures without their own setting record (0 or 1) */

/* ---- one figure, n_panels panels of one kind side by side (create, add each, save) ---- */

int rx_plot_lines(const char *base, const char *title, const rx_lines_spec *panels, int n_panels,
                  rx_error *err);
int rx_plot_traj(const char *base, const char *title, const rx_traj_spec *panels, int n_panels,
                 rx_error *err);
int rx_plot_scatter(const char *base, const char *title, const rx_scatter_spec *panels,
                    int n_panels, rx_error *err);
int rx_plot_image(const char *base, const char *title, const rx_image_spec *panels, int n_panels,
                  rx_error *err);
int rx_plot_matrix(const char *base, const char *title, const rx_matrix_spec *panels, int n_panels,
                   rx_error *err);
int rx_plot_box(const char *base, const char *title, const rx_box_spec *panels, int n_panels,
                rx_error *err);
int rx_plot_hist(const char *base, const char *title, const rx_hist_spec *panels, int n_panels,
                 rx_error *err);
int rx_plot_polar(const char *base, const char *title, const rx_polar_spec *panels, int n_panels,
                  rx_error *err);
int rx_plot_vectors(const char *base, const char *title, const rx_vector_spec *panels, int n_panels,
                    rx_error *err);
int rx_plot_explained_variance(const char *base, const char *title, int k,
                               const double *active_mean, const double *active_sd,
                               const double *quiescent_mean, const double *quiescent_sd,
                               rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
