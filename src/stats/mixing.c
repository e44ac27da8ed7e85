/* Mixing from a foreign start (docs/probes.md §2): the plateau and mixing time of a sequence of
 * per-window divergences KL(q_w || a), and the verdict "mixes" comparing two plateaus. The
 * divergences themselves come from rx_kl_matrix (analysis.h); the windows from the driver. */
#include <math.h>
#include <string.h>

#include "reactivate/sampling.h"

double rx_mixing_tolerance(double reference) {
  const double frac = RX_MIXING_TOL_FRACTION * fabs(reference);
  return frac > RX_MIXING_TOL_NATS ? frac : RX_MIXING_TOL_NATS;
}

int rx_mixing_summary(const double *kl, int n_windows, int window_steps, rx_mixing *out,
                      rx_error *err) {
  if (!kl || !out) return rx_fail(err, RX_EINVAL, "mixing: NULL argument");
  if (n_windows < RX_MIXING_PLATEAU_WINDOWS)
    return rx_fail(
        err, RX_EINVAL,
        "mixing: %d window(s), need at least %d (the plateau is the mean of the last %d)",
        n_windows, RX_MIXING_PLATEAU_WINDOWS, RX_MIXING_PLATEAU_WINDOWS);
  if (window_steps < 1)
    return rx_fail(err, RX_EINVAL, "mixing: window of %d steps, need at least 1", window_steps);
  for (int w = 0; w < n_windows; w++)
    if (!isfinite(kl[w]))
      return rx_fail(err, RX_ENUMERIC, "mixing: KL of window %d is %g; values must be finite", w,
                     kl[w]);
  memset(out, 0, sizeof *out);
  double s = 0;
  for (int w = n_windows - RX_MIXING_PLATEAU_WINDOWS; w < n_windows; w++)
    s += kl[w];
  const double plateau = s / RX_MIXING_PLATEAU_WINDOWS, tol = rx_mixing_tolerance(plateau);
  out->plateau = plateau;
  out->tolerance = tol;
  out->window = -1;
  for (int w = 0; w < n_windows && out->window < 0; w++)
    if (fabs(kl[w] - plateau) <= tol) out->window = w;
  out->settled_window = -1;
  for (int w = n_windows - 1; w >= 0 && fabs(kl[w] - plateau) <= tol; w--)
    out->settled_window = w;
  out->start_step = out->window < 0 ? -1 : (long)out->window * window_steps;
  out->settled_step = out->settled_window < 0 ? -1 : (long)out->settled_window * window_steps;
  return RX_OK;
}

int rx_mixes(double plateau_start, double plateau_ref, int *mixes, rx_error *err) {
  if (!mixes) return rx_fail(err, RX_EINVAL, "mixes: NULL argument");
  if (!isfinite(plateau_start) || !isfinite(plateau_ref))
    return rx_fail(err, RX_ENUMERIC,
                   "mixes: plateaus %g (foreign start) and %g (reference) must be finite",
                   plateau_start, plateau_ref);
  *mixes = fabs(plateau_start - plateau_ref) <= rx_mixing_tolerance(plateau_ref);
  return RX_OK;
}
