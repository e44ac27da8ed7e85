/* reactivate simulate: run a checkpoint on the user's inputs, on generated task batches, or
 * quiescent, and write hidden states, outputs and decoded positions (batch-major) to an .npz. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reactivate/checkpoint.h"
#include "reactivate/config.h"
#include "reactivate/npz.h"
#include "reactivate/rng.h"
#include "reactivate/simulate.h"

static const char help[] =
    "usage: reactivate simulate CHECKPOINT --out F.npz [options] [key=value ...]\n"
    "\n"
    "Runs a trained network (a model_<step>.npz checkpoint) and writes F.npz with float32\n"
    "arrays hidden (B, T, n_rec), outputs (B, T, n_out) and decoded (B, T, 2) positions or\n"
    "(B, T, 1) headings. On a generated batch it also writes the batch: inputs (B, T, n_in),\n"
    "positions (true positions or headings, B, T, dim), init (B, n_init) population codes\n"
    "and init_positions (B, dim).\n"
    "\n"
    "inputs (default: a generated task batch of --batch trajectories of --steps steps):\n"
    "  --inputs X.npy      float32 (B, T, n_in) inputs (displacements or turns)\n"
    "  --init C.npy        float32 (B, n_init) initial population codes\n"
    "                      (both: finite values; float64 is rounded to float32)\n"
    "  --batch B           trajectories to generate (default 200)\n"
    "  --steps T           time steps (default: the run's sequence length)\n"
    "  --test-batch        use the run's own test batch (seed and stream of training)\n"
    "noise:\n"
    "  --quiescent         zero inputs; recurrent noise by --rule (docs/science.md §5)\n"
    "  --rule R            scaled (sqrt(2) x trained sigma; vanilla default), same (GRU\n"
    "                      default), absolute (sqrt(2 x --rule-var))\n"
    "  --rule-var V        variance for --rule absolute\n"
    "  --noise-var V       recurrent noise variance, overriding the above; 0 switches all\n"
    "                      noise off (deterministic)\n"
    "  --seed S            seed of the noise and of generated batches (default 0)\n"
    "mechanisms offline (--quiescent only; docs/science.md §3.6): key=value settings that\n"
    "switch the vanilla cell's mechanisms on, off or to another strength for this run, read\n"
    "and checked as in training configs; the others are as the run was trained:\n"
    "  rnn.adaptation_strength=B  adaptation strength b >= 0 (0: off)\n"
    "  rnn.adaptation_tau=TAU     adaptation time constant, >= the run's rnn.dt (alpha_a =\n"
    "                             rnn.dt / TAU)\n"
    "  rnn.momentum=L             momentum lambda in [0, 1) (0: off)\n"
    "  e.g. reactivate simulate CKPT --quiescent --out F.npz rnn.momentum=0.5\n"
    "  Every run starts with the mechanisms' state at zero (a_0 = v_0 = 0).\n"
    "other:\n"
    "  --no-hidden         do not write hidden states (they are the largest array)\n"
    "  --threads N         threads (default: all cores)\n";

typedef struct sim_args {
  const char *checkpoint, *out, *inputs, *init;
  long long batch, steps, seed, threads;
  int quiescent, test_batch, no_hidden, rule_given;
  rx_quiescent_rule rule;
  double rule_var, noise_var;
  const char *settings[8]; /* key=value mechanism overrides */
  int n_settings;
} sim_args;

static int parse_args(int argc, char **argv, sim_args *a) {
  memset(a, 0, sizeof *a);
  a->batch = -1;
  a->steps = -1;
  a->noise_var = -1;
  a->rule_var = -1;
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE (i++, v)
    if (cli_is_help(o)) {
      fputs(help, stdout);
      return -1;
    } else if (!strcmp(o, "--out")) {
      if (!(a->out = TAKE)) return cli_error("--out needs a file name");
    } else if (!strcmp(o, "--inputs")) {
      if (!(a->inputs = TAKE)) return cli_error("--inputs needs a .npy file");
    } else if (!strcmp(o, "--init")) {
      if (!(a->init = TAKE)) return cli_error("--init needs a .npy file");
    } else if (!strcmp(o, "--batch")) {
      if (cli_parse_int(o, TAKE, 1, 1 << 20, &a->batch)) return 1;
    } else if (!strcmp(o, "--steps")) {
      if (cli_parse_int(o, TAKE, 1, 1 << 24, &a->steps)) return 1;
    } else if (!strcmp(o, "--seed")) {
      if (cli_parse_int(o, TAKE, 0, 4294967295LL, &a->seed)) return 1;
    } else if (!strcmp(o, "--threads")) {
      if (cli_parse_int(o, TAKE, 0, 1024, &a->threads)) return 1;
    } else if (!strcmp(o, "--quiescent"))
      a->quiescent = 1;
    else if (!strcmp(o, "--test-batch"))
      a->test_batch = 1;
    else if (!strcmp(o, "--no-hidden"))
      a->no_hidden = 1;
    else if (!strcmp(o, "--noise-var")) {
      if (cli_parse_double(o, TAKE, &a->noise_var)) return 1;
      if (a->noise_var < 0) return cli_error("--noise-var must be >= 0 (got %g)", a->noise_var);
    } else if (!strcmp(o, "--rule-var")) {
      if (cli_parse_double(o, TAKE, &a->rule_var)) return 1;
      if (a->rule_var < 0) return cli_error("--rule-var must be >= 0 (got %g)", a->rule_var);
    } else if (!strcmp(o, "--rule")) {
      const char *r = TAKE;
      a->rule_given = 1;
      if (r && !strcmp(r, "scaled"))
        a->rule = RX_QUIESCENT_SCALED;
      else if (r && !strcmp(r, "same"))
        a->rule = RX_QUIESCENT_SAME;
      else if (r && !strcmp(r, "absolute"))
        a->rule = RX_QUIESCENT_ABSOLUTE;
      else
        return cli_error("--rule must be scaled, same or absolute (got '%s')", r ? r : "");
    } else if (o[0] == '-')
      return cli_error("simulate: unknown option '%s' (see --help)", o);
    else if (strchr(o, '=')) {
      if (a->n_settings == (int)(sizeof a->settings / sizeof a->settings[0]))
        return cli_error("simulate: too many key=value settings (at most %d)", a->n_settings);
      a->settings[a->n_settings++] = o;
    } else if (!a->checkpoint)
      a->checkpoint = o;
    else
      return cli_error("simulate: unexpected argument '%s'", o);
#undef TAKE
  }
  if (!a->checkpoint) return cli_error("simulate: no checkpoint given (see --help)");
  if (!a->out) return cli_error("simulate: --out F.npz is required");
  if (a->rule == RX_QUIESCENT_ABSOLUTE && a->rule_var < 0)
    return cli_error("--rule absolute needs --rule-var V");
  if (a->rule_given && !a->quiescent) return cli_error("--rule applies to --quiescent runs only");
  if (a->quiescent && a->inputs) return cli_error("--quiescent and --inputs contradict each other");
  if (a->n_settings && !a->quiescent)
    return cli_error("simulate: %s: mechanism settings (" RX_MECHANISM_KEYS_TEXT
                     ") apply to --quiescent runs only",
                     a->settings[0]);
  return 0;
}

/* Loads the .npy of --inputs or --init as float32: float64 is rounded to float32 when every
 * value is finite and within float32's range (a note says so; numpy's default dtype is
 * float64); another dtype, a NaN or Inf, is refused naming the option, the file and the fault.
 * The shape is rx_simulate_options' to check. */
static int load_f32(const char *path, const char *name, rx_array *arr) {
  rx_error err = {{0}};
  if (rx_npy_read(path, arr, &err)) return cli_error("%s", err.msg);
  const rx_dtype read_as = arr->dtype;
  if (rx_array_to_f32(arr, name, &err)) {
    cli_error("%s", err.msg);
    rx_array_free(arr);
    return 1;
  }
  if (read_as != RX_F32)
    fprintf(stderr, "reactivate: %s: float64 values rounded to float32\n", name);
  return 0;
}

int cmd_simulate(int argc, char **argv) {
  sim_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc) return rc < 0 ? 0 : 2;
  cli_set_threads((int)a.threads);
  rx_error err = {{0}};
  rx_checkpoint ck;
  if (rx_checkpoint_load(a.checkpoint, &ck, &err)) return cli_error("%s", err.msg);
  rx_array x = {0}, c = {0};
  char x_what[4200], c_what[4200], origin[4200];
  snprintf(x_what, sizeof x_what, "--inputs %s", a.inputs ? a.inputs : "");
  snprintf(c_what, sizeof c_what, "--init %s", a.init ? a.init : "");
  snprintf(origin, sizeof origin, "%s[config]", a.checkpoint);
  rc = 1;
  if (a.inputs && load_f32(a.inputs, x_what, &x)) goto out;
  if (a.init && load_f32(a.init, c_what, &c)) goto out;
  rx_sim_options opt = rx_sim_options_default();
  opt.batch = (int)(a.batch > 0 ? a.batch : 0);
  opt.steps = (int)(a.steps > 0 ? a.steps : 0);
  opt.seed = (uint32_t)a.seed;
  opt.inputs = a.inputs ? &x : NULL;
  opt.init = a.init ? &c : NULL;
  opt.inputs_what = x_what;
  opt.init_what = c_what;
  opt.quiescent = a.quiescent;
  opt.test_batch = a.test_batch;
  opt.keep_hidden = !a.no_hidden;
  opt.rule_given = a.rule_given;
  opt.rule = a.rule;
  opt.rule_var = a.rule_var;
  opt.noise_var = a.noise_var;
  opt.n_settings = a.n_settings;
  opt.settings = a.settings;
  opt.settings_origin = origin;
  rx_sim_output res;
  if (rx_simulate_options(&ck, &opt, &res, &err)) {
    cli_error("%s", err.msg);
    goto out;
  }
  if (rx_npz_write(a.out, res.arrays, res.n, &err))
    cli_error("%s", err.msg);
  else {
    rc = 0;
    char mtext[160] = "";
    const rx_mechanism *m = &res.mechanism;
    if (m->adaptation_strength > 0)
      snprintf(mtext, sizeof mtext, ", adaptation b %.4g alpha_a %.4g", m->adaptation_strength,
               m->adaptation_alpha);
    if (m->momentum > 0)
      snprintf(mtext + strlen(mtext), sizeof mtext - strlen(mtext), ", momentum %.4g", m->momentum);
    if (a.quiescent)
      fprintf(stderr,
              "wrote %s: %d trajectories x %d steps, quiescent (rule %s, sigma_rec %.4g%s)\n",
              a.out, res.B, res.T, rx_quiescent_rule_name(res.rule), res.sigma_rec, mtext);
    else
      fprintf(stderr, "wrote %s: %d trajectories x %d steps (sigma_rec %.4g%s)\n", a.out, res.B,
              res.T, res.sigma_rec, mtext);
  }
  rx_sim_output_free(&res);
out:
  rx_array_free(&x);
  rx_array_free(&c);
  rx_checkpoint_free(&ck);
  return rc;
}
