/* The claims checklist: the paper's qualitative results (docs/science.md §7.2; §11.4 for
 * the noise; the probes' claims j1..m1, docs/probes.md; replay's n1, n2, docs/replay.md; the
 * mechanisms' o1..o3, docs/mechanisms.md), each a comparison of measured quantities (means over
 * seeds) judged holds / does not hold, or not measured when a side has no data. All claims are
 * defined in the one table below; nothing here knows the outcome in advance. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reactivate/results.h"
#include "reactivate/sampling.h"
#include "report/report_internal.h"

/* runs, by the paper's labels */
#define US                                                                                         \
  { RX_EXP_NOISY_UNBIASED, NULL }
#define BS                                                                                         \
  { RX_EXP_NOISY_BIASED, NULL }
#define UN                                                                                         \
  { RX_EXP_NO_NOISE_UNBIASED, NULL }
#define BN                                                                                         \
  { RX_EXP_NO_NOISE_BIASED, NULL }
#define GU                                                                                         \
  { RX_EXP_NOISY_UNBIASED_GRU, NULL }
#define GB                                                                                         \
  { RX_EXP_NOISY_BIASED_GRU, NULL }
#define RND                                                                                        \
  { -1, RX_RESULTS_RANDOM }
/* the runs with a mechanism trained in, as trained (the mechanisms family's conditions) */
#define ADAPT                                                                                      \
  { RX_EXP_ADAPTATION, NULL }
#define MOMENTUM                                                                                   \
  { RX_EXP_MOMENTUM, NULL }
#define NONE RP_NO_RUN

#define SP RX_TASK_SPATIAL
#define HD RX_TASK_HEAD_DIRECTION
#define MAIN RX_RESULTS_MAIN
#define GRU RX_RESULTS_GRU
#define KL(root, pfx, src, tgt)                                                                    \
  { root, SP, RX_RESULTS_KL, pfx, src, tgt, NULL, RP_VALUE, 0 }
#define VAR(root, task, run)                                                                       \
  { root, task, RX_RESULTS_VARIANCE, MAIN, run, NONE, NULL, RP_VALUE, 0 }
#define DIST(run, field)                                                                           \
  { RP_MAIN, SP, RX_RESULTS_DISTANCE, MAIN, run, NONE, field, RP_VALUE, 0 }
#define HEAD(run, field)                                                                           \
  { RP_MAIN, HD, RX_RESULTS_HEADING, MAIN, run, NONE, field, RP_VALUE, 0 }
#define COVER(run)                                                                                 \
  { RP_MAIN, HD, RX_RESULTS_HEADING, MAIN, run, NONE, "quiescent_histogram", RP_COVERAGE, 0 }
#define RING(kind, src, tgt)                                                                       \
  { RP_MAIN, HD, RX_RESULTS_HEADING, MAIN, src, tgt, NULL, kind, 0 }
/* The probes (docs/probes.md §5), spatial navigation, main family: file[run][field's keys]. (Each
 * spelt out: a run's braces cannot pass through a second macro.) */
#define MIXES(run)                                                                                 \
  { RP_MAIN, SP, RX_RESULTS_MIXING, MAIN, run, NONE, "quiescent.point.mixes", RP_FLAG, 0 }
#define PLATEAU(run, start)                                                                        \
  { RP_MAIN, SP, RX_RESULTS_MIXING, MAIN, run, NONE, "quiescent." start ".plateau", RP_VALUE, 0 }
#define SCORE(run, field)                                                                          \
  { RP_MAIN, SP, RX_RESULTS_SCORE, MAIN, run, NONE, "quiescent." field, RP_VALUE, 0 }
#define DECREASING(run)                                                                            \
  { RP_MAIN, SP, RX_RESULTS_TEMPERATURE, MAIN, run, NONE, "decreasing", RP_FLAG, 0 }
#define SLOPE(run)                                                                                 \
  { RP_MAIN, SP, RX_RESULTS_TEMPERATURE, MAIN, run, NONE, "slope", RP_VALUE, 0 }
#define ALPHA(run, cond)                                                                           \
  { RP_MAIN, SP, RX_RESULTS_DIFFUSION, MAIN, run, NONE, cond ".alpha", RP_VALUE, 0 }
/* Replay (docs/replay.md §7), main family: file[run].quiescent.quiescent[field], the summary of
 * the quiescent events of the run's default condition (the control's: its noise). */
#define REPLAY(task, run, field, kind)                                                             \
  { RP_MAIN, task, RX_RESULTS_REPLAY, MAIN, run, NONE, "quiescent.quiescent." field, kind, 0 }
/* The mechanisms family (docs/mechanisms.md), main root: mech_ files in the main family's layout,
 * keyed by the family's conditions (US: the paper cell as trained). Variance: file[run]; replay:
 * file[run][field's keys] (the noise condition `quiescent`, then the source). */
#define MECH_VAR(task, run)                                                                        \
  { RP_MAIN, task, RX_RESULTS_VARIANCE, RX_RESULTS_MECH, run, NONE, NULL, RP_VALUE, 0 }
#define MECH_REPLAY(task, run, field)                                                              \
  { RP_MAIN, task, RX_RESULTS_REPLAY, RX_RESULTS_MECH, run, NONE, "quiescent." field, RP_VALUE, 0 }
#define CONST(x)                                                                                   \
  { NULL, {0}, 1, x }
#define Q(label, q)                                                                                \
  { label, q, 0, 0 }

typedef struct side {
  const char *label;
  rp_qty q;
  int is_const;
  double k;
} side;

typedef struct comparison {
  side l;
  char op; /* '<', '>', 'G' (>=) or 'L' (<=) */
  side r;
} comparison;

typedef struct claim_def {
  const char *id;
  int paper; /* 1: a claim of the paper; 0: a finding beyond it (docs/science.md §7.2) */
  const char *text;
  const char *hint; /* what produces the data, for "not measured" */
  comparison cmp[6];
  int n_cmp;
  side show[4]; /* shown with the numbers, not judged */
  int n_show;
} claim_def;

/* Claim g1 (docs/science.md §7.2): the quiescent headings effectively occupy at least half of
 * the ring the awake headings occupy, exp(-KL) >= 1/2, i.e. KL <= log 2. */
#define RING_MIN_EFFECTIVE_COVERAGE 0.5

/* The probes' claims (docs/science.md §7.2, docs/probes.md). A verdict of the files that is true
 * or false per seed (mixes, decreasing) is judged like every number, by its mean over seeds: the
 * share of seeds in which it is true, which must be more than half (j1, l1) or less than half
 * (j2). Replay's n1 is such a verdict too: per seed, whether the median speed is positive. */
#define SHARE_OF_SEEDS 0.5
#define SCORE_MIN_COSINE 0.3 /* k1, as the score file's `aligned` */
#define SCORE_MAX_P 0.01
#define TEMPERING_SLOPE_LO (-1.5) /* l1: around the theory's -1 (beta_k = 2/k) */
#define TEMPERING_SLOPE_HI (-0.5)
#define REPLAY_HINT(task_arg)                                                                      \
  "reactivate analyze all" task_arg " (it runs replay with the default quiescence rule; or "       \
  "reactivate analyze replay" task_arg ")"
#define MECH_HINT                                                                                  \
  "the runs noisy_unbiased_adaptation and noisy_unbiased_momentum trained next to "                \
  "noisy_unbiased, "                                                                               \
  "then reactivate analyze kl variance distance diffusion replay mechanisms=true (task="           \
  "head_direction for head direction); reactivate reproduce --profile mechanisms does both"
#define PROBE_HINT                                                                                 \
  "reactivate analyze all (it runs the probes with the default quiescence rule; or one probe: "    \
  "reactivate analyze mixing|score|temperature|diffusion)"

/* Claim n2 on one task (what: the task's name in the text; score: the score and nulls, and where
 * they are documented; task_arg: the hint's task): the noisy-trained networks U-σ and B-σ each
 * have a larger fraction of significant quiescent events than the untrained network. */
#define N2(id, task, what, score, task_arg)                                                        \
  {                                                                                                \
    id, 0,                                                                                         \
        what                                                                                       \
        ": the noisy-trained networks have a larger fraction of significant quiescent events "     \
        "than the untrained network (" score ")",                                                  \
        REPLAY_HINT(task_arg),                                                                     \
        {{Q("significant(q U-σ)", REPLAY(task, US, "fraction_significant", RP_VALUE)), '>',        \
          Q("significant(random)", REPLAY(task, RND, "fraction_significant", RP_VALUE))},          \
         {Q("significant(q B-σ)", REPLAY(task, BS, "fraction_significant", RP_VALUE)), '>',        \
          Q("significant(random)", REPLAY(task, RND, "fraction_significant", RP_VALUE))}},         \
        2, {{0}}, 0                                                                                \
  }

static const claim_def claims[] = {
    {"a",
     1,
     "Noisy unbiased network: quiescent activity matches its own active distribution "
     "better than an untrained network's does",
     "reactivate analyze all (KL results)",
     {{Q("KL(q U-σ ‖ a U-σ)", KL(RP_MAIN, MAIN, US, US)), '<',
       Q("KL(random ‖ a U-σ)", KL(RP_MAIN, MAIN, RND, US))}},
     1,
     {{0}},
     0},
    {"b",
     1,
     "Noisy biased network: quiescent activity matches its own active distribution better "
     "than an untrained network's does",
     "reactivate analyze all (KL results)",
     {{Q("KL(q B-σ ‖ a B-σ)", KL(RP_MAIN, MAIN, BS, BS)), '<',
       Q("KL(random ‖ a B-σ)", KL(RP_MAIN, MAIN, RND, BS))}},
     1,
     {{0}},
     0},
    {"c",
     1,
     "Biased networks reactivate the biased distribution, not the unbiased one",
     "reactivate analyze all (KL results)",
     {{Q("KL(q B-σ ‖ a B-σ)", KL(RP_MAIN, MAIN, BS, BS)), '<',
       Q("KL(q B-σ ‖ a U-σ)", KL(RP_MAIN, MAIN, BS, US))}},
     1,
     {{0}},
     0},
    {"d",
     1,
     "Biased and unbiased distributions diverge: the unbiased network's quiescent activity "
     "is far from the biased active distribution",
     "reactivate analyze all (KL results)",
     {{Q("KL(q U-σ ‖ a B-σ)", KL(RP_MAIN, MAIN, US, BS)), '>',
       Q("KL(q U-σ ‖ a U-σ)", KL(RP_MAIN, MAIN, US, US))}},
     1,
     {{0}},
     0},
    {"e1",
     1,
     "Noiseless networks explore less offline (unbiased): lower quiescent variance",
     "reactivate analyze all (variance results)",
     {{Q("variance(q U)", VAR(RP_MAIN, SP, UN)), '<', Q("variance(q U-σ)", VAR(RP_MAIN, SP, US))}},
     1,
     {{0}},
     0},
    {"e2",
     1,
     "Noiseless networks explore less offline (biased): lower quiescent variance",
     "reactivate analyze all (variance results)",
     {{Q("variance(q B)", VAR(RP_MAIN, SP, BN)), '<', Q("variance(q B-σ)", VAR(RP_MAIN, SP, BS))}},
     1,
     {{0}},
     0},
    {"f1",
     1,
     "Noiseless networks given noise offline move erratically (unbiased): larger step-wise "
     "distance than the noisy-trained network's quiescent steps",
     "reactivate analyze all (distance results)",
     {{Q("distance(q+noise U)", DIST(UN, "quiescent_noisy")), '>',
       Q("distance(q U-σ)", DIST(US, "quiescent"))}},
     1,
     {{0}},
     0},
    {"f2",
     1,
     "Noiseless networks given noise offline move erratically (biased): larger step-wise "
     "distance than the noisy-trained network's quiescent steps",
     "reactivate analyze all (distance results)",
     {{Q("distance(q+noise B)", DIST(BN, "quiescent_noisy")), '>',
       Q("distance(q B-σ)", DIST(BS, "quiescent"))}},
     1,
     {{0}},
     0},
    {"g1",
     1,
     "Head direction: the noisy unbiased network's quiescent headings sample along the ring: "
     "they match its awake headings on the ring better than an untrained network's do, and "
     "effectively occupy at least half of the ring (KL∘: divergence of the 20-bin heading "
     "histograms; effective coverage exp(-KL∘))",
     "reactivate analyze all task=head_direction",
     {{Q("KL∘(q U-σ ‖ a U-σ)", RING(RP_RING_KL, US, US)), '<',
       Q("KL∘(random ‖ a U-σ)", RING(RP_RING_KL, RND, US))},
      {Q("effective coverage(q U-σ)", RING(RP_RING_EFF, US, US)), 'G',
       CONST(RING_MIN_EFFECTIVE_COVERAGE)}},
     2,
     {Q("bins holding a quarter of a uniform share(q U-σ)", COVER(US))},
     1},
    {"g2",
     1,
     "Head direction: the biased network (trained on counter-clockwise turns only) drifts "
     "counter-clockwise offline, unlike the unbiased one",
     "reactivate analyze all task=head_direction",
     {{Q("ω(q B-σ)", HEAD(BS, "quiescent_mean_angular_velocity")), '>',
       Q("ω(q U-σ)", HEAD(US, "quiescent_mean_angular_velocity"))},
      {Q("ω(q B-σ)", HEAD(BS, "quiescent_mean_angular_velocity")), '>', CONST(0)}},
     2,
     {{0}},
     0},
    {"h1",
     1,
     "GRU, unbiased: quiescent activity matches its own active distribution better than "
     "an untrained network's does",
     "reactivate analyze all gru=true",
     {{Q("KL(q GRU U-σ ‖ a GRU U-σ)", KL(RP_MAIN, GRU, GU, GU)), '<',
       Q("KL(random ‖ a GRU U-σ)", KL(RP_MAIN, GRU, RND, GU))}},
     1,
     {{0}},
     0},
    {"h2",
     1,
     "GRU, biased: quiescent activity matches its own active distribution better than an "
     "untrained network's does",
     "reactivate analyze all gru=true",
     {{Q("KL(q GRU B-σ ‖ a GRU B-σ)", KL(RP_MAIN, GRU, GB, GB)), '<',
       Q("KL(random ‖ a GRU B-σ)", KL(RP_MAIN, GRU, RND, GB))}},
     1,
     {{0}},
     0},
    {"i1",
     0,
     "Noise (docs/science.md §11.4), unbiased: the match depends on the noise's non-zero mean; "
     "with zero-mean Gaussian noise the quiescent activity matches its own active distribution "
     "less well than with the published uniform noise",
     "the noisy spatial runs trained with rnn.noise=gaussian and analysed in their own root "
     "(gaussian=DIR; reactivate reproduce --profile paper makes them)",
     {{Q("KL(q U-σ ‖ a U-σ), Gaussian", KL(RP_GAUSS, MAIN, US, US)), '>',
       Q("KL(q U-σ ‖ a U-σ), uniform", KL(RP_MAIN, MAIN, US, US))}},
     1,
     {Q("variance(q U-σ), Gaussian", VAR(RP_GAUSS, SP, US)),
      Q("variance(q U-σ), uniform", VAR(RP_MAIN, SP, US))},
     2},
    {"i2",
     0,
     "Noise (docs/science.md §11.4), biased: with zero-mean Gaussian noise the quiescent activity "
     "matches its own active distribution less well than with the published uniform noise",
     "the noisy spatial runs trained with rnn.noise=gaussian and analysed in their own root "
     "(gaussian=DIR; reactivate reproduce --profile paper makes them)",
     {{Q("KL(q B-σ ‖ a B-σ), Gaussian", KL(RP_GAUSS, MAIN, BS, BS)), '>',
       Q("KL(q B-σ ‖ a B-σ), uniform", KL(RP_MAIN, MAIN, BS, BS))}},
     1,
     {Q("variance(q B-σ), Gaussian", VAR(RP_GAUSS, SP, BS)),
      Q("variance(q B-σ), uniform", VAR(RP_MAIN, SP, BS))},
     2},
    {"j1",
     0,
     "The noisy unbiased network forgets a foreign start: run quiescent from a far corner of "
     "the arena (the start point), its outputs come as close to its awake distribution as when "
     "run from the awake states (it mixes, docs/probes.md §2)",
     PROBE_HINT,
     {{Q("share of seeds where U-σ mixes from point", MIXES(US)), '>', CONST(SHARE_OF_SEEDS)}},
     1,
     {Q("KL plateau from point, U-σ", PLATEAU(US, "point")),
      Q("KL plateau from active, U-σ", PLATEAU(US, "active"))},
     2},
    {"j2",
     0,
     "Networks trained without noise and run without noise (U, B) do not mix from the foreign "
     "start: they hold their state rather than sample (docs/probes.md §2)",
     PROBE_HINT,
     {{Q("share of seeds where U mixes from point", MIXES(UN)), '<', CONST(SHARE_OF_SEEDS)},
      {Q("share of seeds where B mixes from point", MIXES(BN)), '<', CONST(SHARE_OF_SEEDS)}},
     2,
     {Q("KL plateau from point, U", PLATEAU(UN, "point")),
      Q("KL plateau from active, U", PLATEAU(UN, "active")),
      Q("KL plateau from point, B", PLATEAU(BN, "point")),
      Q("KL plateau from active, B", PLATEAU(BN, "active"))},
     4},
    {"k1",
     0,
     "The noisy networks' quiescent drift follows the score of their awake distribution "
     "(Tweedie's formula): weighted cosine of drift and score > 0.3 with permutation p < 0.01, "
     "and above the untrained network's (docs/probes.md §4)",
     PROBE_HINT,
     {{Q("cos(drift, score) U-σ", SCORE(US, "cosine")), '>', CONST(SCORE_MIN_COSINE)},
      {Q("permutation p U-σ", SCORE(US, "p_value")), '<', CONST(SCORE_MAX_P)},
      {Q("cos(drift, score) U-σ", SCORE(US, "cosine")), '>',
       Q("cos(drift, score) random", SCORE(RND, "cosine"))},
      {Q("cos(drift, score) B-σ", SCORE(BS, "cosine")), '>', CONST(SCORE_MIN_COSINE)},
      {Q("permutation p B-σ", SCORE(BS, "p_value")), '<', CONST(SCORE_MAX_P)},
      {Q("cos(drift, score) B-σ", SCORE(BS, "cosine")), '>',
       Q("cos(drift, score) random", SCORE(RND, "cosine"))}},
     6,
     {Q("centred cos U-σ", SCORE(US, "cosine_centered")),
      Q("centred cos B-σ", SCORE(BS, "cosine_centered"))},
     2},
    {"l1",
     0,
     "The noise level is a temperature: the exponent β_k of the awake density that the noisy "
     "networks' quiescent outputs follow at noise k σ² decreases with k, with a slope of log β_k "
     "against log k in [-1.5, -0.5] (Langevin: β_k = 2/k, slope -1; docs/probes.md §3)",
     PROBE_HINT,
     {{Q("share of seeds where β_k of U-σ decreases", DECREASING(US)), '>', CONST(SHARE_OF_SEEDS)},
      {Q("slope(log β_k, log k) U-σ", SLOPE(US)), 'G', CONST(TEMPERING_SLOPE_LO)},
      {Q("slope(log β_k, log k) U-σ", SLOPE(US)), 'L', CONST(TEMPERING_SLOPE_HI)},
      {Q("share of seeds where β_k of B-σ decreases", DECREASING(BS)), '>', CONST(SHARE_OF_SEEDS)},
      {Q("slope(log β_k, log k) B-σ", SLOPE(BS)), 'G', CONST(TEMPERING_SLOPE_LO)},
      {Q("slope(log β_k, log k) B-σ", SLOPE(BS)), 'L', CONST(TEMPERING_SLOPE_HI)}},
     6,
     {{0}},
     0},
    {"m1",
     0,
     "The noisy networks' quiescent outputs move like a diffusion: the exponent α of their mean "
     "squared displacement, MSD ∝ τ^α, is diffusive, 0.6 ≤ α ≤ 1.4 (docs/probes.md §1)",
     PROBE_HINT,
     {{Q("α(q U-σ)", ALPHA(US, "quiescent")), 'G', CONST(RX_MSD_SUBDIFFUSIVE_BELOW)},
      {Q("α(q U-σ)", ALPHA(US, "quiescent")), 'L', CONST(RX_MSD_SUPERDIFFUSIVE_ABOVE)},
      {Q("α(q B-σ)", ALPHA(BS, "quiescent")), 'G', CONST(RX_MSD_SUBDIFFUSIVE_BELOW)},
      {Q("α(q B-σ)", ALPHA(BS, "quiescent")), 'L', CONST(RX_MSD_SUPERDIFFUSIVE_ABOVE)}},
     4,
     {Q("α(a U-σ)", ALPHA(US, "active")), Q("α(a B-σ)", ALPHA(BS, "active"))},
     2},
    {"n1",
     0,
     "Head direction: the biased network (trained on counter-clockwise turns only) replays "
     "counter-clockwise: the median speed v of its significant quiescent events is positive "
     "(docs/replay.md §4; a seed without significant events counts as not)",
     REPLAY_HINT(" task=head_direction"),
     {{Q("share of seeds where v(q B-σ) > 0", REPLAY(HD, BS, "median_speed", RP_POSITIVE)), '>',
       CONST(SHARE_OF_SEEDS)}},
     1,
     {Q("v(q B-σ) (rad/s)", REPLAY(HD, BS, "median_speed", RP_VALUE)),
      Q("significant(q B-σ)", REPLAY(HD, BS, "fraction_significant", RP_VALUE)),
      Q("v(q U-σ) (rad/s)", REPLAY(HD, US, "median_speed", RP_VALUE))},
     3},
    N2("n2 (spatial)", SP, "Spatial navigation",
       "path score against the time-bin shuffles, docs/replay.md §5", ""),
    N2("n2 (head direction)", HD, "Head direction",
       "line score against both shuffles, docs/replay.md §4", " task=head_direction"),
    /* The mechanisms (docs/mechanisms.md): what Casco-Rodriguez, Krishna & Baraniuk (2026) report,
     * measured on each task; each claim compares the runs as trained in the mech_ files. */
    {"o1",
     0,
     "Adaptation enhances exploration (Casco-Rodriguez et al. 2026): the quiescent variance of the "
     "network trained with adaptation exceeds that of the paper's cell (docs/mechanisms.md)",
     MECH_HINT,
     {{Q("variance(q adaptation)", MECH_VAR(SP, ADAPT)), '>',
       Q("variance(q paper cell)", MECH_VAR(SP, US))},
      {Q("circular variance(q adaptation)", MECH_VAR(HD, ADAPT)), '>',
       Q("circular variance(q paper cell)", MECH_VAR(HD, US))}},
     2,
     {{0}},
     0},
    {"o2",
     0,
     "Adaptation slows replay (Casco-Rodriguez et al. 2026): the median |v| of the significant "
     "quiescent events of the network trained with adaptation is below that of the paper's cell "
     "(docs/mechanisms.md)",
     MECH_HINT,
     {{Q("|v|(q adaptation) (m/s)", MECH_REPLAY(SP, ADAPT, "quiescent.median_abs_speed")), '<',
       Q("|v|(q paper cell) (m/s)", MECH_REPLAY(SP, US, "quiescent.median_abs_speed"))},
      {Q("|v|(q adaptation) (rad/s)", MECH_REPLAY(HD, ADAPT, "quiescent.median_abs_speed")), '<',
       Q("|v|(q paper cell) (rad/s)", MECH_REPLAY(HD, US, "quiescent.median_abs_speed"))}},
     2,
     {Q("significant(q adaptation), spatial",
        MECH_REPLAY(SP, ADAPT, "quiescent.fraction_significant")),
      Q("significant(q paper cell), spatial",
        MECH_REPLAY(SP, US, "quiescent.fraction_significant")),
      Q("significant(q adaptation), head direction",
        MECH_REPLAY(HD, ADAPT, "quiescent.fraction_significant")),
      Q("significant(q paper cell), head direction",
        MECH_REPLAY(HD, US, "quiescent.fraction_significant"))},
     4},
    {"o3",
     0,
     "Momentum gives temporally compressed replay (Casco-Rodriguez et al. 2026): the compression "
     "of the replay of the network trained with momentum (the median |v| of its significant "
     "quiescent events over its awake decoded speed) exceeds that of the paper's cell "
     "(docs/mechanisms.md)",
     MECH_HINT,
     {{Q("compression(q momentum)", MECH_REPLAY(SP, MOMENTUM, "compression")), '>',
       Q("compression(q paper cell)", MECH_REPLAY(SP, US, "compression"))},
      {Q("compression(q momentum)", MECH_REPLAY(HD, MOMENTUM, "compression")), '>',
       Q("compression(q paper cell)", MECH_REPLAY(HD, US, "compression"))}},
     2,
     {{0}},
     0},
};

int rp_claims_count(void) { return (int)(sizeof claims / sizeof claims[0]); }

const char *rp_verdict_text(rp_verdict v) {
  return v == RP_HOLDS ? "holds" : v == RP_FAILS ? "does not hold" : "not measured";
}

static int eval_side(rp_ctx *c, const side *s, rp_stat *st, rx_error *err) {
  if (s->is_const) {
    st->mean = s->k, st->sd = 0, st->n = 1;
    return 0;
  }
  return rp_eval(c, &s->q, st, err);
}

static void side_text(const rp_ctx *c, const side *s, const rp_stat *st, char *buf, size_t n) {
  char v[96];
  if (s->is_const) {
    rp_num(s->k, buf, n);
    return;
  }
  if ((s->q.kind == RP_FLAG || s->q.kind == RP_POSITIVE) && st->n) { /* a share of seeds */
    rp_num(st->mean, v, sizeof v);
    snprintf(buf, n, "%s = %s (%.0f of %d seed%s)", s->label, v, st->mean * st->n, st->n,
             st->n == 1 ? "" : "s");
    return;
  }
  rp_stat_text(st, c->n_seeds, v, sizeof v);
  snprintf(buf, n, "%s = %s", s->label, v);
}

/* A claim judged from the probes' files is listed under "Is it sampling?", one judged from
 * replay's under "Replay", one judged from the mechanisms family's under "Mechanisms". */
static rp_claim_group group_of(const claim_def *d) {
  rp_claim_group g = RP_GROUP_CHECKLIST;
  for (int k = 0; k < d->n_cmp; k++) {
    const side *sides[2] = {&d->cmp[k].l, &d->cmp[k].r};
    for (int j = 0; j < 2; j++) {
      if (sides[j]->is_const || sides[j]->q.kind == RP_FINAL) continue;
      if (!strcmp(sides[j]->q.prefix, RX_RESULTS_MECH))
        return RP_GROUP_MECHANISMS;
      else if (sides[j]->q.analysis == RX_RESULTS_REPLAY)
        g = RP_GROUP_REPLAY;
      else if (rx_results_analysis_is_probe(sides[j]->q.analysis))
        g = RP_GROUP_PROBES;
    }
  }
  return g;
}

/* The task comparison cmp is made on (that of its first side that is not a constant). */
static rx_task_kind task_of(const comparison *cmp) {
  return cmp->l.is_const ? cmp->r.q.task : cmp->l.q.task;
}

/* Whether the claim's comparisons are made on both tasks: it is judged on the tasks measured. */
static int per_task(const claim_def *d) {
  for (int k = 1; k < d->n_cmp; k++)
    if (task_of(&d->cmp[k]) != task_of(&d->cmp[0])) return 1;
  return 0;
}

/* Why side q of a claim judged per task has no number: its file is missing for every seed ("no
 * <file>"), or the files hold no number where q is read (an undefined one is null: a median over
 * no significant event). */
static int missing_text(rp_ctx *c, const rp_qty *q, char *buf, size_t n, rx_error *err) {
  char where[2600];
  rp_qty_where(c, q, where, sizeof where);
  const rp_set *s = &c->sets[q->root][q->task];
  int any_file = 0;
  for (int k = 0; k < c->n_seeds && s->exists && !any_file && q->kind != RP_FINAL; k++) {
    const cJSON *j;
    int rc = rxr_analysis_json(&c->rd, &s->where, q->analysis, q->prefix, c->seeds[k], &j, err);
    if (rc) return rc;
    any_file = j != NULL;
  }
  if (!any_file) {
    snprintf(buf, n, "no %s", where);
    return 0;
  }
  char keys[900] = "";
  const rx_experiment *e = rx_experiment_get(q->task, q->a.exp);
  if (e) rx_results_experiment_pattern(&s->where, e, keys, sizeof keys);
  rp_strcatf(keys, sizeof keys, "%s", q->a.key ? q->a.key : "");
  for (const char *f = q->field; f && *f;) { /* the field's keys, as the errors write them */
    const char *dot = strchr(f, '.');
    const int len = dot ? (int)(dot - f) : (int)strlen(f);
    rp_strcatf(keys, sizeof keys, " → %.*s", len, f);
    f = dot ? dot + 1 : f + len;
  }
  snprintf(buf, n, "no number at %s in %s", keys, where);
  return 0;
}

int rp_claims_eval(rp_ctx *c, rp_claim_result *out, int *n_out, rx_error *err) {
  const int mechanisms = rp_has_mechanisms(c);
  *n_out = 0;
  for (int i = 0; i < rp_claims_count(); i++) {
    const claim_def *d = &claims[i];
    if (group_of(d) == RP_GROUP_MECHANISMS && !mechanisms) continue; /* no such results at all */
    rp_claim_result *r = &out[(*n_out)++];
    memset(r, 0, sizeof *r);
    r->id = d->id;
    r->text = d->text;
    r->paper = d->paper;
    r->group = group_of(d);
    const int by_task = per_task(d);
    int measured = 1, any = 0, holds = 1;
    char plain[sizeof r->numbers] = ""; /* the numbers without why a task is not measured */
    for (int k = 0; k < d->n_cmp; k++) {
      const comparison *cmp = &d->cmp[k];
      rp_stat l, rr;
      int rc = eval_side(c, &cmp->l, &l, err);
      if (!rc) rc = eval_side(c, &cmp->r, &rr, err);
      if (rc) return rc;
      char lt[256], rt[256];
      side_text(c, &cmp->l, &l, lt, sizeof lt);
      side_text(c, &cmp->r, &rr, rt, sizeof rt);
      const char *op = cmp->op == '<' ? "<" : cmp->op == '>' ? ">" : cmp->op == 'G' ? "≥" : "≤";
      char text[600];
      snprintf(text, sizeof text, "%s%s%s %s %s", k ? "; and " : "",
               !by_task                          ? ""
               : task_of(cmp) == RX_TASK_SPATIAL ? "spatial navigation: "
                                                 : "head direction: ",
               lt, op, rt);
      rp_strcatf(r->numbers, sizeof r->numbers, "%s", text);
      rp_strcatf(plain, sizeof plain, "%s", text);
      const side *sides[2] = {&cmp->l, &cmp->r};
      const rp_stat *stats[2] = {&l, &rr};
      char missing[2 * 3000] = ""; /* judged per task: why this task is not measured */
      for (int j = 0; j < 2; j++)
        if (!stats[j]->n) {
          char where[3000];
          if (by_task) {
            if ((rc = missing_text(c, &sides[j]->q, where, sizeof where, err))) return rc;
            if (!strstr(missing, where))
              rp_strcatf(missing, sizeof missing, "%s%s", missing[0] ? "; " : "", where);
            if (!strstr(r->reason, where))
              rp_strcatf(r->reason, sizeof r->reason, "%s%s", r->reason[0] ? "; " : "", where);
          } else {
            if (sides[j]->q.root == RP_GAUSS && !c->cfg->gaussian[0])
              snprintf(where, sizeof where, "Gaussian-noise results root given");
            else
              rp_qty_where(c, &sides[j]->q, where, sizeof where);
            if (!strstr(r->reason, where))
              rp_strcatf(r->reason, sizeof r->reason, "%sno %s", r->reason[0] ? "; " : "", where);
          }
          measured = 0;
        }
      if (missing[0]) rp_strcatf(r->numbers, sizeof r->numbers, " (not measured: %s)", missing);
      if (l.n && rr.n) {
        const int ok = cmp->op == '<'   ? l.mean < rr.mean
                       : cmp->op == '>' ? l.mean > rr.mean
                       : cmp->op == 'G' ? l.mean >= rr.mean
                                        : l.mean <= rr.mean;
        holds &= ok;
        any = 1;
      }
    }
    if (by_task) measured = any;
    if (by_task && !any) /* not measured at all: the reason says why, once */
      snprintf(r->numbers, sizeof r->numbers, "%s", plain);
    for (int k = 0; k < d->n_show; k++) {
      rp_stat st;
      int rc = eval_side(c, &d->show[k], &st, err);
      if (rc) return rc;
      char t[256];
      side_text(c, &d->show[k], &st, t, sizeof t);
      rp_strcatf(r->numbers, sizeof r->numbers, "%s%s", k ? ", " : " (shown: ", t);
      if (k == d->n_show - 1) rp_strcatf(r->numbers, sizeof r->numbers, ")");
    }
    if (!measured) {
      rp_strcatf(r->reason, sizeof r->reason, "; needs %s", d->hint);
      r->verdict = RP_NOT_MEASURED;
    } else {
      r->verdict = holds ? RP_HOLDS : RP_FAILS;
    }
  }
  return 0;
}
