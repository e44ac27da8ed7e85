/* Arenas (docs/arenas.md, docs/science.md §14.2): the geometry on shapes with known answers
 * (contains, nearest wall, crossing, area), refusals of bad arenas, the motion model in every
 * arena (never leaves, never passes a wall, targets = init + inputs, the wall rule still acts),
 * the paper's box bit for bit against a copy of its generator, place cells and the uniform
 * control's density 1 / area, and the arena through config, checkpoint and back. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis/reactivation_internal.h"
#include "reactivate/analysis.h"
#include "reactivate/arena.h"
#include "reactivate/checkpoint.h"
#include "reactivate/population.h"
#include "reactivate/rng.h"
#include "reactivate/task.h"
#include "test_util.h"

/* ---- shapes ---- */

static const rx_arena_spec BOX = {.kind = RX_ARENA_BOX};
static const rx_arena_spec CIRCLE = {.kind = RX_ARENA_CIRCLE, .radius = 1.1};
static const rx_arena_spec TRIANGLE = {
    .kind = RX_ARENA_POLYGON, .n_vertices = 3, .vertices = {{-1.1, -1.1}, {1.1, -1.1}, {0, 1.1}}};
/* the same, listed clockwise */
static const rx_arena_spec TRIANGLE_CW = {
    .kind = RX_ARENA_POLYGON, .n_vertices = 3, .vertices = {{0, 1.1}, {1.1, -1.1}, {-1.1, -1.1}}};
/* a 2.2 m bar on a 1.8 m stem, corridors 0.4 m: stem x in [-0.2, 0.2], y in [-1.1, 0.7]; bar
 * x in [-1.1, 1.1], y in [0.7, 1.1]; area 0.88 + 0.72 */
static const rx_arena_spec T_MAZE = {
    .kind = RX_ARENA_T_MAZE, .stem_length = 1.8, .arm_length = 2.2, .corridor_width = 0.4};
static const rx_arena_spec TRACK = {.kind = RX_ARENA_LINEAR_TRACK, .length = 2.2, .width = 0.2};
/* an L with one wall from the boundary and one free-standing */
static const rx_arena_spec L_WALLS = {
    .kind = RX_ARENA_POLYGON,
    .n_vertices = 6,
    .vertices = {{-1, -1}, {1, -1}, {1, 0}, {0, 0}, {0, 1}, {-1, 1}},
    .n_walls = 2,
    .walls = {{-0.5, -1, -0.5, -0.2}, {0.2, -0.5, 0.8, -0.5}}};
static const rx_arena_spec BOX_WALL = {
    .kind = RX_ARENA_BOX, .n_walls = 2, .walls = {{0, -0.5, 0, 0.5}, {-1.1, 0.6, -0.3, 0.6}}};

static int build(rx_arena *a, rx_arena_spec s, double border) {
  rx_error err;
  int rc = rx_arena_init(a, &s, 2.2, 2.2, border, &err);
  if (rc) fprintf(stderr, "  rx_arena_init: %s\n", err.msg);
  return rc;
}

static void test_contains_known_points_edges_included(void) {
  rx_arena a;
  REQUIRE(build(&a, BOX, 0.03) == 0);
  CHECK(rx_arena_contains(&a, 0, 0) && rx_arena_contains(&a, 1.1, -1.1)); /* a corner */
  CHECK(!rx_arena_contains(&a, nextafter(1.1, 2), 0) && !rx_arena_contains(&a, NAN, 0));
  REQUIRE(build(&a, CIRCLE, 0.03) == 0);
  CHECK(rx_arena_contains(&a, 1.1, 0) && rx_arena_contains(&a, 0, -1.1));
  CHECK(rx_arena_contains(&a, 0.7, 0.7) && !rx_arena_contains(&a, 0.8, 0.8));
  CHECK(!rx_arena_contains(&a, 0, NAN));
  for (int cw = 0; cw < 2; cw++) {
    REQUIRE(build(&a, cw ? TRIANGLE_CW : TRIANGLE, 0.03) == 0);
    CHECK(rx_arena_contains(&a, 0, 0) && rx_arena_contains(&a, 0, 1.1));       /* the apex */
    CHECK(rx_arena_contains(&a, 0.3, -1.1) && rx_arena_contains(&a, 0.55, 0)); /* on edges */
    CHECK(!rx_arena_contains(&a, 0.56, 0) && !rx_arena_contains(&a, 0, -1.2));
    CHECK(!rx_arena_contains(&a, NAN, NAN));
  }
  REQUIRE(build(&a, T_MAZE, 0.03) == 0);
  CHECK(rx_arena_contains(&a, 0, 0) && rx_arena_contains(&a, 0, -1.1));
  CHECK(rx_arena_contains(&a, -1.0, 0.9) && rx_arena_contains(&a, 0.2, 0)); /* arm; stem edge */
  CHECK(!rx_arena_contains(&a, -0.5, 0.5) && !rx_arena_contains(&a, 0.3, -1.0));
  CHECK(!rx_arena_contains(&a, 0, 1.2));
  REQUIRE(build(&a, TRACK, 0.03) == 0);
  CHECK(rx_arena_contains(&a, 1.0, 0.05) && rx_arena_contains(&a, -1.1, 0.1));
  CHECK(!rx_arena_contains(&a, 0, 0.2) && !rx_arena_contains(&a, 1.2, 0));
}

static void test_area_and_bounding_box_are_exact(void) {
  static const struct {
    const rx_arena_spec *spec;
    double area, lo0, hi0, lo1, hi1;
  } cases[] = {
      {&BOX, 2.2 * 2.2, -1.1, 1.1, -1.1, 1.1},
      {&CIRCLE, M_PI * 1.1 * 1.1, -1.1, 1.1, -1.1, 1.1},
      {&TRIANGLE, 0.5 * 2.2 * 2.2, -1.1, 1.1, -1.1, 1.1},
      {&TRIANGLE_CW, 0.5 * 2.2 * 2.2, -1.1, 1.1, -1.1, 1.1},
      {&T_MAZE, 2.2 * 0.4 + 1.8 * 0.4, -1.1, 1.1, -1.1, 1.1}, /* bar + stem below it */
      {&TRACK, 2.2 * 0.2, -1.1, 1.1, -0.1, 0.1},
      {&L_WALLS, 3, -1, 1, -1, 1}, /* walls take no area */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rx_arena a;
    REQUIRE(build(&a, *cases[i].spec, 0.03) == 0);
    CHECK_NEAR(a.area, cases[i].area, 1e-12);
    CHECK_NEAR(a.lo[0], cases[i].lo0, 1e-15);
    CHECK_NEAR(a.hi[0], cases[i].hi0, 1e-15);
    CHECK_NEAR(a.lo[1], cases[i].lo1, 1e-15);
    CHECK_NEAR(a.hi[1], cases[i].hi1, 1e-15);
  }
}

/* The mixing probe's default point start (analysis/probes.c), worked out by hand: the box's
 * rule (80 % of the way to the bounding box's lower-left corner) where that is inside; else the
 * nearest boundary point moved inwards by 0.22 (a tenth of the 2.2 m side). */
static void test_default_point_start_lies_in_every_arena(void) {
  const double c = 0.88 * sqrt(0.5); /* the circle: radius 1.1 - 0.22 on the diagonal */
  static const struct {
    const rx_arena_spec *spec;
    double x, y;
  } cases[] = {
      {&TRIANGLE, -0.88, -0.88}, /* inside: the left edge passes x = -0.99 at y = -0.88 */
      {&TRACK, -0.88, -0.08},    /* inside: the track's box is 2.2 x 0.2 */
      {&T_MAZE, 0.02, -0.88},    /* left of the stem: from (-0.2, -0.88) 0.22 to the right */
      {&CIRCLE, 0, 0},           /* outside: (-c, -c), set below */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rx_arena a;
    REQUIRE(build(&a, *cases[i].spec, 0.03) == 0);
    double p[2];
    rxa_arena_start_point(&a, p);
    const int circle = cases[i].spec == &CIRCLE;
    CHECK_NEAR(p[0], circle ? -c : cases[i].x, 1e-12);
    CHECK_NEAR(p[1], circle ? -c : cases[i].y, 1e-12);
    CHECK(rx_arena_contains(&a, p[0], p[1]));
  }
}

/* Distances and directions worked out by hand; the box's are the paper's expressions, bit for
 * bit. */
static void test_nearest_wall_distance_and_direction_at_chosen_points(void) {
  rx_arena a;
  double d, th;
  REQUIRE(build(&a, BOX, 0.03) == 0);
  CHECK(rx_arena_nearest_wall(&a, 0.5, 0.2, &d, &th) == 0 && d == 1.1 - 0.5 && th == 0);
  CHECK(rx_arena_nearest_wall(&a, -0.3, -1.0, &d, &th) == 3 && d == 1.1 + -1.0);
  CHECK(th == 3 * (M_PI / 2));
  CHECK(rx_arena_nearest_wall(&a, -1.0, 0.3, &d, &th) == 2 && th == M_PI);
  CHECK(rx_arena_nearest_wall(&a, 0, 0, &d, &th) == 0 && d == 1.1); /* a tie: the first */
  CHECK(rx_arena_nearest_wall(&a, 1.2, 0, &d, &th) == 0 && d < 0);  /* beyond it: negative */

  REQUIRE(build(&a, CIRCLE, 0.03) == 0);
  CHECK(rx_arena_nearest_wall(&a, 0.3, 0.4, &d, &th) == 0);
  CHECK_NEAR(d, 0.6, 1e-15);
  CHECK_NEAR(th, atan2(0.4, 0.3), 1e-15);
  CHECK(rx_arena_nearest_wall(&a, 0, 0, &d, &th) == 0 && d == 1.1 && th == 0);

  for (int cw = 0; cw < 2; cw++) {
    REQUIRE(build(&a, cw ? TRIANGLE_CW : TRIANGLE, 0.03) == 0);
    int bottom = cw ? 1 : 0; /* the edge y = -1.1 */
    CHECK(rx_arena_nearest_wall(&a, 0, -0.5, &d, &th) == bottom);
    CHECK_NEAR(d, 0.6, 1e-15);
    CHECK_NEAR(th, -M_PI / 2, 1e-15);
    /* on the edge: the outward normal, whichever way the vertices run */
    CHECK(rx_arena_nearest_wall(&a, 0.3, -1.1, &d, &th) == bottom && d == 0);
    CHECK_NEAR(th, -M_PI / 2, 1e-15);
    /* the right edge, 2x + y = 1.1: distance |2 (0.2) + 0 - 1.1| / sqrt 5, normal (2, 1) */
    CHECK(rx_arena_nearest_wall(&a, 0.2, 0, &d, &th) == (cw ? 0 : 1));
    CHECK_NEAR(d, 0.7 / sqrt(5), 1e-15);
    CHECK_NEAR(th, atan2(1, 2), 1e-15);
  }

  REQUIRE(build(&a, T_MAZE, 0.03) == 0);
  /* right arm, 0.1 above the bar's lower edge (wall 2: (0.2, 0.7) -> (1.1, 0.7)) */
  CHECK(rx_arena_nearest_wall(&a, 0.5, 0.8, &d, &th) == 2);
  CHECK_NEAR(d, 0.1, 1e-15);
  CHECK_NEAR(th, -M_PI / 2, 1e-15);
  /* nearest to the inner corner (0.2, 0.7), the end of walls 1 and 2: the tie goes to wall 1 and
   * theta points at the corner */
  CHECK(rx_arena_nearest_wall(&a, 0.1, 0.75, &d, &th) == 1);
  CHECK_NEAR(d, hypot(0.1, 0.05), 1e-15);
  CHECK_NEAR(th, atan2(-0.05, 0.1), 1e-14);

  REQUIRE(build(&a, BOX_WALL, 0.03) == 0);
  /* the wall x = 0 (index 4, after the box's four) is nearer than any side */
  CHECK(rx_arena_nearest_wall(&a, 0.1, 0, &d, &th) == 4);
  CHECK_NEAR(d, 0.1, 1e-15);
  CHECK_NEAR(fabs(th), M_PI, 1e-15);
  CHECK(rx_arena_nearest_wall(&a, -0.1, 0.3, &d, &th) == 4 && th == 0);
  /* on the wall (0, -0.5) -> (0, 0.5): its left normal, -x */
  CHECK(rx_arena_nearest_wall(&a, 0, 0.2, &d, &th) == 4 && d == 0);
  CHECK_NEAR(fabs(th), M_PI, 1e-15);
  /* beyond the wall's end: towards the end point */
  CHECK(rx_arena_nearest_wall(&a, 0.05, 0.6, &d, &th) == 4);
  CHECK_NEAR(d, hypot(0.05, 0.1), 1e-15);
  CHECK_NEAR(th, atan2(-0.1, -0.05), 1e-14);
}

static void test_crossing_finds_the_first_wall_and_where(void) {
  rx_arena a;
  double t = -1;
  REQUIRE(build(&a, BOX, 0.03) == 0);
  CHECK(rx_arena_crossing(&a, 0, 0, 2.2, 0, &t) == 0 && t == 0.5);
  CHECK(rx_arena_crossing(&a, 0, 0, 0, -2.2, &t) == 3 && t == 0.5);
  CHECK(rx_arena_crossing(&a, 0, 0, 1.1, 0, &t) == 0 && t == 1); /* ends on it: touching */
  t = -7;
  CHECK(rx_arena_crossing(&a, 0, 0, 1.0, 0.5, &t) == -1 && t == -7);   /* inside: none */
  CHECK(rx_arena_crossing(&a, 0.3, 0.3, 0.3, 0.3, &t) == -1);          /* a point inside */
  CHECK(rx_arena_crossing(&a, 1.1, 0.3, 1.1, 0.3, &t) == 0 && t == 0); /* a point on a wall */
  /* through a corner: the lower index of the two walls meeting there */
  CHECK(rx_arena_crossing(&a, 0, 0, 2.2, 2.2, &t) == 0 && t == 0.5);

  REQUIRE(build(&a, CIRCLE, 0.03) == 0);
  CHECK(rx_arena_crossing(&a, 0, 0, 2.2, 0, &t) == 0);
  CHECK_NEAR(t, 0.5, 1e-15);
  CHECK(rx_arena_crossing(&a, 0.3, 0.4, 0.3, 0.4 + 2 * 1.1, &t) == 0); /* y = sqrt(1.21 - 0.09) */
  CHECK_NEAR(0.4 + t * 2.2, sqrt(1.21 - 0.09), 1e-14);
  CHECK(rx_arena_crossing(&a, 0, 0, 0.5, 0.5, &t) == -1);
  CHECK(rx_arena_crossing(&a, -2, 0, 0, 0, &t) == 0); /* from outside: entering */
  CHECK_NEAR(t, 0.9 / 2, 1e-15);

  REQUIRE(build(&a, TRIANGLE, 0.03) == 0);
  CHECK(rx_arena_crossing(&a, 0, 0, 0, -2.2, &t) == 0);
  CHECK_NEAR(t, 0.5, 1e-15);
  CHECK(rx_arena_crossing(&a, 0, 0, 1.1, 0, &t) == 1); /* the right edge at x = 0.55 */
  CHECK_NEAR(t, 0.5, 1e-15);

  REQUIRE(build(&a, T_MAZE, 0.03) == 0);
  /* from the stem sideways out through its right wall (wall 1, x = 0.2) */
  CHECK(rx_arena_crossing(&a, 0, 0.5, 0.6, 0.5, &t) == 1);
  CHECK_NEAR(t, 1.0 / 3, 1e-15);
  /* from the stem into the right arm across the outside corner: wall 1 at y = 0.6 */
  CHECK(rx_arena_crossing(&a, 0, 0.4, 0.6, 1.0, &t) == 1);
  CHECK_NEAR(t, 1.0 / 3, 1e-15);

  REQUIRE(build(&a, BOX_WALL, 0.03) == 0);
  CHECK(rx_arena_crossing(&a, -0.8, 0, 0.8, 0, &t) == 4 && t == 0.5); /* the wall before the side */
  /* along the second wall (y = 0.6 from x = -1.1 to -0.3): where the overlap starts */
  CHECK(rx_arena_crossing(&a, 0.2, 0.6, -0.8, 0.6, &t) == 5);
  CHECK_NEAR(t, 0.5, 1e-15);
  CHECK(rx_arena_crossing(&a, 0.5, 0, 0.5, 0.4, &t) == -1); /* beside the walls */
}

static void test_outline_lists_boundary_then_walls(void) {
  rx_arena a;
  double seg[40][4];
  REQUIRE(build(&a, L_WALLS, 0.03) == 0);
  CHECK(rx_arena_outline(&a, 16, seg, 40) == 8);
  CHECK(seg[2][0] == 1 && seg[2][1] == 0 && seg[2][2] == 0 && seg[2][3] == 0);
  CHECK(seg[7][0] == 0.2 && seg[7][3] == -0.5);
  CHECK(rx_arena_outline(&a, 16, seg, 3) == 8); /* the count, whatever the room */
  REQUIRE(build(&a, CIRCLE, 0.03) == 0);
  CHECK(rx_arena_outline(&a, 32, seg, 40) == 32);
  for (int i = 0; i < 32; i++) {
    CHECK_NEAR(hypot(seg[i][0], seg[i][1]), 1.1, 1e-12);
    CHECK_NEAR(seg[i][2], seg[(i + 1) % 32][0], 1e-12); /* chords join up */
  }
}

typedef struct bad_arena {
  rx_arena_spec spec;
  double border;
  const char *msg; /* expected in the message, the key first */
} bad_arena;

static void test_bad_arenas_are_refused_with_one_line_naming_the_key(void) {
  static const bad_arena cases[] = {
      {{.kind = RX_ARENA_POLYGON,
        .n_vertices = 4,
        .vertices = {{-1, -1}, {1, 1}, {1, -1}, {-1, 1}}},
       0.03,
       "task.arena_vertices: edges 1 and 3 cross"}, /* a bow tie */
      {{.kind = RX_ARENA_POLYGON,
        .n_vertices = 5,
        .vertices = {{-1, -1}, {1, -1}, {1, 1}, {0, -1}, {-1, 1}}},
       0.03,
       "task.arena_vertices: edges 1 and 3 touch"}, /* vertex 4 lies on edge 1 */
      {{.kind = RX_ARENA_POLYGON,
        .n_vertices = 4,
        .vertices = {{-1, -1}, {1, -1}, {0, -1}, {0, 1}}},
       0.03,
       "task.arena_vertices: edges 1 and 2 overlap"},
      {{.kind = RX_ARENA_POLYGON, .n_vertices = 2, .vertices = {{-1, -1}, {1, 1}}},
       0.03,
       "task.arena_vertices: a polygon needs at least 3 vertices (got 2)"},
      {{.kind = RX_ARENA_POLYGON,
        .n_vertices = 4,
        .vertices = {{-1, -1}, {1, -1}, {1, -1}, {0, 1}}},
       0.03,
       "task.arena_vertices: vertices 2 and 3 are the same point"},
      {{.kind = RX_ARENA_POLYGON,
        .n_vertices = 4,
        .vertices = {{-1, -1}, {1, -1}, {0, 1}, {-1, -1}}},
       0.03,
       "task.arena_vertices: the last vertex repeats the first"},
      {{.kind = RX_ARENA_POLYGON, .n_vertices = 3, .vertices = {{-1, -1}, {1, -1}, {0, NAN}}},
       0.03,
       "task.arena_vertices: vertex 3 is not finite"},
      {{.kind = RX_ARENA_POLYGON, .n_vertices = 3, .vertices = {{0, 0}, {1, 0}, {2, 0}}},
       0.03,
       "task.arena_vertices: edges 1 and 3 overlap"}, /* a flat triangle */
      {{.kind = RX_ARENA_POLYGON, .n_vertices = 3, .vertices = {{0, 0}, {0.05, 0}, {0, 0.05}}},
       0.03,
       "task.arena_vertices: the polygon is too small for task.border_region = 0.03"},
      {{.kind = RX_ARENA_CIRCLE, .radius = 0.03}, 0.03, "task.arena_radius: the circle's diameter"},
      {{.kind = RX_ARENA_CIRCLE, .radius = -1}, 0.03, "task.arena_radius: must be a finite number"},
      {{.kind = RX_ARENA_CIRCLE, .radius = INFINITY}, 0, "task.arena_radius: must be a finite"},
      {{.kind = RX_ARENA_T_MAZE, .stem_length = 1, .arm_length = 0.3, .corridor_width = 0.4},
       0.03,
       "task.arena_arm_length: the top bar (0.3 m) must be longer than "
       "task.arena_corridor_width"},
      {{.kind = RX_ARENA_T_MAZE, .stem_length = 0, .arm_length = 2, .corridor_width = 0.4},
       0.03,
       "task.arena_stem_length: must be a finite number > 0"},
      {{.kind = RX_ARENA_T_MAZE, .stem_length = 1, .arm_length = 2, .corridor_width = 0.06},
       0.03,
       "task.arena_corridor_width: the corridor's width 0.06 m is too small"},
      {{.kind = RX_ARENA_LINEAR_TRACK, .length = 2, .width = 0.05},
       0.03,
       "task.arena_width: the track's side 0.05 m is too small"},
      {{.kind = RX_ARENA_LINEAR_TRACK, .length = NAN, .width = 0.2},
       0.03,
       "task.arena_length: must be a finite number > 0"},
      {{.kind = RX_ARENA_BOX}, 1.1, "task.box_width: the box's side 2.2 m is too small"},
      {{.kind = RX_ARENA_CIRCLE, .radius = 1, .n_walls = 1, .walls = {{0, 0, 1.5, 0}}},
       0.03,
       "task.walls: wall 1 has its end (1.5, 0) outside the arena"},
      {{.kind = RX_ARENA_BOX, .n_walls = 2, .walls = {{0, 0, 1, 0}, {0.5, 0.5, 0.5, 0.5}}},
       0.03,
       "task.walls: wall 2 has zero length"},
      {{.kind = RX_ARENA_BOX, .n_walls = 1, .walls = {{0, 0, 1, INFINITY}}},
       0.03,
       "task.walls: wall 1 is not finite"},
      /* both ends in the T-maze, the middle below the left arm */
      {{.kind = RX_ARENA_T_MAZE,
        .stem_length = 1.8,
        .arm_length = 2.2,
        .corridor_width = 0.4,
        .n_walls = 1,
        .walls = {{-0.5, 0.9, 0, 0}}},
       0.03,
       "task.walls: wall 1 leaves the arena (at (-0.294444, 0.53))"},
      /* across the mouth of a notch, touching the boundary only at its two corners */
      {{.kind = RX_ARENA_POLYGON,
        .n_vertices = 7,
        .vertices = {{0, 0}, {4, 0}, {4, 3}, {3, 3}, {2, 2}, {1, 3}, {0, 3}},
        .n_walls = 1,
        .walls = {{1, 3, 3, 3}}},
       0.03,
       "task.walls: wall 1 leaves the arena (at (2, 3))"},
      {{.kind = (rx_arena_kind)7}, 0.03, "task.arena must be box, circle"},
      {{.kind = RX_ARENA_POLYGON,
        .n_vertices = 3,
        .vertices = {{-1e300, -1e300}, {1e300, -1e300}, {0, 1e300}}},
       0.03,
       "task.arena_vertices: the arena is too large (its area or extent overflows)"},
      {{.kind = RX_ARENA_CIRCLE, .radius = 1e200},
       0.03,
       "task.arena_radius: the arena is too large"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rx_arena a;
    rx_error err = {{0}};
    CHECK(rx_arena_init(&a, &cases[i].spec, 2.2, 2.2, cases[i].border, &err) == RX_EINVAL);
    CHECK_MSG(strstr(err.msg, cases[i].msg) == err.msg, "case %zu: '%s' lacks '%s'", i, err.msg,
              cases[i].msg);
    CHECK_MSG(strchr(err.msg, '\n') == NULL, "case %zu: more than one line", i);
  }
  /* the same shapes pass where they are fine: on the boundary is inside, a wall may touch it */
  rx_arena a;
  rx_arena_spec ok = {.kind = RX_ARENA_CIRCLE, .radius = 1, .n_walls = 1, .walls = {{0, 0, 1, 0}}};
  CHECK(build(&a, ok, 0.03) == 0 && a.n_walls == 2);
  /* bar y in [0.5, 1], stem x in [-0.25, 0.25]: through the inner corner (-0.25, 0.5), inside;
   * one along the bar's lower edge at y = 0.7 = 1.1 - 0.4 (which rounds to 0.7000000000000001) */
  rx_arena_spec corner = {.kind = RX_ARENA_T_MAZE,
                          .stem_length = 1.5,
                          .arm_length = 2,
                          .corridor_width = 0.5,
                          .n_walls = 1,
                          .walls = {{-0.5, 0.75, 0, 0.25}}};
  CHECK(build(&a, corner, 0.03) == 0);
  rx_arena_spec edge = T_MAZE;
  edge.n_walls = 1;
  edge.walls[0][0] = 0.5, edge.walls[0][1] = 0.7, edge.walls[0][2] = 0.5, edge.walls[0][3] = 1;
  CHECK(build(&a, edge, 0.03) == 0);
  rx_arena_spec big = {
      .kind = RX_ARENA_POLYGON, .n_vertices = 3, .vertices = {{0, 0}, {0.2, 0}, {0, 0.2}}};
  /* inscribed radius: area / semi-perimeter = 0.02 / (0.2 + 0.1 sqrt 2) = 0.058579 */
  CHECK(build(&a, big, 0.0585) == 0);
  rx_error err;
  CHECK(rx_arena_init(&a, &big, 2.2, 2.2, 0.0587, &err) == RX_EINVAL);
}

/* Monte Carlo: the fraction of bounding-box points in the arena, times the box's area, is the
 * area within 3 standard errors; samples all lie inside and fill it uniformly (the T-maze's bar
 * gets its share of the area). */
static void test_contains_agrees_with_area_and_samples_are_uniform_inside(void) {
  const rx_arena_spec *specs[] = {&BOX, &CIRCLE, &TRIANGLE, &T_MAZE, &TRACK, &L_WALLS, &BOX_WALL};
  const int n = rx_test_small() ? 40000 : 200000;
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    rx_arena a;
    REQUIRE(build(&a, *specs[i], 0.03) == 0);
    rx_rng r;
    rx_rng_init(&r, 1, RX_STREAM_ANALYSIS, (uint32_t)i, 0, 0);
    const double bw = a.hi[0] - a.lo[0], bh = a.hi[1] - a.lo[1];
    long in = 0;
    for (int k = 0; k < n; k++) {
      double x = a.lo[0] + bw * rx_rng_uniform(&r), y = a.lo[1] + bh * rx_rng_uniform(&r);
      in += rx_arena_contains(&a, x, y);
    }
    double p = (double)in / n, se = bw * bh * sqrt(p * (1 - p) / n);
    CHECK_MSG(fabs(p * bw * bh - a.area) <= 3 * se + 1e-12, "%s: %.5f vs area %.5f (s.e. %.5f)",
              rx_arena_name(a.kind), p * bw * bh, a.area, se);
    long outside = 0, bar = 0;
    for (int k = 0; k < n / 4; k++) {
      double x, y;
      rx_arena_sample(&a, &r, &x, &y);
      outside += !rx_arena_contains(&a, (float)x, (float)y);
      bar += y >= 0.7;
    }
    CHECK(outside == 0);
    if (a.kind == RX_ARENA_T_MAZE) {
      double share = (double)bar / (n / 4), want = 0.88 / 1.6;
      CHECK_NEAR(share, want, 3 * sqrt(want * (1 - want) / (n / 4)));
    }
  }
}

/* The uniform control: density 1 / area inside, 0 outside; samples inside; and KL(uniform ||
 * itself) = 0. */
static int inside_arena(const void *ctx, const double *x) {
  return rx_arena_contains(ctx, x[0], x[1]);
}

static void test_uniform_region_density_is_one_over_area(void) {
  rx_arena a;
  REQUIRE(build(&a, T_MAZE, 0.03) == 0);
  rx_density *q;
  rx_error err;
  REQUIRE(rx_density_uniform_region(&q, 2, a.lo, a.hi, a.area, inside_arena, &a, sizeof a, &err) ==
          0);
  const double pts[8] = {0, 0, -1, 0.9, -0.5, 0.5, 0, 1.2};
  double v[4];
  rx_density_eval(q, pts, 4, v);
  CHECK(v[0] == 1 / 1.6 && v[1] == 1 / 1.6 && v[2] == 0 && v[3] == 0);
  double s[8];
  rx_density_score(q, pts, 4, s);
  CHECK(s[0] == 0 && s[1] == 0 && isnan(s[4]) && isnan(s[7]));
  const size_t m = 20000;
  double *x = malloc(2 * m * sizeof(double));
  REQUIRE(x);
  rx_density_sample(q, m, 3, RX_STREAM_ANALYSIS, x);
  long outside = 0, bar = 0;
  for (size_t i = 0; i < m; i++) {
    outside += !rx_arena_contains(&a, x[2 * i], x[2 * i + 1]);
    bar += x[2 * i + 1] >= 0.7;
  }
  CHECK(outside == 0);
  CHECK_NEAR((double)bar / m, 0.88 / 1.6, 3 * sqrt(0.25 / m));
  /* the density integrates to 1: mean of 1/area over bounding-box points times the box's area */
  double integral = 0;
  for (size_t i = 0; i < m; i++) {
    double p[2] = {a.lo[0] + (a.hi[0] - a.lo[0]) * (i % 200 + 0.5) / 200,
                   a.lo[1] + (a.hi[1] - a.lo[1]) * (i / 200 + 0.5) / 100};
    double val;
    rx_density_eval(q, p, 1, &val);
    integral += val * (a.hi[0] - a.lo[0]) * (a.hi[1] - a.lo[1]) / m;
  }
  CHECK_NEAR(integral, 1, 0.02); /* a 200 x 100 grid over the outline */
  double kl;
  const rx_density *qs[1] = {q};
  REQUIRE(rx_kl_matrix(qs, 1, qs, 1, 2000, 0, RX_STREAM_ANALYSIS, &kl, &err) == 0);
  CHECK(kl == 0);
  rx_density_free(q);
  free(x);
  CHECK(rx_density_uniform_region(&q, 2, a.lo, a.hi, 5 * 4.84, inside_arena, &a, sizeof a, &err) ==
        RX_EINVAL);
  CHECK(q == NULL && strstr(err.msg, "volume") != NULL);
}

/* The KL analysis's uniform control follows the runs' arena: 1 / (pi r^2) in a circle and 0
 * outside it; 1 / (W H) in the box, walls or not. */
static void test_kl_uniform_control_is_uniform_in_the_runs_arena(void) {
  rx_train_config cfg;
  rx_error err;
  const char *circle[] = {"task.arena=circle", "task.arena_radius=0.5"};
  REQUIRE(rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 2, circle, &err) == 0);
  rx_density *q;
  REQUIRE(rxa_uniform_control(&cfg, &q, &err) == 0);
  const double pts[6] = {0, 0, 0.3, -0.4, 0.4, 0.4};
  double v[3];
  rx_density_eval(q, pts, 3, v);
  CHECK(v[0] == 1 / (M_PI * 0.25) && v[1] == v[0] && v[2] == 0);
  rx_density_free(q);
  const char *walls[] = {"task.walls=[[0, -0.5, 0, 0.5]]"};
  REQUIRE(rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 1, walls, &err) == 0);
  REQUIRE(rxa_uniform_control(&cfg, &q, &err) == 0);
  rx_density_eval(q, pts, 3, v);
  CHECK(v[0] == 1 / (2.2 * 2.2) && v[1] == v[0] && v[2] == v[0]);
  rx_density_free(q);
}

/* ---- motion ---- */

static rx_task_spec spatial_spec(rx_arena_spec arena) {
  rx_task_spec s = rx_test_spatial_spec(1000);
  s.arena = arena;
  return s;
}

/* Position p[t] of trajectory b, t = 1 .. T+1 (p[1] = init, p[t] = targets[t-2]). */
static const float *position(const rx_batch *bt, int t, int b) {
  return t == 1 ? bt->init + 2 * b : bt->targets + 2 * ((size_t)(t - 2) * bt->B + b);
}

/* 10^5 steps (1000 trajectories of 100) in every arena, plain and biased towards a point outside
 * it: every stored position lies in the arena and no step between stored positions meets a wall
 * (so none passes through a wall inside, or cuts a corner of the T-maze). */
static void test_steps_never_leave_any_arena_nor_pass_a_wall(void) {
  const rx_arena_spec *specs[] = {&BOX, &CIRCLE, &TRIANGLE, &T_MAZE, &TRACK, &L_WALLS, &BOX_WALL};
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
    for (int biased = 0; biased < 2; biased++) {
      rx_task_spec s = spatial_spec(*specs[i]);
      s.wall_cut = 1; /* the box's own choice; implied in the others */
      s.biased = biased;
      s.anchor[0] = 1.5, s.anchor[1] = -1.5; /* outside all of them */
      rx_arena a;
      rx_batch bt;
      rx_error err;
      REQUIRE(build(&a, *specs[i], 0.03) == 0);
      REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
      REQUIRE(rx_task_generate(&s, 11, RX_STREAM_TASK, (uint32_t)i, &bt, &err) == 0);
      long outside = 0, through = 0, near = 0;
      double t_hit;
      for (int b = 0; b < s.batch_size; b++)
        for (int t = 1; t <= s.seq_len + 1; t++) {
          const float *p = position(&bt, t, b);
          outside += !rx_arena_contains(&a, p[0], p[1]);
          if (t > 1) {
            const float *q = position(&bt, t - 1, b);
            through += rx_arena_crossing(&a, q[0], q[1], p[0], p[1], &t_hit) >= 0;
          }
          double d, th;
          rx_arena_nearest_wall(&a, p[0], p[1], &d, &th);
          near += d < 1e-5;
        }
      CHECK_MSG(outside == 0 && through == 0,
                "%s%s: %ld positions outside, %ld steps through a wall", rx_arena_name(a.kind),
                biased ? " biased" : "", outside, through);
      CHECK_MSG(near > 0, "%s%s: no step was cut (the test would not see a missing cut)",
                rx_arena_name(a.kind), biased ? " biased" : "");
      rx_batch_free(&bt);
    }
}

/* The paper's box overshoots: without the cut some positions lie outside; with it none do
 * (test_steps_never_leave_any_arena_nor_pass_a_wall), and only the cut steps differ. */
static void test_paper_box_overshoots_and_wall_cut_changes_only_cut_trajectories(void) {
  rx_task_spec s = spatial_spec(BOX);
  rx_batch paper, cut;
  rx_error err;
  REQUIRE(rx_batch_alloc(&paper, &s, &err) == 0 && rx_batch_alloc(&cut, &s, &err) == 0);
  REQUIRE(rx_task_generate(&s, 12, RX_STREAM_TASK, 0, &paper, &err) == 0);
  s.wall_cut = 1;
  REQUIRE(rx_task_generate(&s, 12, RX_STREAM_TASK, 0, &cut, &err) == 0);
  long outside = 0, same = 0, left_trajectories = 0;
  for (int b = 0; b < s.batch_size; b++) {
    int left = 0;
    for (int t = 1; t <= s.seq_len + 1; t++) {
      const float *p = position(&paper, t, b);
      left |= fabs(p[0]) > 1.1 || fabs(p[1]) > 1.1;
      outside += fabs(p[0]) > 1.1 || fabs(p[1]) > 1.1;
    }
    left_trajectories += left;
    if (!left) /* never near enough the wall to be cut: the very same bits */
      same += memcmp(position(&paper, s.seq_len + 1, b), position(&cut, s.seq_len + 1, b),
                     2 * sizeof(float)) == 0;
  }
  CHECK_MSG(outside > 0, "the paper's box never overshot in 10^5 steps");
  CHECK_MSG(same == s.batch_size - left_trajectories,
            "%ld of %ld trajectories that stayed inside changed with the cut", same,
            s.batch_size - left_trajectories);
  rx_batch_free(&paper);
  rx_batch_free(&cut);
}

/* The network's input is the step actually taken: target_t = init + sum of inputs, cut steps
 * included (float rounding of positions ~1 only). */
static void test_targets_equal_init_plus_cumulative_inputs_in_every_arena(void) {
  const rx_arena_spec *specs[] = {&CIRCLE, &TRIANGLE, &T_MAZE, &TRACK, &L_WALLS};
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    rx_task_spec s = spatial_spec(*specs[i]);
    s.biased = 1;
    s.anchor[0] = 3; /* pulls into the walls: many cut steps */
    rx_batch bt;
    rx_error err;
    REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
    REQUIRE(rx_task_generate(&s, 5, RX_STREAM_TASK, 7, &bt, &err) == 0);
    double worst = 0;
    for (int b = 0; b < s.batch_size; b++)
      for (int j = 0; j < 2; j++) {
        double acc = bt.init[2 * b + j];
        for (int t = 0; t < s.seq_len; t++) {
          size_t o = ((size_t)t * s.batch_size + b) * 2 + j;
          acc += bt.inputs[o];
          worst = fmax(worst, fabs(bt.targets[o] - acc));
        }
      }
    CHECK_MSG(worst < 2e-5, "%s: worst %.3g", rx_arena_name(specs[i]->kind), worst);
    rx_batch_free(&bt);
  }
}

/* The wall rule, generalised to the nearest wall, still steers: with it (border 0.03 m) few
 * steps reach a wall; without it (border 0) many more do, and in the circle the agent is slowed
 * near its wall as much as near the box's. */
static void test_turn_away_rule_keeps_agents_off_the_walls_in_every_arena(void) {
  const rx_arena_spec *specs[] = {&CIRCLE, &TRIANGLE, &T_MAZE, &L_WALLS};
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    long contacts[2];
    for (int rule = 0; rule < 2; rule++) {
      rx_task_spec s = spatial_spec(*specs[i]);
      s.border_region = rule ? 0.03 : 0;
      rx_arena a;
      rx_batch bt;
      rx_error err;
      REQUIRE(build(&a, *specs[i], 0.03) == 0);
      REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
      REQUIRE(rx_task_generate(&s, 13, RX_STREAM_TASK, 0, &bt, &err) == 0);
      contacts[rule] = 0;
      for (int b = 0; b < s.batch_size; b++)
        for (int t = 2; t <= s.seq_len + 1; t++) {
          const float *p = position(&bt, t, b);
          double d, th;
          rx_arena_nearest_wall(&a, p[0], p[1], &d, &th);
          contacts[rule] += d < 1e-5;
        }
      rx_batch_free(&bt);
    }
    CHECK_MSG(contacts[1] * 5 < contacts[0], "%s: %ld steps at a wall with the rule, %ld without",
              rx_arena_name(specs[i]->kind), contacts[1], contacts[0]);
  }
}

/* ---- the paper's box, bit for bit ---- */

/* docs/science.md §1.1's generator as it was before arenas (src/tasks/spatial.c at main), kept
 * here verbatim as the reference. */
static void reference_trajectory(const rx_task_spec *s, rx_rng *r, size_t B, size_t b,
                                 rx_batch *batch) {
  const double W2 = 0.5 * s->box_width, H2 = 0.5 * s->box_height, two_pi = 2.0 * M_PI;
  double x = 0, y = 0;
  if (!s->init_zero) {
    x = (rx_rng_uniform(r) - 0.5) * s->box_width;
    y = (rx_rng_uniform(r) - 0.5) * s->box_height;
  }
  double h = two_pi * rx_rng_uniform(r);
  for (int t = 0; t <= s->seq_len; t++) {
    double v = rx_rng_rayleigh(r, s->b), turn = 0;
    const double dist[4] = {W2 - x, H2 - y, W2 + x, H2 + y};
    int w = 0;
    for (int i = 1; i < 4; i++)
      if (dist[i] < dist[w]) w = i;
    double hm = fmod(h, two_pi);
    if (hm < 0) hm += two_pi;
    double a = rx_wrap_angle(hm - w * (M_PI / 2));
    if (dist[w] < s->border_region && fabs(a) < M_PI / 2) {
      turn = (a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0) * (M_PI / 2 - fabs(a));
      v *= s->border_slow_factor;
    }
    turn += s->dt * (s->mu + s->sigma * rx_rng_normal(r));
    double sx = v * s->dt * cos(h), sy = v * s->dt * sin(h);
    if (s->biased) {
      sx += s->drift_const * (s->anchor[0] - x);
      sy += s->drift_const * (s->anchor[1] - y);
    }
    x += sx;
    y += sy;
    h += turn;
    if (t == 0) {
      batch->init[2 * b] = (float)x;
      batch->init[2 * b + 1] = (float)y;
    } else {
      size_t o = 2 * ((size_t)(t - 1) * B + b);
      batch->inputs[o] = (float)sx;
      batch->inputs[o + 1] = (float)sy;
      batch->targets[o] = (float)x;
      batch->targets[o + 1] = (float)y;
    }
  }
}

static void test_default_box_batches_are_bit_identical_to_the_papers_generator(void) {
  /* the start: x then y as (u - 1/2) W, (u - 1/2) H, in double, exactly */
  rx_arena box;
  rx_arena_spec plain = BOX;
  rx_error e;
  REQUIRE(rx_arena_init(&box, &plain, 2.2, 1.7, 0.03, &e) == 0);
  rx_rng r, ref;
  rx_rng_init(&r, 4, RX_STREAM_TASK, 0, 0, 0);
  rx_rng_init(&ref, 4, RX_STREAM_TASK, 0, 0, 0);
  long differ = 0;
  for (int i = 0; i < 10000; i++) {
    double x, y;
    rx_arena_sample(&box, &r, &x, &y);
    double wx = (rx_rng_uniform(&ref) - 0.5) * 2.2, wy = (rx_rng_uniform(&ref) - 0.5) * 1.7;
    differ += memcmp(&x, &wx, sizeof x) != 0 || memcmp(&y, &wy, sizeof y) != 0;
  }
  CHECK_MSG(differ == 0, "%ld of 10000 box starts differ from the paper's draws", differ);
  for (int variant = 0; variant < 4; variant++) {
    rx_task_spec s = spatial_spec(BOX);
    s.batch_size = 500;
    s.biased = variant & 1;
    s.init_zero = variant >> 1;
    s.box_width = variant == 3 ? 1.7 : 2.2; /* a rectangle too */
    s.anchor[0] = 0.4, s.anchor[1] = -0.3;
    rx_batch got, want;
    rx_error err;
    REQUIRE(rx_batch_alloc(&got, &s, &err) == 0 && rx_batch_alloc(&want, &s, &err) == 0);
    for (uint32_t idx = 0; idx < 3; idx++) {
      REQUIRE(rx_task_generate(&s, 21, RX_STREAM_TASK, idx, &got, &err) == 0);
      for (int b = 0; b < s.batch_size; b++) {
        rx_rng r;
        rx_rng_init(&r, 21, RX_STREAM_TASK, idx, (uint32_t)b, 0);
        reference_trajectory(&s, &r, (size_t)s.batch_size, (size_t)b, &want);
      }
      size_t n = (size_t)s.seq_len * s.batch_size * 2;
      CHECK_MSG(memcmp(got.inputs, want.inputs, n * sizeof(float)) == 0 &&
                    memcmp(got.targets, want.targets, n * sizeof(float)) == 0 &&
                    memcmp(got.init, want.init, (size_t)s.batch_size * 2 * sizeof(float)) == 0,
                "variant %d, batch %u differs from the paper's generator", variant, idx);
    }
    rx_batch_free(&got);
    rx_batch_free(&want);
  }
}

/* ---- place cells ---- */

static void test_place_cell_centres_are_uniform_in_the_arena_and_the_boxs_unchanged(void) {
  rx_population_spec ps = {.kind = RX_TASK_SPATIAL,
                           .n = 4096,
                           .k = 3,
                           .sigma = 0.2,
                           .surround_scale = 2,
                           .box_width = 2.2,
                           .box_height = 1.7};
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &ps, 7, &err) == 0);
  rx_rng r; /* the box's centres: (u - 1/2) W, (u - 1/2) H from the population stream */
  rx_rng_init(&r, 7, RX_STREAM_POPCODE, 0, 0, 0);
  int same = 1;
  for (int i = 0; i < ps.n; i++) {
    float x = (float)((rx_rng_uniform(&r) - 0.5) * 2.2),
          y = (float)((rx_rng_uniform(&r) - 0.5) * 1.7);
    same &= memcmp(&x, &p->centers[2 * i], sizeof x) == 0 &&
            memcmp(&y, &p->centers[2 * i + 1], sizeof y) == 0;
  }
  CHECK(same);
  rx_population_free(p);

  const rx_arena_spec *specs[] = {&CIRCLE, &TRIANGLE, &T_MAZE, &TRACK, &L_WALLS};
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    ps.arena = *specs[i];
    ps.box_height = 2.2;
    rx_population *q;
    REQUIRE(rx_population_create(&p, &ps, 7, &err) == 0);
    REQUIRE(rx_population_create(&q, &ps, 7, &err) == 0);
    CHECK(memcmp(p->centers, q->centers, 2 * (size_t)ps.n * sizeof(float)) == 0);
    rx_arena a;
    REQUIRE(build(&a, *specs[i], 0.03) == 0);
    long outside = 0, left = 0, left_area_in = 0;
    for (int c = 0; c < ps.n; c++) {
      outside += !rx_arena_contains(&a, p->centers[2 * c], p->centers[2 * c + 1]);
      left += p->centers[2 * c] < 0;
    }
    /* the share left of x = 0 is that of the area (by a grid over the bounding box) */
    const int g = 400;
    long all = 0;
    for (int u = 0; u < g; u++)
      for (int v = 0; v < g; v++) {
        double x = a.lo[0] + (a.hi[0] - a.lo[0]) * (u + 0.5) / g;
        double y = a.lo[1] + (a.hi[1] - a.lo[1]) * (v + 0.5) / g;
        int in = rx_arena_contains(&a, x, y);
        all += in;
        left_area_in += in && x < 0;
      }
    double want = (double)left_area_in / all, share = (double)left / ps.n;
    CHECK(outside == 0);
    CHECK_MSG(fabs(share - want) < 3 * sqrt(want * (1 - want) / ps.n) + 0.005,
              "%s: %.4f of the centres left of x = 0, %.4f of the area", rx_arena_name(a.kind),
              share, want);
    rx_population_free(p);
    rx_population_free(q);
  }
}

/* ---- the spec through validation, config and checkpoint ---- */

static void test_task_spec_refuses_bad_arenas_and_an_origin_outside(void) {
  rx_task_spec s = spatial_spec(TRIANGLE);
  rx_error err;
  s.arena.vertices[2][0] = 5, s.arena.vertices[2][1] = -1.1; /* flat */
  CHECK(rx_task_spec_check(&s, &err) == RX_EINVAL &&
        strstr(err.msg, "task.arena_vertices") == err.msg);
  rx_batch bt;
  CHECK(rx_batch_alloc(&bt, &s, &err) == RX_EINVAL && bt.inputs == NULL);
  s = spatial_spec((rx_arena_spec){
      .kind = RX_ARENA_POLYGON, .n_vertices = 3, .vertices = {{0.5, 0.5}, {1, 0.5}, {1, 1}}});
  CHECK(rx_task_spec_check(&s, &err) == 0);
  s.init_zero = 1;
  CHECK(rx_task_spec_check(&s, &err) == RX_EINVAL);
  CHECK_MSG(
      strstr(err.msg, "task.init_pos: zero starts the agent at the origin, which is outside") ==
          err.msg,
      "%s", err.msg);
  s = spatial_spec(BOX_WALL);
  s.init_zero = 1; /* the wall x = 0 runs through the origin */
  CHECK(rx_task_spec_check(&s, &err) == RX_EINVAL && strstr(err.msg, "on a wall of") != NULL);
  s = spatial_spec(T_MAZE); /* the maze holds the origin (its stem runs through it) */
  s.init_zero = 1;
  CHECK(rx_task_spec_check(&s, &err) == 0);
  s.border_region = 0.2;
  CHECK(rx_task_spec_check(&s, &err) == RX_EINVAL &&
        strstr(err.msg, "task.arena_corridor_width") == err.msg);
  rx_task_spec h = {.kind = RX_TASK_HEAD_DIRECTION, .seq_len = 5, .batch_size = 2, .dt = 0.02};
  h.arena.kind = (rx_arena_kind)9; /* head direction has no arena */
  CHECK(rx_task_spec_check(&h, &err) == 0);
}

/* A polygon run with walls: its config carries vertices and walls to the checkpoint and back, the
 * checkpoint's place cells lie in the arena, and the run's config.yaml reads back the same. */
static void test_polygon_arena_survives_config_and_checkpoint_round_trip(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "arena");
  char path[300];
  snprintf(path, sizeof path, "path=%s", root);
  const char *ov[] = {path,
                      "rnn.n_rec=16",
                      "task.place_cells_num=24",
                      "task.batch_size=16",
                      "task.sequence_length=10",
                      "trainer.n_epochs=4",
                      "trainer.save_freq=4",
                      "trainer.test_freq=4",
                      "task.arena=polygon",
                      "task.arena_vertices=[[-1,-1],[1,-1],[1,0],[0,0],[0,1],[-1,1]]",
                      "task.walls=[[-0.5,-1,-0.5,-0.2],[0.2,-0.5,0.8,-0.5]]"};
  rx_train_config cfg;
  rx_error err;
  REQUIRE_MSG(rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 11, ov, &err) == 0, "%s",
              err.msg);
  CHECK(cfg.task.arena == RX_ARENA_POLYGON && cfg.task.arena_n_vertices == 6 &&
        cfg.task.n_walls == 2 && cfg.task.wall_cut == 1);
  CHECK(cfg.task.arena_vertices[3][0] == 0 && cfg.task.walls[1][2] == 0.8);
  REQUIRE_MSG(rx_train(&cfg, NULL, NULL, &err) == 0, "%s", err.msg);
  char dir[512], ck[600];
  REQUIRE(rx_config_run_dir(&cfg, dir, sizeof dir) == 0);
  rx_checkpoint_path(ck, sizeof ck, dir, 4);
  rx_checkpoint c;
  REQUIRE_MSG(rx_checkpoint_load(ck, &c, &err) == 0, "%s", err.msg);
  CHECK(memcmp(&c.cfg.task, &cfg.task, sizeof cfg.task) == 0);
  rx_arena a;
  REQUIRE(build(&a, L_WALLS, 0.03) == 0);
  for (int i = 0; i < c.pop->n; i++)
    CHECK(rx_arena_contains(&a, c.pop->centers[2 * i], c.pop->centers[2 * i + 1]));
  rx_checkpoint_free(&c);
  char *text = rx_test_read_text(dir, "config.yaml");
  REQUIRE(text);
  CHECK(strstr(text, "  arena: polygon\n  arena_vertices: [[-1.0, -1.0], [1.0, -1.0], [1.0, 0.0], "
                     "[0.0, 0.0], [0.0, 1.0], [-1.0, 1.0]]\n  walls: [[-0.5, -1.0, -0.5, -0.2], "
                     "[0.2, -0.5, 0.8, -0.5]]\n  init_pos") != NULL);
  CHECK(strstr(text, "arena_radius") == NULL && strstr(text, "wall_cut") == NULL);
  rx_train_config back;
  REQUIRE_MSG(rx_config_from_yaml(&back, text, "config.yaml", &err) == 0, "%s", err.msg);
  CHECK(memcmp(&back.task, &cfg.task, sizeof cfg.task) == 0);
  free(text);
  rx_test_rm_rf(root);
}

RX_TEST_MAIN(TEST(test_contains_known_points_edges_included),
             TEST(test_area_and_bounding_box_are_exact),
             TEST(test_nearest_wall_distance_and_direction_at_chosen_points),
             TEST(test_crossing_finds_the_first_wall_and_where),
             TEST(test_outline_lists_boundary_then_walls),
             TEST(test_bad_arenas_are_refused_with_one_line_naming_the_key),
             TEST(test_contains_agrees_with_area_and_samples_are_uniform_inside),
             TEST(test_uniform_region_density_is_one_over_area),
             TEST(test_kl_uniform_control_is_uniform_in_the_runs_arena),
             TEST(test_steps_never_leave_any_arena_nor_pass_a_wall),
             TEST(test_paper_box_overshoots_and_wall_cut_changes_only_cut_trajectories),
             TEST(test_targets_equal_init_plus_cumulative_inputs_in_every_arena),
             TEST(test_turn_away_rule_keeps_agents_off_the_walls_in_every_arena),
             TEST(test_default_box_batches_are_bit_identical_to_the_papers_generator),
             TEST(test_place_cell_centres_are_uniform_in_the_arena_and_the_boxs_unchanged),
             TEST(test_task_spec_refuses_bad_arenas_and_an_origin_outside),
             TEST(test_polygon_arena_survives_config_and_checkpoint_round_trip),
             TEST(test_default_point_start_lies_in_every_arena))
