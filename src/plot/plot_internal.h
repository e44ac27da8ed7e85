/* Shared internals of the figure layer: the figure (a grid of panels whose specs and data live in
 * the figure's own arena), the palette and colour maps, and the drawing helpers every panel uses
 * (layout in em of the rendered text, nice ticks, frame and labels, legend, colour bar, markers).
 * plot_core.c owns streams and files; plot_axes.c the helpers; fig_*.c one kind of panel each. */
#ifndef RX_PLOT_INTERNAL_H
#define RX_PLOT_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "reactivate/error.h"
#include "reactivate/plot.h"

/* A rectangle in normalised page coordinates (0..1, y up). */
typedef struct rxpl_rect {
  double x0, x1, y0, y1;
} rxpl_rect;

/* Draws one panel (its deep-copied spec) into a cell of the page; runs once per output format.
 * Returns 0 or RX_ENOMEM (scratch buffers). */
typedef int (*rxpl_draw_fn)(const void *spec, const rxpl_rect *cell);

typedef struct rxpl_panel {
  const char *kind;  /* "lines", "box", ...: the data record's name for it */
  rxpl_draw_fn draw; /* NULL: an empty cell */
  const void *spec;
} rxpl_panel;

typedef struct rxpl_block rxpl_block;

struct rx_fig {
  char base[4000];
  char *title;
  int n_cols, n_rows, panel_w, panel_h;
  int n_panels;
  rxpl_panel *panels; /* (n_cols * n_rows) */
  rxpl_block *arena;  /* every copy the adds make, freed with the figure */
  int record;         /* data record: 1 on, 0 off, -1 the process-wide setting */
};

/* ---- arena and panel list (plot_core.c) ---- */

void *rxpl_alloc(rx_fig *fig, size_t n); /* zeroed; NULL when out of memory */
/* Copies of strings and arrays (NULL in, NULL out; *oom set on failure). */
char *rxpl_strdup(rx_fig *fig, const char *s, int *oom);
void *rxpl_memdup(rx_fig *fig, const void *p, size_t n, int *oom);
/* Fails (naming the figure) when every cell is taken. */
int rxpl_check_room(const rx_fig *fig, rx_error *err);
int rxpl_push(rx_fig *fig, const char *kind, rxpl_draw_fn draw, const void *spec, rx_error *err);
/* "cannot draw <base>: <detail>". */
int rxpl_fail(const rx_fig *fig, rx_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#ifdef __clang_analyzer__ /* its result, for the static analyzer (see reactivate/error.h) */
#define rxpl_fail(fig, err, code, ...) (rxpl_fail((fig), (err), (code), __VA_ARGS__), (code))
#endif
int rxpl_oom(const rx_fig *fig, rx_error *err);

/* Value sets (box plots, histograms; in fig_box.c): validation naming the set (positive: only
 * values > 0 count as usable, for log axes), and a deep copy into the figure. */
int rxpl_check_sets(const rx_fig *fig, const rx_value_set *sets, int n, int positive,
                    const char *what, rx_error *err);
rx_value_set *rxpl_copy_sets(rx_fig *fig, const rx_value_set *sets, int n, int *oom);

/* ---- palette (cmap0 indices) and colour maps (plot_core.c) ---- */

enum {
  RX_PL_BG = 0,       /* white */
  RX_PL_FG = 1,       /* black: axes and text */
  RX_PL_NAMED = 2,    /* rx_colour c (ACTIVE..BLACK) is index RX_PL_NAMED + c - 1 */
  RX_PL_GRID = 13,    /* light grey grid */
  RX_PL_MUTED = 14,   /* mid grey: n/a cells, outlines */
  RX_PL_SCRATCH = 15, /* set by rxpl_col_alpha */
  RX_PL_WHITE = 16,
  RX_PL_LIGHT = 17,     /* translucent (alpha 0.3) copies of the named colours, same order */
  RX_PL_LEGEND_BG = 28, /* white, alpha 0.85 */
  RX_PL_NCOL0 = 29
};

int rxpl_colour_index(rx_colour c, int i);           /* AUTO resolves to the i-th palette colour */
void rxpl_colour_rgb(int idx, unsigned char rgb[3]); /* sRGB of a cmap0 index (opaque) */
void rxpl_col(int idx);
int rxpl_light(int idx);                    /* the translucent copy of a named colour's index */
void rxpl_col_alpha(int idx, double alpha); /* draws with idx's colour at this opacity */
void rxpl_cmap_sequential(void);            /* viridis */
void rxpl_cmap_cyclic(void);                /* hue wheel, equal at both ends */
/* The colour maps by number, as rxpl_colourbar and the data record name them. */
enum { RXPL_MAP_VIRIDIS = 0, RXPL_MAP_CYCLIC = 1, RXPL_MAP_DIVERGING = 2, RXPL_MAP_GREYS = 3 };
void rxpl_cmap_set(int map);
const char *rxpl_cmap_name(int map); /* "viridis", "cyclic", "diverging", "greys" */
/* Relative luminance (0..1) of cmap1 at position f, to pick black or white text on it. */
double rxpl_cmap_luminance(double f, int cyclic);

/* ---- layout and axes (plot_axes.c) ---- */

/* Page metrics, set once per stream after plinit: sizes in mm and the base character height. */
void rxpl_page_init(double base_scale);
double rxpl_cw(double n_chars); /* n character heights as a normalised page width */
double rxpl_ch(double n_chars); /* ... and height */
double rxpl_char_mm(void);      /* the rendered em of the base text, in PLplot mm */
/* plmtex with the displacement in em of the base text (PLplot counts current char heights). */
void rxpl_mtex(const char *side, double disp_em, double pos, double just, const char *text);
void rxpl_text_scale(double s); /* character height = s x the base */
/* Display width of a label in em (estimate for DejaVu Sans). Layout sizes below ("char
 * heights") are all in em of the base text. */
double rxpl_text_width(const char *s);

typedef struct rxpl_axis {
  double lo, hi;  /* window range (log10 units when log) */
  double step;    /* major tick spacing (window units) */
  int nsub;       /* minor intervals per major */
  int decimals;   /* digits after the point in tick labels; -1: "%.3g" */
  int log, angle; /* decades labelled 10^k; multiples of pi/2 labelled with π */
} rxpl_axis;

/* Axis over data [dmin, dmax] (log: positive values, in data units), padded by pad (fraction of
 * the range; 0 keeps the ends exactly), with about 5 major ticks. Degenerate ranges widen. */
void rxpl_axis_make(rxpl_axis *a, double dmin, double dmax, int log, double pad);
void rxpl_axis_angle(rxpl_axis *a); /* [-pi, pi], ticks every pi/2 */
void rxpl_axis_label(const rxpl_axis *a, double v, char *buf, size_t n); /* v in window units */
double rxpl_axis_label_width(const rxpl_axis *a);   /* widest tick label, char heights */
double rxpl_axis_map(const rxpl_axis *a, double v); /* data -> window (log10 when log) */

typedef struct rxpl_frame {
  const char *title, *x_label, *y_label;
  rxpl_axis x, y;
  int grid;            /* light grid at major ticks */
  double aspect;       /* > 0: plot area height / width in physical units */
  double right_extra;  /* extra right margin, char heights (colour bar, outside legend) */
  double bottom_extra; /* extra bottom margin, char heights (multi-line group labels) */
  int x_ticks_custom;  /* the panel labels x itself (groups, matrix columns) */
  int y_ticks_custom;  /* ... and y (matrix rows), its labels y_custom_width char heights wide */
  double y_custom_width;
  int no_box;         /* polar: no axes at all */
  double below_extra; /* room under the x axis label, char heights (a vector key) */
} rxpl_frame;

/* Places the plot area in cell, sets viewport and window, draws the grid. */
void rxpl_frame_begin(const rxpl_frame *f, const rxpl_rect *cell, rxpl_rect *vp);
/* Draws axes, tick labels, axis labels and title on top of the data. */
void rxpl_frame_end(const rxpl_frame *f, const rxpl_rect *vp);

/* Colour bar right of vp for cmap1 over axis c in colour map `map` (RXPL_MAP_*). */
double rxpl_colourbar_margin(const rxpl_axis *c, const char *label);
void rxpl_colourbar(const rxpl_rect *vp, const rxpl_axis *c, const char *label, int map);
/* The same in `bands` flat bands (rxpl_colourbar: 128), each the colour of its middle. */
void rxpl_colourbar_steps(const rxpl_rect *vp, const rxpl_axis *c, const char *label, int map,
                          int bands);

typedef struct rxpl_legend_entry {
  const char *text;
  int colour; /* cmap0 index */
  int line;   /* a line sample */
  int dashed;
  int box;    /* a filled (translucent) box sample */
  int marker; /* a marker sample: RX_PL_CIRCLE, ... (0: none) */
  int open;   /* the marker white inside, ringed in the colour */
} rxpl_legend_entry;

/* Legend inside the current viewport (or right of it, OUTSIDE), drawn by hand: pllegend sizes
 * its box from Hershey metrics and cuts cairo text. For AUTO, px/py (window units, np of them)
 * are the data it should avoid. Width in em, for the room an OUTSIDE legend needs. */
double rxpl_legend_width(const rxpl_legend_entry *e, int n);
void rxpl_legend(rx_legend_pos pos, const rxpl_legend_entry *e, int n, const double *px,
                 const double *py, size_t np);

/* Labels under the x axis at window positions x[i] (box groups, matrix columns): split at '\n'
 * and wrapped at spaces to slot_width char heights. Returns the number of lines used by the
 * tallest label (for the frame's bottom_extra; call with draw = 0 to measure). */
int rxpl_x_labels(const char *const *labels, const double *x, int n, double slot_width, int draw);

enum { RX_PL_NO_MARKER = 0, RX_PL_CIRCLE = 1, RX_PL_TRIANGLE = 2, RX_PL_SQUARE = 3 };
/* Filled marker of diameter size_mm at window (x, y) in the current colour; outline 1: a black
 * edge, -idx: an edge in cmap0 colour idx. Uses the current viewport/window. */
void rxpl_marker(int shape, double x, double y, double size_mm, int outline);
/* The same shape white inside and ringed in colour (a cmap0 index). */
void rxpl_marker_open(int shape, double x, double y, double size_mm, int colour);
/* Line style of a series: 0 solid, 1 dashed, 2 dotted. */
void rxpl_line_style(int dashed);
/* Window units per mm in x and y for the current viewport. */
void rxpl_world_per_mm(double *sx, double *sy);

/* Draws z (ny, nx) row-major as nx x ny flat cells exactly over [x0, x1] x [y0, y1] through the
 * current cmap1, values clamped into [lo, hi], non-finite cells blank. Each cell is a filled
 * rectangle: exact in SVG and cheap for the small grids it is for (plimagefr would have the cairo
 * SVG surface embed a full-page raster per image). compact: colours in RXPL_COMPACT_STEPS equal
 * steps of [lo, hi], each the colour of rxpl_colourbar_steps' band, and the cells of one step
 * next to each other up a column drawn as one rectangle (large grids of mostly one colour,
 * posteriors: a far smaller SVG). Returns 0 (RX_ENOMEM never, kept for callers). */
enum { RXPL_COMPACT_STEPS = 32 };
int rxpl_image_cells(const double *z, int nx, int ny, double x0, double x1, double y0, double y1,
                     double lo, double hi, int compact);

/* Polyline of the finite points of (x, y), broken at non-finite ones; an isolated finite point
 * becomes a dot. */
void rxpl_polyline(const double *x, const double *y, size_t n);

/* ---- arenas other than the box (plot_core.c) ---- */

/* a, when it is an arena other than the box (the only ones drawn by their outline), else NULL. */
static inline const rx_arena *rxpl_arena_drawn(const rx_arena *a) {
  return a && a->kind != RX_ARENA_BOX ? a : NULL;
}
/* The figure's copy of rxpl_arena_drawn(a) (NULL for none; *oom set when out of memory). */
const rx_arena *rxpl_arena_copy(rx_fig *fig, const rx_arena *a, int *oom);
/* Draws the arena's outline in the current window (muted, line width `width`) and records its
 * segments under "outline" ([x1, y1, x2, y2] each). */
void rxpl_arena_draw(const rx_arena *a, double width);

/* ---- data record (plot_data.c) ---- */

/* Whether rx_fig_save writes fig's <base>.data.json (its own setting, else the process's). */
int rxpl_fig_records(const rx_fig *fig);
/* The record of a figure (rx_fig_save, first rendering only): the document, then one object
 * per panel, current between begin and end. NULL when out of memory. */
cJSON *rxpl_rec_figure(const rx_fig *fig);
void rxpl_rec_panel_begin(cJSON *doc, const char *kind, int row, int col);
void rxpl_rec_panel_end(void);
int rxpl_rec_failed(void); /* an allocation failed since rxpl_rec_figure */

/* The panel being drawn, or NULL when nothing is recorded: every helper below does nothing on
 * a NULL object, so drawing code calls them unconditionally. Non-finite numbers are null. */
cJSON *rxpl_rec(void);
cJSON *rxpl_rec_obj(cJSON *o, const char *key); /* the object under key, created if new */
cJSON *rxpl_rec_arr(cJSON *o, const char *key); /* the array under key, created if new */
cJSON *rxpl_rec_item(cJSON *arr);               /* a new object appended to arr */
cJSON *rxpl_rec_list(cJSON *arr);               /* a new array appended to arr */
/* key NULL: appended to o, an array */
void rxpl_rec_num(cJSON *o, const char *key, double v);
void rxpl_rec_bool(cJSON *o, const char *key, int b);
void rxpl_rec_str(cJSON *o, const char *key, const char *s);
void rxpl_rec_nums(cJSON *o, const char *key, const double *v, size_t n, size_t stride);
void rxpl_rec_floats(cJSON *o, const char *key, const float *v, size_t n, size_t stride);
void rxpl_rec_matrix(cJSON *o, const char *key, const double *v, int rows, int cols);
void rxpl_rec_strs(cJSON *o, const char *key, const char *const *s, int n);
void rxpl_rec_colour(cJSON *o, const char *key, int idx); /* "#rrggbb" of a cmap0 index */
/* Axis limits in data units and whether it is logarithmic; with_ticks: the major ticks in data
 * units and their labels as drawn (axes labelled by their panel add their own). */
void rxpl_rec_axis(cJSON *o, const char *key, const rxpl_axis *a, int with_ticks);
/* Major tick positions of an axis in window units (log10 for log axes), as plbox places them. */
int rxpl_axis_ticks(const rxpl_axis *a, double *ticks, int max);

static inline int rxpl_finite(double v) { return v == v && v - v == 0.0; }

#endif
