/* rx_report_write: the reproduction report (report.md and report.html in the results root)
 * put together from the sections: summary, claims checklist, configuration, runs, KL,
 * variance, distance, head direction, "Is it sampling?" (the probes), "Replay", "Mechanisms"
 * (when their files exist), figures and the authors' reference numbers. Settings
 * parsing is here too. Reading results is report_data.c's job, judging claims
 * report_claims.c's, the tables report_tables.c's. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "reactivate/fileio.h"
#include "reactivate/report.h"
#include "reactivate/results.h"
#include "report/report_internal.h"

#ifndef RX_VERSION
#define RX_VERSION "unknown"
#endif

void rx_report_config_default(rx_report_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  snprintf(cfg->path, sizeof cfg->path, "results");
  cfg->wall_s = -1;
}

int rx_report_config_parse(rx_report_config *cfg, int n, const char *const *args, rx_error *err) {
  for (int i = 0; i < n; i++) {
    const char *arg = args[i], *eq = strchr(arg, '=');
    if (!eq) return rx_fail(err, RX_EINVAL, "'%s': expected key=value", arg);
    const size_t kl = (size_t)(eq - arg);
    const char *v = eq + 1;
    if (kl == 4 && !strncmp(arg, "path", kl)) {
      if (!*v || strlen(v) >= sizeof cfg->path)
        return rx_fail(err, RX_EINVAL, "'%s': path must be a non-empty directory name", arg);
      snprintf(cfg->path, sizeof cfg->path, "%s", v);
    } else if (kl == 8 && !strncmp(arg, "gaussian", kl)) {
      if (strlen(v) >= sizeof cfg->gaussian)
        return rx_fail(err, RX_EINVAL, "'%s': directory name too long", arg);
      snprintf(cfg->gaussian, sizeof cfg->gaussian, "%s", strcmp(v, "none") ? v : "");
    } else if (kl == 7 && !strncmp(arg, "profile", kl)) {
      if (strlen(v) >= sizeof cfg->profile)
        return rx_fail(err, RX_EINVAL, "'%s': profile name longer than %zu characters", arg,
                       sizeof cfg->profile - 1);
      snprintf(cfg->profile, sizeof cfg->profile, "%s", v);
    } else if (kl == 5 && !strncmp(arg, "seeds", kl)) {
      int seeds[RX_REPORT_MAX_SEEDS], n_seeds, all;
      if (rx_seed_list_parse(v, seeds, RX_REPORT_MAX_SEEDS, &n_seeds, &all, err)) return RX_EINVAL;
      cfg->n_seeds = n_seeds; /* 0 for all */
      memcpy(cfg->seeds, seeds, (size_t)n_seeds * sizeof seeds[0]);
    } else {
      return rx_fail(err, RX_EINVAL, "'%s': unknown setting (path, gaussian, profile, seeds)", arg);
    }
  }
  return 0;
}

/* ---- sections ---- */

/* The two kinds of claim (docs/science.md §7.2) are counted and listed apart: a claim of the
 * paper that does not hold is a failed reproduction at this scale; a finding beyond the paper
 * that does not hold is a result about where the effect is absent. */
static const char *const kind_title[2] = {"Findings beyond the paper", "The paper's claims"};

static void count_verdicts(const rp_claim_result *res, int n, int paper, int counts[3]) {
  counts[0] = counts[1] = counts[2] = 0; /* not measured, fails, holds */
  for (int i = 0; i < n; i++)
    if (res[i].paper == paper) counts[res[i].verdict + 1]++;
}

static void list_verdict(rp_doc *d, const rp_claim_result *res, int n, int paper, rp_verdict v) {
  rp_list_begin(d);
  for (int i = 0; i < n; i++)
    if (res[i].paper == paper && res[i].verdict == v) {
      if (v == RP_NOT_MEASURED)
        rp_list_item(d, "%s. %s", res[i].id, res[i].text);
      else
        rp_list_item(d, "%s. %s: %s", res[i].id, res[i].text, res[i].numbers);
    }
  rp_list_end(d);
}

static void section_summary(rp_ctx *c, rp_doc *d, const rp_claim_result *res, int n) {
  int paper[3], beyond[3];
  count_verdicts(res, n, 1, paper);
  count_verdicts(res, n, 0, beyond);
  rp_heading(d, 2, "Summary");
  char seeds[300];
  rx_seed_list_format(c->seeds, c->n_seeds, ", ", seeds, sizeof seeds);
  rp_para(d, "Seeds reported: %s.", c->n_seeds ? seeds : "none found");
  rp_list_begin(d);
  rp_list_item(d,
               "%s (a–h, docs/science.md §7.2): %d checked; %d hold, %d do not hold, %d not "
               "measured.",
               kind_title[1], paper[0] + paper[1] + paper[2], paper[2], paper[1], paper[0]);
  const int mech = rp_has_mechanisms(c);
  rp_list_item(d,
               "%s (ours, docs/science.md §7.2 and §11.4, the probes of \"Is it sampling?\"%s "
               "the replay scores of \"Replay\"%s): %d checked; %d hold, %d do not hold, %d not "
               "measured.",
               kind_title[0], mech ? "," : " and",
               mech ? " and the mechanisms of \"Mechanisms\"" : "",
               beyond[0] + beyond[1] + beyond[2], beyond[2], beyond[1], beyond[0]);
  rp_list_end(d);
  if (paper[1]) {
    rp_para(d, "These results of the paper did not appear in these runs:");
    list_verdict(d, res, n, 1, RP_FAILS);
    if (c->cfg->profile[0] && strcmp(c->cfg->profile, "paper"))
      rp_para(d,
              "The %s profile trains reduced networks for few steps. The authors' code showed "
              "almost no effect in a reduced probe (docs/science.md §11.5), so a claim that does "
              "not hold here is not evidence against the paper; the paper profile is the test.",
              c->cfg->profile);
    else if (!c->cfg->profile[0])
      rp_para(d, "If these runs are smaller or shorter than the paper's: the authors' code showed "
                 "almost no effect in a reduced probe (docs/science.md §11.5), so a claim that "
                 "does not hold in reduced runs is not evidence against the paper.");
  } else if (paper[2] && !paper[0]) {
    rp_para(d, "Every claim of the paper checked holds in these runs.");
  }
  if (beyond[1]) {
    rp_para(d,
            "Findings beyond the paper that did not hold in these runs. They are results, not "
            "failures of the reproduction: each says where an effect measured elsewhere (at "
            "the paper's sizes, with the authors' code), predicted by the theory (the "
            "probes)%s expected of replay as hippocampal studies measure it (n1, n2)%s is "
            "absent here.",
            mech ? "," : " or",
            mech ? " or reported of adaptation and momentum by another study (o1–o3)" : "");
    list_verdict(d, res, n, 0, RP_FAILS);
  }
  if (paper[0] || beyond[0]) {
    rp_para(d, "Not measured (their results are missing; the checklist says what makes them):");
    rp_list_begin(d);
    for (int i = 0; i < n; i++)
      if (res[i].verdict == RP_NOT_MEASURED) rp_list_item(d, "%s. %s", res[i].id, res[i].text);
    rp_list_end(d);
  }
}

void rp_claims_table(rp_doc *d, const rp_claim_result *res, int n, int paper,
                     rp_claim_group group) {
  static const char *const headers[] = {"claim", "statement", "measured (mean over seeds)",
                                        "verdict"};
  rp_table_begin(d, 4, headers);
  for (int i = 0; i < n; i++) {
    if (res[i].paper != paper || res[i].group != group) continue;
    rp_cell(d, res[i].id);
    rp_cell(d, res[i].text);
    rp_cell(d, res[i].numbers);
    char verdict[1000];
    if (res[i].verdict == RP_NOT_MEASURED)
      snprintf(verdict, sizeof verdict, "not measured (%s)", res[i].reason);
    else
      snprintf(verdict, sizeof verdict, "%s", rp_verdict_text(res[i].verdict));
    rp_cell_class(d, verdict,
                  res[i].verdict == RP_HOLDS   ? "holds"
                  : res[i].verdict == RP_FAILS ? "fails"
                                               : "missing");
  }
  rp_table_end(d);
}

static void section_claims(const rp_ctx *c, rp_doc *d, const rp_claim_result *res, int n) {
  rp_heading(d, 2, "Claims checklist");
  rp_para(d, "Each claim is judged from the means over seeds of the numbers shown (mean ± s.d., "
             "s.d. with ddof 0 as numpy.std; \"(n=k)\" when only k seeds have the number). q X: "
             "quiescent activity of network X; a X: its active (awake) distribution; KL in nats. "
             "A claim whose numbers are missing is \"not measured\", with what would produce "
             "them. docs/science.md §7.2 defines every claim.");
  rp_heading(d, 3, kind_title[1]);
  rp_para(d, "The paper's qualitative results (docs/science.md §7): what a reproduction must "
             "show.");
  rp_claims_table(d, res, n, 1, RP_GROUP_CHECKLIST);
  rp_heading(d, 3, kind_title[0]);
  rp_para(d, "Our own findings, measured with the same analyses: what the paper did not claim. "
             "That one does not hold is a result, not a failed reproduction.");
  rp_claims_table(d, res, n, 0, RP_GROUP_CHECKLIST);
  if (rp_has_mechanisms(c))
    rp_para(d, "The claims of the probes of the sampling mechanism (j1–m1) are in \"Is it "
               "sampling?\" below, those of replay (n1, n2) in \"Replay\" and those of the "
               "mechanisms (o1–o3) in \"Mechanisms\", each next to their tables.");
  else
    rp_para(d, "The claims of the probes of the sampling mechanism (j1–m1) are in \"Is it "
               "sampling?\" below, and those of replay (n1, n2) in \"Replay\", each next to "
               "their tables.");
}

static void section_config(rp_ctx *c, rp_doc *d) {
  const rx_report_config *cfg = c->cfg;
  rp_heading(d, 2, "Configuration");
  rp_list_begin(d);
  rp_list_item(d, "Profile: %s", cfg->profile[0] ? cfg->profile : "not given");
  rp_list_item(d, "Results root: %s", cfg->path);
  rp_list_item(d, "Zero-mean Gaussian-noise results root: %s",
               cfg->gaussian[0] ? cfg->gaussian : "none");
  for (int root = 0; root < 2; root++)
    for (int t = 0; t < 2; t++) {
      const rp_set *s = &c->sets[root][t];
      if (root == RP_GAUSS && !cfg->gaussian[0]) continue;
      char seeds[300];
      rx_seed_list_format(s->seeds, s->n_seeds, ", ", seeds, sizeof seeds);
      if (s->exists)
        rp_list_item(d, "%s: noise (sigma2_rec of the noisy runs) %s, seeds found %s", s->where.dir,
                     s->where.noise, s->n_seeds ? seeds : "none");
      else
        rp_list_item(d, "%s: not found", s->where.dir);
    }
  if (cfg->wall_s >= 0) {
    const double s = cfg->wall_s;
    if (s < 60)
      rp_list_item(d, "Wall time: %.1f s", s);
    else if (s < 3600)
      rp_list_item(d, "Wall time: %d min %02d s (%.0f s)", (int)(s / 60), (int)fmod(s, 60), s);
    else
      rp_list_item(d, "Wall time: %d h %02d min (%.0f s)", (int)(s / 3600), (int)fmod(s / 60, 60),
                   s);
  } else {
    rp_list_item(d, "Wall time: not recorded");
  }
  rp_list_item(d, "Machine: %s",
               cfg->machine && *cfg->machine
                   ? cfg->machine
                   : "not recorded (reactivate reproduce records the BLAS library, its kernel, "
                     "the threads and the CPU)");
  rp_list_end(d);
  if (cfg->settings && *cfg->settings) {
    rp_para(d, "Settings, as given:");
    rp_pre(d, cfg->settings);
  } else {
    rp_para(d, "Settings: not given (each run's resolved configuration is in its config.yaml).");
  }
}

/* ---- the HTML page around the content ---- */

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
static const char html_style[] =
    "</title>\n<style>\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1150px;"
    "margin:2em auto;padding:0 1em;line-height:1.45;color:#1d1d1f}\n"
    "h1,h2,h3{line-height:1.2}h2{border-bottom:1px solid "
    "#ddd;padding-bottom:.2em;margin-top:1.8em}\n"
    "table{border-collapse:collapse;margin:.8em 0 1.2em;font-size:.92em}\n"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#f2f2f5}tbody tr:nth-child(even){background:#fafafa}\n"
    "td.holds{color:#116611;font-weight:600}td.fails{color:#aa1111;font-weight:600}"
    "td.missing{color:#666}\n"
    "pre{background:#f5f5f7;padding:.8em;overflow-x:auto;font-size:.88em}\n"
    "figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}\n"
    "figcaption{font-size:.9em;color:#444}\n"
    "</style>\n"
    /* For tests and readers: on load, the body says how many images loaded. */
    "<script>\nwindow.addEventListener('load', function () {\n"
    "  var imgs = document.images, ok = 0;\n"
    "  for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) "
    "ok++;\n"
    "  document.body.setAttribute('data-images-loaded', ok + '/' + imgs.length);\n"
    "});\n</script>\n</head>\n<body>\n";

int rp_write_doc(const rp_doc *d, const char *title, const char *md_path, const char *html_path,
                 rx_error *err) {
  rp_buf html = {0};
  rp_buf_puts(&html, html_head);
  rp_buf_html_text(&html, title);
  rp_buf_puts(&html, html_style);
  rp_buf_put(&html, d->html.s ? d->html.s : "", d->html.n);
  rp_buf_puts(&html, "</body>\n</html>\n");
  int rc = 0;
  if (html.oom || d->md.oom || d->html.oom)
    rc = rx_fail(err, RX_ENOMEM, "out of memory writing %s", md_path);
  if (!rc) rc = rx_write_file_atomic(md_path, d->md.s, d->md.n, err);
  if (!rc) rc = rx_write_file_atomic(html_path, html.s, html.n, err);
  rp_buf_free(&html);
  return rc;
}

static int write_outputs(rp_ctx *c, const rp_doc *d, const char *title, rx_error *err) {
  char md_path[2200], html_path[2200];
  snprintf(md_path, sizeof md_path, "%s/report.md", c->cfg->path);
  snprintf(html_path, sizeof html_path, "%s/report.html", c->cfg->path);
  int rc = rp_write_doc(d, title, md_path, html_path, err);
  if (!rc) rp_log(c, "wrote %s", md_path);
  if (!rc) rp_log(c, "wrote %s (%d image%s)", html_path, d->n_images, d->n_images == 1 ? "" : "s");
  return rc;
}

int rx_report_write(const rx_report_config *cfg, rx_report_log_fn log, void *ctx, rx_error *err) {
  if (!cfg) return rx_fail(err, RX_EINVAL, "rx_report_write: no settings");
  struct stat st;
  if (stat(cfg->path, &st) || !S_ISDIR(st.st_mode))
    return rx_fail(err, RX_EIO, "no results root %s: %s", cfg->path,
                   errno ? strerror(errno) : "not a directory");
  rp_ctx *c = calloc(1, sizeof *c);
  rp_doc *d = calloc(1, sizeof *d);
  int n_claims = rp_claims_count(); /* then those judged */
  rp_claim_result *res = calloc((size_t)n_claims, sizeof *res);
  int rc = c && d && res ? 0 : rx_fail(err, RX_ENOMEM, "out of memory");
  if (!rc) {
    c->cfg = cfg;
    c->rd.log = log;
    c->rd.log_ctx = ctx;
    rc = rp_gather(c, err);
  }
  if (!rc) rc = rp_claims_eval(c, res, &n_claims, err);
  char title[200];
  snprintf(title, sizeof title, "Reproduction report%s%s", cfg->profile[0] ? ": profile " : "",
           cfg->profile);
  if (!rc) {
    char date[64] = "unknown date";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm)) strftime(date, sizeof date, "%Y-%m-%d %H:%M %Z", &tm);
    rp_heading(d, 1, title);
    rp_para(d,
            "Generated %s by reactivate %s from the results in %s: offline reactivation in "
            "noisy recurrent networks (Krishna et al., ICLR 2024), reproduced.",
            date, RX_VERSION, cfg->path);
    section_summary(c, d, res, n_claims);
    section_claims(c, d, res, n_claims);
    section_config(c, d);
    rc = rp_section_runs(c, d, err);
  }
  if (!rc) rc = rp_section_kl(c, d, err);
  if (!rc) rc = rp_section_variance(c, d, err);
  if (!rc) rc = rp_section_distance(c, d, err);
  if (!rc) rc = rp_section_head_direction(c, d, err);
  if (!rc) rc = rp_section_probes(c, d, res, n_claims, err);
  if (!rc) rc = rp_section_replay(c, d, res, n_claims, err);
  if (!rc) rc = rp_section_mechanisms(c, d, res, n_claims, err);
  if (!rc) rc = rp_section_figures(c, d, err);
  if (!rc) rp_section_reference(d);
  if (!rc) rc = write_outputs(c, d, title, err);
  if (c) rp_ctx_free(c);
  if (d) rp_doc_free(d);
  free(c);
  free(d);
  free(res);
  return rc;
}
