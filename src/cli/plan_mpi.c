/* The MPI transport of the plan executor (plan_exec.h): the only file of the CLI that calls
 * MPI, compiled with RX_HAVE_MPI when CMake found it (option RX_MPI). Without it, --mpi is
 * refused with one line. The scheduling itself is plan_run.c's. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/plan_exec.h"

#ifdef RX_HAVE_MPI
#include <mpi.h>

static int started_here = 0; /* this process called MPI_Init */

int cli_plan_check_mpi(const char *command) {
  (void)command;
  return 0;
}

int cli_mpi_start(const char *command, int *rank, int *n_ranks, int *node_ranks) {
  int init = 0;
  MPI_Initialized(&init);
  if (!init) {
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS)
      return cli_error("%s --mpi: MPI_Init failed (start it with mpirun; docs/cluster.md)",
                       command);
    started_here = 1;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, n_ranks);
  MPI_Comm node;
  *node_ranks = 1;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
      MPI_SUCCESS) {
    MPI_Comm_size(node, node_ranks);
    MPI_Comm_free(&node);
  }
  return 0;
}

int cli_mpi_agree(uint64_t value) {
  uint64_t all_and = 0, all_or = 0;
  MPI_Allreduce(&value, &all_and, 1, MPI_UINT64_T, MPI_BAND, MPI_COMM_WORLD);
  MPI_Allreduce(&value, &all_or, 1, MPI_UINT64_T, MPI_BOR, MPI_COMM_WORLD);
  return all_and != all_or;
}

void cli_mpi_send(int to, int tag, int a, int b) {
  int msg[2] = {a, b};
  MPI_Send(msg, 2, MPI_INT, to, tag, MPI_COMM_WORLD);
}

int cli_mpi_poll(int tag, int *from, int *a, int *b) {
  int flag = 0;
  MPI_Status st;
  MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &st);
  if (!flag) return 0;
  int msg[2];
  MPI_Recv(msg, 2, MPI_INT, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  *from = st.MPI_SOURCE;
  *a = msg[0];
  *b = msg[1];
  return 1;
}

void cli_mpi_barrier(void) { MPI_Barrier(MPI_COMM_WORLD); }

void cli_mpi_finalize(void) {
  int fin = 0;
  MPI_Finalized(&fin);
  if (started_here && !fin) MPI_Finalize();
}

#else /* built without MPI */

int cli_plan_check_mpi(const char *command) {
  return cli_error("%s --mpi: built without MPI: install libopenmpi-dev and rebuild "
                   "(docs/cluster.md)",
                   command);
}

int cli_mpi_start(const char *command, int *rank, int *n_ranks, int *node_ranks) {
  *rank = 0, *n_ranks = 1, *node_ranks = 1;
  return cli_plan_check_mpi(command);
}
int cli_mpi_agree(uint64_t value) {
  (void)value;
  return 0;
}
void cli_mpi_send(int to, int tag, int a, int b) { (void)to, (void)tag, (void)a, (void)b; }
int cli_mpi_poll(int tag, int *from, int *a, int *b) {
  (void)tag, (void)from, (void)a, (void)b;
  return 0;
}
void cli_mpi_barrier(void) {}
void cli_mpi_finalize(void) {}

#endif
