/* Arenas of the spatial task (docs/science.md §14.2, docs/arenas.md): the box, a circle, a
 * polygon, a T-maze and a linear track, each with optional wall segments inside. An rx_arena is
 * the geometry built from an rx_arena_spec: point in arena, nearest wall (distance and direction),
 * the first wall a segment crosses, area, bounding box, uniform sampling and the outline. The
 * motion model that uses it is the task's (task.h); drawing the outline is the figures'. */
#ifndef RX_ARENA_H
#define RX_ARENA_H

#include "reactivate/error.h"
#include "reactivate/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rx_arena_kind {
  RX_ARENA_BOX = 0, /* task.box_width x task.box_height (the paper's) */
  RX_ARENA_CIRCLE = 1,
  RX_ARENA_POLYGON = 2,
  RX_ARENA_T_MAZE = 3,
  RX_ARENA_LINEAR_TRACK = 4
} rx_arena_kind;

#define RX_ARENA_MAX_VERTICES 64 /* task.arena_vertices */
#define RX_ARENA_MAX_WALLS 32    /* task.walls */
/* walls of an arena: its boundary edges (a polygon's, at most RX_ARENA_MAX_VERTICES; the circle
 * counts as one) and then the task.walls segments */
#define RX_ARENA_MAX_SEGMENTS (RX_ARENA_MAX_VERTICES + RX_ARENA_MAX_WALLS)

/* What the config says (task.arena_* keys, m). A zeroed spec is the box. Only the fields of the
 * chosen kind are read; the box's width and height are the task's (rx_arena_init arguments). */
typedef struct rx_arena_spec {
  rx_arena_kind kind;
  double radius;                                  /* circle: task.arena_radius */
  double length, width;                           /* linear_track: along x, across (y) */
  double stem_length, arm_length, corridor_width; /* t_maze (arm_length: the whole top bar) */
  int n_vertices;                                 /* polygon: task.arena_vertices */
  double vertices[RX_ARENA_MAX_VERTICES][2];      /* [x, y], either orientation */
  int n_walls;                                    /* task.walls */
  double walls[RX_ARENA_MAX_WALLS][4];            /* [x1, y1, x2, y2] */
} rx_arena_spec;

/* The geometry: plain data (no pointers), so it may be copied freely. Walls are numbered: first
 * the boundary (n_boundary of them: the box's right, top, left and bottom edges; a polygon's
 * edges in the order given, edge k joining vertex k and k + 1; the T-maze's and the track's
 * edges counter-clockwise; the circle is one wall, handled exactly, its seg[0] unused), then the
 * task.walls in their order. seg[i] = (x1, y1, x2, y2). */
typedef struct rx_arena {
  rx_arena_kind kind;
  double width, height; /* box: W, H */
  double w2, h2;        /* box: 0.5 W, 0.5 H (the wall distances of docs/science.md §1.1) */
  double radius;        /* circle */
  int n_boundary;       /* boundary walls (1 for the circle) */
  int n_walls;          /* n_boundary + task.walls */
  double orient;        /* +1: boundary counter-clockwise, -1: clockwise */
  double seg[RX_ARENA_MAX_SEGMENTS][4];
  double lo[2], hi[2]; /* bounding box */
  double area;         /* m^2: W H, pi r^2, or the polygon's (shoelace) */
} rx_arena;

/* "box" | "circle" | "polygon" | "t_maze" | "linear_track" (NULL for anything else). */
const char *rx_arena_name(rx_arena_kind kind);

/* Builds and checks the arena. box_width, box_height: the box's (task.box_*; read for the box
 * only); border_region: refused unless the arena's largest inscribed circle has a diameter
 * above 2 border_region (0: no such check). T-maze and linear track are centred on their
 * bounding box like the box; polygon vertices and walls are taken where they are. Refused with
 * one line that starts with the key at fault ("task.arena_vertices: edges 1 and 3 cross"):
 * unknown kind; box, circle, track or maze sizes not finite or <= 0, or the maze's arm_length
 * not above corridor_width; a polygon with fewer than 3 or more than RX_ARENA_MAX_VERTICES
 * vertices, a non-finite one, the same point twice in a row (the last repeating the first
 * included), two edges that cross, touch or overlap, or no area; a wall of zero length, with a
 * non-finite end or any point outside the arena; too small for border_region. */
int rx_arena_init(rx_arena *a, const rx_arena_spec *spec, double box_width, double box_height,
                  double border_region, rx_error *err);

/* Whether (x, y) lies in the arena, its boundary included (walls inside do not exclude
 * anything). NaN lies outside. */
int rx_arena_contains(const rx_arena *a, double x, double y);

/* Nearest wall to (x, y) (inside the arena): returns its index (see rx_arena), *distance its
 * distance and *theta (rad) the direction from (x, y) towards its nearest point. The box gives
 * exactly docs/science.md §1.1: distances W/2 - x, H/2 - y, W/2 + x, H/2 + y, theta = i pi/2 for
 * the first smallest i. Otherwise ties go to the lower index; the circle's theta is
 * atan2(y, x) (0 at the centre); on a wall (distance 0) theta is the wall's normal: outward
 * for the boundary, to the left of (x1, y1) -> (x2, y2) for a wall inside. */
int rx_arena_nearest_wall(const rx_arena *a, double x, double y, double *distance, double *theta);

/* The first wall the segment p -> q meets (touching counts, the ends included): its index, and
 * *t_hit in [0, 1] with p + t_hit (q - p) the meeting point; -1 (t_hit untouched) when none.
 * A segment lying along a wall meets it where the overlap starts. p == q meets a wall only
 * when the point is on it (t_hit 0). */
int rx_arena_crossing(const rx_arena *a, double px, double py, double qx, double qy, double *t_hit);

/* A point uniform in the arena from r. The box draws x then y as docs/science.md §1.1 does,
 * (u - 1/2) W and (u - 1/2) H; other arenas draw such pairs in the bounding box until one, as
 * float32, lies in the arena and on no wall (rejection: the number of draws varies). */
void rx_arena_sample(const rx_arena *a, rx_rng *r, double *x, double *y);

/* Which cells of an nx x ny grid over [lo_0, hi_0] x [lo_1, hi_1] have their centre
 * (lo_k + (i + 1/2) (hi_k - lo_k) / n_k) in the arena (rx_arena_contains): out (ny, nx) flags
 * 0/1, out[iy nx + ix]. Returns how many do. The grids of the analyses and figures blank the
 * others (docs/arenas.md §4). */
int rx_arena_grid_mask(const rx_arena *a, const double *lo, const double *hi, int nx, int ny,
                       unsigned char *out);

/* The walls as segments for drawing (boundary, then task.walls), the circle as n_circle chords
 * (n_circle >= 3). out: (cap, 4); returns how many there are (writes at most cap). */
int rx_arena_outline(const rx_arena *a, int n_circle, double (*out)[4], int cap);

#ifdef __cplusplus
}
#endif
#endif
