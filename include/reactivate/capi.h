/* A flat C API for bindings (the Python module in python/, loaded with ctypes): opaque handles,
 * plain pointers with their shapes, integers and strings, and a caller's buffer for the one-line
 * error message, so that a binding never mirrors the library's structs. Each call does what the
 * matching `reactivate` command does, through the same library functions (simulate through
 * rx_simulate_options, train through rx_train, analyze through rx_analyze), so the same
 * arguments give the same bits. Every function returns 0 or a negative rx_status and, on
 * failure, writes the message into msg (msg_size bytes, NUL-terminated, cut short if longer);
 * nothing prints or exits. */
#ifndef RX_CAPI_H
#define RX_CAPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version ("0.1.0"), for a binding to check it loaded the library it expects. */
const char *rx_capi_version(void);
/* Threads for BLAS and the library's loops (n <= 0: all cores), as the CLI's --threads; results
 * do not depend on it. */
void rx_capi_set_threads(int n);

/* ---- trained networks ---- */

typedef struct rx_capi_network rx_capi_network;

/* Loads and validates a checkpoint (model_<step>.npz), as `reactivate simulate` does. */
int rx_capi_network_load(const char *path, rx_capi_network **out, char *msg, size_t msg_size);
void rx_capi_network_free(rx_capi_network *net); /* NULL: nothing */
/* The resolved config stored in the checkpoint, as JSON text (an object; mappings as objects,
 * sequences as arrays, numbers and true / false / null as YAML 1.1 reads them, the rest as
 * strings), owned by net, valid until rx_capi_network_free; NULL when net is NULL. */
const char *rx_capi_network_config_json(const rx_capi_network *net);
/* The checkpoint's step. */
int64_t rx_capi_network_step(const rx_capi_network *net);
/* The network's parameters: how many, and parameter i's PyTorch name ("w_rec.weight"), its
 * dimensions (1 or 2) and shape, and its float32 values in C order (pointers owned by net). */
int rx_capi_network_n_params(const rx_capi_network *net);
int rx_capi_network_param(const rx_capi_network *net, int i, const char **name, int *ndim,
                          int64_t shape[2], const float **data, char *msg, size_t msg_size);

/* ---- arrays handed back (simulate) ---- */

typedef struct rx_capi_arrays rx_capi_arrays;

int rx_capi_arrays_count(const rx_capi_arrays *a);
/* Array i: name, dimensions, shape (up to 8 entries written) and float32 values in C order,
 * owned by a. */
int rx_capi_arrays_get(const rx_capi_arrays *a, int i, const char **name, int *ndim,
                       int64_t shape[8], const float **data, char *msg, size_t msg_size);
void rx_capi_arrays_free(rx_capi_arrays *a); /* NULL: nothing */

/* ---- simulate (`reactivate simulate`) ---- */

/* dtype codes of the arrays a binding hands in: float32 or float64 (rounded to float32 when
 * every value is finite and within float32's range, as the CLI reads .npy files). */
enum { RX_CAPI_F32 = 0, RX_CAPI_F64 = 1 };

/* Runs net as `reactivate simulate CHECKPOINT [options] [settings]`: batch and steps (0: not
 * given), seed, quiescent, test_batch, keep_hidden (0: --no-hidden), rule (-1: not given; 0
 * scaled, 1 same, 2 absolute), rule_var and noise_var (< 0: not given), the key=value mechanism
 * settings, and inputs (B, T, n_in) and init (B, n_init) batch-major in C order (NULL: not
 * given) of the given dtype, dimensions and shape. *out receives the arrays `simulate` writes,
 * in its order (rx_sim_output); free with rx_capi_arrays_free. */
int rx_capi_simulate(const rx_capi_network *net, int batch, int steps, int64_t seed, int quiescent,
                     int test_batch, int keep_hidden, int rule, double rule_var, double noise_var,
                     int n_settings, const char *const *settings, const void *inputs,
                     int inputs_dtype, int inputs_ndim, const int64_t *inputs_shape,
                     const void *init, int init_dtype, int init_ndim, const int64_t *init_shape,
                     rx_capi_arrays **out, char *msg, size_t msg_size);

/* ---- train (`reactivate train`) ---- */

/* Called after every training step and test evaluation (rx_train_progress); a non-zero return
 * stops training after writing a checkpoint, as SIGINT stops the CLI. note: on the first call
 * only, what the start repaired or took over, else NULL. */
typedef int (*rx_capi_progress_fn)(void *ctx, int64_t step, int64_t n_steps, double loss,
                                   double error, int tested, double test_loss, double test_error,
                                   const char *note);

/* Resolves the config of experiment (a bundled <task>/<name> or a YAML file) with the key=value
 * overrides and trains it, as `reactivate train EXPERIMENT [overrides] [--resume]
 * [--overwrite]`. run_dir (run_dir_size bytes) receives the run directory, also on failure once
 * the config resolved; *interrupted (if not NULL) is 1 when progress stopped it. progress may be
 * NULL. */
int rx_capi_train(const char *experiment, int n_overrides, const char *const *overrides, int resume,
                  int overwrite, rx_capi_progress_fn progress, void *ctx, int *interrupted,
                  char *run_dir, size_t run_dir_size, char *msg, size_t msg_size);
/* The run directory of experiment with overrides (`reactivate train --dry-run`), training
 * nothing. */
int rx_capi_run_dir(const char *experiment, int n_overrides, const char *const *overrides,
                    char *run_dir, size_t run_dir_size, char *msg, size_t msg_size);

/* ---- analyze (`reactivate analyze`) ---- */

/* Log lines of the analyses (what the CLI prints); may be NULL. */
typedef void (*rx_capi_log_fn)(void *ctx, const char *line);

/* Runs one analysis (kind: "kl", "variance", "distance", "pca", "heading", "mixing", "score",
 * "temperature", "diffusion", "replay") with the key=value settings, as `reactivate analyze
 * KIND settings`, and writes into json_path (json_path_size bytes) the path of the JSON file it
 * wrote. */
int rx_capi_analyze(const char *kind, int n_settings, const char *const *settings,
                    rx_capi_log_fn log, void *ctx, char *json_path, size_t json_path_size,
                    char *msg, size_t msg_size);

#ifdef __cplusplus
}
#endif
#endif
