/* Arena geometry (docs/arenas.md): an rx_arena built and checked from its spec, point in arena,
 * nearest wall, first crossing, uniform sampling and the outline. One mechanism, wall segments,
 * with two exact special cases: the box (the paper's wall distances, bit for bit) and the circle.
 * The motion model that uses it is spatial.c's; which keys feed the spec is config_specs.c's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/arena.h"

static const char *const kind_names[] = {"box", "circle", "polygon", "t_maze", "linear_track"};

const char *rx_arena_name(rx_arena_kind kind) {
  return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : NULL;
}

/* ---- segments ---- */

static double cross2(double ax, double ay, double bx, double by) { return ax * by - ay * bx; }

/* > 0: c left of a -> b; < 0: right; 0: on the line. */
static double orient3(const double *a, const double *b, const double *c) {
  return cross2(b[0] - a[0], b[1] - a[1], c[0] - a[0], c[1] - a[1]);
}

/* c, on the line through a and b, lies between them. */
static int between(const double *a, const double *b, const double *c) {
  return c[0] >= fmin(a[0], b[0]) && c[0] <= fmax(a[0], b[0]) && c[1] >= fmin(a[1], b[1]) &&
         c[1] <= fmax(a[1], b[1]);
}

/* Closed segments s and t (x1, y1, x2, y2): 0 apart, 1 crossing at a point inside both, 2
 * touching (an end on the other) or overlapping. */
static int segments_meet(const double *s, const double *t) {
  const double *a = s, *b = s + 2, *c = t, *d = t + 2;
  double o1 = orient3(a, b, c), o2 = orient3(a, b, d), o3 = orient3(c, d, a), o4 = orient3(c, d, b);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)))
    return 1;
  if ((o1 == 0 && between(a, b, c)) || (o2 == 0 && between(a, b, d)) ||
      (o3 == 0 && between(c, d, a)) || (o4 == 0 && between(c, d, b)))
    return 2;
  return 0;
}

/* First t in [0, 1] at which p + t r meets segment s (closed); 0 when it does not. */
static int segment_hit(const double *s, double px, double py, double rx, double ry, double *t) {
  const double ax = s[0] - px, ay = s[1] - py, sx = s[2] - s[0], sy = s[3] - s[1];
  const double rr = rx * rx + ry * ry;
  if (rr == 0) { /* a point: on the segment or not */
    const double p[2] = {px, py};
    if (cross2(sx, sy, -ax, -ay) != 0 || !between(s, s + 2, p)) return 0;
    *t = 0;
    return 1;
  }
  const double den = cross2(rx, ry, sx, sy);
  if (den != 0) {
    double tt = cross2(ax, ay, sx, sy) / den, u = cross2(ax, ay, rx, ry) / den;
    if (!(tt >= 0 && tt <= 1 && u >= 0 && u <= 1)) return 0;
    *t = tt;
    return 1;
  }
  if (cross2(ax, ay, rx, ry) != 0) return 0; /* parallel, apart */
  /* along the same line: where the overlap with the wall starts */
  double t0 = (ax * rx + ay * ry) / rr, t1 = ((s[2] - px) * rx + (s[3] - py) * ry) / rr;
  double lo = fmin(t0, t1), hi = fmax(t0, t1);
  if (hi < 0 || lo > 1) return 0;
  *t = lo > 0 ? lo : 0;
  return 1;
}

/* First t in [0, 1] at which p + t r meets the circle |x| = R. */
static int circle_hit(double R, double px, double py, double rx, double ry, double *t) {
  const double a = rx * rx + ry * ry, b = px * rx + py * ry, c = px * px + py * py - R * R;
  if (a == 0) {
    if (c != 0) return 0;
    *t = 0;
    return 1;
  }
  const double disc = b * b - a * c;
  if (!(disc >= 0)) return 0;
  const double sq = sqrt(disc), t1 = (-b - sq) / a, t2 = (-b + sq) / a;
  if (t1 >= 0 && t1 <= 1) return *t = t1, 1;
  if (t2 >= 0 && t2 <= 1) return *t = t2, 1;
  return 0;
}

/* ---- queries ---- */

/* Even-odd rule over the boundary edges; a point exactly on an edge is inside. */
static int in_polygon(const rx_arena *a, double x, double y) {
  const double p[2] = {x, y};
  int inside = 0;
  for (int i = 0; i < a->n_boundary; i++) {
    const double *s = a->seg[i];
    if (orient3(s, s + 2, p) == 0 && between(s, s + 2, p)) return 1;
    if ((s[1] > y) != (s[3] > y) && x < s[0] + (y - s[1]) * (s[2] - s[0]) / (s[3] - s[1]))
      inside = !inside;
  }
  return inside;
}

int rx_arena_contains(const rx_arena *a, double x, double y) {
  switch (a->kind) {
  case RX_ARENA_BOX:
    return x >= -a->w2 && x <= a->w2 && y >= -a->h2 && y <= a->h2;
  case RX_ARENA_CIRCLE:
    return x * x + y * y <= a->radius * a->radius;
  default:
    return in_polygon(a, x, y);
  }
}

/* Direction (rad) from (x, y) towards its nearest point on segment s, at distance d; on the
 * segment (or its line, where the nearest point is inside it) the normal to the right of
 * s (side 1) or to its left (side -1). Where the nearest point is inside the segment the
 * direction is the normal itself, exactly, rather than the angle of a difference of nearly equal
 * points. */
static double towards(const double *s, double x, double y, double d, double side) {
  const double dx = s[2] - s[0], dy = s[3] - s[1];
  const double t = ((x - s[0]) * dx + (y - s[1]) * dy) / (dx * dx + dy * dy);
  if (t > 0 && t < 1) {
    const double c = cross2(dx, dy, x - s[0], y - s[1]); /* > 0: (x, y) left of s */
    if (c != 0) side = c > 0 ? 1 : -1;
    return atan2(-side * dx, side * dy);
  }
  const double nx = t <= 0 ? s[0] : s[2], ny = t <= 0 ? s[1] : s[3];
  if (d > 0 && (nx != x || ny != y)) return atan2(ny - y, nx - x);
  return atan2(-side * dx, side * dy);
}

/* Distance from (x, y) to segment s (through the cross product where the nearest point is
 * inside it, so that a point on the segment is at 0 exactly). */
static double wall_distance(const double *s, double x, double y) {
  const double dx = s[2] - s[0], dy = s[3] - s[1], len2 = dx * dx + dy * dy;
  const double t = ((x - s[0]) * dx + (y - s[1]) * dy) / len2;
  if (t > 0 && t < 1) return fabs(cross2(dx, dy, x - s[0], y - s[1])) / sqrt(len2);
  return t <= 0 ? hypot(x - s[0], y - s[1]) : hypot(x - s[2], y - s[3]);
}

int rx_arena_nearest_wall(const rx_arena *a, double x, double y, double *distance, double *theta) {
  int best = 0, special = a->kind == RX_ARENA_BOX || a->kind == RX_ARENA_CIRCLE;
  double d = INFINITY, th = 0;
  if (a->kind == RX_ARENA_BOX) { /* docs/science.md §1.1, as written there */
    const double dist[4] = {a->w2 - x, a->h2 - y, a->w2 + x, a->h2 + y};
    for (int i = 1; i < 4; i++)
      if (dist[i] < dist[best]) best = i;
    d = dist[best];
    th = best * (M_PI / 2);
  } else if (a->kind == RX_ARENA_CIRCLE) {
    const double rho = hypot(x, y);
    d = a->radius - rho;
    th = rho > 0 ? atan2(y, x) : 0;
  }
  int seg = -1;
  for (int i = special ? a->n_boundary : 0; i < a->n_walls; i++) {
    double di = wall_distance(a->seg[i], x, y);
    if (di < d) d = di, best = seg = i;
  }
  /* on a wall: the boundary's outward normal (to the right of a counter-clockwise edge), or the
   * left normal of a wall inside */
  if (seg >= 0) th = towards(a->seg[seg], x, y, d, seg < a->n_boundary ? a->orient : -1.0);
  *distance = d;
  *theta = th;
  return best;
}

int rx_arena_crossing(const rx_arena *a, double px, double py, double qx, double qy,
                      double *t_hit) {
  const double rx = qx - px, ry = qy - py;
  int best = -1;
  double tb = INFINITY, t;
  if (a->kind == RX_ARENA_CIRCLE && circle_hit(a->radius, px, py, rx, ry, &t)) tb = t, best = 0;
  for (int i = a->kind == RX_ARENA_CIRCLE ? 1 : 0; i < a->n_walls; i++)
    if (segment_hit(a->seg[i], px, py, rx, ry, &t) && t < tb) tb = t, best = i;
  if (best >= 0) *t_hit = tb;
  return best;
}

void rx_arena_sample(const rx_arena *a, rx_rng *r, double *x, double *y) {
  if (a->kind == RX_ARENA_BOX) { /* docs/science.md §1.1's draws */
    *x = (rx_rng_uniform(r) - 0.5) * a->width;
    *y = (rx_rng_uniform(r) - 0.5) * a->height;
    return;
  }
  for (;;) {
    double u = a->lo[0] + (a->hi[0] - a->lo[0]) * rx_rng_uniform(r);
    double v = a->lo[1] + (a->hi[1] - a->lo[1]) * rx_rng_uniform(r);
    double fu = (float)u, fv = (float)v, d, th;
    if (!rx_arena_contains(a, fu, fv)) continue;
    rx_arena_nearest_wall(a, fu, fv, &d, &th);
    if (d > 0) {
      *x = u;
      *y = v;
      return;
    }
  }
}

int rx_arena_outline(const rx_arena *a, int n_circle, double (*out)[4], int cap) {
  int n = 0;
  if (a->kind == RX_ARENA_CIRCLE) {
    if (n_circle < 3) n_circle = 3;
    for (int k = 0; k < n_circle; k++, n++) {
      if (n >= cap) continue;
      double t0 = 2 * M_PI * k / n_circle, t1 = 2 * M_PI * (k + 1) / n_circle;
      out[n][0] = a->radius * cos(t0), out[n][1] = a->radius * sin(t0);
      out[n][2] = a->radius * cos(t1), out[n][3] = a->radius * sin(t1);
    }
  }
  for (int i = a->kind == RX_ARENA_CIRCLE ? 1 : 0; i < a->n_walls; i++, n++)
    if (n < cap) memcpy(out[n], a->seg[i], sizeof out[n]);
  return n;
}

/* ---- building and checking ---- */

static void add_segment(rx_arena *a, double x1, double y1, double x2, double y2) {
  double *s = a->seg[a->n_walls++];
  s[0] = x1, s[1] = y1, s[2] = x2, s[3] = y2;
}

/* Closes the polygon v (n, 2) into the boundary; its area, orientation and bounding box. */
static void set_polygon(rx_arena *a, const double (*v)[2], int n) {
  double twice = 0;
  a->lo[0] = a->hi[0] = v[0][0];
  a->lo[1] = a->hi[1] = v[0][1];
  for (int i = 0; i < n; i++) {
    const double *p = v[i], *q = v[(i + 1) % n];
    add_segment(a, p[0], p[1], q[0], q[1]);
    twice += cross2(p[0], p[1], q[0], q[1]);
    for (int k = 0; k < 2; k++)
      a->lo[k] = fmin(a->lo[k], p[k]), a->hi[k] = fmax(a->hi[k], p[k]);
  }
  a->n_boundary = n;
  a->area = 0.5 * fabs(twice);
  a->orient = twice < 0 ? -1 : 1;
}

static int positive(double v) { return v > 0 && isfinite(v); }

static int check_size(const char *key, double v, rx_error *err) {
  if (positive(v)) return 0;
  return rx_fail(err, RX_EINVAL, "%s: must be a finite number > 0 (got %g)", key, v);
}

/* A polygon's vertices: enough of them, finite, no point twice in a row, edges that neither
 * cross, touch nor fold back. Edge k (1-based) joins vertex k and k + 1. */
static int check_polygon(const double (*v)[2], int n, rx_error *err) {
  const char *key = "task.arena_vertices";
  if (n < 3)
    return rx_fail(err, RX_EINVAL, "%s: a polygon needs at least 3 vertices (got %d)", key, n);
  if (n > RX_ARENA_MAX_VERTICES)
    return rx_fail(err, RX_EINVAL, "%s: at most %d vertices (got %d)", key, RX_ARENA_MAX_VERTICES,
                   n);
  for (int i = 0; i < n; i++)
    if (!isfinite(v[i][0]) || !isfinite(v[i][1]))
      return rx_fail(err, RX_EINVAL, "%s: vertex %d is not finite ([%g, %g])", key, i + 1, v[i][0],
                     v[i][1]);
  for (int i = 0; i < n; i++) {
    const double *p = v[i], *q = v[(i + 1) % n];
    if (p[0] != q[0] || p[1] != q[1]) continue;
    if (i == n - 1)
      return rx_fail(err, RX_EINVAL,
                     "%s: the last vertex repeats the first (the polygon closes by itself: leave "
                     "the last one out)",
                     key);
    return rx_fail(err, RX_EINVAL, "%s: vertices %d and %d are the same point", key, i + 1, i + 2);
  }
  for (int i = 0; i < n; i++) {
    const double si[4] = {v[i][0], v[i][1], v[(i + 1) % n][0], v[(i + 1) % n][1]};
    for (int j = i + 1; j < n; j++) {
      const double sj[4] = {v[j][0], v[j][1], v[(j + 1) % n][0], v[(j + 1) % n][1]};
      if (j == i + 1 || (i == 0 && j == n - 1)) { /* neighbours share a vertex: no folding back */
        const double ei[2] = {si[2] - si[0], si[3] - si[1]}, ej[2] = {sj[2] - sj[0], sj[3] - sj[1]};
        if (cross2(ei[0], ei[1], ej[0], ej[1]) == 0 && ei[0] * ej[0] + ei[1] * ej[1] < 0)
          return rx_fail(err, RX_EINVAL, "%s: edges %d and %d overlap (the outline turns back)",
                         key, i + 1, j + 1);
        continue;
      }
      int m = segments_meet(si, sj);
      if (m)
        return rx_fail(err, RX_EINVAL, "%s: edges %d and %d %s", key, i + 1, j + 1,
                       m == 1 ? "cross" : "touch");
    }
  }
  return 0;
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* In the arena, or off its boundary by no more than tol (a wall meant to end on the boundary
 * may miss it by a rounding: 1.1 - 0.4 is not 0.7). */
static int nearly_inside(const rx_arena *a, double x, double y, double tol) {
  if (rx_arena_contains(a, x, y)) return 1;
  if (a->kind == RX_ARENA_CIRCLE) return hypot(x, y) - a->radius <= tol;
  for (int i = 0; i < a->n_boundary; i++)
    if (wall_distance(a->seg[i], x, y) <= tol) return 1;
  return 0;
}

/* Wall k (1-based) s lies in the arena: both ends inside and, in a polygon, every stretch
 * between the points where it meets the boundary (crossing it, or touching a corner) too. */
static int check_wall(const rx_arena *a, const double *s, int k, rx_error *err) {
  const char *key = "task.walls";
  for (int e = 0; e < 4; e++)
    if (!isfinite(s[e]))
      return rx_fail(err, RX_EINVAL, "%s: wall %d is not finite ([%g, %g, %g, %g])", key, k, s[0],
                     s[1], s[2], s[3]);
  if (s[0] == s[2] && s[1] == s[3])
    return rx_fail(err, RX_EINVAL, "%s: wall %d has zero length", key, k);
  const double tol = 1e-9 * fmax(a->hi[0] - a->lo[0], a->hi[1] - a->lo[1]);
  for (size_t e = 0; e < 2; e++) {
    const double *end = s + 2 * e;
    if (!nearly_inside(a, end[0], end[1], tol))
      return rx_fail(err, RX_EINVAL, "%s: wall %d has its end (%g, %g) outside the arena", key, k,
                     end[0], end[1]);
  }
  if (a->kind != RX_ARENA_POLYGON && a->kind != RX_ARENA_T_MAZE) return 0; /* convex */
  double t[2 * RX_ARENA_MAX_VERTICES + 2];
  int n = 0;
  t[n++] = 0;
  t[n++] = 1;
  const double dx = s[2] - s[0], dy = s[3] - s[1], len2 = dx * dx + dy * dy;
  for (int i = 0; i < a->n_boundary; i++) {
    const double *e = a->seg[i], ex = e[2] - e[0], ey = e[3] - e[1];
    const double den = cross2(dx, dy, ex, ey);
    if (segments_meet(s, e) == 1 && den != 0) /* where it crosses the edge */
      t[n++] = cross2(e[0] - s[0], e[1] - s[1], ex, ey) / den;
    if (orient3(s, s + 2, e) == 0 && between(s, s + 2, e)) /* a corner on it */
      t[n++] = ((e[0] - s[0]) * dx + (e[1] - s[1]) * dy) / len2;
  }
  qsort(t, (size_t)n, sizeof t[0], cmp_double);
  for (int i = 0; i + 1 < n; i++) {
    double m = 0.5 * (t[i] + t[i + 1]), x = s[0] + m * dx, y = s[1] + m * dy;
    if (t[i + 1] > t[i] && !nearly_inside(a, x, y, tol))
      return rx_fail(err, RX_EINVAL, "%s: wall %d leaves the arena (at (%.6g, %.6g))", key, k, x,
                     y);
  }
  return 0;
}

/* ---- room for the border region (polygons) ---- */

typedef struct cell {
  double x, y, h; /* centre, half size */
  double d, max;  /* clearance at the centre; bound on the clearance in the cell */
} cell;

typedef struct heap {
  cell *c;
  size_t n, cap;
} heap;

/* Clearance: distance to the nearest edge, negative outside. */
static double clearance(const rx_arena *a, double x, double y) {
  double d = INFINITY;
  for (int i = 0; i < a->n_boundary; i++)
    d = fmin(d, wall_distance(a->seg[i], x, y));
  return in_polygon(a, x, y) ? d : -d;
}

static int heap_push(heap *hp, const rx_arena *a, double x, double y, double h) {
  if (hp->n == hp->cap) {
    size_t cap = hp->cap ? 2 * hp->cap : 256;
    cell *c = realloc(hp->c, cap * sizeof *c);
    if (!c) return -1;
    hp->c = c, hp->cap = cap;
  }
  cell nw = {x, y, h, clearance(a, x, y), 0};
  nw.max = nw.d + h * M_SQRT2;
  size_t i = hp->n++;
  for (; i > 0 && hp->c[(i - 1) / 2].max < nw.max; i = (i - 1) / 2)
    hp->c[i] = hp->c[(i - 1) / 2];
  hp->c[i] = nw;
  return 0;
}

static cell heap_pop(heap *hp) {
  cell top = hp->c[0], last = hp->c[--hp->n];
  size_t i = 0;
  for (;;) {
    size_t k = 2 * i + 1;
    if (k >= hp->n) break;
    if (k + 1 < hp->n && hp->c[k + 1].max > hp->c[k].max) k++;
    if (hp->c[k].max <= last.max) break;
    hp->c[i] = hp->c[k];
    i = k;
  }
  if (hp->n) hp->c[i] = last;
  return top;
}

/* Whether some point of the polygon is farther than r from every edge: a best-first search over
 * cells of the bounding box (Mapbox's polylabel), to 1e-4 of the box's larger side, starting from
 * at most 64 cells a side and giving up (no room shown) after MAX_CELLS. *best: the largest
 * clearance seen. RX_ENOMEM as -1. */
#define MAX_CELLS (1 << 20)
static int room_for(const rx_arena *a, double r, double *best) {
  const double w = a->hi[0] - a->lo[0], h = a->hi[1] - a->lo[1];
  const double size = fmax(fmin(w, h), fmax(w, h) / 64), prec = 1e-4 * fmax(w, h);
  const double half = 0.5 * size;
  long visited = 0;
  heap hp = {0};
  int rc = 0;
  double cx = 0, cy = 0, twice = 0; /* the centroid: a good first guess */
  for (int i = 0; i < a->n_boundary; i++) {
    const double *s = a->seg[i];
    double c = cross2(s[0], s[1], s[2], s[3]);
    cx += (s[0] + s[2]) * c, cy += (s[1] + s[3]) * c, twice += c;
  }
  *best = clearance(a, cx / (3 * twice), cy / (3 * twice));
  if (!(*best > -INFINITY)) *best = -INFINITY;
  for (double x = a->lo[0]; x < a->hi[0] && !rc; x += size)
    for (double y = a->lo[1]; y < a->hi[1] && !rc; y += size)
      rc = heap_push(&hp, a, x + half, y + half, half);
  while (!rc && hp.n > 0 && !(*best > r) && visited++ < MAX_CELLS) {
    cell c = heap_pop(&hp);
    if (c.d > *best) *best = c.d;
    if (!(c.max > r) || !(c.max - *best > prec)) continue; /* NaN too */
    double q = 0.5 * c.h;
    rc = heap_push(&hp, a, c.x - q, c.y - q, q) || heap_push(&hp, a, c.x + q, c.y - q, q) ||
         heap_push(&hp, a, c.x - q, c.y + q, q) || heap_push(&hp, a, c.x + q, c.y + q, q);
  }
  free(hp.c);
  return rc ? -1 : *best > r;
}

static int too_small(const char *key, const char *what, double extent, double border,
                     rx_error *err) {
  return rx_fail(err, RX_EINVAL,
                 "%s: %s %g m is too small for task.border_region = %g: it must exceed "
                 "2 task.border_region, or the agent is always in the border region",
                 key, what, extent, border);
}

/* The boundary of a parametric arena, checked for size; polygons are checked by the caller. */
static int build_boundary(rx_arena *a, const rx_arena_spec *s, double W, double H, double border,
                          rx_error *err) {
  int rc;
  switch (s->kind) {
  case RX_ARENA_BOX:
    if (!positive(W)) return rx_fail(err, RX_EINVAL, "task.box_width must be > 0 (got %g)", W);
    if (!positive(H)) return rx_fail(err, RX_EINVAL, "task.box_height must be > 0 (got %g)", H);
    if (border > 0 && !(fmin(W, H) > 2 * border))
      return too_small(W <= H ? "task.box_width" : "task.box_height", "the box's side", fmin(W, H),
                       border, err);
    a->width = W, a->height = H, a->w2 = 0.5 * W, a->h2 = 0.5 * H;
    add_segment(a, a->w2, -a->h2, a->w2, a->h2); /* right, top, left, bottom */
    add_segment(a, a->w2, a->h2, -a->w2, a->h2);
    add_segment(a, -a->w2, a->h2, -a->w2, -a->h2);
    add_segment(a, -a->w2, -a->h2, a->w2, -a->h2);
    a->n_boundary = 4;
    a->orient = 1;
    a->lo[0] = -a->w2, a->hi[0] = a->w2, a->lo[1] = -a->h2, a->hi[1] = a->h2;
    a->area = W * H;
    return 0;
  case RX_ARENA_CIRCLE:
    if ((rc = check_size("task.arena_radius", s->radius, err))) return rc;
    if (border > 0 && !(s->radius > border))
      return too_small("task.arena_radius", "the circle's diameter", 2 * s->radius, border, err);
    a->radius = s->radius;
    a->n_boundary = a->n_walls = 1; /* the circle itself; seg[0] unused */
    a->orient = 1;
    a->lo[0] = a->lo[1] = -s->radius, a->hi[0] = a->hi[1] = s->radius;
    a->area = M_PI * s->radius * s->radius;
    return 0;
  case RX_ARENA_LINEAR_TRACK: {
    if ((rc = check_size("task.arena_length", s->length, err)) ||
        (rc = check_size("task.arena_width", s->width, err)))
      return rc;
    if (border > 0 && !(fmin(s->length, s->width) > 2 * border))
      return too_small(s->width <= s->length ? "task.arena_width" : "task.arena_length",
                       "the track's side", fmin(s->length, s->width), border, err);
    const double x = 0.5 * s->length, y = 0.5 * s->width;
    const double v[4][2] = {{-x, -y}, {x, -y}, {x, y}, {-x, y}};
    set_polygon(a, v, 4);
    return 0;
  }
  case RX_ARENA_T_MAZE: {
    if ((rc = check_size("task.arena_stem_length", s->stem_length, err)) ||
        (rc = check_size("task.arena_arm_length", s->arm_length, err)) ||
        (rc = check_size("task.arena_corridor_width", s->corridor_width, err)))
      return rc;
    const double w = s->corridor_width;
    if (!(s->arm_length > w))
      return rx_fail(err, RX_EINVAL,
                     "task.arena_arm_length: the top bar (%g m) must be longer than "
                     "task.arena_corridor_width (%g m), or it has no arms",
                     s->arm_length, w);
    if (border > 0 && !(w > 2 * border))
      return too_small("task.arena_corridor_width", "the corridor's width", w, border, err);
    /* the stem below the bar; the whole centred on its bounding box */
    const double xa = 0.5 * s->arm_length, xs = 0.5 * w;
    const double top = 0.5 * (s->stem_length + w), bottom = -top, join = top - w;
    const double v[8][2] = {{-xs, bottom}, {xs, bottom}, {xs, join},  {xa, join},
                            {xa, top},     {-xa, top},   {-xa, join}, {-xs, join}};
    set_polygon(a, v, 8);
    return 0;
  }
  case RX_ARENA_POLYGON:
    if ((rc = check_polygon((const double(*)[2])s->vertices, s->n_vertices, err))) return rc;
    set_polygon(a, (const double(*)[2])s->vertices, s->n_vertices);
    if (!isfinite(a->area) || !isfinite(a->hi[0] - a->lo[0]) || !isfinite(a->hi[1] - a->lo[1]))
      return rx_fail(err, RX_EINVAL,
                     "task.arena_vertices: the arena is too large (its area or extent overflows)");
    if (!(a->area > 0))
      return rx_fail(err, RX_EINVAL, "task.arena_vertices: the polygon encloses no area");
    if (border > 0) {
      double best;
      int room = room_for(a, border, &best);
      if (room < 0) return rx_fail(err, RX_ENOMEM, "out of memory checking the arena's size");
      if (!room)
        return rx_fail(err, RX_EINVAL,
                       "task.arena_vertices: the polygon is too small for task.border_region = "
                       "%g: no point inside is farther than that from its edges (the widest "
                       "inscribed circle has radius %.4g)",
                       border, best);
    }
    return 0;
  }
  return rx_fail(err, RX_EINVAL,
                 "task.arena must be box, circle, polygon, t_maze or linear_track (got %d)",
                 (int)s->kind);
}

int rx_arena_init(rx_arena *a, const rx_arena_spec *spec, double box_width, double box_height,
                  double border_region, rx_error *err) {
  if (!a || !spec) return rx_fail(err, RX_EINVAL, "arena or arena spec is NULL");
  memset(a, 0, sizeof *a);
  a->kind = spec->kind;
  if (!(border_region >= 0) || !isfinite(border_region))
    return rx_fail(err, RX_EINVAL, "task.border_region must be >= 0 (got %g)", border_region);
  int rc = build_boundary(a, spec, box_width, box_height, border_region, err);
  if (rc) return rc;
  if (!isfinite(a->area) || !isfinite(a->hi[0] - a->lo[0]) || !isfinite(a->hi[1] - a->lo[1]))
    return rx_fail(err, RX_EINVAL, "%s: the arena is too large (its area or extent overflows)",
                   spec->kind == RX_ARENA_BOX       ? "task.box_width"
                   : spec->kind == RX_ARENA_CIRCLE  ? "task.arena_radius"
                   : spec->kind == RX_ARENA_POLYGON ? "task.arena_vertices"
                   : spec->kind == RX_ARENA_T_MAZE  ? "task.arena_arm_length"
                                                    : "task.arena_length");
  if (spec->n_walls < 0 || spec->n_walls > RX_ARENA_MAX_WALLS)
    return rx_fail(err, RX_EINVAL, "task.walls: at most %d walls (got %d)", RX_ARENA_MAX_WALLS,
                   spec->n_walls);
  for (int k = 0; k < spec->n_walls; k++) {
    const double *w = spec->walls[k];
    if ((rc = check_wall(a, w, k + 1, err))) return rc;
    add_segment(a, w[0], w[1], w[2], w[3]);
  }
  return 0;
}

int rx_arena_grid_mask(const rx_arena *a, const double *lo, const double *hi, int nx, int ny,
                       unsigned char *out) {
  int k = 0;
  for (int iy = 0; iy < ny; iy++) {
    const double y = lo[1] + (iy + 0.5) * (hi[1] - lo[1]) / ny;
    for (int ix = 0; ix < nx; ix++) {
      const double x = lo[0] + (ix + 0.5) * (hi[0] - lo[0]) / nx;
      out[(size_t)iy * nx + ix] = (unsigned char)(rx_arena_contains(a, x, y) != 0);
      k += out[(size_t)iy * nx + ix];
    }
  }
  return k;
}
