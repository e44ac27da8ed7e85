/* Internal to the plan executor: plan_run.c (the scheduler, the process pool, the MPI worker
 * loop) and plan_mpi.c, the only file that calls MPI. Without RX_HAVE_MPI, plan_mpi.c keeps
 * the same functions: cli_mpi_start refuses with one line and the others are never reached. */
#ifndef RX_CLI_PLAN_EXEC_H
#define RX_CLI_PLAN_EXEC_H

#include <stdint.h>

/* Messages between ranks, each two ints. Rank 0 to a worker (CLI_MPI_ORDER): {step, 0} run
 * step; {CLI_MPI_QUIT, 0} the plan is over; {CLI_MPI_STOP, sig} pass signal sig on to the
 * running steps. A worker to rank 0 (CLI_MPI_REPORT): {step, wait status} a step ended;
 * {CLI_MPI_STOP, sig} this worker received signal sig: stop the whole run. */
enum { CLI_MPI_ORDER = 1, CLI_MPI_REPORT = 2 };
enum { CLI_MPI_QUIT = -1, CLI_MPI_STOP = -2 };

/* MPI_Init (once per process), this rank, the number of ranks and of ranks on this node.
 * Returns 0, or an exit status after one line (built without MPI; MPI failed). */
int cli_mpi_start(const char *command, int *rank, int *n_ranks, int *node_ranks);
/* 0 when every rank passed the same value (the same plan), else 1 on every rank. */
int cli_mpi_agree(uint64_t value);
void cli_mpi_send(int to, int tag, int a, int b);
/* Without waiting: 1 and the message when one with this tag has arrived, else 0. */
int cli_mpi_poll(int tag, int *from, int *a, int *b);
/* Waits until every rank calls it (bench --only scheduler times its baseline between two). */
void cli_mpi_barrier(void);
void cli_mpi_finalize(void);

#endif
