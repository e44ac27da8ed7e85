/* reactivate report: writes the reproduction report (report.md, report.html) from the results
 * already saved under a results root; the work is rx_report_write's, this file parses and
 * reports. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reactivate/fileio.h"
#include "reactivate/report.h"

static const char help[] =
    "usage: reactivate report [key=value ...] [options]\n"
    "\n"
    "Writes <path>/report.md and <path>/report.html from the saved runs, analyses and figures\n"
    "under <path>/spatial_navigation/ and <path>/head_direction/ (nothing is trained or\n"
    "simulated): the configuration, the run table (final test loss and decoding error, mean ±\n"
    "s.d. over seeds), the KL matrices, variance, step-distance and head-direction tables next\n"
    "to the numbers of the authors' code (docs/science.md §11), every figure found, and a\n"
    "checklist of the paper's claims (docs/science.md §7.2), each judged holds / does not\n"
    "hold / not measured from the numbers shown. Missing results are reported and marked\n"
    "'not measured'; a malformed results file stops with one line naming it. See\n"
    "docs/report.md.\n"
    "\n"
    "Settings:\n"
    "  path=DIR        results root (default results); the report is written there\n"
    "  gaussian=DIR    results root of the noisy runs trained with zero-mean Gaussian noise,\n"
    "                  reported side by side with the published uniform noise (default none)\n"
    "  profile=NAME    profile name shown in the title (quick, paper, ...)\n"
    "  seeds=all|N|A-B[,...]   which seeds to report (default all found)\n"
    "  settings=FILE   text file shown verbatim under Configuration\n"
    "\n"
    "options:\n"
    "  --quiet       print nothing but errors\n";

int cmd_report(int argc, char **argv) {
  cli_settings_args args;
  int rc = cli_parse_settings_args(argc, argv, "report", help, NULL, NULL, &args);
  if (rc) return rc < 0 ? 0 : rc;
  rx_error err = {{0}};
  rx_report_config *cfg = malloc(sizeof *cfg);
  const char **rest = calloc((size_t)args.n_settings + 1, sizeof *rest);
  char *settings = NULL;
  int n_rest = 0;
  if (!cfg || !rest) rc = cli_error("out of memory");
  if (!rc) rx_report_config_default(cfg);
  for (int i = 0; i < args.n_settings && !rc; i++) {
    const char *a = args.settings[i];
    if (strncmp(a, "settings=", 9)) {
      rest[n_rest++] = a;
      continue;
    }
    size_t n;
    free(settings);
    settings = NULL;
    if (!a[9] || rx_read_file(a + 9, &settings, &n, (size_t)1 << 20, &err))
      rc = cli_error("report: '%s': %s", a, a[9] ? err.msg : "needs a file name") + 1;
  }
  if (!rc && rx_report_config_parse(cfg, n_rest, rest, &err))
    rc = cli_error("report: %s", err.msg) + 1;
  cli_settings_free(&args);
  free(rest);
  if (!rc) {
    cfg->settings = settings;
    double t0 = omp_get_wtime();
    if (rx_report_write(cfg, args.quiet ? NULL : cli_log_line, &t0, &err))
      rc = cli_error("%s", err.msg);
  }
  free(settings);
  free(cfg);
  return rc;
}
