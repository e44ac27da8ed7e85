/* The figure object and its output: arena copies of panel specs, the palette and colour maps, one
 * PLplot stream per output format rendered into memory (PLplot never sees a file name), then both
 * files (and the data record, plot_data.c) written atomically. Panels draw themselves (fig_*.c)
 * with the helpers in plot_axes.c. */
#define _GNU_SOURCE /* fopencookie */
#include <plplot.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/plot_internal.h"
#include "reactivate/fileio.h"

/* ---- arena ---- */

struct rxpl_block {
  rxpl_block *next;
  max_align_t data[];
};

void *rxpl_alloc(rx_fig *fig, size_t n) {
  if (n > SIZE_MAX - sizeof(rxpl_block)) return NULL;
  rxpl_block *b = calloc(1, sizeof *b + (n ? n : 1));
  if (!b) return NULL;
  b->next = fig->arena;
  fig->arena = b;
  return b->data;
}

void *rxpl_memdup(rx_fig *fig, const void *p, size_t n, int *oom) {
  if (!p) return NULL;
  void *q = rxpl_alloc(fig, n);
  if (!q) {
    *oom = 1;
    return NULL;
  }
  if (n) memcpy(q, p, n);
  return q;
}

const rx_arena *rxpl_arena_copy(rx_fig *fig, const rx_arena *a, int *oom) {
  return rxpl_arena_drawn(a) ? rxpl_memdup(fig, a, sizeof *a, oom) : NULL;
}

void rxpl_arena_draw(const rx_arena *a, double width) {
  double seg[RX_ARENA_MAX_SEGMENTS + RX_PLOT_ARENA_CHORDS][4];
  int n = rx_arena_outline(a, RX_PLOT_ARENA_CHORDS, seg, (int)(sizeof seg / sizeof seg[0]));
  cJSON *rec = rxpl_rec_arr(rxpl_rec(), "outline");
  const int inner = n - (a->n_walls - a->n_boundary); /* the walls inside: drawn darker */
  for (int k = 0; k < n; k++) {
    PLFLT x[2] = {seg[k][0], seg[k][2]}, y[2] = {seg[k][1], seg[k][3]};
    rxpl_col(k < inner ? RX_PL_MUTED : RX_PL_FG);
    plwidth(k < inner ? width : width + 1.0);
    plline(2, x, y);
    rxpl_rec_nums(rec, NULL, seg[k], 4, 1);
  }
  plwidth(1.0);
}

char *rxpl_strdup(rx_fig *fig, const char *s, int *oom) {
  return s ? rxpl_memdup(fig, s, strlen(s) + 1, oom) : NULL;
}

/* Name in parentheses: not expanded as plot_internal.h's model of it for the analyzer. */
int(rxpl_fail)(const rx_fig *fig, rx_error *err, int code, const char *fmt, ...) {
  char detail[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  return rx_fail(err, code, "cannot draw %.100s: %s", fig ? fig->base : "figure", detail);
}

int rxpl_oom(const rx_fig *fig, rx_error *err) {
  return rxpl_fail(fig, err, RX_ENOMEM, "out of memory");
}

int rxpl_check_room(const rx_fig *fig, rx_error *err) {
  if (!fig) return rx_fail(err, RX_EINVAL, "cannot draw a panel: no figure");
  if (fig->n_panels >= fig->n_cols * fig->n_rows)
    return rxpl_fail(fig, err, RX_EINVAL, "all %d panels of the %d x %d grid are taken",
                     fig->n_cols * fig->n_rows, fig->n_cols, fig->n_rows);
  return 0;
}

int rxpl_push(rx_fig *fig, const char *kind, rxpl_draw_fn draw, const void *spec, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  fig->panels[fig->n_panels].kind = kind;
  fig->panels[fig->n_panels].draw = draw;
  fig->panels[fig->n_panels].spec = spec;
  fig->n_panels++;
  return 0;
}

int rx_fig_skip(rx_fig *fig, rx_error *err) { return rxpl_push(fig, "empty", NULL, NULL, err); }

int rx_fig_create(rx_fig **out, const char *base, int n_cols, int n_rows, const char *title,
                  rx_error *err) {
  if (!out) return rx_fail(err, RX_EINVAL, "cannot create a figure: no output pointer");
  *out = NULL;
  if (!base || !base[0]) return rx_fail(err, RX_EINVAL, "cannot create a figure: empty path");
  if (strlen(base) + 16 > sizeof((rx_fig *)0)->base)
    return rx_fail(err, RX_EINVAL, "cannot draw %.200s...: path is too long", base);
  if (n_cols < 1 || n_rows < 1 || n_cols > 8 || n_rows > 8)
    return rx_fail(err, RX_EINVAL, "cannot draw %s: a grid of %d x %d panels (1 to 8 each)", base,
                   n_cols, n_rows);
  rx_fig *fig = calloc(1, sizeof *fig);
  if (!fig) return rx_fail(err, RX_ENOMEM, "cannot draw %s: out of memory", base);
  snprintf(fig->base, sizeof fig->base, "%s", base);
  fig->n_cols = n_cols;
  fig->n_rows = n_rows;
  fig->panel_w = 560;
  fig->panel_h = 440;
  fig->record = -1;
  int oom = 0;
  fig->panels = rxpl_alloc(fig, (size_t)(n_cols * n_rows) * sizeof *fig->panels);
  fig->title = rxpl_strdup(fig, title && title[0] ? title : NULL, &oom);
  if (!fig->panels || oom) {
    rx_fig_free(fig);
    return rx_fail(err, RX_ENOMEM, "cannot draw %s: out of memory", base);
  }
  *out = fig;
  return 0;
}

int rx_fig_set_panel_size(rx_fig *fig, int width_px, int height_px, rx_error *err) {
  if (!fig) return rx_fail(err, RX_EINVAL, "cannot size a figure: no figure");
  if (width_px < 200 || height_px < 160 || width_px > 4000 || height_px > 4000)
    return rxpl_fail(fig, err, RX_EINVAL, "panel size %d x %d px (200..4000 x 160..4000)", width_px,
                     height_px);
  fig->panel_w = width_px;
  fig->panel_h = height_px;
  return 0;
}

void rx_fig_free(rx_fig *fig) {
  if (!fig) return;
  for (rxpl_block *b = fig->arena; b;) {
    rxpl_block *next = b->next;
    free(b);
    b = next;
  }
  free(fig);
}

/* ---- palette and colour maps ---- */

static const unsigned char palette[RX_COLOUR_COUNT][3] = {
    {0x1f, 0x77, 0xb4}, /* AUTO: never used directly */
    {0x1f, 0x77, 0xb4}, /* ACTIVE blue */
    {0xd6, 0x27, 0x28}, /* QUIESCENT red */
    {0x2c, 0xa0, 0x2c}, /* green */
    {0xff, 0x7f, 0x0e}, /* orange */
    {0x94, 0x67, 0xbd}, /* purple */
    {0x8c, 0x56, 0x4b}, /* brown */
    {0xe3, 0x77, 0xc2}, /* pink */
    {0xbc, 0xbd, 0x22}, /* olive */
    {0x17, 0xbe, 0xcf}, /* cyan */
    {0x7f, 0x7f, 0x7f}, /* grey */
    {0x00, 0x00, 0x00}, /* black */
};

/* AUTO cycles through the palette without the two reserved colours. */
static const rx_colour auto_order[] = {RX_COLOUR_GREEN, RX_COLOUR_ORANGE, RX_COLOUR_PURPLE,
                                       RX_COLOUR_BROWN, RX_COLOUR_PINK,   RX_COLOUR_OLIVE,
                                       RX_COLOUR_CYAN,  RX_COLOUR_GREY};

static rx_colour resolve(rx_colour c, int i) {
  if (c > RX_COLOUR_AUTO && c < RX_COLOUR_COUNT) return c;
  int n = (int)(sizeof auto_order / sizeof auto_order[0]);
  return auto_order[((i % n) + n) % n];
}

int rxpl_colour_index(rx_colour c, int i) { return RX_PL_NAMED + (int)resolve(c, i) - 1; }

void rxpl_colour_rgb(int idx, unsigned char rgb[3]) {
  static const unsigned char black[3] = {0, 0, 0}, white[3] = {255, 255, 255};
  if (idx >= RX_PL_LIGHT && idx < RX_PL_LIGHT + RX_COLOUR_COUNT - 1)
    idx = idx - RX_PL_LIGHT + RX_PL_NAMED;
  if (idx >= RX_PL_NAMED && idx < RX_PL_NAMED + RX_COLOUR_COUNT - 1)
    memcpy(rgb, palette[idx - RX_PL_NAMED + 1], 3);
  else
    memcpy(rgb, idx == RX_PL_BG || idx == RX_PL_WHITE ? white : black, 3);
}

static void set_cmap0(void) {
  plscmap0n(RX_PL_NCOL0);
  plscol0(RX_PL_BG, 255, 255, 255);
  plscol0(RX_PL_FG, 0, 0, 0);
  for (int c = RX_COLOUR_ACTIVE; c < RX_COLOUR_COUNT; c++) {
    plscol0(RX_PL_NAMED + c - 1, palette[c][0], palette[c][1], palette[c][2]);
    plscol0a(RX_PL_LIGHT + c - 1, palette[c][0], palette[c][1], palette[c][2], 0.3);
  }
  plscol0a(RX_PL_LEGEND_BG, 255, 255, 255, 0.85);
  plscol0(RX_PL_GRID, 0xe4, 0xe4, 0xe4);
  plscol0(RX_PL_MUTED, 0xa0, 0xa0, 0xa0);
  plscol0(RX_PL_SCRATCH, 0, 0, 0);
  plscol0(RX_PL_WHITE, 255, 255, 255);
}

void rxpl_col(int idx) { plcol0(idx); }

int rxpl_light(int idx) {
  return idx >= RX_PL_NAMED && idx < RX_PL_NAMED + RX_COLOUR_COUNT - 1
             ? idx - RX_PL_NAMED + RX_PL_LIGHT
             : RX_PL_MUTED;
}

void rxpl_col_alpha(int idx, double alpha) {
  PLINT r, g, b;
  PLFLT a;
  plgcol0a(idx, &r, &g, &b, &a);
  plscol0a(RX_PL_SCRATCH, r, g, b, alpha);
  plcol0(RX_PL_SCRATCH);
}

/* viridis, sampled at 0, 0.1, ..., 1 */
static const double viridis[11][3] = {{0x44, 0x01, 0x54}, {0x48, 0x24, 0x75}, {0x41, 0x44, 0x87},
                                      {0x35, 0x5f, 0x8d}, {0x2a, 0x78, 0x8e}, {0x21, 0x91, 0x8c},
                                      {0x22, 0xa8, 0x84}, {0x44, 0xbf, 0x70}, {0x7a, 0xd1, 0x51},
                                      {0xbd, 0xdf, 0x26}, {0xfd, 0xe7, 0x25}};

/* A muted hue wheel: red, yellow, green, cyan, blue, magenta, red. */
static const double wheel[7][3] = {{0xd6, 0x3c, 0x3c}, {0xd9, 0xc2, 0x3a}, {0x4c, 0xb8, 0x4c},
                                   {0x3a, 0xb5, 0xc4}, {0x3e, 0x5c, 0xc9}, {0xc2, 0x48, 0xc2},
                                   {0xd6, 0x3c, 0x3c}};

static void set_cmap1(const double (*pts)[3], int n) {
  PLFLT pos[16], r[16], g[16], b[16];
  for (int i = 0; i < n; i++) {
    pos[i] = (double)i / (n - 1);
    r[i] = pts[i][0] / 255.0;
    g[i] = pts[i][1] / 255.0;
    b[i] = pts[i][2] / 255.0;
  }
  plscmap1n(256);
  plscmap1l(1, n, pos, r, g, b, NULL);
}

/* ColorBrewer RdBu, reversed: blue (-) through white to red (+), for signed values. */
static const double diverging[9][3] = {{0x21, 0x66, 0xac}, {0x43, 0x93, 0xc3}, {0x92, 0xc5, 0xde},
                                       {0xd1, 0xe5, 0xf0}, {0xf7, 0xf7, 0xf7}, {0xfd, 0xdb, 0xc7},
                                       {0xf4, 0xa5, 0x82}, {0xd6, 0x60, 0x4d}, {0xb2, 0x18, 0x2b}};

/* White to mid grey: a background shade that arrows and lines stay visible on. */
static const double greys[5][3] = {{0xff, 0xff, 0xff},
                                   {0xf0, 0xf0, 0xf0},
                                   {0xd9, 0xd9, 0xd9},
                                   {0xbd, 0xbd, 0xbd},
                                   {0x96, 0x96, 0x96}};

void rxpl_cmap_sequential(void) { set_cmap1(viridis, 11); }
void rxpl_cmap_cyclic(void) { set_cmap1(wheel, 7); }

void rxpl_cmap_set(int map) {
  if (map == RXPL_MAP_CYCLIC)
    set_cmap1(wheel, 7);
  else if (map == RXPL_MAP_DIVERGING)
    set_cmap1(diverging, 9);
  else if (map == RXPL_MAP_GREYS)
    set_cmap1(greys, 5);
  else
    set_cmap1(viridis, 11);
}

const char *rxpl_cmap_name(int map) {
  static const char *const names[4] = {"viridis", "cyclic", "diverging", "greys"};
  return map >= 0 && map < 4 ? names[map] : names[0];
}

double rxpl_cmap_luminance(double f, int cyclic) {
  const double(*pts)[3] = cyclic ? wheel : viridis;
  int n = cyclic ? 7 : 11;
  if (!(f >= 0)) f = 0;
  if (f > 1) f = 1;
  double u = f * (n - 1);
  int i = (int)u;
  if (i >= n - 1) i = n - 2;
  double t = u - i, c[3];
  for (int k = 0; k < 3; k++)
    c[k] = ((1 - t) * pts[i][k] + t * pts[i + 1][k]) / 255.0;
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/* ---- rendering ---- */

/* PLplot reports recoverable errors through the abort handler (it would print them). */
static char abort_msg[256];
static void on_abort(PLCHAR_VECTOR msg) {
  if (!abort_msg[0]) snprintf(abort_msg, sizeof abort_msg, "%s", msg ? msg : "unknown error");
}

/* An in-memory output file for one PLplot stream: PLplot writes into it and closes it. */
typedef struct membuf {
  char *data;
  size_t n, cap;
  int closed, failed;
} membuf;

static ssize_t mem_write(void *cookie, const char *buf, size_t n) {
  membuf *m = cookie;
  if (m->failed) return -1;
  if (n > m->cap - m->n) {
    size_t cap = m->cap ? m->cap : 65536;
    while (n > cap - m->n) {
      if (cap > SIZE_MAX / 2) break;
      cap *= 2;
    }
    char *p = n <= cap - m->n ? realloc(m->data, cap) : NULL;
    if (!p) {
      m->failed = 1;
      return -1;
    }
    m->data = p;
    m->cap = cap;
  }
  memcpy(m->data + m->n, buf, n);
  m->n += n;
  return (ssize_t)n;
}

static int mem_close(void *cookie) {
  ((membuf *)cookie)->closed = 1;
  return 0;
}

static int have_driver(const char *name) {
  static int known[2] = {-1, -1}; /* pngcairo, svgcairo */
  int slot = strcmp(name, "pngcairo") == 0 ? 0 : 1;
  if (known[slot] < 0) {
    const char *menu[128], *devs[128];
    const char **pm = menu, **pd = devs;
    int n = 128;
    plgDevs(&pm, &pd, &n);
    known[slot] = 0;
    for (int i = 0; i < n && i < 128; i++)
      if (devs[i] && strcmp(devs[i], name) == 0) known[slot] = 1;
  }
  return known[slot];
}

enum { DPI = 96, TITLE_PX = 44 };

/* doc: the data record to fill while drawing, or NULL. */
static int render(const rx_fig *fig, const char *dev, membuf *m, cJSON *doc, rx_error *err) {
  memset(m, 0, sizeof *m);
  if (!have_driver(dev))
    return rxpl_fail(fig, err, RX_EIO, "PLplot's %s driver is not installed (plplot-driver-cairo)",
                     dev);
  cookie_io_functions_t io = {NULL, mem_write, NULL, mem_close};
  FILE *f = fopencookie(m, "w", io);
  if (!f) return rxpl_oom(fig, err);
  PLINT old = 0, s = -1;
  plgstrm(&old);
  plmkstrm(&s);
  if (s < 0) {
    fclose(f);
    return rxpl_fail(fig, err, RX_EIO, "PLplot has no free stream");
  }
  abort_msg[0] = '\0';
  plsabort(on_abort);
  plsdev(dev);
  plsfile(f);
  int title_px = fig->title ? TITLE_PX : 0;
  int w = fig->n_cols * fig->panel_w, h = fig->n_rows * fig->panel_h + title_px;
  plspage(DPI, DPI, w, h, 0, 0);
  set_cmap0();
  rxpl_cmap_sequential();
  plinit();
  pladv(0);
  /* Text scales with the panel, so a larger panel is a zoomed copy, not a sparser one. */
  double scale = (fig->panel_w < fig->panel_h ? fig->panel_w : fig->panel_h) / 440.0;
  rxpl_page_init(scale);
  double top = 1.0 - (double)title_px / h;
  if (fig->title) {
    plvpor(0, 1, top, 1);
    plwind(0, 1, 0, 1);
    rxpl_col(RX_PL_FG);
    rxpl_text_scale(1.25);
    plptex(0.5, 0.45, 1, 0, 0.5, fig->title);
  }
  int drc = 0;
  for (int i = 0; i < fig->n_panels && !drc; i++) {
    int r = i / fig->n_cols, c = i % fig->n_cols;
    if (doc) rxpl_rec_panel_begin(doc, fig->panels[i].kind, r, c);
    if (!fig->panels[i].draw) {
      rxpl_rec_panel_end();
      continue;
    }
    rxpl_rect cell = {(double)c / fig->n_cols, (double)(c + 1) / fig->n_cols,
                      top * (1.0 - (double)(r + 1) / fig->n_rows),
                      top * (1.0 - (double)r / fig->n_rows)};
    rxpl_text_scale(1.0);
    rxpl_col(RX_PL_FG);
    pllsty(1);
    plwidth(1.0);
    drc = fig->panels[i].draw(fig->panels[i].spec, &cell);
    rxpl_rec_panel_end();
  }
  plend1();
  plsstrm(old);
  if (!m->closed) fclose(f);
  if (m->failed || drc) {
    free(m->data);
    m->data = NULL;
    return rxpl_oom(fig, err);
  }
  if (abort_msg[0]) {
    free(m->data);
    m->data = NULL;
    return rxpl_fail(fig, err, RX_EIO, "PLplot (%s): %s", dev, abort_msg);
  }
  if (m->n == 0) return rxpl_fail(fig, err, RX_EIO, "PLplot's %s driver wrote nothing", dev);
  return 0;
}

/* cairo names SVG surfaces and images by process-wide counters ("surface437", "image12"), so
 * the same figure drawn twice would differ; renumber them 1, 2, ... in order of appearance so
 * that a figure's bytes depend only on its content. Returns 0 or RX_ENOMEM. */
static int normalise_svg_ids(membuf *m) {
  enum { MAXIDS = 256 };
  static const char *prefix[2] = {"surface", "image"};
  unsigned long old_ids[MAXIDS];
  int n_ids = 0;
  char *out = malloc(m->n + m->n / 3 + 16); /* each rename grows by at most 2 bytes */
  if (!out) return RX_ENOMEM;
  size_t i = 0, o = 0;
  while (i < m->n) {
    int done = 0;
    for (int p = 0; p < 2 && !done; p++) {
      size_t lp = strlen(prefix[p]);
      int after_ref =
          i > 0 && (m->data[i - 1] == '#' || (i >= 4 && !memcmp(m->data + i - 4, "id=\"", 4)));
      if (!after_ref || i + lp >= m->n || memcmp(m->data + i, prefix[p], lp) != 0) continue;
      size_t j = i + lp;
      unsigned long v = 0;
      while (j < m->n && m->data[j] >= '0' && m->data[j] <= '9' && v < 100000000UL)
        v = v * 10 + (unsigned long)(m->data[j++] - '0');
      if (j == i + lp) continue;
      int k = 0;
      while (k < n_ids && old_ids[k] != v)
        k++;
      if (k == n_ids) {
        if (n_ids == MAXIDS) continue; /* leave the rest as they are */
        old_ids[n_ids++] = v;
      }
      char num[16];
      int w = snprintf(num, sizeof num, "%d", k + 1); /* 1 to 3 digits for 1 or more */
      memcpy(out + o, prefix[p], lp);
      memcpy(out + o + lp, num, (size_t)w);
      o += lp + (size_t)w;
      i = j;
      done = 1;
    }
    if (!done) out[o++] = m->data[i++];
  }
  free(m->data);
  m->data = out;
  m->n = o;
  m->cap = m->n;
  return 0;
}

int rx_fig_save(const rx_fig *fig, rx_error *err) {
  if (!fig) return rx_fail(err, RX_EINVAL, "cannot save a figure: no figure");
  if (fig->n_panels == 0) return rxpl_fail(fig, err, RX_EINVAL, "the figure has no panels");
  membuf png, svg;
  char *json = NULL;
  cJSON *doc = NULL;
  if (rxpl_fig_records(fig) && !(doc = rxpl_rec_figure(fig))) return rxpl_oom(fig, err);
  int rc = render(fig, "pngcairo", &png, doc, err); /* the record is filled here, once */
  if (!rc && doc && (rxpl_rec_failed() || !(json = cJSON_Print(doc)))) {
    free(png.data);
    rc = rxpl_oom(fig, err);
  }
  cJSON_Delete(doc);
  if (rc) return rc;
  rc = render(fig, "svgcairo", &svg, NULL, err);
  if (!rc && normalise_svg_ids(&svg)) rc = rxpl_oom(fig, err);
  if (rc) {
    free(png.data);
    free(svg.data);
    free(json);
    return rc;
  }
  char path_png[sizeof fig->base + 8], path_svg[sizeof fig->base + 8];
  char path_json[sizeof fig->base + 16];
  snprintf(path_png, sizeof path_png, "%s.png", fig->base);
  snprintf(path_svg, sizeof path_svg, "%s.svg", fig->base);
  snprintf(path_json, sizeof path_json, "%s.data.json", fig->base);
  rx_atomic_file a, b, d;
  rc = rx_atomic_open(&a, path_png, err);
  if (!rc) {
    rc = rx_atomic_open(&b, path_svg, err);
    if (rc) rx_atomic_abort(&a);
  }
  if (!rc && json) {
    rc = rx_atomic_open(&d, path_json, err);
    if (rc) rx_atomic_abort(&a), rx_atomic_abort(&b);
  }
  if (!rc) {
    fwrite(png.data, 1, png.n, a.f);
    fwrite(svg.data, 1, svg.n, b.f);
    if (json) fputs(json, d.f), fputc('\n', d.f);
    rc = rx_atomic_commit(&a, err);
    if (rc)
      rx_atomic_abort(&b);
    else
      rc = rx_atomic_commit(&b, err);
    if (json && rc)
      rx_atomic_abort(&d);
    else if (json)
      rc = rx_atomic_commit(&d, err);
  }
  /* Without the record, a record left by an earlier drawing would no longer match the picture. */
  if (!rc && !json) unlink(path_json);
  free(png.data);
  free(svg.data);
  free(json);
  return rc;
}

/* ---- one-shot figures ---- */

typedef int (*add_fn)(rx_fig *, const void *, rx_error *);

static int one_row(const char *base, const char *title, const void *panels, size_t size, int n,
                   add_fn add, rx_error *err) {
  if (!panels || n < 1)
    return rx_fail(err, RX_EINVAL, "cannot draw %s: no panels", base ? base : "(null)");
  rx_fig *fig = NULL;
  int rc = rx_fig_create(&fig, base, n, 1, title, err);
  for (int i = 0; !rc && i < n; i++)
    rc = add(fig, (const char *)panels + (size_t)i * size, err);
  if (!rc) rc = rx_fig_save(fig, err);
  rx_fig_free(fig);
  return rc;
}

#define ONE_ROW(fn, spec_t, add)                                                                   \
  static int add##_v(rx_fig *f, const void *s, rx_error *e) { return add(f, s, e); }               \
  int fn(const char *base, const char *title, const spec_t *panels, int n_panels, rx_error *err) { \
    return one_row(base, title, panels, sizeof *panels, n_panels, add##_v, err);                   \
  }

ONE_ROW(rx_plot_lines, rx_lines_spec, rx_fig_add_lines)
ONE_ROW(rx_plot_traj, rx_traj_spec, rx_fig_add_traj)
ONE_ROW(rx_plot_scatter, rx_scatter_spec, rx_fig_add_scatter)
ONE_ROW(rx_plot_image, rx_image_spec, rx_fig_add_image)
ONE_ROW(rx_plot_matrix, rx_matrix_spec, rx_fig_add_matrix)
ONE_ROW(rx_plot_box, rx_box_spec, rx_fig_add_box)
ONE_ROW(rx_plot_hist, rx_hist_spec, rx_fig_add_hist)
ONE_ROW(rx_plot_polar, rx_polar_spec, rx_fig_add_polar)
ONE_ROW(rx_plot_vectors, rx_vector_spec, rx_fig_add_vectors)

int rx_plot_explained_variance(const char *base, const char *title, int k,
                               const double *active_mean, const double *active_sd,
                               const double *quiescent_mean, const double *quiescent_sd,
                               rx_error *err) {
  rx_fig *fig = NULL;
  int rc = rx_fig_create(&fig, base, 1, 1, NULL, err);
  if (!rc)
    rc = rx_fig_add_explained_variance(fig, title, k, active_mean, active_sd, quiescent_mean,
                                       quiescent_sd, err);
  if (!rc) rc = rx_fig_save(fig, err);
  rx_fig_free(fig);
  return rc;
}
