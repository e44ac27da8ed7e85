/* The reproduction report (report.md and report.html in the results root): the configuration,
 * the run table, the KL matrix, variance and distance tables, the probes of the sampling
 * mechanism ("Is it sampling?", docs/probes.md), every figure and a checklist of the paper's
 * qualitative claims and of our findings beyond it (docs/science.md §7.2), each judged holds /
 * does not hold from the measured numbers, which it shows. It reads only saved results: run
 * directories (test_metrics.json) and the analysis JSON files under <path>/<task>/ (docs/science.md
 * §8), and figures under <path>/<task>/figures/. Nothing is trained or simulated here. */
#ifndef RX_REPORT_H
#define RX_REPORT_H

#include "reactivate/error.h"
#include "reactivate/results.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RX_REPORT_MAX_SEEDS RX_SEED_LIST_MAX

typedef struct rx_report_config {
  char path[2048];      /* results root (holds spatial_navigation/, head_direction/) */
  char gaussian[2048];  /* results root of the zero-mean Gaussian-noise runs ("" : none), e.g.
                           <path>/gaussian; reported side by side with the published uniform noise */
  char profile[64];     /* profile name shown in the title ("quick", "paper", …) */
  const char *settings; /* free text shown verbatim under "Configuration" (may be NULL) */
  int n_seeds;          /* seeds to report (ascending, distinct); 0: every seed found */
  int seeds[RX_REPORT_MAX_SEEDS];
  double wall_s;       /* wall time of the reproduction, shown if >= 0 */
  const char *machine; /* what produced the numbers (BLAS library, kernel, threads, CPU), shown
                          under "Configuration"; NULL: "not recorded" */
} rx_report_config;

/* path "results", no Gaussian root, profile "", every seed, wall time unknown (-1). */
void rx_report_config_default(rx_report_config *cfg);
/* Applies key=value settings: path=DIR, gaussian=DIR ("" or none: no Gaussian root),
 * profile=NAME, seeds=all or a seed list (rx_seed_list_parse, as `reactivate figures`).
 * Unknown keys and bad values are refused naming the argument. */
int rx_report_config_parse(rx_report_config *cfg, int n, const char *const *args, rx_error *err);

/* Receives one line per file written and per missing input ("no KL results for seed 3"). */
typedef void (*rx_report_log_fn)(void *ctx, const char *line);

/* Writes <path>/report.md and <path>/report.html (atomically). Missing results leave their
 * table rows and claims marked "not measured", never fatal; fails (one line naming the file) on
 * a malformed results file or when the report cannot be written. */
int rx_report_write(const rx_report_config *cfg, rx_report_log_fn log, void *ctx, rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
