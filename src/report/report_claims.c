/* The claims checklist: the paper's qualitative results (docs/science.md §7.2; §11.4 for
 * the noise), each a comparison of measured quantities (means over seeds) judged holds / does
 * not hold, or not measured when a side has no data. All claims are defined in the one table
 * below; nothing here knows the outcome in advance. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reactivate/results.h"
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
#define NONE RP_NO_RUN

#define SP RX_TASK_SPATIAL
#define HD RX_TASK_HEAD_DIRECTION
#define MAIN RX_RESULTS_MAIN
#define GRU RX_RESULTS_GRU
#define KL(root, pfx, src, tgt)                                                                    \
  { root, SP, RX_RESULTS_KL, pfx, src, tgt, NULL, RP_VALUE }
#define VAR(root, task, run)                                                                       \
  { root, task, RX_RESULTS_VARIANCE, MAIN, run, NONE, NULL, RP_VALUE }
#define DIST(run, field)                                                                           \
  { RP_MAIN, SP, RX_RESULTS_DISTANCE, MAIN, run, NONE, field, RP_VALUE }
#define HEAD(run, field)                                                                           \
  { RP_MAIN, HD, RX_RESULTS_HEADING, MAIN, run, NONE, field, RP_VALUE }
#define COVER(run)                                                                                 \
  { RP_MAIN, HD, RX_RESULTS_HEADING, MAIN, run, NONE, "quiescent_histogram", RP_COVERAGE }
#define RING(kind, src, tgt)                                                                       \
  { RP_MAIN, HD, RX_RESULTS_HEADING, MAIN, src, tgt, NULL, kind }
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
  char op; /* '<', '>' or 'G' (>=) */
  side r;
} comparison;

typedef struct claim_def {
  const char *id;
  int paper; /* 1: a claim of the paper; 0: a finding beyond it (docs/science.md §7.2) */
  const char *text;
  const char *hint; /* what produces the data, for "not measured" */
  comparison cmp[2];
  int n_cmp;
  side show[2]; /* shown with the numbers, not judged */
  int n_show;
} claim_def;

/* Claim g1 (docs/science.md §7.2): the quiescent headings effectively occupy at least half of
 * the ring the awake headings occupy, exp(-KL) >= 1/2, i.e. KL <= log 2. */
#define RING_MIN_EFFECTIVE_COVERAGE 0.5

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
  rp_stat_text(st, c->n_seeds, v, sizeof v);
  snprintf(buf, n, "%s = %s", s->label, v);
}

static void append(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t n, const char *fmt, ...) {
  size_t k = strlen(buf);
  if (k + 1 >= n) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + k, n - k, fmt, ap); /* truncated at the buffer's end, never overrun */
  va_end(ap);
}

int rp_claims_eval(rp_ctx *c, rp_claim_result *out, rx_error *err) {
  for (int i = 0; i < rp_claims_count(); i++) {
    const claim_def *d = &claims[i];
    rp_claim_result *r = &out[i];
    memset(r, 0, sizeof *r);
    r->id = d->id;
    r->text = d->text;
    r->paper = d->paper;
    int measured = 1, holds = 1;
    for (int k = 0; k < d->n_cmp; k++) {
      const comparison *cmp = &d->cmp[k];
      rp_stat l, rr;
      int rc = eval_side(c, &cmp->l, &l, err);
      if (!rc) rc = eval_side(c, &cmp->r, &rr, err);
      if (rc) return rc;
      char lt[256], rt[256];
      side_text(c, &cmp->l, &l, lt, sizeof lt);
      side_text(c, &cmp->r, &rr, rt, sizeof rt);
      const char *op = cmp->op == '<' ? "<" : cmp->op == '>' ? ">" : "≥";
      if (k) append(r->numbers, sizeof r->numbers, "; and ");
      append(r->numbers, sizeof r->numbers, "%s %s ", lt, op);
      append(r->numbers, sizeof r->numbers, "%s", rt);
      const side *sides[2] = {&cmp->l, &cmp->r};
      const rp_stat *stats[2] = {&l, &rr};
      for (int j = 0; j < 2; j++)
        if (!stats[j]->n) {
          char where[2600];
          if (sides[j]->q.root == RP_GAUSS && !c->cfg->gaussian[0])
            snprintf(where, sizeof where, "Gaussian-noise results root given");
          else
            rp_qty_where(c, &sides[j]->q, where, sizeof where);
          if (!strstr(r->reason, where))
            append(r->reason, sizeof r->reason, "%sno %s", r->reason[0] ? "; " : "", where);
          measured = 0;
        }
      if (l.n && rr.n) {
        const int ok = cmp->op == '<'   ? l.mean < rr.mean
                       : cmp->op == '>' ? l.mean > rr.mean
                                        : l.mean >= rr.mean;
        holds &= ok;
      }
    }
    for (int k = 0; k < d->n_show; k++) {
      rp_stat st;
      int rc = eval_side(c, &d->show[k], &st, err);
      if (rc) return rc;
      char t[256];
      side_text(c, &d->show[k], &st, t, sizeof t);
      append(r->numbers, sizeof r->numbers, "%s%s", k ? ", " : " (shown: ", t);
      if (k == d->n_show - 1) append(r->numbers, sizeof r->numbers, ")");
    }
    if (!measured) {
      append(r->reason, sizeof r->reason, "; needs %s", d->hint);
      r->verdict = RP_NOT_MEASURED;
    } else {
      r->verdict = holds ? RP_HOLDS : RP_FAILS;
    }
  }
  return 0;
}
