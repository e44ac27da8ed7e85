/* reactivate: the command-line entry point; dispatches to the subcommands in src/cli/cmd_*.c. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "reactivate/fileio.h"
#include "reactivate/linalg.h"

/* OpenBLAS picks its kernel when it loads; on CPUs it does not know it may pick one at half the
 * speed this CPU allows. Restart once with the better kernel named in OPENBLAS_CORETYPE (a user
 * who sets OPENBLAS_CORETYPE, or REACTIVATE_BLAS_AUTO=0, keeps full control). */
static void use_best_blas_kernel(char **argv) {
  const char *better = rx_blas_better_kernel();
  const char *auto_tune = getenv("REACTIVATE_BLAS_AUTO");
  if (!better || getenv("OPENBLAS_CORETYPE") || (auto_tune && !strcmp(auto_tune, "0"))) return;
  if (setenv("OPENBLAS_CORETYPE", better, 1) == 0) execv("/proc/self/exe", argv);
  /* exec failed: carry on with the kernel we have */
}

/* A signal that ends the process (Ctrl-C, SIGTERM from a batch system or from the executor of
 * a plan whose process died: plan_run.c) must not leave the temporary file of a write in
 * progress. Commands that stop cleanly on a signal (train, reproduce) install their own
 * handlers; a signal that was ignored when we started (nohup) stays ignored. */
static void on_fatal_signal(int sig) {
  rx_atomic_remove_temporaries();
  signal(sig, SIG_DFL);
  raise(sig);
}

static void remove_temporaries_on_signals(void) {
  const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    struct sigaction old;
    if (sigaction(sigs[i], NULL, &old) || old.sa_handler != SIG_DFL) continue;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigaction(sigs[i], &sa, NULL);
  }
}

static const char usage[] =
    "reactivate "
    "— train noisy RNNs on path integration and study offline reactivation\n"
    "\n"
    "usage: reactivate <command> [options]\n"
    "\n"
    "commands:\n"
    "  reproduce [--profile quick|paper]  the paper end to end: train, analyse, draw, report\n"
    "  sweep FILE.yml [options]           a grid of config overrides x seeds, trained, analysed,\n"
    "                                     summarised (docs/sweep.md)\n"
    "  train EXPERIMENT [key=value ...]   train one network (e.g. "
    "spatial_navigation/noisy_unbiased)\n"
    "  simulate CHECKPOINT [options]      run a trained network, awake or quiescent, to an .npz\n"
    "  analyze WHAT [key=value ...]       offline-reactivation analyses of trained runs (kl, ...)\n"
    "  figures [key=value ...]            draw the paper's figures from saved results\n"
    "  report [key=value ...]             write report.md / report.html from saved results\n"
    "  bench [--json]                     time training steps against this machine's sgemm rate\n"
    "\n"
    "Run 'reactivate <command> --help' for the options of a command. What the commands\n"
    "compute (tasks, networks, training, analyses, the paper's claims): docs/science.md.\n";

int main(int argc, char **argv) {
  use_best_blas_kernel(argv);
  remove_temporaries_on_signals();
  if (argc < 2 || cli_is_help(argv[1])) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("reactivate %s\n", RX_CLI_VERSION);
    return 0;
  }
  static const struct {
    const char *name;
    int (*fn)(int, char **);
  } commands[] = {{"train", cmd_train},   {"simulate", cmd_simulate}, {"analyze", cmd_analyze},
                  {"bench", cmd_bench},   {"figures", cmd_figures},   {"reproduce", cmd_reproduce},
                  {"report", cmd_report}, {"sweep", cmd_sweep},       {"_sleep", cmd_sleep}};
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  cli_error("unknown command '%s' (commands: reproduce, sweep, train, simulate, analyze, figures, "
            "report, bench; see reactivate --help)",
            argv[1]);
  return 2;
}
