/* Inside src/stats, for the drift-versus-score statistics: the modified Bessel functions the von
 * Mises KDE is normalised and matched with (circular_kde.c), exposed for the tests. Not part of
 * the public API. */
#ifndef RX_STATS_SCORE_INTERNAL_H
#define RX_STATS_SCORE_INTERNAL_H

/* e^-x I0(x), and 1 - I1(x) / I0(x), for x >= 0 (relative error ~1e-15). */
double rxst_bessel_i0e(double x);
double rxst_bessel_ratio_gap(double x);
/* The kappa >= 0 with 1 - I1(kappa) / I0(kappa) = gap (0 < gap <= 1; gap >= 1 gives 0). */
double rxst_kappa_for_gap(double gap);

#endif
