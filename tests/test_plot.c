/* Figures: every panel kind, on small synthetic data shaped like the paper's, writes a PNG (valid
 * signature, plausible size) and a complete SVG with no temporary file left; grids of mixed
 * panels; output is byte-identical when drawn twice; an unwritable path fails naming it and
 * leaves nothing; bad arguments are refused and non-finite values skipped as plot.h documents.
 * Set RX_PLOT_DEMO_DIR=/some/dir to keep every figure there for looking at. */
#include <dirent.h>
#include <plplot.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void rm_rf(const char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "  (could not remove %s)\n", dir);
}

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
  if (!demo) rm_rf(dir);
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
    rx_series sa = {names[s], x, loss[s], loss_sd[s], N, cols[s], 0, 0, 0};
    rx_series sb = {names[s], x, derr[s], derr_sd[s], N, cols[s], 0, 0, s == 1};
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
  enum { N = 30000 };
  double *xy = malloc(N * 3 * sizeof *xy), *dist = malloc(N * sizeof *dist),
         *head = malloc(N * sizeof *head);
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
  enum { NX = 80, NY = 80 };
  static double za[NX * NY], zq[NX * NY];
  gauss_grid(za, NX, NY, 0);
  gauss_grid(zq, NX, NY, 0.7);
  za[40 * NX + 3] = NAN; /* a blank cell */
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
  rx_series s = {"sine", x, y, NULL, 20, RX_COLOUR_AUTO, 1, 0, 0};
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
  rm_rf(dir);
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
  rx_series s = {"a", x, y, NULL, 3, RX_COLOUR_AUTO, 0, 0, 0};
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
  rm_rf(dir);
}

static void test_bad_arguments_are_refused_and_nan_skipped(void) {
  char dir[256], base[512];
  rx_test_tmpdir(dir, sizeof dir, "bad");
  join(base, sizeof base, dir, "bad");
  rx_error err;
  double x[4] = {0, 1, 2, 3}, y[4] = {1, 2, 3, 4}, nan4[4] = {NAN, NAN, NAN, NAN};
  double neg[4] = {-1, -2, 0, -3};

  /* lines */
  rx_series s = {"a", x, y, NULL, 4, RX_COLOUR_AUTO, 0, 0, 0};
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
  rx_series sp2 = {"partly NaN", x, yn, yn, 4, RX_COLOUR_AUTO, 1, 1, 0};
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
  rm_rf(dir);
}

RX_TEST_MAIN(TEST(test_learning_curves_two_panels_with_bands_and_log_axis),
             TEST(test_explained_variance_active_vs_quiescent),
             TEST(test_trajectories_in_box_and_headings_over_time),
             TEST(test_scatter_coloured_by_distance_and_by_heading),
             TEST(test_density_images_with_colour_bar_and_contours),
             TEST(test_kl_matrix_with_labels_and_values),
             TEST(test_box_plots_with_outliers_and_long_labels),
             TEST(test_polar_histograms_active_vs_quiescent), TEST(test_histograms_with_mean_lines),
             TEST(test_grid_of_mixed_panels_and_empty_cell),
             TEST(test_output_is_deterministic_and_streams_are_restored),
             TEST(test_unwritable_path_fails_naming_it_and_leaves_nothing),
             TEST(test_bad_arguments_are_refused_and_nan_skipped))
