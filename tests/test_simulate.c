/* Running trained networks: quiescence rules give the docs/science.md §5 noise levels, a noiseless
 * quiescent run from a fixed point stays put, chunked long runs equal what one pass would give
 * (with the mechanisms' state carried across chunks), the offline mechanism switch, and the
 * generated batch is the run's test batch when asked. */
#include "reactivate/checkpoint.h"
#include "reactivate/linalg.h"
#include "reactivate/rng.h"
#include "reactivate/simulate.h"
#include "test_util.h"

/* A tiny untrained model (no files needed): config, population code, PyTorch-default weights;
 * extra (or NULL) one more key=value setting, e.g. a mechanism. */
static int tiny_model_with(rx_checkpoint *ck, const char *experiment, const char *extra) {
  memset(ck, 0, sizeof *ck);
  const int hd = strncmp(experiment, "head", 4) == 0;
  const char *ov[] = {"rnn.n_rec=12",
                      hd ? "task.hd_cells_num=20" : "task.place_cells_num=20",
                      "task.batch_size=6",
                      "task.sequence_length=8",
                      "seed=4",
                      extra};
  rx_error err;
  if (rx_config_load(&ck->cfg, experiment, extra ? 6 : 5, ov, &err)) {
    fprintf(stderr, "  %s\n", err.msg);
    return -1;
  }
  rx_rnn_spec rs;
  rx_population_spec ps;
  rx_config_rnn_spec(&ck->cfg, &rs);
  rx_config_population_spec(&ck->cfg, &ps);
  if (rx_rnn_create(&ck->rnn, &rs, &err) || rx_population_create(&ck->pop, &ps, 4, &err)) return -1;
  rx_rnn_init_default(ck->rnn, 4);
  return 0;
}

static int tiny_model(rx_checkpoint *ck, const char *experiment) {
  return tiny_model_with(ck, experiment, NULL);
}

static void test_quiescence_rules_set_spec_noise_levels(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model(&ck, "spatial_navigation/noisy_unbiased") == 0);
  const rx_rnn_spec *s = &ck.rnn->spec;
  CHECK_NEAR(s->sigma_rec, 0.01, 1e-7); /* sigma2_rec = 1e-4 */
  CHECK_NEAR(rx_quiescent_sigma(s, RX_QUIESCENT_SCALED, 0), sqrt(2.0) * 0.01, 1e-7);
  CHECK_NEAR(rx_quiescent_sigma(s, RX_QUIESCENT_SAME, 0), 0.01, 1e-7);
  CHECK_NEAR(rx_quiescent_sigma(s, RX_QUIESCENT_ABSOLUTE, 1e-4), sqrt(2e-4), 1e-7);
  CHECK(rx_quiescent_default_rule(RX_MODEL_VANILLA) == RX_QUIESCENT_SCALED);
  CHECK(rx_quiescent_default_rule(RX_MODEL_GRU) == RX_QUIESCENT_SAME);
  rx_sim_request req = rx_sim_request_default(3, 5, 1);
  req.quiescent = 1;
  rx_sim_result res;
  REQUIRE(rx_simulate(&ck, &req, &res, NULL) == 0);
  CHECK_NEAR(res.sigma_rec, sqrt(2.0) * 0.01, 1e-7);
  rx_sim_result_free(&res);
  req.noise_var = 0;
  REQUIRE(rx_simulate(&ck, &req, &res, NULL) == 0);
  CHECK(res.sigma_rec == 0 && res.sigma_in == 0 && res.sigma_out == 0);
  rx_sim_result_free(&res);
  rx_checkpoint_free(&ck);
}

/* With the encoder and biases zero, h_0 = 0 is a fixed point of a relu network with zero input:
 * without noise it must stay exactly there, and the decoded position cannot move. */
static void test_noiseless_quiescent_run_from_fixed_point_stays_put(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model(&ck, "spatial_navigation/no-noise_unbiased") == 0);
  const rx_param *enc = rx_rnn_find_param(ck.rnn, "encoder.weight");
  REQUIRE(enc);
  memset(ck.rnn->w + enc->offset, 0, enc->size * sizeof(float));
  rx_sim_request req = rx_sim_request_default(4, 250, 2); /* > one chunk of 100 steps */
  req.quiescent = 1;
  req.keep_hidden = 1;
  req.keep_outputs = 1;
  rx_sim_result res;
  REQUIRE(rx_simulate(&ck, &req, &res, NULL) == 0);
  const int N = ck.rnn->spec.n_rec;
  double max_h = 0, max_move = 0;
  for (size_t i = 0; i < (size_t)250 * 4 * N; i++)
    max_h = fmax(max_h, fabs(res.hidden[i]));
  for (int t = 1; t < 250; t++)
    for (int b = 0; b < 4; b++)
      for (int d = 0; d < 2; d++)
        max_move = fmax(max_move, fabs(res.decoded[((size_t)t * 4 + b) * 2 + d] -
                                       res.decoded[(size_t)b * 2 + d]));
  CHECK(max_h == 0.0);
  CHECK(max_move == 0.0);
  rx_sim_result_free(&res);
  rx_checkpoint_free(&ck);
}

/* Long runs are computed in chunks of 100 steps: the first 100 steps of a 250-step run are the
 * 100-step run, bit for bit (same noise addressing, same initial states). */
static void test_chunked_long_run_extends_short_run(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model(&ck, "head_direction/noisy_unbiased") == 0);
  rx_sim_request req = rx_sim_request_default(5, 100, 3);
  req.quiescent = 1;
  req.keep_hidden = 1;
  rx_sim_result a, b;
  REQUIRE(rx_simulate(&ck, &req, &a, NULL) == 0);
  req.T = 250;
  REQUIRE(rx_simulate(&ck, &req, &b, NULL) == 0);
  CHECK(a.dim == 1 && b.dim == 1);
  CHECK(memcmp(a.hidden, b.hidden, (size_t)100 * 5 * ck.rnn->spec.n_rec * sizeof(float)) == 0);
  CHECK(memcmp(a.decoded, b.decoded, (size_t)100 * 5 * sizeof(float)) == 0);
  for (size_t i = 0; i < (size_t)250 * 5; i++)
    CHECK(b.decoded[i] >= -M_PI && b.decoded[i] < M_PI);
  rx_sim_result_free(&a);
  rx_sim_result_free(&b);
  rx_checkpoint_free(&ck);
}

/* Decoding every k-th step (the probes' foreign starts): the same hidden states, and at steps
 * 0, k, 2k, ... the outputs and positions of the every-step run (to float rounding; bit for bit
 * with the run read out step by step at every step), output noise included, across chunk
 * boundaries (T 250 > the 100-step chunks, k 25 and 3 not dividing them evenly). */
static void test_decode_every_kth_step_matches_every_step_run(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model(&ck, "spatial_navigation/noisy_unbiased") == 0);
  ck.rnn->spec.sigma_out = 0.05f; /* output noise must land on the same rows */
  const int ks[2] = {25, 3}, Ts[2] = {250, 249};
  for (int i = 0; i < 2; i++) {
    const int k = ks[i], T = Ts[i], B = 4, O = ck.rnn->spec.n_out;
    rx_sim_request req = rx_sim_request_default(B, T, 9);
    req.quiescent = 1;
    req.keep_hidden = req.keep_outputs = 1;
    rx_sim_result all, some;
    REQUIRE(rx_simulate(&ck, &req, &all, NULL) == 0);
    req.decode_every = k;
    REQUIRE(rx_simulate(&ck, &req, &some, NULL) == 0);
    CHECK(all.decode_every == 1 && all.T_decoded == T);
    CHECK(some.decode_every == k && some.T_decoded == T / k && some.T == T);
    CHECK(memcmp(all.hidden, some.hidden, (size_t)T * B * ck.rnn->spec.n_rec * sizeof(float)) == 0);
    double worst = 0;
    for (int j = 0; j < T / k; j++)
      for (int r = 0; r < B * O; r++)
        worst = fmax(worst, fabs(some.outputs[(size_t)j * B * O + r] -
                                 all.outputs[(size_t)j * k * B * O + r]));
    CHECK_MSG(worst < 1e-5, "k %d: outputs differ by %g", k, worst);
    int decoded_same = 1;
    for (int j = 0; j < T / k; j++)
      for (int r = 0; r < B * 2; r++)
        decoded_same &= fabsf(some.decoded[(size_t)j * B * 2 + r] -
                              all.decoded[(size_t)j * k * B * 2 + r]) < 1e-5f;
    CHECK_MSG(decoded_same, "k %d: decoded positions differ", k);
    /* read out step by step at every step: the k-th steps' bits exactly */
    rx_sim_result each;
    req.decode_every = 1;
    REQUIRE(rx_simulate(&ck, &req, &each, NULL) == 0);
    int bits_same = each.T_decoded == T;
    for (int j = 0; j < T / k && bits_same; j++)
      bits_same = !memcmp(some.outputs + (size_t)j * B * O, each.outputs + (size_t)j * k * B * O,
                          (size_t)B * O * sizeof(float)) &&
                  !memcmp(some.decoded + (size_t)j * B * 2, each.decoded + (size_t)j * k * B * 2,
                          (size_t)B * 2 * sizeof(float));
    CHECK_MSG(bits_same, "k %d: steps read out on their own differ between k and 1", k);
    rx_sim_result_free(&each);
    rx_sim_result_free(&all);
    rx_sim_result_free(&some);
  }
  rx_error err;
  rx_sim_result res;
  rx_sim_request req = rx_sim_request_default(2, 10, 1);
  req.decode_every = 4;
  CHECK(rx_simulate(&ck, &req, &res, &err) == RX_EINVAL && strstr(err.msg, "multiple of it"));
  rx_checkpoint_free(&ck);
}

/* A run of hidden states alone has the hidden states of a full run, bit for bit (the readout's
 * output noise draws are keyed apart), no outputs or decoded positions, and refuses to be asked
 * for them. */
static void test_hidden_only_run_keeps_the_same_hidden_states(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model(&ck, "spatial_navigation/noisy_unbiased") == 0);
  ck.rnn->spec.sigma_out = 0.05f;
  const int B = 5, T = 130; /* more than one chunk of steps */
  rx_sim_request req = rx_sim_request_default(B, T, 3);
  req.quiescent = 1;
  req.keep_hidden = req.keep_outputs = 1;
  rx_sim_result full, bare;
  rx_error err;
  REQUIRE(rx_simulate(&ck, &req, &full, &err) == 0);
  req.keep_outputs = 0;
  req.hidden_only = 1;
  REQUIRE_MSG(rx_simulate(&ck, &req, &bare, &err) == 0, "%s", err.msg);
  CHECK(memcmp(full.hidden, bare.hidden, (size_t)T * B * ck.rnn->spec.n_rec * sizeof(float)) == 0);
  CHECK(bare.outputs == NULL && bare.decoded == NULL && bare.T_decoded == 0 && bare.T == T);
  rx_sim_result_free(&full);
  rx_sim_result_free(&bare);
  req.keep_outputs = 1; /* outputs need the readout */
  CHECK(rx_simulate(&ck, &req, &bare, &err) == RX_EINVAL && strstr(err.msg, "hidden states alone"));
  req.keep_outputs = 0;
  req.keep_hidden = 0; /* nothing kept */
  CHECK(rx_simulate(&ck, &req, &bare, &err) == RX_EINVAL && strstr(err.msg, "hidden states alone"));
  rx_checkpoint_free(&ck);
}

/* Whether n floats have the same bits. */
static int same_bits(const void *a, const void *b, size_t n) {
  return memcmp(a, b, n * sizeof(float)) == 0;
}

/* The mechanisms' settings of the tests: adaptation, momentum, both. */
static const char *const mechanism_settings[3][2] = {
    {"rnn.adaptation_strength=1", NULL},
    {"rnn.momentum=0.6", NULL},
    {"rnn.adaptation_strength=0.7", "rnn.momentum=0.5"}};

/* A network with mechanisms run in chunks of 100 steps (T 250, quiescent, and awake on a
 * generated batch) has the hidden states of one pass over all T steps, bit for bit: each chunk
 * continues h, a and v. The pass is rx_rnn_forward with simulate's noise key and codes. */
static void test_chunked_run_with_mechanisms_equals_one_pass(void) {
  for (int m = 0; m < 3; m++)
    for (int quiescent = 0; quiescent < 2; quiescent++) {
      rx_checkpoint ck;
      REQUIRE(tiny_model_with(&ck, "spatial_navigation/noisy_unbiased", mechanism_settings[m][0]) ==
              0);
      if (mechanism_settings[m][1]) {
        rx_mechanism both;
        REQUIRE(rx_config_mechanism_overrides(&ck.cfg, "test", 2, mechanism_settings[m], &both,
                                              NULL) == 0);
        ck.rnn->spec.mech = both;
      }
      REQUIRE(rx_mechanism_active(&ck.rnn->spec.mech));
      const int B = 5, T = 250, N = ck.rnn->spec.n_rec;
      rx_sim_request req = rx_sim_request_default(B, T, 7);
      req.quiescent = quiescent;
      req.keep_hidden = 1;
      rx_sim_result res;
      rx_error err;
      REQUIRE_MSG(rx_simulate(&ck, &req, &res, &err) == 0, "%s", err.msg);
      rx_rnn_workspace *ws;
      REQUIRE(rx_rnn_workspace_create(&ws, &ck.rnn->spec, B, T, &err) == 0);
      rx_noise nz = {.seed = 7,
                     .stream = RX_STREAM_SIMULATE_NOISE,
                     .sigma_in = res.sigma_in,
                     .sigma_rec = res.sigma_rec,
                     .sigma_out = res.sigma_out,
                     .kind = ck.rnn->spec.noise};
      rx_rnn_run run = {.B = B,
                        .T = T,
                        .x = quiescent ? NULL : res.batch.inputs,
                        .c = res.init_codes,
                        .noise = &nz};
      REQUIRE(rx_rnn_forward(ck.rnn, ws, &run, NULL, &err) == 0);
      CHECK(res.sigma_rec > 0);
      CHECK_MSG(
          memcmp(res.hidden, rx_rnn_workspace_hidden(ws), (size_t)T * B * N * sizeof(float)) == 0,
          "%s %s: chunked run differs from one pass", mechanism_settings[m][0],
          quiescent ? "quiescent" : "awake");
      rx_rnn_workspace_free(ws);
      rx_sim_result_free(&res);
      rx_checkpoint_free(&ck);
    }
}

/* The offline switch: a quiescent run with the mechanisms replaced (quiescent_mechanism) differs
 * from the run as trained, and one that switches a trained network's mechanism off has the bits
 * of the same weights as the paper's cell; awake runs refuse it, and a bad mechanism is refused
 * naming its key. */
static void test_quiescent_mechanism_override_switches_mechanisms_offline_only(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model_with(&ck, "spatial_navigation/noisy_unbiased", "rnn.adaptation_strength=1") ==
          0);
  const int B = 4, T = 130, N = ck.rnn->spec.n_rec;
  const size_t nh = (size_t)T * B * N;
  rx_sim_request req = rx_sim_request_default(B, T, 5);
  req.quiescent = 1;
  req.keep_hidden = 1;
  rx_sim_result trained, off, momentum, paper;
  rx_error err;
  REQUIRE(rx_simulate(&ck, &req, &trained, &err) == 0);
  CHECK(trained.mechanism.adaptation_strength == 1.0f);
  const char *off_arg[1] = {"rnn.adaptation_strength=0"};
  const char *mom_arg[1] = {"rnn.momentum=0.5"};
  rx_mechanism m_off, m_mom;
  REQUIRE(rx_config_mechanism_overrides(&ck.cfg, "test", 1, off_arg, &m_off, &err) == 0);
  REQUIRE(rx_config_mechanism_overrides(&ck.cfg, "test", 1, mom_arg, &m_mom, &err) == 0);
  CHECK(!rx_mechanism_active(&m_off));
  req.quiescent_mechanism = &m_off;
  REQUIRE(rx_simulate(&ck, &req, &off, &err) == 0);
  CHECK(!rx_mechanism_active(&off.mechanism));
  req.quiescent_mechanism = &m_mom; /* momentum on top of the trained adaptation */
  REQUIRE(rx_simulate(&ck, &req, &momentum, &err) == 0);
  CHECK(momentum.mechanism.momentum == 0.5f && momentum.mechanism.adaptation_strength == 1.0f);
  req.quiescent_mechanism = NULL;
  const rx_mechanism trained_mech = ck.rnn->spec.mech;
  memset(&ck.rnn->spec.mech, 0, sizeof ck.rnn->spec.mech); /* the same weights, paper cell */
  REQUIRE(rx_simulate(&ck, &req, &paper, &err) == 0);
  ck.rnn->spec.mech = trained_mech;
  CHECK(memcmp(trained.hidden, off.hidden, nh * sizeof(float)) != 0);
  CHECK(memcmp(trained.hidden, momentum.hidden, nh * sizeof(float)) != 0);
  CHECK(memcmp(off.hidden, paper.hidden, nh * sizeof(float)) == 0);
  CHECK(same_bits(off.decoded, paper.decoded, (size_t)T * B * 2));
  rx_sim_result_free(&trained), rx_sim_result_free(&off), rx_sim_result_free(&momentum);
  rx_sim_result_free(&paper);
  /* awake: refused; a mechanism out of range: refused naming its key */
  rx_sim_result res;
  req.quiescent = 0;
  req.quiescent_mechanism = &m_mom;
  CHECK(rx_simulate(&ck, &req, &res, &err) == RX_EINVAL && strstr(err.msg, "quiescent runs only") &&
        strstr(err.msg, "rnn.momentum"));
  req.quiescent = 1;
  rx_mechanism bad = m_mom;
  bad.momentum = 1.0f;
  req.quiescent_mechanism = &bad;
  CHECK(rx_simulate(&ck, &req, &res, &err) == RX_EINVAL && strstr(err.msg, "rnn.momentum"));
  rx_checkpoint_free(&ck);
}

/* Simulation with mechanisms gives the same bits on 1 and 2 threads (the batch is split into
 * tiles, each carrying its own rows' state). */
static void test_simulation_with_mechanisms_is_identical_across_thread_counts(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model_with(&ck, "spatial_navigation/noisy_unbiased", "rnn.momentum=0.6") == 0);
  rx_mechanism both;
  REQUIRE(rx_config_mechanism_overrides(&ck.cfg, "test", 2, mechanism_settings[2], &both, NULL) ==
          0);
  ck.rnn->spec.mech = both;
  const int B = 80, T = 150; /* several batch tiles, two chunks */
  rx_sim_request req = rx_sim_request_default(B, T, 11);
  req.quiescent = 1;
  req.keep_hidden = req.keep_outputs = 1;
  rx_sim_result r[2];
  for (int i = 0; i < 2; i++) {
    rx_set_threads(i + 1);
    REQUIRE(rx_simulate(&ck, &req, &r[i], NULL) == 0);
  }
  rx_set_threads(0);
  CHECK(memcmp(r[0].hidden, r[1].hidden, (size_t)T * B * ck.rnn->spec.n_rec * sizeof(float)) == 0);
  CHECK(same_bits(r[0].decoded, r[1].decoded, (size_t)T * B * 2));
  rx_sim_result_free(&r[0]), rx_sim_result_free(&r[1]);
  rx_checkpoint_free(&ck);
}

/* Awake runs on the run's test batch reproduce the batch the trainer uses; bad requests fail. */
static void test_test_batch_and_bad_requests(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model(&ck, "spatial_navigation/noisy_biased") == 0);
  rx_task_spec ts;
  rx_config_task_spec(&ck.cfg, &ts);
  rx_batch batch;
  REQUIRE(rx_batch_alloc(&batch, &ts, NULL) == 0);
  REQUIRE(rx_task_generate(&ts, 4, RX_STREAM_TEST_TASK, 0, &batch, NULL) == 0);
  rx_sim_request req = rx_sim_request_default(ts.batch_size, ts.seq_len, 9);
  req.batch_seed = 4;
  req.batch_stream = RX_STREAM_TEST_TASK;
  rx_sim_result res;
  REQUIRE(rx_simulate(&ck, &req, &res, NULL) == 0);
  REQUIRE(res.has_batch);
  size_t n = (size_t)ts.batch_size * ts.seq_len * 2;
  CHECK(memcmp(res.batch.targets, batch.targets, n * sizeof(float)) == 0);
  CHECK(memcmp(res.batch.inputs, batch.inputs, n * sizeof(float)) == 0);
  rx_sim_result_free(&res);
  rx_batch_free(&batch);
  rx_error err;
  req.B = 0;
  CHECK(rx_simulate(&ck, &req, &res, &err) == RX_EINVAL && strstr(err.msg, "batch"));
  req.B = 2;
  req.T = -1;
  CHECK(rx_simulate(&ck, &req, &res, &err) == RX_EINVAL && strstr(err.msg, "steps"));
  rx_checkpoint_free(&ck);
}

#if defined(__has_include) && __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
static int running_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
#else
static int running_on_valgrind(void) { return 0; }
#endif

#if defined(__SSE__)
#include <xmmintrin.h>
/* Clears flush-to-zero and denormals-are-zero on this thread and the pool's. */
static void pool_keep_denormals(void) {
  _mm_setcsr(_mm_getcsr() & ~0x8040u);
#pragma omp parallel
  _mm_setcsr(_mm_getcsr() & ~0x8040u);
}
#endif

/* Noiseless networks relax through ever smaller values: denormals must be flushed to zero on
 * every thread that runs a network pass (they make float arithmetic ~100x slower). rx_simulate
 * sets that mode where its step loop starts; creating a workspace (argument checks, buffers)
 * changes no CPU state. */
static void test_simulate_flushes_denormals_and_workspaces_change_no_cpu_state(void) {
#if defined(__SSE__)
  if (running_on_valgrind()) { /* valgrind's CPU ignores the MXCSR flush-to-zero bits */
    fprintf(stderr, "  SKIP: under valgrind, which does not emulate flush-to-zero\n");
    return;
  }
  pool_keep_denormals();
  REQUIRE(rx_test_pool_flushes() == 0);
  rx_rnn_spec spec = {
      .kind = RX_MODEL_VANILLA, .n_in = 2, .n_rec = 4, .n_out = 3, .n_init = 3, .alpha = 0.2f};
  rx_rnn_workspace *ws = NULL;
  REQUIRE(rx_rnn_workspace_create(&ws, &spec, 8, 4, NULL) == 0);
  CHECK(rx_test_pool_flushes() == 0);
  rx_rnn_workspace_free(ws);
  rx_checkpoint ck;
  REQUIRE(tiny_model(&ck, "spatial_navigation/no-noise_unbiased") == 0);
  rx_sim_request req = rx_sim_request_default(3, 5, 1);
  rx_sim_result res;
  REQUIRE(rx_simulate(&ck, &req, &res, NULL) == 0);
  CHECK(rx_test_pool_flushes() == 1);
  rx_sim_result_free(&res);
  rx_checkpoint_free(&ck);
#else
  fprintf(stderr, "  SKIP: flush-to-zero is set through SSE's MXCSR only\n");
#endif
}

/* Inputs and initial codes given to rx_simulate must be finite: the first NaN or Inf is named
 * with its index, (t, b, k) for inputs (time-major) and (b, i) for codes; nothing is run. */
static void test_non_finite_inputs_and_codes_are_refused_by_index(void) {
  rx_checkpoint ck;
  REQUIRE(tiny_model(&ck, "spatial_navigation/noisy_unbiased") == 0);
  const rx_rnn_spec *s = &ck.rnn->spec;
  const int B = 3, T = 4;
  float *x = calloc((size_t)T * B * s->n_in, sizeof(float));
  float *c = calloc((size_t)B * s->n_init, sizeof(float));
  REQUIRE(x && c);
  rx_sim_request req = rx_sim_request_default(B, T, 1);
  req.inputs = x, req.init = c;
  rx_sim_result res;
  rx_error err;
  REQUIRE(rx_simulate(&ck, &req, &res, &err) == 0);
  rx_sim_result_free(&res);
  x[((size_t)2 * B + 1) * s->n_in + 1] = NAN; /* t 2, b 1, k 1 */
  x[((size_t)3 * B + 0) * s->n_in + 0] = INFINITY;
  CHECK(rx_simulate(&ck, &req, &res, &err) == RX_ENUMERIC &&
        strstr(err.msg, "inputs (T, B, n_in) hold NaN at [2, 1, 1]"));
  CHECK(res.decoded == NULL);
  memset(x, 0, (size_t)T * B * s->n_in * sizeof(float));
  c[(size_t)2 * s->n_init + 7] = -INFINITY;
  CHECK(rx_simulate(&ck, &req, &res, &err) == RX_ENUMERIC &&
        strstr(err.msg, "initial codes (B, n_init) hold -Inf at [2, 7]"));
  free(x), free(c);
  rx_checkpoint_free(&ck);
}

RX_TEST_MAIN(TEST(test_simulate_flushes_denormals_and_workspaces_change_no_cpu_state),
             TEST(test_non_finite_inputs_and_codes_are_refused_by_index),
             TEST(test_quiescence_rules_set_spec_noise_levels),
             TEST(test_noiseless_quiescent_run_from_fixed_point_stays_put),
             TEST(test_chunked_long_run_extends_short_run),
             TEST(test_decode_every_kth_step_matches_every_step_run),
             TEST(test_hidden_only_run_keeps_the_same_hidden_states),
             TEST(test_chunked_run_with_mechanisms_equals_one_pass),
             TEST(test_quiescent_mechanism_override_switches_mechanisms_offline_only),
             TEST(test_simulation_with_mechanisms_is_identical_across_thread_counts),
             TEST(test_test_batch_and_bad_requests))
