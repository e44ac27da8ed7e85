/* Recorded trajectories as the spatial task (task.trajectories; docs/arenas.md): straight lines
 * at a known velocity give known inputs, targets and place-cell codes; the epoch order is fixed
 * by the seed (and the stream), visits every training trajectory once per epoch and never the
 * held-out batch; bad files are refused in one line naming what is wrong; the CLI trains from a
 * file, and a resumed run ends bit-identical to an uninterrupted one. */
#include <math.h>
#include <stdint.h>

#include "cli_runner.h"
#include "reactivate/npz.h"
#include "reactivate/population.h"
#include "reactivate/rng.h"
#include "reactivate/task.h"
#include "test_util.h"

enum { N = 24, T = 12, B = 4, SEQ = 10 };

/* Straight lines: trajectory k starts at (x0_k, y0_k) and moves at the constant velocity
 * v_k = step_k / dt, step_k (m per step) dyadic so that positions and displacements are exact in
 * float32. pos: (N, T + 1, 2); step: (N, 2). */
static void straight_lines(float *pos, double *step) {
  for (int k = 0; k < N; k++) {
    const double x0 = -0.5 + 0.03125 * k, y0 = 0.25 - 0.015625 * k;
    step[2 * k] = (k % 3 - 1) * 0.0078125; /* 0.390625 m/s at dt = 0.02 s */
    step[2 * k + 1] = (k % 2 ? 1 : -1) * 0.00390625;
    for (int t = 0; t <= T; t++) {
      pos[((size_t)k * (T + 1) + t) * 2] = (float)(x0 + step[2 * k] * t);
      pos[((size_t)k * (T + 1) + t) * 2 + 1] = (float)(y0 + step[2 * k + 1] * t);
    }
  }
}

static rx_task_spec traj_spec(void) {
  rx_task_spec s = rx_test_spatial_spec(B);
  s.seq_len = SEQ;
  return s;
}

/* Writes positions (float32 or float64) and dt to path. */
static int write_file(const char *path, const float *pos, int n, int t1, double dt, int f64) {
  int64_t shape[3] = {n, t1, 2};
  rx_array a[2];
  memset(a, 0, sizeof a);
  a[0] = rx_array_f32("positions", pos, 3, shape);
  double *d = NULL;
  if (f64) {
    size_t m = (size_t)n * t1 * 2;
    d = malloc(m * sizeof *d);
    for (size_t i = 0; i < m; i++)
      d[i] = pos[i];
    a[0].dtype = RX_F64;
    a[0].data = d;
  }
  snprintf(a[1].name, sizeof a[1].name, "dt");
  a[1].dtype = RX_F64;
  a[1].ndim = 0;
  a[1].data = &dt;
  a[1].size = 1;
  int rc = rx_npz_write(path, a, 2, NULL);
  free(d);
  return rc;
}

static void test_straight_lines_give_known_inputs_targets_and_codes(void) {
  float pos[N * (T + 1) * 2];
  double v[2 * N];
  straight_lines(pos, v);
  rx_task_spec s = traj_spec();
  rx_trajectories *tr = NULL;
  rx_error e;
  REQUIRE_MSG(rx_trajectories_create(&tr, pos, N, T, 0.02, "lines", &s, &e) == 0, "%s", e.msg);
  s.traj = tr;
  rx_batch bt;
  REQUIRE(rx_batch_alloc(&bt, &s, NULL) == 0);
  int which[B];
  REQUIRE(rx_trajectories_pick(tr, 7, RX_STREAM_TASK, 3, B, which, NULL) == 0);
  REQUIRE(rx_task_generate(&s, 7, RX_STREAM_TASK, 3, &bt, &e) == 0);
  rx_population_spec ps = {.kind = RX_TASK_SPATIAL,
                           .n = 16,
                           .k = 3,
                           .sigma = 0.12,
                           .surround_scale = 2,
                           .box_width = 2.2,
                           .box_height = 2.2};
  rx_population *pop = NULL;
  REQUIRE(rx_population_create(&pop, &ps, 1, NULL) == 0);
  float code_batch[16], code_known[16];
  for (int b = 0; b < B; b++) {
    const int k = which[b];
    const float *p = pos + (size_t)k * (T + 1) * 2;
    CHECK(bt.init[2 * b] == p[0] && bt.init[2 * b + 1] == p[1]);
    for (int t = 0; t < SEQ; t++) {
      const float *in = bt.inputs + 2 * ((size_t)t * B + b),
                  *tg = bt.targets + 2 * ((size_t)t * B + b);
      /* the motion model's input: the displacement, velocity x dt */
      CHECK(in[0] == (float)v[2 * k] && in[1] == (float)v[2 * k + 1]);
      CHECK_NEAR(in[0] / 0.02, (k % 3 - 1) * 0.390625, 1e-12);
      CHECK(tg[0] == p[2 * (t + 1)] && tg[1] == p[2 * (t + 1) + 1]);
      /* the loss encodes the targets: the place-cell code of the known position */
      const float known[2] = {(float)(p[0] + v[2 * k] * (t + 1)),
                              (float)(p[1] + v[2 * k + 1] * (t + 1))};
      rx_population_encode(pop, tg, 1, code_batch);
      rx_population_encode(pop, known, 1, code_known);
      CHECK(memcmp(code_batch, code_known, sizeof code_known) == 0);
    }
  }
  /* a float64 file of the same lines loads to the same set, and an unopened spec loads it */
  char dir[256], path[400];
  rx_test_tmpdir(dir, sizeof dir, "traj");
  snprintf(path, sizeof path, "%s/lines.npz", dir);
  REQUIRE(write_file(path, pos, N, T + 1, 0.02, 1) == 0);
  rx_task_spec f = traj_spec();
  snprintf(f.trajectories, sizeof f.trajectories, "%s", path);
  rx_batch b2;
  REQUIRE(rx_batch_alloc(&b2, &f, NULL) == 0);
  REQUIRE_MSG(rx_task_generate(&f, 7, RX_STREAM_TASK, 3, &b2, &e) == 0, "%s", e.msg);
  CHECK(memcmp(b2.inputs, bt.inputs, sizeof(float) * 2 * B * SEQ) == 0);
  CHECK(memcmp(b2.targets, bt.targets, sizeof(float) * 2 * B * SEQ) == 0);
  REQUIRE(rx_task_open(&f, &e) == 0 && f.traj);
  CHECK(f.traj->n == N && f.traj->T == T && f.traj->n_test == B);
  rx_task_close(&f);
  CHECK(f.traj == NULL);
  rx_batch_free(&b2);
  rx_batch_free(&bt);
  rx_population_free(pop);
  rx_trajectories_free(tr);
  rx_test_rm_rf(dir);
}

/* Pick order for batches 0 .. n_batches - 1 of (seed, stream) into out (n_batches * B). */
static void order(const rx_trajectories *tr, uint32_t seed, uint32_t stream, int n_batches,
                  int *out) {
  for (int i = 0; i < n_batches; i++)
    rx_trajectories_pick(tr, seed, stream, (uint32_t)i, B, out + i * B, NULL);
}

static void test_order_is_fixed_by_seed_and_each_epoch_is_a_permutation(void) {
  float pos[N * (T + 1) * 2];
  double v[2 * N];
  straight_lines(pos, v);
  rx_task_spec s = traj_spec();
  rx_trajectories *tr = NULL;
  REQUIRE(rx_trajectories_create(&tr, pos, N, T, 0.02, "lines", &s, NULL) == 0);
  const int m = N - B; /* 20 training trajectories: 5 batches an epoch */
  enum { NB = 15 };    /* three epochs */
  int a[NB * B], a2[NB * B], c[NB * B], d[NB * B];
  order(tr, 1, RX_STREAM_TASK, NB, a);
  order(tr, 1, RX_STREAM_TASK, NB, a2);
  order(tr, 2, RX_STREAM_TASK, NB, c);
  order(tr, 1, RX_STREAM_SIMULATE_TASK, NB, d);
  CHECK(memcmp(a, a2, sizeof a) == 0);
  CHECK(memcmp(a, c, sizeof a) != 0);
  CHECK(memcmp(a, d, sizeof a) != 0);
  for (int e = 0; e < NB * B / m; e++) {
    int seen[N] = {0};
    for (int i = 0; i < m; i++) {
      const int k = a[e * m + i];
      CHECK(k >= 0 && k < m); /* never a held-out trajectory */
      if (k >= 0 && k < N) seen[k]++;
    }
    for (int k = 0; k < m; k++)
      CHECK_MSG(seen[k] == 1, "epoch %d: trajectory %d drawn %d times", e, k, seen[k]);
  }
  CHECK(memcmp(a, a + m, sizeof(int) * m) != 0); /* epochs are shuffled anew */
  /* a batch straddling two epochs (B = 3 does not divide 20) is the same slots either way */
  int s3[7 * 3];
  for (int i = 0; i < 7; i++)
    rx_trajectories_pick(tr, 1, RX_STREAM_TASK, (uint32_t)i, 3, s3 + 3 * i, NULL);
  CHECK(memcmp(s3, a, sizeof s3) == 0);
  /* the held-out batch: the last B, whatever the seed and index */
  int h[B], h2[B];
  REQUIRE(rx_trajectories_pick(tr, 1, RX_STREAM_TEST_TASK, 0, B, h, NULL) == 0);
  REQUIRE(rx_trajectories_pick(tr, 9, RX_STREAM_TEST_TASK, 5, B, h2, NULL) == 0);
  for (int b = 0; b < B; b++)
    CHECK(h[b] == m + b && h2[b] == m + b);
  rx_error e;
  CHECK(rx_trajectories_pick(tr, 1, RX_STREAM_TEST_TASK, 0, B + 1, h, &e) == RX_EINVAL &&
        strstr(e.msg, "held-out"));
  rx_trajectories_free(tr);
}

/* Expects rx_trajectories_load of path to fail with a one-line message holding each of the
 * fragments. */
static void expect_refused(const char *path, const rx_task_spec *s, const char *f1,
                           const char *f2) {
  rx_trajectories *tr = (rx_trajectories *)1;
  rx_error e = {{0}};
  int rc = rx_trajectories_load(&tr, path, s, &e);
  CHECK_MSG(rc != 0 && tr == NULL, "%s loaded (expected: %s)", path, f1);
  CHECK_MSG(strstr(e.msg, "task.trajectories") && strstr(e.msg, f1) && (!f2 || strstr(e.msg, f2)),
            "'%s' lacks '%s' / '%s'", e.msg, f1, f2 ? f2 : "");
  CHECK_MSG(!strchr(e.msg, '\n'), "two lines: %s", e.msg);
}

static void test_bad_files_are_refused_in_one_line(void) {
  float pos[N * (T + 1) * 2];
  double v[2 * N];
  straight_lines(pos, v);
  rx_task_spec s = traj_spec();
  char dir[256], p[400];
  rx_test_tmpdir(dir, sizeof dir, "traj_bad");
#define FILE_(name) (snprintf(p, sizeof p, "%s/%s", dir, name), p)
  expect_refused(FILE_("missing.npz"), &s, "missing.npz", NULL);
  /* no positions */
  double dt = 0.02;
  rx_array only_dt = {.name = "dt", .dtype = RX_F64, .ndim = 0, .data = &dt, .size = 1};
  REQUIRE(rx_npz_write(FILE_("nopos.npz"), &only_dt, 1, NULL) == 0);
  expect_refused(p, &s, "no array 'positions'", "nopos.npz");
  /* wrong shapes */
  int64_t sh2[2] = {N, (T + 1) * 2};
  rx_array r2[2] = {rx_array_f32("positions", pos, 2, sh2), only_dt};
  REQUIRE(rx_npz_write(FILE_("rank2.npz"), r2, 2, NULL) == 0);
  expect_refused(p, &s, "shape (24, 26)", "expected (n, T+1, 2)");
  int64_t sh3[3] = {N, T + 1, 1};
  rx_array r3[2] = {rx_array_f32("positions", pos, 3, sh3), only_dt};
  REQUIRE(rx_npz_write(FILE_("dim1.npz"), r3, 2, NULL) == 0);
  expect_refused(p, &s, "shape (24, 13, 1)", NULL);
  /* NaN / Inf, named by index */
  float bad[N * (T + 1) * 2];
  memcpy(bad, pos, sizeof bad);
  bad[(5 * (T + 1) + 7) * 2 + 1] = NAN;
  REQUIRE(write_file(FILE_("nan.npz"), bad, N, T + 1, 0.02, 0) == 0);
  expect_refused(p, &s, "NaN at [5, 7, 1]", NULL);
  REQUIRE(write_file(FILE_("inf64.npz"), bad, N, T + 1, 0.02, 1) == 0);
  expect_refused(p, &s, "NaN at [5, 7, 1]", NULL);
  /* too few trajectories: 2 B = 8 needed */
  REQUIRE(write_file(FILE_("few.npz"), pos, 7, T + 1, 0.02, 0) == 0);
  expect_refused(p, &s, "7 trajectories, too few: need 8", NULL);
  /* too short for task.sequence_length */
  rx_task_spec longer = s;
  longer.seq_len = T + 1;
  REQUIRE(write_file(FILE_("ok.npz"), pos, N, T + 1, 0.02, 0) == 0);
  expect_refused(p, &longer, "12 steps", "task.sequence_length 13");
  /* dt: missing, not a scalar, not positive, not the task's */
  int64_t sh[3] = {N, T + 1, 2};
  rx_array nodt = rx_array_f32("positions", pos, 3, sh);
  REQUIRE(rx_npz_write(FILE_("nodt.npz"), &nodt, 1, NULL) == 0);
  expect_refused(p, &s, "no array 'dt'", NULL);
  double dts[2] = {0.02, 0.02};
  int64_t two = 2;
  rx_array vec[2] = {nodt, {.name = "dt", .dtype = RX_F64, .ndim = 1, .data = dts, .size = 2}};
  vec[1].shape[0] = two;
  REQUIRE(rx_npz_write(FILE_("dtvec.npz"), vec, 2, NULL) == 0);
  expect_refused(p, &s, "dt must be a scalar", NULL);
  REQUIRE(write_file(FILE_("dtneg.npz"), pos, N, T + 1, -1, 0) == 0);
  expect_refused(p, &s, "dt must be finite and > 0", NULL);
  REQUIRE(write_file(FILE_("dt01.npz"), pos, N, T + 1, 0.01, 0) == 0);
  expect_refused(p, &s, "dt 0.01 s differs from task.dt 0.02 s", "task.dt=0.01");
  /* a float32 dt (0.02f) is the task's */
  float dtf = 0.02f;
  rx_array f32dt[2] = {nodt, {.name = "dt", .dtype = RX_F32, .ndim = 0, .data = &dtf, .size = 1}};
  REQUIRE(rx_npz_write(FILE_("dtf32.npz"), f32dt, 2, NULL) == 0);
  rx_trajectories *tr = NULL;
  rx_error e;
  CHECK_MSG(rx_trajectories_load(&tr, p, &s, &e) == 0, "%s", e.msg);
  rx_trajectories_free(tr);
  /* leaving the arena: trajectory 9, step 4, in the box and in a circle */
  memcpy(bad, pos, sizeof bad);
  bad[(9 * (T + 1) + 4) * 2] = 1.2f; /* the 2.2 m box ends at 1.1 */
  REQUIRE(write_file(FILE_("out.npz"), bad, N, T + 1, 0.02, 0) == 0);
  expect_refused(p, &s, "trajectory 9 leaves the arena at step 4", "box");
  rx_task_spec circ = s;
  circ.arena.kind = RX_ARENA_CIRCLE;
  circ.arena.radius = 0.5;
  expect_refused(FILE_("ok.npz"), &circ, "leaves the arena", "circle");
  /* head direction takes none */
  rx_task_spec hd = s;
  hd.kind = RX_TASK_HEAD_DIRECTION;
  expect_refused(p, &hd, "spatial_navigation task only", NULL);
#undef FILE_
  rx_test_rm_rf(dir);
}

/* Whether two checkpoints hold the same arrays, byte for byte (but the config text). */
static int same_checkpoint(const char *a, const char *b) {
  rx_npz x, y;
  if (rx_npz_read(a, &x, NULL)) return 0;
  if (rx_npz_read(b, &y, NULL)) {
    rx_npz_free(&x);
    return 0;
  }
  int same = x.n == y.n;
  for (int i = 0; i < x.n && same; i++) {
    if (!strcmp(x.arrays[i].name, "config")) continue; /* names the results root */
    const rx_array *q = rx_npz_get(&y, x.arrays[i].name);
    same = q && q->dtype == x.arrays[i].dtype && q->size == x.arrays[i].size &&
           memcmp(q->data, x.arrays[i].data, q->size * rx_dtype_size(q->dtype)) == 0;
  }
  rx_npz_free(&x);
  rx_npz_free(&y);
  return same;
}

static void test_cli_trains_from_a_file_and_resumes_bit_identically(void) {
  cli_runner_init("traj");
  float pos[N * (T + 1) * 2];
  double v[2 * N];
  straight_lines(pos, v);
  char dir[256], file[400], bad[400];
  rx_test_tmpdir(dir, sizeof dir, "traj_cli");
  snprintf(file, sizeof file, "%s/lines.npz", dir);
  REQUIRE(write_file(file, pos, N, T + 1, 0.02, 0) == 0);
  const char *args = "rnn.n_rec=16 task.place_cells_num=32 task.batch_size=4 "
                     "task.sequence_length=10 trainer.save_freq=4 --quiet";
  int rc = run_cli("train spatial_navigation/noisy_unbiased path=%s/a task.trajectories=%s "
                   "trainer.n_epochs=12 %s",
                   dir, file, args);
  char *out = output();
  CHECK_MSG(rc == 0, "train exited %d: %s", rc, out);
  free(out);
  REQUIRE(run_cli("train spatial_navigation/noisy_unbiased path=%s/b task.trajectories=%s "
                  "trainer.n_epochs=8 %s",
                  dir, file, args) == 0);
  rc = run_cli("train spatial_navigation/noisy_unbiased path=%s/b task.trajectories=%s "
               "trainer.n_epochs=12 --resume %s",
               dir, file, args);
  out = output();
  CHECK_MSG(rc == 0, "resume exited %d: %s", rc, out);
  free(out);
  char ca[600], cb[600];
  snprintf(ca, sizeof ca, "%s/a/spatial_navigation/noisy_unbiased_0.0001_0/model_12.npz", dir);
  snprintf(cb, sizeof cb, "%s/b/spatial_navigation/noisy_unbiased_0.0001_0/model_12.npz", dir);
  REQUIRE(rx_file_exists(ca) && rx_file_exists(cb));
  CHECK(same_checkpoint(ca, cb));
  /* the run's config names the file; a motion-model run differs from it */
  char cfgdir[600];
  snprintf(cfgdir, sizeof cfgdir, "%s/a/spatial_navigation/noisy_unbiased_0.0001_0", dir);
  char *cfg = rx_test_read_text(cfgdir, "config.yaml");
  CHECK(cfg && strstr(cfg, "trajectories:") && strstr(cfg, "lines.npz"));
  free(cfg);
  REQUIRE(run_cli("train spatial_navigation/noisy_unbiased path=%s/c trainer.n_epochs=12 %s", dir,
                  args) == 0);
  snprintf(cb, sizeof cb, "%s/c/spatial_navigation/noisy_unbiased_0.0001_0/model_12.npz", dir);
  CHECK(!same_checkpoint(ca, cb));
  /* a trajectory outside the arena: one line naming it, exit non-zero, no run directory */
  float out_pos[N * (T + 1) * 2];
  memcpy(out_pos, pos, sizeof out_pos);
  out_pos[(17 * (T + 1) + 3) * 2 + 1] = -1.5f;
  snprintf(bad, sizeof bad, "%s/out.npz", dir);
  REQUIRE(write_file(bad, out_pos, N, T + 1, 0.02, 0) == 0);
  rc = run_cli("train spatial_navigation/noisy_unbiased path=%s/d task.trajectories=%s "
               "trainer.n_epochs=2 %s",
               dir, bad, args);
  out = output();
  CHECK_MSG(rc != 0 && strstr(out, "trajectory 17 leaves the arena at step 3") &&
                count_lines(out) == 1,
            "exit %d: %s", rc, out);
  free(out);
  char dd[600];
  snprintf(dd, sizeof dd, "%s/d", dir);
  CHECK(!rx_file_exists(dd));
  rc =
      run_cli("train spatial_navigation/noisy_unbiased path=%s/d task.trajectories=%s --dry-run %s",
              dir, bad, args);
  out = output();
  CHECK_MSG(rc != 0 && strstr(out, "trajectory 17 leaves the arena at step 3"), "--dry-run: %d: %s",
            rc, out);
  free(out);
  /* the head-direction task has no such key */
  rc = run_cli("train head_direction/noisy_unbiased path=%s/e task.trajectories=%s --dry-run", dir,
               file);
  out = output();
  CHECK_MSG(rc != 0 && strstr(out, "task.trajectories") && count_lines(out) == 1, "exit %d: %s", rc,
            out);
  free(out);
  rx_test_rm_rf(dir);
}

/* scripts/ratinabox_export.py's numpy-only path (--synthetic, and windows() of a long track)
 * writes files this loader takes: float32 positions centred in the box, dt float64. */
static void test_export_script_writes_files_the_task_loads(void) {
  if (system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") != 0) {
    fprintf(stderr, "  (no numpy: skipped)\n");
    return;
  }
  char dir[256], cmd[2000], path[400];
  rx_test_tmpdir(dir, sizeof dir, "traj_py");
  snprintf(path, sizeof path, "%s/syn.npz", dir);
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 %s/scripts/ratinabox_export.py --synthetic -n 10 --steps 12 --out %s "
           "> /dev/null",
           RX_TEST_SOURCE_DIR, path);
  REQUIRE(system(cmd) == 0);
  rx_task_spec s = traj_spec();
  s.batch_size = s.n_held_out = 5;
  rx_trajectories *tr = NULL;
  rx_error e;
  REQUIRE_MSG(rx_trajectories_load(&tr, path, &s, &e) == 0, "%s", e.msg);
  CHECK(tr->n == 10 && tr->T == 12 && tr->dt == 0.02 && tr->n_test == 5);
  rx_trajectories_free(tr);
  rx_npz z;
  REQUIRE(rx_npz_read(path, &z, NULL) == 0);
  const int64_t shape[3] = {10, 13, 2};
  CHECK(rx_npz_expect(&z, path, "positions", RX_F32, 3, shape, NULL, NULL) == 0);
  CHECK(rx_npz_expect(&z, path, "dt", RX_F64, 0, NULL, NULL, NULL) == 0);
  rx_npz_free(&z);
  /* a track along x from a corner frame (0 .. 2.2 m), centred and cut into windows of 13 */
  snprintf(path, sizeof path, "%s/win.npz", dir);
  snprintf(cmd, sizeof cmd,
           "cd %s/scripts && /usr/bin/python3 -c \"import numpy as np, ratinabox_export as r; "
           "x = np.linspace(0.1, 2.1, 121); tr = np.stack([x, np.full_like(x, 1.1)], 1); "
           "w = r.windows(tr, 13); assert w.shape == (10, 13, 2), w.shape; "
           "r.save_trajectories('%s', w, 0.02, centre=(1.1, 1.1))\"",
           RX_TEST_SOURCE_DIR, path);
  REQUIRE(system(cmd) == 0);
  REQUIRE_MSG(rx_trajectories_load(&tr, path, &s, &e) == 0, "%s", e.msg);
  CHECK_NEAR(tr->positions[0], -1.0, 1e-6);                      /* 0.1 - 1.1 */
  CHECK_NEAR(tr->positions[(size_t)9 * 13 * 2 + 24], 1.0, 1e-6); /* the track's end */
  CHECK(tr->positions[1] == 0.0f);
  rx_trajectories_free(tr);
  rx_test_rm_rf(dir);
}

RX_TEST_MAIN(TEST(test_straight_lines_give_known_inputs_targets_and_codes),
             TEST(test_order_is_fixed_by_seed_and_each_epoch_is_a_permutation),
             TEST(test_bad_files_are_refused_in_one_line),
             TEST(test_cli_trains_from_a_file_and_resumes_bit_identically),
             TEST(test_export_script_writes_files_the_task_loads))
