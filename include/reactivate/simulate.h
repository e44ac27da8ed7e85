/* Running a trained network (docs/science.md §5): on given inputs, on generated task batches, or
 * quiescent
 * ("asleep": zero inputs, recurrent noise set by a quiescence rule). Long runs are computed in
 * chunks, so only what the caller keeps (hidden states, outputs, decoded positions) is stored. */
#ifndef RX_SIMULATE_H
#define RX_SIMULATE_H

#include <stdint.h>

#include "reactivate/checkpoint.h"
#include "reactivate/error.h"
#include "reactivate/npz.h"
#include "reactivate/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rx_quiescent_rule {
  RX_QUIESCENT_SCALED = 0,  /* sqrt(2) x the trained sigma_rec (variance doubled) */
  RX_QUIESCENT_SAME = 1,    /* the trained sigma_rec */
  RX_QUIESCENT_ABSOLUTE = 2 /* sqrt(2 * variance) for a given variance */
} rx_quiescent_rule;

/* The paper's defaults: scaled for the vanilla RNN, same for the GRU. */
rx_quiescent_rule rx_quiescent_default_rule(rx_model_kind kind);
float rx_quiescent_sigma(const rx_rnn_spec *spec, rx_quiescent_rule rule, double variance);
const char *rx_quiescent_rule_name(rx_quiescent_rule rule);

typedef struct rx_sim_request {
  int B, T;
  const float *inputs; /* (T, B, n_in) time-major, or NULL */
  const float *init;   /* (B, n_init) initial population codes, or NULL: from a generated batch */
  const float *h0;     /* (B, n_rec) initial hidden state, or NULL: encoded from init; when given
                          the codes are still generated (init_codes) but not used */
  int quiescent;       /* zero inputs and the quiescent noise rule */
  rx_quiescent_rule rule;
  double rule_variance; /* for RX_QUIESCENT_ABSOLUTE */
  double noise_var;     /* >= 0: recurrent noise variance override (0: input and output noise off
                           too, fully deterministic); < 0: as trained / as the rule says */
  uint32_t seed;        /* noise: rx_rng(seed, RX_STREAM_SIMULATE_NOISE + k; noise_index, b, t) */
  uint32_t noise_index; /* tells apart simulations that share a seed (default 0) */
  /* Batch generated when inputs or init are NULL: (batch_seed, batch_stream, batch_index);
   * e.g. the run's test batch is (cfg.seed, RX_STREAM_TEST_TASK, 0). */
  uint32_t batch_seed, batch_stream, batch_index;
  int keep_hidden, keep_outputs; /* decoded positions are always kept */
  /* 0: outputs and decoded positions at every step, the readout over whole chunks of steps.
   * k >= 1 (T a multiple of k): only at steps 0, k, 2k, ..., T - k (T / k of them), each step's
   * readout on its own, so a step's outputs have the same bits for any k (a long quiescent run
   * whose outputs are wanted only now and then costs about half as much). */
  int decode_every;
  /* 1: hidden states alone (keep_hidden 1, keep_outputs 0, decode_every 0): no readout and no
   * decoded positions (decoded NULL, T_decoded 0), for analyses that read the outputs through
   * the readout's weights (rx_replay_decoder_readout). The hidden states are the same bits. */
  int hidden_only;
  /* Quiescent runs only: the vanilla cell's mechanisms (adaptation, momentum; docs/science.md
   * §3.6) replaced by these for this run, e.g. from rx_config_mechanism_overrides; NULL: as
   * trained. Refused for a run with inputs, and checked as rx_rnn_spec_check does. */
  const rx_mechanism *quiescent_mechanism;
} rx_sim_request;

/* Defaults: generated batch from (seed, RX_STREAM_SIMULATE_TASK, 0), noise as trained. */
rx_sim_request rx_sim_request_default(int B, int T, uint32_t seed);

typedef struct rx_sim_result {
  int B, T, dim;
  int decode_every;                     /* k: outputs and decoded at steps 0, k, 2k, ... */
  int T_decoded;                        /* T / k */
  float *hidden;                        /* (T, B, n_rec) or NULL */
  float *outputs;                       /* (T_decoded, B, n_out) or NULL */
  float *decoded;                       /* (T_decoded, B, dim) */
  float *init_codes;                    /* (B, n_init) */
  int has_batch;                        /* a batch was generated: */
  rx_batch batch;                       /* its inputs, init and true positions (targets) */
  float sigma_in, sigma_rec, sigma_out; /* the noise actually used */
  rx_mechanism mechanism;               /* the mechanisms actually used */
} rx_sim_result;

/* Runs the request. Given inputs and initial codes must be finite: the first NaN or Inf is
 * refused (RX_ENUMERIC) naming its index, [t, b, k] for inputs, [b, i] for codes. Every run
 * starts with the mechanisms' state at zero (a_0 = v_0 = 0, from h0 or the encoded codes alike),
 * and chunks continue it, so a long run has the bits of one pass. Puts the process in
 * flush-to-zero mode (rx_flush_denormals) before its step loop. */
int rx_simulate(const rx_checkpoint *ck, const rx_sim_request *req, rx_sim_result *out,
                rx_error *err);
void rx_sim_result_free(rx_sim_result *res);

/* ---- the `simulate` command's request, shared by the CLI and the bindings (capi.h) ----
 * One function builds the rx_sim_request from the command's options and gives back the arrays
 * the command writes, batch-major, so the CLI and the Python module cannot drift apart: the
 * same options give the same bits. */

#define RX_SIM_MAX_SETTINGS 8 /* the most key=value mechanism settings one run takes */
#define RX_SIM_MAX_ARRAYS 8

typedef struct rx_sim_options {
  int batch, steps; /* > 0: given; 0: the run's task.batch_size and task.sequence_length (or
                       the sizes of inputs and init) */
  uint32_t seed;    /* noise and generated batches */
  /* float32 (rx_array_to_f32 first for another dtype), or NULL. inputs (B, T, n_in) and init
   * (B, n_init) batch-major; a size not given by batch / steps may be any. inputs_what and
   * init_what name them in messages (the CLI: "--inputs X.npy"; NULL: "inputs", "init"). */
  const rx_array *inputs, *init;
  const char *inputs_what, *init_what;
  int quiescent, test_batch, keep_hidden;
  int rule_given; /* rule chosen (quiescent only); else the model's default */
  rx_quiescent_rule rule;
  double rule_var;  /* for RX_QUIESCENT_ABSOLUTE; < 0: not given */
  double noise_var; /* >= 0: recurrent noise variance override; < 0: not given */
  int n_settings;   /* key=value mechanism settings (quiescent only) */
  const char *const *settings;
  const char *settings_origin; /* names the checkpoint's config in messages ("F.npz[config]") */
} rx_sim_options;

/* Defaults of `reactivate simulate`: nothing given, hidden states kept. */
rx_sim_options rx_sim_options_default(void);
/* The contradictions among options, checked before anything runs: --rule without --quiescent,
 * --rule absolute without --rule-var, --quiescent with inputs, settings without --quiescent. */
int rx_sim_options_check(const rx_sim_options *opt, rx_error *err);

typedef struct rx_sim_output {
  int B, T;
  int n;                              /* arrays, in the order `simulate` writes them: */
  rx_array arrays[RX_SIM_MAX_ARRAYS]; /* hidden (B, T, n_rec) unless not kept, outputs
                                         (B, T, n_out), decoded (B, T, dim); on a generated
                                         batch inputs (B, T, n_in, not when quiescent),
                                         positions (B, T, dim), init_positions (B, dim); init
                                         (B, n_init); float32, owned */
  rx_quiescent_rule rule;             /* the rule used (quiescent) */
  float sigma_rec;                    /* the recurrent noise used */
  rx_mechanism mechanism;             /* the mechanisms used */
} rx_sim_output;

/* Checks the options (rx_sim_options_check), the shapes of inputs and init (one line naming
 * them, the expected shape and the shape given, "inputs: expected shape (any, any, 2), got
 * (3, 5)") and their values, builds the request and runs it (rx_simulate). */
int rx_simulate_options(const rx_checkpoint *ck, const rx_sim_options *opt, rx_sim_output *out,
                        rx_error *err);
void rx_sim_output_free(rx_sim_output *out);

#ifdef __cplusplus
}
#endif
#endif
