/* Figures: every panel kind, on small synthetic data shaped like the paper's, writes a PNG (valid
 * signature, plausible size) and a complete SVG with no temporary file left; grids of mixed
 * panels; output is byte-identical when drawn twice; an unwritable path fails naming it and
 * leaves nothing; bad arguments are refused and non-finite values skipped as plot.h documents.
 * The data record (<base>.data.json) of panels with known answers: box-plot quartiles, whiskers
 * and outliers, histogram counts, matrix cells and colour limits, nice axis ticks on linear and
 * log axes, thinned scatter points, polar fractions, trajectories shown; the record leaves the
 * pictures unchanged and follows its per-figure, process-wide and environment settings; lines
 * and points over an image are recorded as given.
 * Set RX_PLOT_DEMO_DIR=/some/dir to keep every figure there for looking at. */
#include <dirent.h>
#include <plplot.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot_record.h"
#include "reactivate/plot.h"
#include "test_util.h"

/* LeakSanitizer (RX_SANITIZE builds): fontconfig, called by pango inside PLplot's cairo driver,
 * keeps a one-time font cache (~0.2-0.4 MB, the same for 1 or 100 figures) that LSan reports
 * as leaked. Suppress exactly that library; leaks anywhere else still fail the test. */
__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}

/* ---- helpers ---- */

/* The test's output folder: RX_PLOT_DEMO_DIR (kept) or a fresh temporary one (removed). */
static int out_dir(char *buf, size_t n, const char *tag) {
  const char *demo = getenv("RX_PLOT_DEMO_DIR");
  if (demo && demo[0]) {
    mkdir(demo, 0755);
    snprintf(buf, n, "%s", demo);
    return 1;
  }
  rx_test_tmpdir(buf, n, tag);
  return 0;
}

static void done_dir(const char *dir, int demo) {
  if (!demo) rx_test_rm_rf(dir);
}

static int count_entries(const char *dir, const char *needle) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    n += !needle || strstr(e->d_name, needle) != NULL;
  }
  closedir(d);
  return n;
}

static long read_all(const char *path, unsigned char **data) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *data = malloc((size_t)n + 1);
  if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) n = -1;
  fclose(f);
  if (n >= 0) (*data)[n] = 0;
  return n;
}

/* base.png is a PNG of plausible size and base.svg a complete SVG; no temporary files. */
static int check_pair(const char *dir, const char *base) {
  char path[1024];
  unsigned char *d = NULL;
  int ok = 1;
  snprintf(path, sizeof path, "%s.png", base);
  long n = read_all(path, &d);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  CHECK_MSG(n > 5000 && memcmp(d, sig, 8) == 0, "%s: %ld bytes", path, n);
  ok &= n > 5000 && memcmp(d, sig, 8) == 0;
  free(d);
  d = NULL;
  snprintf(path, sizeof path, "%s.svg", base);
  n = read_all(path, &d);
  int svg = n > 1000 && (!strncmp((char *)d, "<?xml", 5) || !strncmp((char *)d, "<svg", 4)) &&
            strstr((char *)d, "</svg>") != NULL;
  CHECK_MSG(svg, "%s: %ld bytes", path, n);
  ok &= svg;
  free(d);
  CHECK_MSG(count_entries(dir, ".tmp.") == 0, "temporary files left in %s", dir);
  return ok;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double urand(void) { /* xorshift64*, uniform in [0, 1) */
  rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
  return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}
static double nrand(void) { return sqrt(-2 * log(1 - urand())) * cos(2 * M_PI * urand()); }

/* Random walks in the 2.2 m box: x (T, B, 2), time-major; pull > 0 drifts to the centre. */
static float *walks(int T, int B, double step, double pull) {
  float *x = malloc((size_t)T * B * 2 * sizeof *x);
  for (int b = 0; b < B; b++) {
    double px = 2 * urand() - 1, py = 2 * urand() - 1, h = 2 * M_PI * urand();
    for (int t = 0; t < T; t++) {
      h += 0.5 * nrand();
      px += step * cos(h) - pull * px, py += step * sin(h) - pull * py;
      if (fabs(px) > 1.1) px = copysign(2.2 - fabs(px), px), h = M_PI - h;
      if (fabs(py) > 1.1) py = copysign(2.2 - fabs(py), py), h = -h;
      x[((size_t)t * B + b) * 2] = (float)px;
      x[((size_t)t * B + b) * 2 + 1] = (float)py;
    }
  }
  return x;
}

static void join(char *buf, size_t n, const char *dir, const char *name) {
  snprintf(buf, n, "%s/%s", dir, name);
}

/* ---- one test per panel kind ---- */

static void test_learning_curves_two_panels_with_bands_and_log_axis(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "lines");
  enum { N = 51, S = 3 };
  double x[N], loss[S][N], loss_sd[S][N], derr[S][N], derr_sd[S][N];
  for (int i = 0; i < N; i++) {
    x[i] = 200.0 * i;
    for (int s = 0; s < S; s++) {
      double e = exp(-x[i] / (1500.0 * (s + 1)));
      loss[s][i] = 0.002 + 0.5 * e * (1 + 0.05 * nrand());
      loss_sd[s][i] = 0.2 * loss[s][i];
      derr[s][i] = 0.03 + 0.6 * e;
      derr_sd[s][i] = 0.05 * e + 0.005;
    }
  }
  loss[2][10] = NAN; /* a diverged evaluation: the line breaks */
  const char *names[S] = {"noisy (σ² = 10⁻⁴)", "noiseless", "biased"};
  rx_colour cols[S] = {RX_COLOUR_AUTO, RX_COLOUR_AUTO, RX_COLOUR_AUTO};
  rx_series a[S], b[S];
  for (int s = 0; s < S; s++) {
    rx_series sa = {names[s], x, loss[s], loss_sd[s], N, cols[s], 0, 0, 0, RX_SERIES_LINE};
    rx_series sb = {names[s], x, derr[s], derr_sd[s], N, cols[s], 0, 0, s == 1, RX_SERIES_LINE};
    a[s] = sa, b[s] = sb;
  }
  rx_lines_spec p[2] = {{0}, {0}};
  p[0].title = "test loss";
  p[0].x_label = "training step";
  p[0].y_label = "MSE loss";
  p[0].series = a;
  p[0].n_series = S;
  p[0].log_y = 1;
  p[1].title = "decoding error";
  p[1].x_label = "training step";
  p[1].y_label = "decoding error (m)";
  p[1].series = b;
  p[1].n_series = S;
  join(base, sizeof base, dir, "fig1b_learning_curves");
  rx_error err;
  int rc = rx_plot_lines(base, "Fig. 1b: learning (mean ± s.d. over 5 seeds)", p, 2, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  done_dir(dir, demo);
}

static void test_explained_variance_active_vs_quiescent(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "ev");
  double am[10], as[10], qm[10], qs[10];
  for (int i = 0; i < 10; i++) {
    am[i] = 1 - 0.6 * exp(-0.55 * i), as[i] = 0.02;
    qm[i] = 1 - 0.45 * exp(-0.9 * i), qs[i] = 0.03;
  }
  join(base, sizeof base, dir, "fig1c_explained_variance");
  rx_error err;
  int rc = rx_plot_explained_variance(base, "Fig. 1c: dimensionality", 10, am, as, qm, qs, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  done_dir(dir, demo);
}

static void test_trajectories_in_box_and_headings_over_time(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "traj");
  float *act = walks(100, 20, 0.05, 0.0), *qui = walks(1000, 20, 0.02, 0.002);
  int pick[4] = {3, 7, 11, 19};
  rx_traj_spec p[2] = {{0}, {0}};
  double box[4] = {-1.1, 1.1, -1.1, 1.1};
  for (int k = 0; k < 2; k++) {
    p[k].x_label = "x (m)";
    p[k].y_label = "y (m)";
    p[k].B = 20;
    p[k].dim = 2;
    memcpy(p[k].box, box, sizeof box);
  }
  p[0].title = "active";
  p[0].x = act;
  p[0].T = 100;
  p[0].n_show = 5;
  p[1].title = "quiescent";
  p[1].x = qui;
  p[1].T = 1000;
  p[1].index = pick;
  p[1].n_show = 4;
  p[1].t_max = 400;
  join(base, sizeof base, dir, "fig1de_trajectories");
  rx_error err;
  int rc = rx_plot_traj(base, "Fig. 1d/e: decoded trajectories", p, 2, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);

  /* headings (T, B, 1) against time, wrapping at +-pi */
  enum { T = 300, B = 3 };
  float h[T * B];
  for (int b = 0; b < B; b++) {
    double a = 2 * urand() - 1;
    for (int t = 0; t < T; t++) {
      a += 0.02 * (b == 0 ? 0 : 3.0) + 0.08 * nrand();
      h[t * B + b] = (float)(a - 2 * M_PI * floor((a + M_PI) / (2 * M_PI)));
    }
  }
  rx_traj_spec hd = {0};
  hd.title = "C.5: decoded headings (biased)";
  hd.x_label = "time (s)";
  hd.y_label = "heading (rad)";
  hd.x = h;
  hd.T = T, hd.B = B, hd.dim = 1, hd.n_show = B, hd.dt = 0.02;
  join(base, sizeof base, dir, "figC5_headings");
  rc = rx_plot_traj(base, NULL, &hd, 1, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  free(act), free(qui);
  done_dir(dir, demo);
}

static void test_scatter_coloured_by_distance_and_by_heading(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "scatter");
  /* as many points as an analysis gives (thinned to the panel's 6000 when drawn); under
   * RX_TEST_SMALL (valgrind) 2000, drawn as given (the thinning: the scatter record's test) */
  const int N = rx_test_small() ? 2000 : 30000;
  double *xy = malloc((size_t)N * 3 * sizeof *xy), *dist = malloc((size_t)N * sizeof *dist),
         *head = malloc((size_t)N * sizeof *head);
  for (int i = 0; i < N; i++) { /* rows of 3 "PCs", as rx_pca_project with k = 3 */
    double px = 2.2 * urand() - 1.1, py = 2.2 * urand() - 1.1, a = 2 * M_PI * urand() - M_PI;
    xy[3 * i] = 3 * px + 0.4 * py * py + 0.1 * nrand();
    xy[3 * i + 1] = 2 * py - 0.3 * px * px + 0.1 * nrand();
    xy[3 * i + 2] = nrand();
    dist[i] = sqrt(px * px + py * py);
    head[i] = a;
  }
  dist[5] = NAN; /* skipped */
  rx_scatter_spec p = {0};
  p.title = "active hidden states";
  p.x_label = "PC 1";
  p.y_label = "PC 2";
  p.c_label = "distance from centre (m)";
  p.xy = xy;
  p.stride = 3;
  p.c = dist;
  p.n = N;
  join(base, sizeof base, dir, "fig1f_pcs_distance");
  rx_error err;
  int rc = rx_plot_scatter(base, NULL, &p, 1, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);

  for (int i = 0; i < N; i++) { /* a ring, coloured by the angle around it */
    double r = 1 + 0.08 * nrand();
    xy[3 * i] = r * cos(head[i]);
    xy[3 * i + 1] = r * sin(head[i]);
  }
  rx_scatter_spec q[2] = {p, p};
  q[0].title = "active";
  q[0].c = head;
  q[0].c_label = "decoded heading (rad)";
  q[0].cyclic = 1;
  q[0].equal_aspect = 1;
  q[1] = q[0];
  q[1].title = "quiescent";
  q[1].n = N / 3;
  join(base, sizeof base, dir, "fig3cd_pcs_heading");
  rc = rx_plot_scatter(base, "Fig. 3c/d: head direction PCs", q, 2, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  free(xy), free(dist), free(head);
  done_dir(dir, demo);
}

static void gauss_grid(double *z, int nx, int ny, double ring) {
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) {
      double x = -1.1 + 2.2 * (i + 0.5) / nx, y = -1.1 + 2.2 * (j + 0.5) / ny;
      double r = sqrt(x * x + y * y);
      z[j * nx + i] = ring > 0 ? exp(-(r - ring) * (r - ring) / 0.02)
                               : 0.3 + exp(-(x * x + y * y) / 0.5) +
                                     0.5 * exp(-((x - 0.6) * (x - 0.6) + y * y) / 0.05);
    }
}

static void test_density_images_with_colour_bar_and_contours(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "image");
  /* an 80 x 80 KDE grid; under RX_TEST_SMALL (valgrind) 40 x 40, a quarter of the contouring */
  enum { MAX_GRID = 80 };
  const int NX = rx_test_small() ? 40 : MAX_GRID, NY = NX;
  static double za[MAX_GRID * MAX_GRID], zq[MAX_GRID * MAX_GRID];
  gauss_grid(za, NX, NY, 0);
  gauss_grid(zq, NX, NY, 0.7);
  za[NY / 2 * NX + 3] = NAN; /* a blank cell */
  rx_image_spec p[2] = {{0}, {0}};
  for (int k = 0; k < 2; k++) {
    p[k].x_label = "x (m)";
    p[k].y_label = "y (m)";
    p[k].z_label = "density (m⁻²)";
    p[k].nx = NX, p[k].ny = NY;
    p[k].x_min = p[k].y_min = -1.1;
    p[k].x_max = p[k].y_max = 1.1;
    p[k].equal_aspect = 1;
    p[k].n_contours = 5;
  }
  p[0].title = "active (KDE)";
  p[0].z = za;
  p[1].title = "quiescent (KDE)";
  p[1].z = zq;
  join(base, sizeof base, dir, "fig2cd_densities");
  rx_error err;
  int rc = rx_plot_image(base, "Fig. 2c/d: output densities", p, 2, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  done_dir(dir, demo);
}

static void test_kl_matrix_with_labels_and_values(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "matrix");
  const char *rows[4] = {"U-σ", "U", "B-σ", "B"};
  const char *cols[6] = {"U-σ", "U", "uniform", "B-σ", "B", "R-σ"};
  double v[4 * 6];
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 6; c++)
      v[r * 6 + c] =
          (r == c || (r == 2 && c == 3)) ? 0.05 + 0.1 * r : 0.4 + 0.5 * (r + c) * urand();
  v[1 * 6 + 5] = NAN; /* a missing pair reads n/a */
  rx_matrix_spec m = {0};
  m.title = "KL(quiescent ‖ active), mean over 5 seeds";
  m.x_label = "quiescent source";
  m.y_label = "active target";
  m.z_label = "KL divergence (nats)";
  m.v = v;
  m.n_rows = 4, m.n_cols = 6;
  m.row_labels = rows, m.col_labels = cols;
  join(base, sizeof base, dir, "fig2e_kl_matrix");
  rx_error err;
  int rc = rx_plot_matrix(base, NULL, &m, 1, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  done_dir(dir, demo);
}

static void test_box_plots_with_outliers_and_long_labels(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "box");
  enum { N = 200 };
  double v[5][N];
  for (int g = 0; g < 5; g++)
    for (int i = 0; i < N; i++)
      v[g][i] = (0.2 + 0.15 * g) * exp(0.4 * nrand());
  v[0][0] = NAN;
  rx_value_set g4[4] = {{"U-σ", v[0], N, RX_COLOUR_AUTO},
                        {"U", v[1], N, RX_COLOUR_AUTO},
                        {"B-σ", v[2], N, RX_COLOUR_AUTO},
                        {"B", v[3], N, RX_COLOUR_AUTO}};
  rx_box_spec p = {0};
  p.title = "Fig. 2f: exploration";
  p.y_label = "quiescent variance (m²)";
  p.groups = g4;
  p.n_groups = 4;
  join(base, sizeof base, dir, "fig2f_variance_box");
  rx_error err;
  int rc = rx_plot_box(base, NULL, &p, 1, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);

  rx_value_set g5[5] = {{"NT active", v[0], N, RX_COLOUR_ACTIVE},
                        {"NT quiescent", v[1], N, RX_COLOUR_QUIESCENT},
                        {"DT active", v[2], N, RX_COLOUR_ACTIVE},
                        {"DT quiescent", v[3], N, RX_COLOUR_QUIESCENT},
                        {"DT noisy quiescent", v[4], N, RX_COLOUR_ORANGE}};
  rx_box_spec q[2] = {p, p};
  q[0].title = "unbiased";
  q[0].y_label = "step-wise distance (m)";
  q[0].groups = g5;
  q[0].n_groups = 5;
  q[0].log_y = 1;
  q[1] = q[0];
  q[1].title = "biased";
  join(base, sizeof base, dir, "figC4_step_distance_box");
  rc = rx_plot_box(base, "C.4: smoothness", q, 2, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  done_dir(dir, demo);
}

static void test_polar_histograms_active_vs_quiescent(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "polar");
  enum { N = 20000 };
  static float a[N], q[N];
  for (int i = 0; i < N; i++) {
    a[i] = (float)(2 * M_PI * urand() - M_PI);
    q[i] = (float)(0.9 * nrand() + 1.0 + (i % 3 == 0 ? 2.5 : 0)); /* any range: wrapped */
  }
  rx_angle_set sets[2] = {{"active", a, N, RX_COLOUR_ACTIVE},
                          {"quiescent", q, N, RX_COLOUR_QUIESCENT}};
  rx_polar_spec p[2] = {{0}, {0}};
  p[0].title = "unbiased";
  p[0].sets = sets;
  p[0].n_sets = 2;
  p[1] = p[0];
  p[1].title = "quiescent only, 36 bins";
  p[1].sets = sets + 1;
  p[1].n_sets = 1;
  p[1].n_bins = 36;
  join(base, sizeof base, dir, "fig3ab_heading_polar");
  rx_error err;
  int rc = rx_plot_polar(base, "Fig. 3a/b: decoded headings", p, 2, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  done_dir(dir, demo);
}

static void test_histograms_with_mean_lines(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "hist");
  enum { N = 5000 };
  static double u[N], b[N];
  for (int i = 0; i < N; i++)
    u[i] = 2.0 * nrand(), b[i] = 1.5 + 1.2 * nrand();
  b[7] = INFINITY; /* skipped */
  rx_value_set sets[2] = {{"unbiased", u, N, RX_COLOUR_GREEN},
                          {"biased", b, N / 2, RX_COLOUR_PURPLE}};
  rx_hist_spec p = {0};
  p.title = "C.5: angular velocity of decoded headings";
  p.x_label = "angular velocity (rad/s)";
  p.sets = sets;
  p.n_sets = 2;
  p.show_mean = 1;
  join(base, sizeof base, dir, "figC5_angular_velocity");
  rx_error err;
  int rc = rx_plot_hist(base, NULL, &p, 1, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  done_dir(dir, demo);
}

static void test_grid_of_mixed_panels_and_empty_cell(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "grid");
  join(base, sizeof base, dir, "grid_mixed");
  rx_fig *fig = NULL;
  rx_error err;
  REQUIRE(rx_fig_create(&fig, base, 3, 2, "A 3 x 2 figure of mixed panels", &err) == 0);
  CHECK(rx_fig_set_panel_size(fig, 480, 400, &err) == 0);
  float *w = walks(200, 4, 0.04, 0);
  rx_traj_spec t = {0};
  t.title = "trajectories";
  t.x_label = "x (m)", t.y_label = "y (m)";
  t.x = w, t.T = 200, t.B = 4, t.dim = 2, t.n_show = 4, t.colour = RX_COLOUR_ACTIVE;
  t.box[0] = t.box[2] = -1.1, t.box[1] = t.box[3] = 1.1;
  CHECK_MSG(rx_fig_add_traj(fig, &t, &err) == 0, "%s", err.msg);
  double am[6] = {.4, .6, .75, .85, .9, .95}, qm[6] = {.5, .7, .8, .88, .93, .97};
  CHECK_MSG(rx_fig_add_explained_variance(fig, "explained variance", 6, am, NULL, qm, NULL, &err) ==
                0,
            "%s", err.msg);
  CHECK(rx_fig_skip(fig, &err) == 0);
  enum { NX = 30 };
  static double z[NX * NX];
  gauss_grid(z, NX, NX, 0.5);
  rx_image_spec im = {0};
  im.title = "density";
  im.z = z, im.nx = im.ny = NX;
  im.x_min = im.y_min = -1.1, im.x_max = im.y_max = 1.1;
  im.z_label = "density";
  im.equal_aspect = 1;
  CHECK_MSG(rx_fig_add_image(fig, &im, &err) == 0, "%s", err.msg);
  double m[4] = {0.1, 2.5, 1.25, 0.01};
  rx_matrix_spec ms = {0};
  ms.title = "2 x 2 matrix, %.1e";
  ms.v = m, ms.n_rows = 2, ms.n_cols = 2, ms.format = "%.1e";
  CHECK_MSG(rx_fig_add_matrix(fig, &ms, &err) == 0, "%s", err.msg);
  double hv[300];
  for (int i = 0; i < 300; i++)
    hv[i] = nrand();
  rx_value_set hs = {"samples", hv, 300, RX_COLOUR_AUTO};
  rx_hist_spec h = {0};
  h.title = "counts, legend outside";
  h.sets = &hs, h.n_sets = 1, h.counts = 1, h.legend = RX_LEGEND_OUTSIDE, h.n_bins = 15;
  CHECK_MSG(rx_fig_add_hist(fig, &h, &err) == 0, "%s", err.msg);
  /* the grid is full now */
  CHECK(rx_fig_add_hist(fig, &h, &err) == RX_EINVAL && strstr(err.msg, base) &&
        strstr(err.msg, "taken"));
  free(w); /* the figure holds copies */
  memset(z, 0, sizeof z);
  CHECK_MSG(rx_fig_save(fig, &err) == 0, "%s", err.msg);
  rx_fig_free(fig);
  check_pair(dir, base);
  done_dir(dir, demo);
}

/* ---- properties ---- */

static void test_output_is_deterministic_and_streams_are_restored(void) {
  char dir[256], b1[512], b2[512];
  rx_test_tmpdir(dir, sizeof dir, "det");
  double x[20], y[20];
  for (int i = 0; i < 20; i++)
    x[i] = i, y[i] = sin(i / 3.0);
  rx_series s = {"sine", x, y, NULL, 20, RX_COLOUR_AUTO, 1, 0, 0, RX_SERIES_LINE};
  rx_lines_spec p = {0};
  p.title = "sine";
  p.series = &s;
  p.n_series = 1;
  join(b1, sizeof b1, dir, "one");
  join(b2, sizeof b2, dir, "two");
  PLINT before = -1, after = -1;
  plgstrm(&before);
  rx_error err;
  CHECK(rx_plot_lines(b1, NULL, &p, 1, &err) == 0);
  CHECK(rx_plot_lines(b2, NULL, &p, 1, &err) == 0);
  plgstrm(&after);
  CHECK(before == after);
  const char *ext[2] = {"png", "svg"};
  for (int k = 0; k < 2; k++) {
    char p1[600], p2[600];
    snprintf(p1, sizeof p1, "%s.%s", b1, ext[k]);
    snprintf(p2, sizeof p2, "%s.%s", b2, ext[k]);
    unsigned char *d1 = NULL, *d2 = NULL;
    long n1 = read_all(p1, &d1), n2 = read_all(p2, &d2);
    CHECK_MSG(n1 > 0 && n1 == n2 && memcmp(d1, d2, (size_t)n1) == 0, "%s differs", ext[k]);
    free(d1), free(d2);
  }
  /* redrawing replaces the pair in place */
  CHECK(rx_plot_lines(b1, "again", &p, 1, &err) == 0);
  CHECK(count_entries(dir, NULL) == 4);
  rx_test_rm_rf(dir);
}

static void test_unwritable_path_fails_naming_it_and_leaves_nothing(void) {
  char dir[256], file[512], base[600];
  rx_test_tmpdir(dir, sizeof dir, "unwritable");
  join(file, sizeof file, dir, "not_a_dir");
  FILE *f = fopen(file, "w");
  REQUIRE(f);
  fputs("x", f);
  fclose(f);
  snprintf(base, sizeof base, "%s/fig", file);
  double x[3] = {0, 1, 2}, y[3] = {1, 2, 3};
  rx_series s = {"a", x, y, NULL, 3, RX_COLOUR_AUTO, 0, 0, 0, RX_SERIES_LINE};
  rx_lines_spec p = {0};
  p.series = &s;
  p.n_series = 1;
  rx_error err;
  int rc = rx_plot_lines(base, NULL, &p, 1, &err);
  CHECK(rc == RX_EIO);
  CHECK_MSG(strstr(err.msg, base) != NULL, "message does not name %s: %s", base, err.msg);
  CHECK(count_entries(dir, NULL) == 1); /* only the regular file */
  /* a missing folder: the same */
  snprintf(base, sizeof base, "%s/missing/fig", dir);
  rc = rx_plot_lines(base, NULL, &p, 1, &err);
  CHECK(rc == RX_EIO && strstr(err.msg, base));
  CHECK(count_entries(dir, NULL) == 1);
  rx_test_rm_rf(dir);
}

static void test_bad_arguments_are_refused_and_nan_skipped(void) {
  char dir[256], base[512];
  rx_test_tmpdir(dir, sizeof dir, "bad");
  join(base, sizeof base, dir, "bad");
  rx_error err;
  double x[4] = {0, 1, 2, 3}, y[4] = {1, 2, 3, 4}, nan4[4] = {NAN, NAN, NAN, NAN};
  double neg[4] = {-1, -2, 0, -3};

  /* lines */
  rx_series s = {"a", x, y, NULL, 4, RX_COLOUR_AUTO, 0, 0, 0, RX_SERIES_LINE};
  rx_lines_spec p = {0};
  p.series = &s, p.n_series = 1;
  rx_lines_spec q = p;
  q.n_series = 0;
  CHECK(rx_plot_lines(base, NULL, &q, 1, &err) == RX_EINVAL && strstr(err.msg, base));
  CHECK(rx_plot_lines(base, NULL, &p, 0, &err) == RX_EINVAL);
  CHECK(rx_plot_lines(base, NULL, NULL, 1, &err) == RX_EINVAL);
  rx_series s0 = s;
  s0.n = 0;
  q = p, q.series = &s0;
  CHECK(rx_plot_lines(base, NULL, &q, 1, &err) == RX_EINVAL && strstr(err.msg, "no points"));
  rx_series sn = s;
  sn.y = nan4;
  q = p, q.series = &sn;
  CHECK(rx_plot_lines(base, NULL, &q, 1, &err) == RX_ENUMERIC && strstr(err.msg, "finite"));
  rx_series sl = s;
  sl.y = neg;
  q = p, q.series = &sl, q.log_y = 1;
  CHECK(rx_plot_lines(base, NULL, &q, 1, &err) == RX_ENUMERIC);
  rx_series sx = s;
  sx.x = NULL;
  q = p, q.series = &sx;
  CHECK(rx_plot_lines(base, NULL, &q, 1, &err) == RX_EINVAL && strstr(err.msg, "no x or y"));
  rx_series sc = s;
  sc.colour = (rx_colour)99;
  q = p, q.series = &sc;
  CHECK(rx_plot_lines(base, NULL, &q, 1, &err) == RX_EINVAL && strstr(err.msg, "colour"));
  q = p, q.y_min = NAN;
  CHECK(rx_plot_lines(base, NULL, &q, 1, &err) == RX_EINVAL);
  CHECK(count_entries(dir, NULL) == 0); /* nothing was written by refused calls */

  /* trajectories: shapes and indices */
  float tr[4 * 3 * 2] = {0};
  rx_traj_spec t = {0};
  t.x = tr, t.T = 4, t.B = 3, t.dim = 2;
  rx_traj_spec u = t;
  u.dim = 3;
  CHECK(rx_plot_traj(base, NULL, &u, 1, &err) == RX_EINVAL && strstr(err.msg, "dim"));
  u = t, u.n_show = 4;
  CHECK(rx_plot_traj(base, NULL, &u, 1, &err) == RX_EINVAL);
  int bad_index[1] = {3};
  u = t, u.index = bad_index, u.n_show = 1;
  CHECK(rx_plot_traj(base, NULL, &u, 1, &err) == RX_EINVAL && strstr(err.msg, "index 3"));
  u = t, u.t_max = 5;
  CHECK(rx_plot_traj(base, NULL, &u, 1, &err) == RX_EINVAL);
  u = t, u.box[0] = 1, u.box[1] = -1;
  CHECK(rx_plot_traj(base, NULL, &u, 1, &err) == RX_EINVAL);
  float trn[4 * 3 * 2];
  for (int i = 0; i < 24; i++)
    trn[i] = NAN;
  u = t, u.x = trn;
  CHECK(rx_plot_traj(base, NULL, &u, 1, &err) == RX_ENUMERIC);

  /* scatter, image, matrix, box, hist, polar */
  rx_scatter_spec sp = {0};
  sp.xy = x, sp.n = 0;
  CHECK(rx_plot_scatter(base, NULL, &sp, 1, &err) == RX_EINVAL);
  sp.n = 2, sp.stride = 1;
  CHECK(rx_plot_scatter(base, NULL, &sp, 1, &err) == RX_EINVAL);
  sp.stride = 2, sp.xy = nan4;
  CHECK(rx_plot_scatter(base, NULL, &sp, 1, &err) == RX_ENUMERIC);
  rx_image_spec im = {0};
  im.z = y, im.nx = 1, im.ny = 4, im.x_max = im.y_max = 1;
  CHECK(rx_plot_image(base, NULL, &im, 1, &err) == RX_EINVAL && strstr(err.msg, "grid"));
  im.nx = 2, im.ny = 2, im.x_max = 0;
  CHECK(rx_plot_image(base, NULL, &im, 1, &err) == RX_EINVAL && strstr(err.msg, "extent"));
  im.x_max = 1, im.z = nan4;
  CHECK(rx_plot_image(base, NULL, &im, 1, &err) == RX_ENUMERIC);
  rx_matrix_spec ms = {0};
  ms.v = y, ms.n_rows = 2, ms.n_cols = 2, ms.format = "%s";
  CHECK(rx_plot_matrix(base, NULL, &ms, 1, &err) == RX_EINVAL && strstr(err.msg, "format"));
  ms.format = NULL, ms.n_rows = 0;
  CHECK(rx_plot_matrix(base, NULL, &ms, 1, &err) == RX_EINVAL);
  rx_value_set g[2] = {{"a", NULL, 0, RX_COLOUR_AUTO}, {"b", NULL, 0, RX_COLOUR_AUTO}};
  rx_box_spec bx = {0};
  bx.groups = g, bx.n_groups = 2;
  CHECK(rx_plot_box(base, NULL, &bx, 1, &err) == RX_EINVAL && strstr(err.msg, "no values"));
  g[1].n = 4; /* values but no array */
  CHECK(rx_plot_box(base, NULL, &bx, 1, &err) == RX_EINVAL && strstr(err.msg, "'b'"));
  g[1].v = nan4;
  CHECK(rx_plot_box(base, NULL, &bx, 1, &err) == RX_ENUMERIC);
  rx_hist_spec hs = {0};
  hs.sets = g, hs.n_sets = 2, hs.n_bins = -1;
  CHECK(rx_plot_hist(base, NULL, &hs, 1, &err) == RX_ENUMERIC); /* sets checked first */
  g[1].v = y;
  CHECK(rx_plot_hist(base, NULL, &hs, 1, &err) == RX_EINVAL && strstr(err.msg, "bins"));
  rx_polar_spec ps = {0};
  CHECK(rx_plot_polar(base, NULL, &ps, 1, &err) == RX_EINVAL);
  float an[3] = {NAN, NAN, NAN};
  rx_angle_set as = {"a", an, 3, RX_COLOUR_AUTO};
  ps.sets = &as, ps.n_sets = 1;
  CHECK(rx_plot_polar(base, NULL, &ps, 1, &err) == RX_ENUMERIC);
  CHECK(rx_plot_explained_variance(base, NULL, 0, y, NULL, y, NULL, &err) == RX_EINVAL);
  rx_fig *fig = NULL;
  CHECK(rx_fig_create(&fig, base, 0, 1, NULL, &err) == RX_EINVAL && !fig);
  CHECK(rx_fig_create(&fig, "", 1, 1, NULL, &err) == RX_EINVAL);
  REQUIRE(rx_fig_create(&fig, base, 1, 1, NULL, &err) == 0);
  CHECK(rx_fig_save(fig, &err) == RX_EINVAL && strstr(err.msg, "no panels"));
  CHECK(rx_fig_set_panel_size(fig, 10, 10, &err) == RX_EINVAL);
  rx_fig_free(fig);
  CHECK(count_entries(dir, NULL) == 0);

  /* partly non-finite data is drawn, the rest skipped */
  double yn[4] = {1, NAN, 3, INFINITY};
  rx_series sp2 = {"partly NaN", x, yn, yn, 4, RX_COLOUR_AUTO, 1, 1, 0, RX_SERIES_LINE};
  q = p, q.series = &sp2;
  CHECK_MSG(rx_plot_lines(base, NULL, &q, 1, &err) == 0, "%s", err.msg);
  check_pair(dir, base);
  float trp[4 * 3 * 2] = {0, 0, NAN, 0, 1, 1, 0.5f, 0.5f, 1, NAN, 0.2f, 0.2f};
  u = t, u.x = trp;
  CHECK_MSG(rx_plot_traj(base, NULL, &u, 1, &err) == 0, "%s", err.msg);
  double mv[4] = {NAN, 1, 2, 3};
  ms.n_rows = 2, ms.v = mv;
  CHECK_MSG(rx_plot_matrix(base, NULL, &ms, 1, &err) == 0, "%s", err.msg);
  check_pair(dir, base);
  rx_test_rm_rf(dir);
}

/* ---- data record: known answers ---- */

/* Draws one panel with the record on (process-wide, then back off) and returns its record. */
typedef int (*one_panel_fn)(const char *base, const void *spec);
static cJSON *recorded(const char *dir, const char *name, one_panel_fn draw, const void *spec) {
  char base[512];
  join(base, sizeof base, dir, name);
  rx_plot_set_data_record(1);
  int rc = draw(base, spec);
  rx_plot_set_data_record(0);
  CHECK_MSG(rc == 0, "%s: rc %d", name, rc);
  return rc ? NULL : record_load(base);
}

static int draw_box_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_box(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}
static int draw_hist_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_hist(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}
static int draw_matrix_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_matrix(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}
static int draw_lines_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_lines(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}
static int draw_scatter_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_scatter(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}
static int draw_polar_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_polar(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}
static int draw_traj_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_traj(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}
static int draw_image_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_image(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}

static void test_box_record_has_numpy_quartiles_whiskers_and_outliers(void) {
  char dir[256];
  rx_test_tmpdir(dir, sizeof dir, "rec_box");
  /* numpy.percentile([1..10, 40], [25, 50, 75]) = 3.5, 6, 8.5; IQR 5: fences -4 and 16 */
  double a[12] = {7, 3, 40, 1, 9, NAN, 2, 10, 5, 8, 4, 6};
  double b[4] = {4, 1, 3, 2}; /* 1.75, 2.5, 3.25 */
  double c[1] = {5};
  rx_value_set g[3] = {{"eleven", a, 12, RX_COLOUR_QUIESCENT},
                       {"four", b, 4, RX_COLOUR_ACTIVE},
                       {"one", c, 1, RX_COLOUR_AUTO}}; /* AUTO: the 3rd palette colour */
  rx_box_spec s = {0};
  s.title = "known quartiles";
  s.y_label = "value";
  s.groups = g, s.n_groups = 3;
  cJSON *doc = recorded(dir, "box", draw_box_v, &s);
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  CHECK(!strcmp(rec_str(p, "kind"), "box"));
  CHECK(!strcmp(rec_str(p, "title"), "known quartiles"));
  static const struct {
    double n, q1, med, q3, wlo, whi;
    int n_out;
    double out;
    const char *colour;
  } want[3] = {{11, 3.5, 6, 8.5, 1, 10, 1, 40, "#d62728"},
               {4, 1.75, 2.5, 3.25, 1, 4, 0, 0, "#1f77b4"},
               {1, 5, 5, 5, 5, 5, 0, 0, "#9467bd"}};
  for (int k = 0; k < 3; k++) {
    char key[64];
#define AT(field) (snprintf(key, sizeof key, "groups.%d.%s", k, field), key)
    CHECK_NEAR(rec_num(p, AT("n")), want[k].n, 0);
    CHECK_NEAR(rec_num(p, AT("n_left_out")), 0, 0);
    CHECK_NEAR(rec_num(p, AT("q1")), want[k].q1, 1e-12);
    CHECK_NEAR(rec_num(p, AT("median")), want[k].med, 1e-12);
    CHECK_NEAR(rec_num(p, AT("q3")), want[k].q3, 1e-12);
    CHECK_NEAR(rec_num(p, AT("whisker_low")), want[k].wlo, 0);
    CHECK_NEAR(rec_num(p, AT("whisker_high")), want[k].whi, 0);
    CHECK_NEAR(rec_num(p, AT("x")), k + 1, 0);
    CHECK(!strcmp(rec_str(p, AT("colour")), want[k].colour));
    CHECK_MSG(rec_len(p, AT("outliers")) == want[k].n_out, "group %d: %d outliers", k,
              rec_len(p, AT("outliers")));
    if (want[k].n_out) CHECK_NEAR(rec_num(p, AT("outliers.0")), want[k].out, 0);
#undef AT
  }
  const char *labels[3] = {"eleven", "four", "one"};
  double xs[3] = {1, 2, 3};
  rec_check_strs(p, "x_axis.tick_labels", labels, 3);
  rec_check_nums(p, "x_axis.ticks", xs, 3, 0);
  cJSON_Delete(doc);

  /* log axis: only positive values count; the y axis is labelled at decades */
  double d[6] = {-1, 0, 100, 1, 10, NAN};
  rx_value_set gl = {"log", d, 6, RX_COLOUR_AUTO};
  rx_box_spec sl = {0};
  sl.groups = &gl, sl.n_groups = 1, sl.log_y = 1;
  doc = recorded(dir, "box_log", draw_box_v, &sl);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  CHECK_NEAR(rec_num(p, "groups.0.n"), 3, 0);
  CHECK_NEAR(rec_num(p, "groups.0.n_left_out"), 2, 0); /* -1 and 0; NaN is no value */
  CHECK_NEAR(rec_num(p, "groups.0.q1"), 5.5, 1e-12);
  CHECK_NEAR(rec_num(p, "groups.0.median"), 10, 1e-12);
  CHECK_NEAR(rec_num(p, "groups.0.q3"), 55, 1e-12);
  CHECK(cJSON_IsTrue(rec_at(p, "y_axis.log")));
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

static void test_hist_record_counts_and_density_of_known_data(void) {
  char dir[256];
  rx_test_tmpdir(dir, sizeof dir, "rec_hist");
  /* 4 bins of width 1 on [0, 4]: 4.0 is in the last bin, 5.0 outside, NaN skipped */
  double v[10] = {2.5, 0.5, 1.5, 5.0, 2.5, NAN, 1.5, 3.9, 2.5, 4.0};
  rx_value_set set = {"known", v, 10, RX_COLOUR_PURPLE};
  rx_hist_spec h = {0};
  h.sets = &set, h.n_sets = 1, h.n_bins = 4, h.x_min = 0, h.x_max = 4, h.counts = 1;
  h.show_mean = 1;
  cJSON *doc = recorded(dir, "hist", draw_hist_v, &h);
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  double edges[5] = {0, 1, 2, 3, 4}, counts[4] = {1, 2, 3, 2};
  rec_check_nums(p, "bin_edges", edges, 5, 0);
  rec_check_nums(p, "sets.0.counts", counts, 4, 0);
  rec_check_nums(p, "sets.0.heights", counts, 4, 0);
  CHECK_NEAR(rec_num(p, "sets.0.n"), 9, 0);
  CHECK_NEAR(rec_num(p, "sets.0.n_in_range"), 8, 0);
  CHECK_NEAR(rec_num(p, "sets.0.mean"), (2.5 * 3 + 0.5 + 1.5 * 2 + 5.0 + 3.9 + 4.0) / 9, 1e-12);
  CHECK(!strcmp(rec_str(p, "sets.0.colour"), "#9467bd"));
  CHECK(!strcmp(rec_str(p, "y_label"), "count"));
  CHECK(cJSON_IsFalse(rec_at(p, "density")));
  cJSON_Delete(doc);

  /* density: counts / (n w); two sets of different sizes */
  double a[4] = {0.25, 0.75, 0.75, 1.25}, b[2] = {1.5, 1.9};
  rx_value_set sets[2] = {{"a", a, 4, RX_COLOUR_AUTO}, {"b", b, 2, RX_COLOUR_AUTO}};
  rx_hist_spec hd = {0};
  hd.sets = sets, hd.n_sets = 2, hd.n_bins = 2, hd.x_min = 0, hd.x_max = 2;
  doc = recorded(dir, "hist_density", draw_hist_v, &hd);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  double ca[2] = {3, 1}, ha[2] = {0.75, 0.25}, cb[2] = {0, 2}, hb[2] = {0, 1};
  rec_check_nums(p, "sets.0.counts", ca, 2, 0);
  rec_check_nums(p, "sets.0.heights", ha, 2, 1e-15);
  rec_check_nums(p, "sets.1.counts", cb, 2, 0);
  rec_check_nums(p, "sets.1.heights", hb, 2, 1e-15);
  CHECK(!strcmp(rec_str(p, "y_label"), "probability density"));
  CHECK(cJSON_IsTrue(rec_at(p, "density")));
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

static void test_matrix_record_cells_text_and_colour_limits(void) {
  char dir[256];
  rx_test_tmpdir(dir, sizeof dir, "rec_matrix");
  const char *rows[2] = {"top", "bottom"}, *cols[3] = {"a", "b", "c"};
  double v[6] = {0.1, 2.5, NAN, -1.5, 0, 3};
  rx_matrix_spec m = {0};
  m.v = v, m.n_rows = 2, m.n_cols = 3, m.format = "%.1f";
  m.row_labels = rows, m.col_labels = cols;
  m.z_label = "KL";
  cJSON *doc = recorded(dir, "matrix", draw_matrix_v, &m);
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  CHECK(!strcmp(rec_str(p, "kind"), "matrix"));
  rec_check_nums(p, "values.0", v, 3, 0);
  rec_check_nums(p, "values.1", v + 3, 3, 0);
  const char *text0[3] = {"0.1", "2.5", "n/a"}, *text1[3] = {"−1.5", "0.0", "3.0"};
  rec_check_strs(p, "cell_text.0", text0, 3);
  rec_check_strs(p, "cell_text.1", text1, 3);
  rec_check_strs(p, "row_labels", rows, 2);
  rec_check_strs(p, "column_labels", cols, 3);
  /* row 0 is drawn at the top */
  double xt[3] = {0.5, 1.5, 2.5}, yt[2] = {1.5, 0.5};
  rec_check_nums(p, "x_axis.ticks", xt, 3, 0);
  rec_check_nums(p, "y_axis.ticks", yt, 2, 0);
  /* colour scale: the data's range, exactly */
  CHECK_NEAR(rec_num(p, "colour_axis.min"), -1.5, 0);
  CHECK_NEAR(rec_num(p, "colour_axis.max"), 3, 0);
  CHECK(!strcmp(rec_str(p, "colour_axis.label"), "KL"));
  cJSON_Delete(doc);

  /* a fixed colour range: its limits, ticks every 2 */
  m.z_min = 0, m.z_max = 10;
  doc = recorded(dir, "matrix_fixed", draw_matrix_v, &m);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  double zt[6] = {0, 2, 4, 6, 8, 10};
  CHECK_NEAR(rec_num(p, "colour_axis.min"), 0, 0);
  CHECK_NEAR(rec_num(p, "colour_axis.max"), 10, 0);
  rec_check_nums(p, "colour_axis.ticks", zt, 6, 0);
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

/* Ticks of a recorded axis: a 1, 2 or 5 times a power of ten step, every tick a multiple of it,
 * inside the limits, none missing at either end, 3 to 11 of them. */
static void check_nice_axis(const cJSON *p, const char *axis, const char *what) {
  char key[64];
  snprintf(key, sizeof key, "%s.ticks", axis);
  const cJSON *t = rec_at(p, key);
  int n = cJSON_IsArray(t) ? cJSON_GetArraySize(t) : 0;
  CHECK_MSG(n >= 3 && n <= 11, "%s: %d ticks", what, n);
  if (n < 3) return;
  snprintf(key, sizeof key, "%s.min", axis);
  double lo = rec_num(p, key);
  snprintf(key, sizeof key, "%s.max", axis);
  double hi = rec_num(p, key);
  double t0 = cJSON_GetArrayItem(t, 0)->valuedouble, t1 = cJSON_GetArrayItem(t, 1)->valuedouble;
  double step = t1 - t0, mag = pow(10, floor(log10(step) + 1e-9)), lead = step / mag;
  CHECK_MSG(fabs(lead - 1) < 1e-9 || fabs(lead - 2) < 1e-9 || fabs(lead - 5) < 1e-9,
            "%s: step %g is not 1, 2 or 5 x 10^k", what, step);
  for (int i = 0; i < n; i++) {
    double v = cJSON_GetArrayItem(t, i)->valuedouble, k = v / step;
    CHECK_MSG(fabs(k - round(k)) < 1e-9, "%s: tick %g is not a multiple of %g", what, v, step);
    CHECK_MSG(v >= lo - 1e-9 * step && v <= hi + 1e-9 * step, "%s: tick %g outside [%g, %g]", what,
              v, lo, hi);
    if (i) CHECK_NEAR(v - cJSON_GetArrayItem(t, i - 1)->valuedouble, step, 1e-9 * step);
  }
  double last = cJSON_GetArrayItem(t, n - 1)->valuedouble;
  CHECK_MSG(t0 - lo < step * (1 - 1e-9) && hi - last < step * (1 - 1e-9),
            "%s: a tick is missing in [%g, %g] (first %g, last %g)", what, lo, hi, t0, last);
}

static void test_axis_ticks_are_nice_numbers_on_linear_and_log_axes(void) {
  char dir[256];
  rx_test_tmpdir(dir, sizeof dir, "rec_axes");
  double x[2] = {0, 10}, y[2] = {0, 1};
  rx_series s = {"line", x, y, NULL, 2, RX_COLOUR_ACTIVE, 0, 0, 0, RX_SERIES_LINE};
  rx_lines_spec p = {0};
  p.series = &s, p.n_series = 1;
  p.x_min = 0, p.x_max = 10, p.y_min = 0, p.y_max = 1;
  cJSON *doc = recorded(dir, "fixed", draw_lines_v, &p);
  REQUIRE(doc);
  const cJSON *q = rec_at(doc, "panels.0");
  double xt[6] = {0, 2, 4, 6, 8, 10}, yt[6] = {0, 0.2, 0.4, 0.6, 0.8, 1.0};
  const char *xl[6] = {"0", "2", "4", "6", "8", "10"};
  const char *yl[6] = {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"};
  rec_check_nums(q, "x_axis.ticks", xt, 6, 0);
  rec_check_strs(q, "x_axis.tick_labels", xl, 6);
  rec_check_nums(q, "y_axis.ticks", yt, 6, 0); /* 0.6, not 0.6000000000000001 */
  rec_check_strs(q, "y_axis.tick_labels", yl, 6);
  CHECK(rec_num(q, "x_axis.min") == 0 && rec_num(q, "x_axis.max") == 10);
  CHECK(cJSON_IsFalse(rec_at(q, "x_axis.log")));
  cJSON_Delete(doc);

  /* from the data: y in [0.13, 0.87] padded by 5% to [0.093, 0.907], ticks every 0.2 */
  double y2[2] = {0.13, 0.87};
  s.y = y2;
  p.y_min = p.y_max = 0;
  doc = recorded(dir, "data", draw_lines_v, &p);
  REQUIRE(doc);
  q = rec_at(doc, "panels.0");
  double yt2[4] = {0.2, 0.4, 0.6, 0.8};
  rec_check_nums(q, "y_axis.ticks", yt2, 4, 0);
  CHECK_NEAR(rec_num(q, "y_axis.min"), 0.093, 1e-12);
  CHECK_NEAR(rec_num(q, "y_axis.max"), 0.907, 1e-12);
  cJSON_Delete(doc);

  /* many ranges: always nice */
  static const double ranges[][2] = {{0, 1},      {-3.7, 12.2}, {1e-5, 3e-5}, {-250, -30},
                                     {0.5, 0.51}, {123, 98765}, {-1, 1},      {2e6, 9e6}};
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
    double rx[2] = {ranges[i][0], ranges[i][1]};
    s.x = rx, s.y = rx;
    doc = recorded(dir, "range", draw_lines_v, &p);
    REQUIRE(doc);
    char what[80];
    snprintf(what, sizeof what, "[%g, %g]", rx[0], rx[1]);
    check_nice_axis(rec_at(doc, "panels.0"), "x_axis", what);
    check_nice_axis(rec_at(doc, "panels.0"), "y_axis", what);
    cJSON_Delete(doc);
  }

  /* log axis: decades, labelled 10^k */
  double ly[2] = {1e-3, 10};
  s.x = x, s.y = ly;
  p.log_y = 1, p.y_min = 1e-3, p.y_max = 10;
  doc = recorded(dir, "log", draw_lines_v, &p);
  REQUIRE(doc);
  q = rec_at(doc, "panels.0");
  double lt[5] = {1e-3, 1e-2, 0.1, 1, 10};
  const char *ll[5] = {"10#u−3#d", "10#u−2#d", "10#u−1#d", "1", "10"};
  CHECK(cJSON_IsTrue(rec_at(q, "y_axis.log")));
  rec_check_nums(q, "y_axis.ticks", lt, 5, 0);
  rec_check_strs(q, "y_axis.tick_labels", ll, 5);
  CHECK_NEAR(rec_num(q, "y_axis.min"), 1e-3, 1e-15);
  CHECK_NEAR(rec_num(q, "y_axis.max"), 10, 1e-12);
  cJSON_Delete(doc);
  /* from data 0.02 .. 300 padded by 5% of 4.18 decades: ticks at 0.1, 1, 10, 100 */
  double ly2[2] = {0.02, 300};
  s.y = ly2;
  p.y_min = p.y_max = 0;
  doc = recorded(dir, "log_data", draw_lines_v, &p);
  REQUIRE(doc);
  q = rec_at(doc, "panels.0");
  double lt2[4] = {0.1, 1, 10, 100};
  rec_check_nums(q, "y_axis.ticks", lt2, 4, 0);
  double pad = 0.05 * (log10(300) - log10(0.02));
  CHECK_NEAR(rec_num(q, "y_axis.min"), pow(10, log10(0.02) - pad), 1e-12);
  CHECK_NEAR(rec_num(q, "y_axis.max"), pow(10, log10(300) + pad), 1e-9);
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

static void test_lines_scatter_polar_traj_image_records_hold_the_drawn_values(void) {
  char dir[256];
  rx_test_tmpdir(dir, sizeof dir, "rec_kinds");
  /* lines: values as given, NaN as null, the s.d. and the legend */
  double x[4] = {1, 2, 3, 4}, y[4] = {0.5, NAN, 0.25, 0.125}, sd[4] = {0.1, 0.1, 0.05, 0.01};
  rx_series ser[2] = {{"active", x, y, sd, 4, RX_COLOUR_ACTIVE, 1, 1, 0, RX_SERIES_LINE},
                      {"quiescent", x, sd, NULL, 4, RX_COLOUR_QUIESCENT, 0, 0, 1, RX_SERIES_LINE}};
  rx_lines_spec lp = {0};
  lp.title = "lines", lp.x_label = "step", lp.y_label = "loss";
  lp.series = ser, lp.n_series = 2, lp.legend = RX_LEGEND_BOTTOM_LEFT;
  cJSON *doc = recorded(dir, "lines", draw_lines_v, &lp);
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  rec_check_nums(p, "series.0.x", x, 4, 0);
  rec_check_nums(p, "series.0.y", y, 4, 0);
  rec_check_nums(p, "series.0.sd", sd, 4, 0);
  rec_check_nums(p, "series.1.y", sd, 4, 0);
  CHECK(cJSON_IsNull(rec_at(p, "series.1.sd")));
  CHECK(!strcmp(rec_str(p, "series.0.sd_style"), "bars"));
  CHECK(!strcmp(rec_str(p, "series.0.colour"), "#1f77b4"));
  CHECK(!strcmp(rec_str(p, "series.1.colour"), "#d62728"));
  CHECK(cJSON_IsTrue(rec_at(p, "series.1.dashed")) && cJSON_IsTrue(rec_at(p, "series.0.markers")));
  CHECK(!strcmp(rec_str(p, "legend.position"), "bottom left"));
  CHECK(!strcmp(rec_str(p, "legend.entries.1.text"), "quiescent"));
  CHECK(!strcmp(rec_str(p, "x_label"), "step") && !strcmp(rec_str(p, "y_label"), "loss"));
  cJSON_Delete(doc);

  /* scatter: 10 points thinned to every 2nd, colour values and their fixed scale */
  double xy[30], c[10];
  for (int i = 0; i < 10; i++)
    xy[3 * i] = i, xy[3 * i + 1] = 10 * i, xy[3 * i + 2] = -1, c[i] = 0.1 * i;
  rx_scatter_spec sp = {0};
  sp.xy = xy, sp.stride = 3, sp.n = 10, sp.c = c, sp.max_points = 5, sp.c_min = 0, sp.c_max = 1;
  doc = recorded(dir, "scatter", draw_scatter_v, &sp);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  double kx[5] = {0, 2, 4, 6, 8}, ky[5] = {0, 20, 40, 60, 80}, kc[5] = {0, 0.2, 0.4, 0.6, 0.8};
  rec_check_nums(p, "x", kx, 5, 0);
  rec_check_nums(p, "y", ky, 5, 0);
  rec_check_nums(p, "c", kc, 5, 1e-15);
  CHECK_NEAR(rec_num(p, "n_given"), 10, 0);
  CHECK_NEAR(rec_num(p, "every"), 2, 0);
  CHECK(rec_num(p, "colour_axis.min") == 0 && rec_num(p, "colour_axis.max") == 1);
  cJSON_Delete(doc);

  /* polar: 4 bins of pi/2 from -pi; 2 + 2 pi wraps to 2 */
  float th[9] = {-3.0f, -1.0f, -1.0f, 0.5f, 0.5f, 0.5f, 2.0f, (float)(2 + 2 * M_PI), NAN};
  rx_angle_set as = {"headings", th, 9, RX_COLOUR_QUIESCENT};
  rx_polar_spec ps = {0};
  ps.sets = &as, ps.n_sets = 1, ps.n_bins = 4;
  doc = recorded(dir, "polar", draw_polar_v, &ps);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  double fr[4] = {1.0 / 8, 2.0 / 8, 3.0 / 8, 2.0 / 8};
  double pe[5] = {-M_PI, -M_PI / 2, 0, M_PI / 2, M_PI};
  rec_check_nums(p, "sets.0.fractions", fr, 4, 1e-15);
  rec_check_nums(p, "bin_edges", pe, 5, 1e-15);
  CHECK_NEAR(rec_num(p, "sets.0.n"), 8, 0);
  cJSON_Delete(doc);

  /* trajectories: the ones shown, by source index; headings wrapped, time in seconds */
  float tr[3 * 3 * 2];
  for (int t = 0; t < 3; t++)
    for (int b = 0; b < 3; b++)
      tr[(t * 3 + b) * 2] = (float)(b + 0.1 * t), tr[(t * 3 + b) * 2 + 1] = (float)(-b - 0.1 * t);
  int pick[2] = {2, 0};
  rx_traj_spec ts = {0};
  ts.x = tr, ts.T = 3, ts.B = 3, ts.dim = 2, ts.index = pick, ts.n_show = 2;
  doc = recorded(dir, "traj", draw_traj_v, &ts);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  CHECK_NEAR(rec_num(p, "trajectories.0.index"), 2, 0);
  CHECK_NEAR(rec_num(p, "trajectories.1.index"), 0, 0);
  double tx[3] = {2.0f, 2.1f, 2.2f}, tyy[3] = {-2.0f, -2.1f, -2.2f};
  rec_check_nums(p, "trajectories.0.x", tx, 3, 0);
  rec_check_nums(p, "trajectories.0.y", tyy, 3, 0);
  cJSON_Delete(doc);
  float hd[3] = {3.0f, 3.3f, -3.0f};
  rx_traj_spec hs = {0};
  hs.x = hd, hs.T = 3, hs.B = 1, hs.dim = 1, hs.dt = 0.5;
  doc = recorded(dir, "headings", draw_traj_v, &hs);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  double ht[3] = {0, 0.5, 1.0}, hh[3] = {3.0f, 3.3f - 2 * M_PI, -3.0f};
  rec_check_nums(p, "trajectories.0.x", ht, 3, 0);
  rec_check_nums(p, "trajectories.0.y", hh, 3, 1e-12);
  /* the heading axis: ticks at multiples of pi/2, exactly, labelled in π */
  double at[5] = {-M_PI, -M_PI / 2, 0, M_PI / 2, M_PI};
  const char *al[5] = {"−π", "−π/2", "0", "π/2", "π"};
  rec_check_nums(p, "y_axis.ticks", at, 5, 0);
  rec_check_strs(p, "y_axis.tick_labels", al, 5);
  cJSON_Delete(doc);

  /* image: the grid as given, the colour range of the data, contour levels between */
  double z[6] = {0, 1, 2, 3, 4, NAN};
  rx_image_spec im = {0};
  im.z = z, im.nx = 3, im.ny = 2, im.x_min = -1, im.x_max = 2, im.y_min = 0, im.y_max = 1;
  im.n_contours = 3;
  doc = recorded(dir, "image", draw_image_v, &im);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  double ext[4] = {-1, 2, 0, 1}, lev[3] = {1, 2, 3};
  rec_check_nums(p, "z.0", z, 3, 0);
  rec_check_nums(p, "z.1", z + 3, 3, 0);
  rec_check_nums(p, "extent", ext, 4, 0);
  rec_check_nums(p, "contour_levels", lev, 3, 1e-15);
  CHECK(rec_num(p, "colour_axis.min") == 0 && rec_num(p, "colour_axis.max") == 4);
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

/* A grid of mixed panels drawn with the record off and on: the same PNG and SVG bytes. The
 * per-figure setting wins over the process-wide one, which without a call follows
 * REACTIVATE_PLOT_DATA; drawing without the record removes a record left from before. */
static int draw_mixed(const char *base, int per_figure) {
  rx_fig *fig = NULL;
  rx_error err;
  int rc = rx_fig_create(&fig, base, 2, 2, "record on and off", &err);
  if (rc) return rc;
  double v[5] = {1, 2, 3, 4, 50}, m[4] = {0.5, 1, 1.5, 2};
  rx_value_set g = {"g", v, 5, RX_COLOUR_AUTO};
  rx_box_spec b = {0};
  b.groups = &g, b.n_groups = 1;
  rx_hist_spec h = {0};
  h.sets = &g, h.n_sets = 1, h.n_bins = 5, h.show_mean = 1;
  rx_matrix_spec ms = {0};
  ms.v = m, ms.n_rows = 2, ms.n_cols = 2;
  if (per_figure != -1) rc = rx_fig_set_data_record(fig, per_figure, &err);
  if (!rc) rc = rx_fig_add_box(fig, &b, &err);
  if (!rc) rc = rx_fig_skip(fig, &err);
  if (!rc) rc = rx_fig_add_hist(fig, &h, &err);
  if (!rc) rc = rx_fig_add_matrix(fig, &ms, &err);
  if (!rc) rc = rx_fig_save(fig, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  rx_fig_free(fig);
  return rc;
}

static void test_record_leaves_pictures_unchanged_and_follows_its_settings(void) {
  char dir[256], off[512], on[512], path[600];
  rx_test_tmpdir(dir, sizeof dir, "rec_switch");
  join(off, sizeof off, dir, "off");
  join(on, sizeof on, dir, "on");
  rx_plot_set_data_record(-1); /* main() unset REACTIVATE_PLOT_DATA: off */
  CHECK(rx_plot_data_record() == 0);
  REQUIRE(draw_mixed(off, -1) == 0);
  snprintf(path, sizeof path, "%s.data.json", off);
  CHECK(!rx_file_exists(path));
  rx_plot_set_data_record(1);
  CHECK(rx_plot_data_record() == 1);
  REQUIRE(draw_mixed(on, -1) == 0);
  rx_plot_set_data_record(0);
  const char *ext[2] = {"png", "svg"};
  for (int k = 0; k < 2; k++) {
    char p1[600], p2[600];
    snprintf(p1, sizeof p1, "%s.%s", off, ext[k]);
    snprintf(p2, sizeof p2, "%s.%s", on, ext[k]);
    unsigned char *d1 = NULL, *d2 = NULL;
    long n1 = read_all(p1, &d1), n2 = read_all(p2, &d2);
    CHECK_MSG(n1 > 0 && n1 == n2 && !memcmp(d1, d2, (size_t)n1), "%s differs with the record on",
              ext[k]);
    free(d1), free(d2);
  }
  cJSON *doc = record_load(on);
  REQUIRE(doc);
  CHECK(!strcmp(rec_str(doc, "format"), "reactivate figure data"));
  CHECK(rec_num(doc, "version") == 1);
  CHECK(!strcmp(rec_str(doc, "figure"), "on") &&
        !strcmp(rec_str(doc, "title"), "record on and off"));
  CHECK(rec_num(doc, "columns") == 2 && rec_num(doc, "rows") == 2);
  CHECK(rec_len(doc, "panels") == 4);
  static const char *kinds[4] = {"box", "empty", "hist", "matrix"};
  for (int i = 0; i < 4; i++) {
    char key[32];
    snprintf(key, sizeof key, "panels.%d.kind", i);
    CHECK_MSG(!strcmp(rec_str(doc, key), kinds[i]), "panel %d: %s", i, rec_str(doc, key));
    snprintf(key, sizeof key, "panels.%d.row", i);
    CHECK(rec_num(doc, key) == i / 2);
    snprintf(key, sizeof key, "panels.%d.column", i);
    CHECK(rec_num(doc, key) == i % 2);
  }
  cJSON_Delete(doc);

  /* per figure: off wins over the process-wide on and removes the stale record; on wins over off */
  snprintf(path, sizeof path, "%s.data.json", on);
  rx_plot_set_data_record(1);
  REQUIRE(draw_mixed(on, 0) == 0);
  CHECK_MSG(!rx_file_exists(path), "a stale record is left next to a figure drawn without one");
  rx_plot_set_data_record(0);
  REQUIRE(draw_mixed(on, 1) == 0);
  CHECK(rx_file_exists(path));
  REQUIRE(draw_mixed(on, -1) == 0);
  CHECK(!rx_file_exists(path));
  CHECK(count_entries(dir, ".tmp") == 0);

  /* the environment decides while no call has */
  rx_plot_set_data_record(-1);
  setenv("REACTIVATE_PLOT_DATA", "1", 1);
  CHECK(rx_plot_data_record() == 1);
  REQUIRE(draw_mixed(on, -1) == 0);
  CHECK(rx_file_exists(path));
  setenv("REACTIVATE_PLOT_DATA", "0", 1);
  CHECK(rx_plot_data_record() == 0);
  rx_plot_set_data_record(1); /* a call overrides the environment */
  CHECK(rx_plot_data_record() == 1);
  unsetenv("REACTIVATE_PLOT_DATA");
  rx_plot_set_data_record(0);

  rx_fig *fig = NULL;
  rx_error err;
  REQUIRE(rx_fig_create(&fig, on, 1, 1, NULL, &err) == 0);
  CHECK(rx_fig_set_data_record(fig, 2, &err) == RX_EINVAL && strstr(err.msg, on));
  CHECK(rx_fig_set_data_record(NULL, 1, &err) == RX_EINVAL);
  rx_fig_free(fig);
  rx_test_rm_rf(dir);
}

/* ---- vector fields, series styles, the diverging map ---- */

static int draw_vectors_v(const char *b, const void *s) {
  rx_error e;
  int rc = rx_plot_vectors(b, NULL, s, 1, &e);
  if (rc) fprintf(stderr, "  %s\n", e.msg);
  return rc;
}

/* An Ornstein-Uhlenbeck drift -x on a 16 x 16 grid over a Gaussian density, and a score field
 * of another size scaled on its own, side by side: each panel scales its arrows and shows its
 * key. */
static void test_vector_fields_over_a_density_with_keys(void) {
  char dir[256], base[512];
  int demo = out_dir(dir, sizeof dir, "vectors");
  enum { NX = 16 };
  static double x[NX * NX], y[NX * NX], u[NX * NX], v[NX * NX], su[NX * NX], sv[NX * NX];
  static double z[NX * NX];
  gauss_grid(z, NX, NX, 0.0);
  for (int j = 0; j < NX; j++)
    for (int i = 0; i < NX; i++) {
      size_t k = (size_t)j * NX + i;
      x[k] = -1.1 + (i + 0.5) * 2.2 / NX, y[k] = -1.1 + (j + 0.5) * 2.2 / NX;
      u[k] = -0.01 * x[k] + 0.001 * nrand(), v[k] = -0.01 * y[k] + 0.001 * nrand();
      su[k] = -x[k] / 0.25, sv[k] = -y[k] / 0.25;         /* score of N(0, 0.25 I) */
      if (z[k] < 0.05) u[k] = v[k] = su[k] = sv[k] = NAN; /* unused bins: no arrow */
    }
  rx_vector_spec p[2] = {{0}, {0}};
  p[0].title = "drift d (arrows scaled per panel)";
  p[0].x_label = "decoded x (m)", p[0].y_label = "decoded y (m)";
  p[0].x = x, p[0].y = y, p[0].u = u, p[0].v = v, p[0].n = NX * NX;
  p[0].units = "m per step";
  p[0].colour = RX_COLOUR_QUIESCENT;
  p[0].z = z, p[0].nx = p[0].ny = NX, p[0].z_label = "awake density (1/m²)";
  p[0].z_x_min = p[0].z_y_min = -1.1, p[0].z_x_max = p[0].z_y_max = 1.1;
  p[0].box[0] = p[0].box[2] = -1.1, p[0].box[1] = p[0].box[3] = 1.1;
  p[0].equal_aspect = 1;
  p[1] = p[0];
  p[1].title = "score ∇log a";
  p[1].u = su, p[1].v = sv, p[1].units = "1/m", p[1].colour = RX_COLOUR_ACTIVE;
  join(base, sizeof base, dir, "vectors_drift_score");
  rx_error err;
  CHECK_MSG(rx_plot_vectors(base, "drift and score", p, 2, &err) == 0, "%s", err.msg);
  check_pair(dir, base);
  done_dir(dir, demo);
}

/* Known answers of the record: the arrows as given (null where not finite), the automatic
 * scale (longest arrow 0.9 x x range / ceil(sqrt(arrows drawn))), the key (a round length not
 * above the longest) and the background grid with its grey shading range. */
static void test_vector_record_holds_arrows_scale_key_and_grid(void) {
  char dir[256];
  rx_test_tmpdir(dir, sizeof dir, "rec_vectors");
  double x[6] = {-1, 0, 1, -1, 0, 1}, y[6] = {-1, -1, -1, 1, 1, 1};
  double u[6] = {0.3, 0, NAN, -0.1, 0.2, 0.05}, v[6] = {0.4, 0, 0.1, 0, -0.1, 0.05};
  double z[6] = {1, 2, 3, 4, 5, NAN};
  rx_vector_spec s = {0};
  s.x = x, s.y = y, s.u = u, s.v = v, s.n = 6, s.units = "m per step";
  s.colour = RX_COLOUR_QUIESCENT;
  s.z = z, s.nx = 3, s.ny = 2, s.z_x_min = -1.5, s.z_x_max = 1.5, s.z_y_min = -2, s.z_y_max = 2;
  cJSON *doc = recorded(dir, "vectors", draw_vectors_v, &s);
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  CHECK(!strcmp(rec_str(p, "kind"), "vectors"));
  rec_check_nums(p, "x", x, 6, 0);
  rec_check_nums(p, "u", u, 6, 0);
  rec_check_nums(p, "v", v, 6, 0);
  /* drawn: 4 (one zero vector, one NaN); longest 0.5; x axis = the grid's [-1.5, 1.5] */
  CHECK_NEAR(rec_num(p, "n_arrows"), 4, 0);
  const double scale = 0.9 * 3.0 / 2.0 / 0.5;
  CHECK_NEAR(rec_num(p, "scale"), scale, 1e-12);
  CHECK_NEAR(rec_num(p, "key.value"), 0.5, 1e-15);
  CHECK_NEAR(rec_num(p, "key.length"), 0.5 * scale, 1e-12);
  CHECK(!strcmp(rec_str(p, "key.text"), "0.5 m per step"));
  CHECK(!strcmp(rec_str(p, "colour"), "#d62728"));
  rec_check_nums(p, "grid.z.0", z, 3, 0);
  rec_check_nums(p, "grid.z.1", z + 3, 3, 0);
  double ext[4] = {-1.5, 1.5, -2, 2};
  rec_check_nums(p, "grid.extent", ext, 4, 0);
  CHECK(rec_num(p, "colour_axis.min") == 0 && rec_num(p, "colour_axis.max") == 5);
  CHECK(!strcmp(rec_str(p, "colour_axis.map"), "greys"));
  CHECK(rec_num(p, "x_axis.min") == -1.5 && rec_num(p, "x_axis.max") == 1.5);
  cJSON_Delete(doc);
  /* a given scale is used as given; the key stays a round number below the longest arrow */
  s.scale = 0.25, s.z = NULL;
  u[0] = 0.03, v[0] = 0.05, u[4] = 0.02, v[4] = 0.01, u[3] = -0.01, u[5] = v[5] = 0.005;
  doc = recorded(dir, "vectors2", draw_vectors_v, &s);
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  CHECK_NEAR(rec_num(p, "scale"), 0.25, 0);
  CHECK_NEAR(rec_num(p, "key.value"), 0.05, 1e-15); /* the longest is 0.058 */
  CHECK_NEAR(rec_num(p, "key.length"), 0.05 * 0.25, 1e-15);
  CHECK(!strcmp(rec_str(p, "key.text"), "0.05 m per step"));
  CHECK(rec_at(p, "grid") == NULL);
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

/* The pictures: an arrow follows its vector (a longer second arrow, same key, changes the
 * picture), and a non-finite or zero vector draws nothing (the same bytes as leaving it out). */
static void test_vector_arrows_follow_u_v_and_skip_non_finite(void) {
  char dir[256], b[4][512];
  rx_test_tmpdir(dir, sizeof dir, "vec_pics");
  const char *names[4] = {"a", "longer", "nan", "zero"};
  double x[3] = {0, 0.5, -0.5}, y[3] = {0, 0.5, 0.5};
  double ua[3] = {1, 0, NAN}, va[3] = {0, 0.4, 1}, ub[3] = {1, 0, 0}, vb[3] = {0, 0.8, 0};
  double uz[3] = {1, 0, 0}, vz[3] = {0, 0.4, 0};
  rx_vector_spec s[4] = {{0}, {0}, {0}, {0}};
  for (int k = 0; k < 4; k++) {
    join(b[k], sizeof b[k], dir, names[k]);
    s[k].x = x, s[k].y = y, s[k].n = 2, s[k].scale = 0.5, s[k].units = "a.u.";
    s[k].x_min = s[k].y_min = -1, s[k].x_max = s[k].y_max = 1;
  }
  s[0].u = ua, s[0].v = va;
  s[1].u = ub, s[1].v = vb;
  s[2].u = ua, s[2].v = va, s[2].n = 3; /* (-0.5, 0.5) has u = NaN */
  s[3].u = uz, s[3].v = vz, s[3].n = 3; /* (-0.5, 0.5) has a zero vector */
  rx_error err;
  for (int k = 0; k < 4; k++)
    CHECK_MSG(rx_plot_vectors(b[k], NULL, &s[k], 1, &err) == 0, "%s", err.msg);
  unsigned char *d[4] = {NULL};
  long n[4];
  char path[600];
  for (int k = 0; k < 4; k++) {
    snprintf(path, sizeof path, "%.500s.png", b[k]);
    n[k] = read_all(path, &d[k]);
  }
  REQUIRE(n[0] > 0 && n[1] > 0 && n[2] > 0 && n[3] > 0);
  CHECK_MSG(n[0] != n[1] || memcmp(d[0], d[1], (size_t)n[0]) != 0,
            "a longer arrow left the picture unchanged");
  CHECK_MSG(n[0] == n[2] && !memcmp(d[0], d[2], (size_t)n[0]),
            "a non-finite vector changed the picture");
  CHECK_MSG(n[0] == n[3] && !memcmp(d[0], d[3], (size_t)n[0]), "a zero vector changed the picture");
  for (int k = 0; k < 4; k++)
    free(d[k]);
  rx_test_rm_rf(dir);
}

static void test_vector_bad_arguments_are_refused(void) {
  char dir[256], base[512];
  rx_test_tmpdir(dir, sizeof dir, "vec_bad");
  join(base, sizeof base, dir, "bad");
  rx_error err;
  double x[2] = {0, 1}, nan2[2] = {NAN, NAN}, z[4] = {1, 2, 3, 4};
  rx_vector_spec s = {0};
  s.x = x, s.y = x, s.u = x, s.v = x, s.n = 2;
  rx_vector_spec t = s;
  t.u = NULL;
  CHECK(rx_plot_vectors(base, NULL, &t, 1, &err) == RX_EINVAL && strstr(err.msg, base));
  t = s, t.n = 0;
  CHECK(rx_plot_vectors(base, NULL, &t, 1, &err) == RX_EINVAL);
  t = s, t.scale = -1;
  CHECK(rx_plot_vectors(base, NULL, &t, 1, &err) == RX_EINVAL && strstr(err.msg, "scale"));
  t = s, t.scale = NAN;
  CHECK(rx_plot_vectors(base, NULL, &t, 1, &err) == RX_EINVAL);
  t = s, t.u = nan2;
  CHECK(rx_plot_vectors(base, NULL, &t, 1, &err) == RX_ENUMERIC);
  t = s, t.z = z, t.nx = 1, t.ny = 4, t.z_x_max = t.z_y_max = 1;
  CHECK(rx_plot_vectors(base, NULL, &t, 1, &err) == RX_EINVAL && strstr(err.msg, "grid"));
  t = s, t.z = z, t.nx = t.ny = 2;
  CHECK(rx_plot_vectors(base, NULL, &t, 1, &err) == RX_EINVAL && strstr(err.msg, "extent"));
  t = s, t.colour = (rx_colour)99;
  CHECK(rx_plot_vectors(base, NULL, &t, 1, &err) == RX_EINVAL && strstr(err.msg, "colour"));
  CHECK(count_entries(dir, NULL) == 0);
  /* a background alone (no finite arrow) is drawn: a panel with no usable bin */
  t = s, t.u = nan2, t.z = z, t.nx = t.ny = 2, t.z_x_max = t.z_y_max = 1;
  CHECK_MSG(rx_plot_vectors(base, NULL, &t, 1, &err) == 0, "%s", err.msg);
  check_pair(dir, base);
  rx_test_rm_rf(dir);
}

/* Points, step histograms from bin centres, bars, dotted lines, open markers and a shaded x
 * band are drawn and recorded; a linear axis under bars and steps shows 0; the diverging map
 * is named in an image's colour axis. */
static void test_series_styles_band_and_diverging_map(void) {
  char dir[256], base[512];
  const int demo = getenv("RX_PLOT_DEMO_DIR") && getenv("RX_PLOT_DEMO_DIR")[0];
  rx_test_tmpdir(dir, sizeof dir, "styles");
  double c[5] = {0.5, 1.5, 2.5, 3.5, 4.5}, h[5] = {4, 9, NAN, 3, 1}, g[5] = {2, 5, 7, 5, 2};
  double k[5] = {0.5, 1, 2, 4, 8}, beta[5] = {4, 2, 1, 0.5, 0.25},
         bound[5] = {4, NAN, NAN, NAN, 0.25};
  double bars[5] = {1, -1, 0, 1, 1};
  rx_series st[3] = {{"steps", c, h, NULL, 5, RX_COLOUR_GREEN, 0, 0, 0, RX_SERIES_STEPS},
                     {"dotted steps", c, g, NULL, 5, RX_COLOUR_PURPLE, 0, 0, 2, RX_SERIES_STEPS},
                     {"bars", c, bars, NULL, 5, RX_COLOUR_ORANGE, 0, 0, 0, RX_SERIES_BARS}};
  rx_lines_spec p[2] = {{0}, {0}};
  p[0].title = "steps and bars";
  p[0].series = st, p[0].n_series = 3;
  p[0].band_x_min = 1, p[0].band_x_max = 3, p[0].band_label = "fit range";
  rx_series ln[3] = {
      {"β", k, beta, NULL, 5, RX_COLOUR_ACTIVE, RX_MARKER_CIRCLE, 0, 0, RX_SERIES_LINE},
      {"at a bound", k, bound, NULL, 5, RX_COLOUR_ACTIVE, RX_MARKER_OPEN_CIRCLE, 0, 0,
       RX_SERIES_POINTS},
      {"2/k", k, beta, NULL, 5, RX_COLOUR_BLACK, 0, 0, 1, RX_SERIES_LINE}};
  p[1].title = "log-log with points";
  p[1].series = ln, p[1].n_series = 3, p[1].log_x = p[1].log_y = 1;
  join(base, sizeof base, dir, "styles");
  rx_error err;
  rx_plot_set_data_record(1);
  int rc = rx_plot_lines(base, "series styles", p, 2, &err);
  rx_plot_set_data_record(0);
  CHECK_MSG(rc == 0, "%s", err.msg);
  check_pair(dir, base);
  cJSON *doc = record_load(base);
  REQUIRE(doc);
  const cJSON *q = rec_at(doc, "panels.0");
  CHECK(!strcmp(rec_str(q, "series.0.style"), "steps") &&
        !strcmp(rec_str(q, "series.2.style"), "bars"));
  CHECK(cJSON_IsTrue(rec_at(q, "series.1.dotted")));
  rec_check_nums(q, "series.0.y", h, 5, 0);
  CHECK(rec_num(q, "band.x_min") == 1 && rec_num(q, "band.x_max") == 3);
  CHECK(!strcmp(rec_str(q, "band.label"), "fit range"));
  CHECK(!strcmp(rec_str(q, "legend.entries.3.text"), "fit range"));
  /* steps reach from 0 to 5 (the outer bins as wide as their neighbours' gap); bars go to -1 */
  CHECK(rec_num(q, "x_axis.min") <= 0 && rec_num(q, "x_axis.max") >= 5);
  CHECK(rec_num(q, "y_axis.min") <= -1 && rec_num(q, "y_axis.max") >= 9);
  q = rec_at(doc, "panels.1");
  CHECK(!strcmp(rec_str(q, "series.0.marker"), "circle"));
  CHECK(!strcmp(rec_str(q, "series.1.marker"), "open circle"));
  CHECK(!strcmp(rec_str(q, "series.1.style"), "points"));
  CHECK(rec_at(q, "series.0.style") == NULL); /* lines: as before */
  rec_check_nums(q, "series.1.y", bound, 5, 0);
  cJSON_Delete(doc);
  /* out-of-range style, marker or dash */
  rx_series bad = st[0];
  bad.style = (rx_series_style)7;
  rx_lines_spec pb = p[0];
  pb.series = &bad, pb.n_series = 1;
  CHECK(rx_plot_lines(base, NULL, &pb, 1, &err) == RX_EINVAL && strstr(err.msg, "style"));
  bad = st[0], bad.dashed = 3;
  CHECK(rx_plot_lines(base, NULL, &pb, 1, &err) == RX_EINVAL);
  pb.series = st, pb.band_x_max = INFINITY;
  CHECK(rx_plot_lines(base, NULL, &pb, 1, &err) == RX_EINVAL && strstr(err.msg, "band"));

  /* a cosine map in [-1, 1], blue - white - red */
  double cz[6] = {-1, -0.5, 0, 0.5, 1, NAN};
  rx_image_spec im = {0};
  im.z = cz, im.nx = 3, im.ny = 2, im.x_max = im.y_max = 1, im.z_min = -1, im.z_max = 1;
  im.diverging = 1, im.cells = 1;
  doc = recorded(dir, "diverging", draw_image_v, &im);
  REQUIRE(doc);
  CHECK(!strcmp(rec_str(doc, "panels.0.colour_axis.map"), "diverging"));
  CHECK(cJSON_IsTrue(rec_at(doc, "panels.0.cells")));
  CHECK(rec_num(doc, "panels.0.colour_axis.min") == -1);
  cJSON_Delete(doc);
  if (demo) {
    char keep[1400];
    snprintf(keep, sizeof keep, "cp %s/styles.png %s/diverging.png %s/ 2>/dev/null", dir, dir,
             getenv("RX_PLOT_DEMO_DIR"));
    if (system(keep) != 0) fprintf(stderr, "  (could not keep the demo figures)\n");
  }
  rx_test_rm_rf(dir);
}

/* A binned statistic drawn with cells shows every bin: changing only the last bin (the top-right
 * one) changes the picture, in an image with cells and under a vector panel's arrows. (PLplot's
 * own image placement, the default, spreads nx samples edge to edge and draws the nx - 1 cells
 * between them, coloured by their lower-left sample: the last row and column never show.) */
static void test_image_cells_draw_every_bin(void) {
  char dir[256], b[4][512];
  rx_test_tmpdir(dir, sizeof dir, "cells");
  double z0[4] = {0, 0, 0, 0}, z1[4] = {0, 0, 0, 1}, x[1] = {0}, y[1] = {0}, u[1] = {0.1};
  const char *names[4] = {"image0", "image1", "vectors0", "vectors1"};
  rx_error err;
  for (int k = 0; k < 4; k++)
    join(b[k], sizeof b[k], dir, names[k]);
  rx_image_spec im = {0};
  im.nx = im.ny = 2, im.x_max = im.y_max = 1, im.z_min = 0, im.z_max = 1, im.cells = 1;
  rx_vector_spec vs = {0};
  vs.x = x, vs.y = y, vs.u = u, vs.v = y, vs.n = 1, vs.nx = vs.ny = 2;
  vs.z_x_min = vs.z_y_min = -1, vs.z_x_max = vs.z_y_max = 1, vs.z_min = 0, vs.z_max = 1;
  for (int k = 0; k < 2; k++) {
    im.z = vs.z = k ? z1 : z0;
    CHECK_MSG(rx_plot_image(b[k], NULL, &im, 1, &err) == 0, "%s", err.msg);
    CHECK_MSG(rx_plot_vectors(b[2 + k], NULL, &vs, 1, &err) == 0, "%s", err.msg);
  }
  for (int k = 0; k < 4; k += 2) {
    unsigned char *d0 = NULL, *d1 = NULL;
    char p0[600], p1[600];
    snprintf(p0, sizeof p0, "%.500s.png", b[k]);
    snprintf(p1, sizeof p1, "%.500s.png", b[k + 1]);
    long n0 = read_all(p0, &d0), n1 = read_all(p1, &d1);
    CHECK_MSG(n0 > 0 && n1 > 0 && (n0 != n1 || memcmp(d0, d1, (size_t)n0) != 0),
              "%s: the last bin does not show", names[k]);
    free(d0), free(d1);
  }
  rx_test_rm_rf(dir);
}

/* Lines and points over an image (replay's posteriors under their fitted lines, decoded paths
 * over a faint posterior): the record holds each overlay series as given, a line broken at NaN
 * as null, and the greys map; the overlay changes the picture; a compact image of a narrow bump
 * writes a third of the SVG or less; an overlay the panel cannot draw (bars, an OUTSIDE legend,
 * no array, greys with diverging) or compact without cells is refused naming it. */
static void test_image_overlay_greys_and_compact_cells(void) {
  char dir[256], b[2][512];
  rx_test_tmpdir(dir, sizeof dir, "overlay");
  join(b[0], sizeof b[0], dir, "plain");
  join(b[1], sizeof b[1], dir, "overlaid");
  double z[6] = {0, 0.1, 0.2, 0.3, 0.4, 0.5};
  double lx[5] = {0, 1, NAN, 1, 2}, ly[5] = {0.2, 0.9, NAN, 0.1, 0.4}, px[1] = {1.5}, py[1] = {0.5};
  rx_series ov[2] = {{0}, {0}};
  ov[0].label = "fit", ov[0].x = lx, ov[0].y = ly, ov[0].n = 5;
  ov[0].colour = RX_COLOUR_QUIESCENT, ov[0].dashed = 1;
  ov[1].label = "start", ov[1].x = px, ov[1].y = py, ov[1].n = 1;
  ov[1].style = RX_SERIES_POINTS, ov[1].markers = RX_MARKER_TRIANGLE;
  rx_image_spec im = {0};
  im.z = z, im.nx = 3, im.ny = 2, im.x_max = 2, im.y_max = 1, im.cells = 1, im.greys = 1;
  rx_error err;
  CHECK_MSG(rx_plot_image(b[0], NULL, &im, 1, &err) == 0, "%s", err.msg);
  im.overlay = ov, im.n_overlay = 2;
  cJSON *doc = recorded(dir, "overlaid", draw_image_v, &im);
  REQUIRE(doc);
  CHECK(!strcmp(rec_str(doc, "panels.0.colour_axis.map"), "greys"));
  CHECK(rec_len(doc, "panels.0.overlay") == 2);
  rec_check_nums(doc, "panels.0.overlay.0.x", lx, 5, 0);
  rec_check_nums(doc, "panels.0.overlay.0.y", ly, 5, 0);
  rec_check_nums(doc, "panels.0.overlay.1.y", py, 1, 0);
  CHECK(!strcmp(rec_str(doc, "panels.0.overlay.0.label"), "fit") &&
        !strcmp(rec_str(doc, "panels.0.overlay.0.colour"), "#d62728") &&
        cJSON_IsTrue(rec_at(doc, "panels.0.overlay.0.dashed")) &&
        !strcmp(rec_str(doc, "panels.0.overlay.1.style"), "points"));
  cJSON_Delete(doc);
  unsigned char *d0 = NULL, *d1 = NULL;
  char p0[600], p1[600];
  snprintf(p0, sizeof p0, "%.500s.png", b[0]);
  snprintf(p1, sizeof p1, "%.500s.png", b[1]);
  long n0 = read_all(p0, &d0), n1 = read_all(p1, &d1);
  CHECK_MSG(n0 > 0 && n1 > 0 && (n0 != n1 || memcmp(d0, d1, (size_t)n0) != 0),
            "the overlay does not show");
  free(d0), free(d1);
  /* compact: a posterior-like grid (a narrow bump on zeros) in far fewer rectangles */
  enum { CX = 25, CY = 72 };
  double *bump = malloc(CX * CY * sizeof *bump);
  REQUIRE(bump);
  for (int j = 0; j < CY; j++)
    for (int i = 0; i < CX; i++)
      bump[j * CX + i] = exp(-0.5 * pow((j - 20 - i) / 1.5, 2));
  rx_image_spec cg = {0};
  cg.z = bump, cg.nx = CX, cg.ny = CY, cg.x_max = CX, cg.y_max = CY, cg.cells = 1;
  long sizes[2];
  for (int k = 0; k < 2; k++) {
    cg.compact = k;
    CHECK_MSG(rx_plot_image(b[0], NULL, &cg, 1, &err) == 0, "%s", err.msg);
    char svg[600];
    snprintf(svg, sizeof svg, "%.500s.svg", b[0]);
    unsigned char *d = NULL;
    sizes[k] = read_all(svg, &d);
    free(d);
  }
  CHECK_MSG(sizes[1] > 0 && sizes[1] < sizes[0] / 3, "compact SVG %ld bytes, cells %ld", sizes[1],
            sizes[0]);
  doc = recorded(dir, "compact", draw_image_v, &cg);
  CHECK(doc && cJSON_IsTrue(rec_at(doc, "panels.0.compact")));
  cJSON_Delete(doc);
  cg.cells = 0;
  CHECK(rx_plot_image(b[0], NULL, &cg, 1, &err) == RX_EINVAL && strstr(err.msg, "compact"));
  free(bump);
  /* refused */
  ov[1].style = RX_SERIES_BARS;
  CHECK(rx_plot_image(b[1], NULL, &im, 1, &err) == RX_EINVAL && strstr(err.msg, "overlay 1") &&
        strstr(err.msg, "start"));
  ov[1].style = RX_SERIES_POINTS;
  im.legend = RX_LEGEND_OUTSIDE;
  CHECK(rx_plot_image(b[1], NULL, &im, 1, &err) == RX_EINVAL && strstr(err.msg, "legend"));
  im.legend = RX_LEGEND_AUTO, im.overlay = NULL;
  CHECK(rx_plot_image(b[1], NULL, &im, 1, &err) == RX_EINVAL && strstr(err.msg, "overlay"));
  im.overlay = ov, im.diverging = 1;
  CHECK(rx_plot_image(b[1], NULL, &im, 1, &err) == RX_EINVAL && strstr(err.msg, "greys"));
  rx_test_rm_rf(dir);
}

/* The files base.<ext> of two drawings are the same bytes. */
static int same_bytes(const char *a, const char *b, const char *ext) {
  char pa[600], pb[600];
  unsigned char *da = NULL, *db = NULL;
  snprintf(pa, sizeof pa, "%s.%s", a, ext);
  snprintf(pb, sizeof pb, "%s.%s", b, ext);
  long na = read_all(pa, &da), nb = read_all(pb, &db);
  int same = na >= 0 && na == nb && !memcmp(da, db, (size_t)na);
  free(da), free(db);
  return same;
}

/* The circle of radius 1 m centred on the origin, in the paper's box. */
static void unit_circle(rx_arena *a) {
  rx_error err;
  rx_arena_spec cs = {0};
  cs.kind = RX_ARENA_CIRCLE, cs.radius = 1.0;
  REQUIRE_MSG(rx_arena_init(a, &cs, 2.2, 2.2, 0, &err) == 0, "%s", err.msg);
}

static void test_arena_outline_is_drawn_and_recorded_for_non_box_arenas(void) {
  char dir[256];
  rx_test_tmpdir(dir, sizeof dir, "arena_outline");
  rx_error err;
  rx_arena tri;
  rx_arena_spec sp = {0};
  sp.kind = RX_ARENA_POLYGON, sp.n_vertices = 3;
  double v[3][2] = {{-1.1, -1.1}, {1.1, -1.1}, {0, 1.1}};
  memcpy(sp.vertices, v, sizeof v);
  sp.n_walls = 1;
  double w[4] = {0, -1.1, 0, -0.3};
  memcpy(sp.walls[0], w, sizeof w);
  REQUIRE(rx_arena_init(&tri, &sp, 2.2, 2.2, 0, &err) == 0);
  double seg[RX_ARENA_MAX_SEGMENTS + RX_PLOT_ARENA_CHORDS][4];
  int n = rx_arena_outline(&tri, RX_PLOT_ARENA_CHORDS, seg, RX_ARENA_MAX_SEGMENTS);
  CHECK(n == 4); /* three edges and the wall */
  float tr[2 * 2 * 2] = {0.1f, 0.2f, -0.3f, -0.4f, 0.15f, 0.25f, -0.35f, -0.45f};
  rx_traj_spec ts = {0};
  ts.x = tr, ts.T = 2, ts.B = 2, ts.dim = 2;
  ts.arena = &tri;
  cJSON *doc = recorded(dir, "traj_tri", draw_traj_v, &ts);
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  CHECK_MSG(rec_len(p, "outline") == n, "%d outline segments recorded, %d in the arena",
            rec_len(p, "outline"), n);
  for (int k = 0; k < n && rec_len(p, "outline") == n; k++) {
    char key[32];
    snprintf(key, sizeof key, "outline.%d", k);
    rec_check_nums(p, key, seg[k], 4, 1e-12);
  }
  /* the square window covers the whole triangle, not just the data near the origin */
  CHECK(rec_num(p, "x_axis.min") <= -1.1 && rec_num(p, "x_axis.max") >= 1.1);
  CHECK(rec_num(p, "y_axis.min") <= -1.1 && rec_num(p, "y_axis.max") >= 1.1);
  cJSON_Delete(doc);
  /* the circle: its chords, as many as rx_arena_outline gives */
  rx_arena circ;
  unit_circle(&circ);
  n = rx_arena_outline(&circ, RX_PLOT_ARENA_CHORDS, seg,
                       RX_ARENA_MAX_SEGMENTS + RX_PLOT_ARENA_CHORDS);
  CHECK(n == RX_PLOT_ARENA_CHORDS);
  ts.arena = &circ;
  doc = recorded(dir, "traj_circle", draw_traj_v, &ts);
  REQUIRE(doc);
  CHECK(rec_len(rec_at(doc, "panels.0"), "outline") == n);
  cJSON_Delete(doc);
  /* a vector field in it: the same outline */
  double vx[2] = {0.1, -0.2}, vy[2] = {0.3, 0.1}, vu[2] = {0.05, 0.02}, vv[2] = {-0.01, 0.04};
  rx_vector_spec vs = {0};
  vs.x = vx, vs.y = vy, vs.u = vu, vs.v = vv, vs.n = 2;
  vs.arena = &circ;
  doc = recorded(dir, "vectors_circle", draw_vectors_v, &vs);
  REQUIRE(doc);
  CHECK(rec_len(rec_at(doc, "panels.0"), "outline") == n);
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

static void test_density_in_a_circle_blanks_the_cells_outside_it(void) {
  char dir[256];
  rx_test_tmpdir(dir, sizeof dir, "arena_mask");
  rx_arena circ;
  unit_circle(&circ);
  enum { N = 10 }; /* cells of 0.2 m over [-1, 1]^2 */
  double z[N * N];
  for (int k = 0; k < N * N; k++)
    z[k] = 1.0 + k;
  rx_image_spec s = {0};
  s.z = z, s.nx = N, s.ny = N;
  s.x_min = -1, s.x_max = 1, s.y_min = -1, s.y_max = 1;
  s.arena = &circ;
  s.equal_aspect = 1;
  cJSON *doc = recorded(dir, "density_circle", draw_image_v, &s);
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  /* cell (0, 0) is centred at (-0.9, -0.9), 1.27 m from the centre: blank; (4, 4) at (-0.1,
   * -0.1) inside keeps its value; every cell as rx_arena_contains says */
  CHECK(cJSON_IsNull(rec_at(p, "z.0.0")));
  CHECK_NEAR(rec_num(p, "z.4.4"), z[4 * N + 4], 0);
  int blank = 0, wrong = 0;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) {
      char key[32];
      snprintf(key, sizeof key, "z.%d.%d", j, i);
      int in = rx_arena_contains(&circ, -0.9 + 0.2 * i, -0.9 + 0.2 * j);
      const cJSON *e = rec_at(p, key);
      blank += cJSON_IsNull(e);
      wrong += in ? !cJSON_IsNumber(e) : !cJSON_IsNull(e);
    }
  CHECK_MSG(wrong == 0 && blank > 0, "%d cells masked wrongly, %d blank", wrong, blank);
  CHECK(rec_len(p, "outline") == RX_PLOT_ARENA_CHORDS);
  CHECK(z[0] == 1.0); /* the caller's grid is left alone */
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

static void test_box_arena_draws_exactly_what_no_arena_draws(void) {
  char dir[256], a[512], b[512];
  rx_test_tmpdir(dir, sizeof dir, "arena_box");
  join(a, sizeof a, dir, "plain"); /* the same name in two folders: the record names it */
  join(b, sizeof b, dir, "boxed");
  REQUIRE(mkdir(a, 0755) == 0 && mkdir(b, 0755) == 0);
  strcat(a, "/fig"), strcat(b, "/fig");
  rx_error err;
  rx_arena box;
  rx_arena_spec bs = {0};
  REQUIRE(rx_arena_init(&box, &bs, 2.2, 2.2, 0, &err) == 0);
  float tr[2 * 2 * 2] = {0.1f, 0.2f, -0.3f, -0.4f, 0.15f, 0.25f, -0.35f, -0.45f};
  rx_traj_spec ts = {0};
  ts.x = tr, ts.T = 2, ts.B = 2, ts.dim = 2;
  double bx[4] = {-1.1, 1.1, -1.1, 1.1};
  memcpy(ts.box, bx, sizeof bx);
  double z[4 * 4];
  for (int k = 0; k < 16; k++)
    z[k] = k;
  rx_image_spec is = {0};
  is.z = z, is.nx = 4, is.ny = 4;
  is.x_min = -1.1, is.x_max = 1.1, is.y_min = -1.1, is.y_max = 1.1;
  memcpy(is.box, bx, sizeof bx);
  for (int pass = 0; pass < 2; pass++) { /* without, then with the box as the arena */
    ts.arena = is.arena = pass ? &box : NULL;
    rx_fig *fig = NULL;
    REQUIRE(rx_fig_create(&fig, pass ? b : a, 2, 1, "box", &err) == 0);
    CHECK(rx_fig_set_data_record(fig, 1, &err) == 0);
    CHECK_MSG(rx_fig_add_traj(fig, &ts, &err) == 0, "%s", err.msg);
    CHECK_MSG(rx_fig_add_image(fig, &is, &err) == 0, "%s", err.msg);
    CHECK_MSG(rx_fig_save(fig, &err) == 0, "%s", err.msg);
    rx_fig_free(fig);
  }
  CHECK(same_bytes(a, b, "svg"));
  CHECK(same_bytes(a, b, "png"));
  CHECK(same_bytes(a, b, "data.json"));
  cJSON *doc = record_load(b);
  REQUIRE(doc);
  CHECK(rec_at(doc, "panels.0.outline") == NULL && rec_at(doc, "panels.1.outline") == NULL);
  rec_check_nums(rec_at(doc, "panels.0"), "arena", bx, 4, 0);
  cJSON_Delete(doc);
  rx_test_rm_rf(dir);
}

int main(int argc, char **argv) {
  unsetenv("REACTIVATE_PLOT_DATA"); /* the record is off unless a test turns it on */
  static const rx_test_case tests[] = {
      TEST(test_learning_curves_two_panels_with_bands_and_log_axis),
      TEST(test_explained_variance_active_vs_quiescent),
      TEST(test_trajectories_in_box_and_headings_over_time),
      TEST(test_scatter_coloured_by_distance_and_by_heading),
      TEST(test_density_images_with_colour_bar_and_contours),
      TEST(test_kl_matrix_with_labels_and_values),
      TEST(test_box_plots_with_outliers_and_long_labels),
      TEST(test_polar_histograms_active_vs_quiescent),
      TEST(test_histograms_with_mean_lines),
      TEST(test_grid_of_mixed_panels_and_empty_cell),
      TEST(test_output_is_deterministic_and_streams_are_restored),
      TEST(test_unwritable_path_fails_naming_it_and_leaves_nothing),
      TEST(test_bad_arguments_are_refused_and_nan_skipped),
      TEST(test_box_record_has_numpy_quartiles_whiskers_and_outliers),
      TEST(test_hist_record_counts_and_density_of_known_data),
      TEST(test_matrix_record_cells_text_and_colour_limits),
      TEST(test_axis_ticks_are_nice_numbers_on_linear_and_log_axes),
      TEST(test_lines_scatter_polar_traj_image_records_hold_the_drawn_values),
      TEST(test_record_leaves_pictures_unchanged_and_follows_its_settings),
      TEST(test_vector_fields_over_a_density_with_keys),
      TEST(test_vector_record_holds_arrows_scale_key_and_grid),
      TEST(test_vector_arrows_follow_u_v_and_skip_non_finite),
      TEST(test_vector_bad_arguments_are_refused),
      TEST(test_series_styles_band_and_diverging_map),
      TEST(test_image_cells_draw_every_bin),
      TEST(test_image_overlay_greys_and_compact_cells),
      TEST(test_arena_outline_is_drawn_and_recorded_for_non_box_arenas),
      TEST(test_density_in_a_circle_blanks_the_cells_outside_it),
      TEST(test_box_arena_draws_exactly_what_no_arena_draws),
  };
  return rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
}
