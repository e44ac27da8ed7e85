/* reactivate figures: draws every figure of the paper (docs/science.md §7) that the saved results
 * of one task support; the work is rx_figures', this file parses and reports. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reactivate/figures.h"

/* LeakSanitizer (RX_SANITIZE builds): fontconfig, called by pango inside PLplot's cairo driver,
 * keeps a one-time font cache that LSan reports as leaked; suppress exactly that library, and
 * do not list the suppression at exit (the CLI's output stays what users see). */
__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}
__attribute__((used)) const char *__lsan_default_options(void);
__attribute__((used)) const char *__lsan_default_options(void) { return "print_suppressions=0"; }

static const char help[] =
    "usage: reactivate figures [key=value ...] [options]\n"
    "\n"
    "Draws the paper's figures (docs/science.md §7.1) from the runs and analysis files under\n"
    "<path>/<task>/ into <path>/<task>/figures/, each as <name>.png and <name>.svg: every\n"
    "figure the results support, with mean ± s.d. (or pooled values) over the seeds found.\n"
    "Figures whose data are missing are reported and skipped; a corrupt results file stops\n"
    "with one line naming it.\n"
    "\n"
    "Settings:\n"
    "  task=spatial_navigation|head_direction   (default spatial_navigation)\n"
    "  path=DIR        results root (default results)\n"
    "  noise=X         sigma2_rec of the noisy runs (default 0.0001 spatial, 0.01 head direction)\n"
    "  seeds=all|N|A-B[,...]   which seeds to use (default all found)\n"
    "  only=NAME[,...]  only these figures (a trailing * matches any ending, e.g.\n"
    "                  only=fig2e_kl_matrix,fig_probe_*); default every figure\n"
    "\n"
    "Spatial navigation: fig1b_learning_curves, fig1c_explained_variance, fig1de_trajectories,\n"
    "fig1fg_pcs, fig1hk_densities, fig2ab_positions, fig2cd_densities, fig2e_kl_matrix,\n"
    "fig2f_variance; the same from rule=same analyses as figC1_* and from GRU analyses as\n"
    "figC2_*; figC3_example_trajectories, figC4_step_distance; fig_arena (the arena with a\n"
    "few of its task's trajectories, for arenas other than the box: docs/arenas.md §2).\n"
    "Head direction: fig3ab_headings, fig3cd_pcs, figC5_trajectories, figC5_angular_velocity.\n"
    "Both tasks, from the probes' files (docs/probes.md §6): fig_probe_mixing, fig_probe_score,\n"
    "fig_probe_temperature, fig_probe_diffusion (spatial GRU files: figC2_probe_*).\n"
    "\n"
    "options:\n"
    "  --quiet       print nothing but errors\n"
    "  --threads N   threads for the density grids (default: all cores)\n";

int cmd_figures(int argc, char **argv) {
  cli_settings_args args;
  int rc = cli_parse_settings_args(argc, argv, "figures", help, NULL, NULL, &args);
  if (rc) return rc < 0 ? 0 : rc;
  rx_error err = {{0}};
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  if (rx_figures_config_parse(&cfg, args.n_settings, args.settings, &err))
    rc = cli_error("figures: %s", err.msg) + 1;
  cli_settings_free(&args);
  if (rc) return rc;
  cli_set_threads((int)args.threads);
  double t0 = omp_get_wtime();
  if (rx_figures(&cfg, args.quiet ? NULL : cli_log_line, &t0, &err))
    return cli_error("%s", err.msg);
  return 0;
}
