#!/usr/bin/env python3
"""Write recorded trajectories as a task.trajectories file (docs/arenas.md, "Training on
recorded trajectories"; docs/formats.md): an .npz with positions (n, T+1, 2) float32, in metres,
centred on the arena's centre, and dt (float64 scalar, s).

Sources:
  --ratinabox          simulate n RatInABox agents in a square environment (RatInABox must be
                       installed; it is imported only in this mode)
  --synthetic          random straight-line walks reflected in the box (numpy only; for tests
                       and for trying the format)
  --from-simulate F    the generated batch of a `reactivate simulate` output (init_positions and
                       positions), e.g. the task's own motion model

save_trajectories() is the one saving path; it takes plain numpy arrays, so any tracking data
can be written with it:

    from ratinabox_export import save_trajectories
    save_trajectories("F.npz", positions_xy, dt=0.02, centre=(cx, cy))

Long recordings can be cut into windows of T+1 positions with windows() first.
"""
import argparse
import os
import sys

import numpy as np


def windows(track, length, stride=None):
    """Cuts one long track (N, 2) into windows (n, length, 2) of `length` positions, starting
    every `stride` positions (default: length - 1, so consecutive windows share an end point)."""
    track = np.asarray(track, dtype=np.float64)
    if track.ndim != 2 or track.shape[1] != 2:
        raise ValueError(f"track must be (N, 2), got {track.shape}")
    stride = length - 1 if stride is None else stride
    if length < 2 or stride < 1:
        raise ValueError("length must be >= 2 and stride >= 1")
    starts = range(0, track.shape[0] - length + 1, stride)
    return np.stack([track[s:s + length] for s in starts]) if len(starts) else \
        np.zeros((0, length, 2))


def save_trajectories(path, positions, dt, centre=(0.0, 0.0)):
    """Writes positions (n, T+1, 2) in metres, shifted so that `centre` (the arena's centre in
    the positions' frame) becomes the origin, as float32, with dt (s) as float64, to path
    (written to path.tmp, then renamed). Refuses non-finite values, wrong shapes and dt <= 0."""
    p = np.asarray(positions, dtype=np.float64)
    if p.ndim != 3 or p.shape[2] != 2 or p.shape[0] < 1 or p.shape[1] < 2:
        raise ValueError(f"positions must be (n, T+1, 2) with n >= 1, T >= 1; got {p.shape}")
    if not np.all(np.isfinite(p)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(p))[0])
        raise ValueError(f"positions: non-finite value at {list(bad)}")
    dt = float(dt)
    if not (dt > 0 and np.isfinite(dt)):
        raise ValueError(f"dt must be finite and > 0, got {dt}")
    p = (p - np.asarray(centre, dtype=np.float64).reshape(1, 1, 2)).astype(np.float32)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.savez(f, positions=p, dt=np.float64(dt))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return p.shape


def synthetic(n, steps, dt, width, height, speed=0.2, seed=0):
    """n walks of `steps` steps in a width x height box centred on the origin: constant speed,
    a random heading that turns a little each step, reflected at the walls. (n, steps+1, 2)."""
    rng = np.random.default_rng(seed)
    half = np.array([width / 2, height / 2])
    p = np.empty((n, steps + 1, 2))
    p[:, 0] = rng.uniform(-half, half, size=(n, 2)) * 0.9
    h = rng.uniform(0, 2 * np.pi, size=n)
    for t in range(steps):
        h += rng.normal(0, 0.2, size=n)
        q = p[:, t] + speed * dt * np.stack([np.cos(h), np.sin(h)], axis=1)
        for d in range(2):  # reflect at the walls
            over = q[:, d] > half[d]
            q[over, d] = 2 * half[d] - q[over, d]
            under = q[:, d] < -half[d]
            q[under, d] = -2 * half[d] - q[under, d]
            h = np.where(over | under, (np.pi - h) if d == 0 else -h, h)
        p[:, t + 1] = q
    return p


def ratinabox(n, steps, dt, width, height, seed=0):
    """n RatInABox agents in a width x height environment (its origin at a corner), `steps`
    updates of dt each: positions (n, steps+1, 2) in the environment's frame."""
    try:
        from ratinabox.Agent import Agent
        from ratinabox.Environment import Environment
    except ImportError as e:
        raise SystemExit(f"ratinabox_export.py: RatInABox is not installed ({e}); pip install "
                         "ratinabox, or use --synthetic / save_trajectories()")
    np.random.seed(seed)
    # RatInABox's square: [0, aspect * scale] x [0, scale]
    env = Environment(params={"scale": height, "aspect": width / height, "dimensionality": "2D"})
    out = np.empty((n, steps + 1, 2))
    for k in range(n):
        ag = Agent(env, params={"dt": dt})
        out[k, 0] = ag.pos
        for t in range(steps):
            ag.update(dt=dt)
            out[k, t + 1] = ag.pos
    return out


def from_simulate(path):
    """The generated batch of a `reactivate simulate --out F.npz`: (B, T+1, 2) positions."""
    with np.load(path) as z:
        if "positions" not in z or "init_positions" not in z:
            raise SystemExit(f"ratinabox_export.py: {path} holds no generated batch "
                             "(positions and init_positions)")
        return np.concatenate([z["init_positions"][:, None, :], z["positions"]], axis=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--ratinabox", action="store_true")
    src.add_argument("--synthetic", action="store_true")
    src.add_argument("--from-simulate", metavar="F.npz")
    ap.add_argument("--out", required=True, help="the .npz to write")
    ap.add_argument("-n", type=int, default=1000, help="trajectories (default 1000)")
    ap.add_argument("--steps", type=int, default=100, help="T, steps each (default 100)")
    ap.add_argument("--dt", type=float, default=0.02, help="s per step (default 0.02, task.dt)")
    ap.add_argument("--width", type=float, default=2.2, help="box width, m (task.box_width)")
    ap.add_argument("--height", type=float, default=2.2, help="box height, m (task.box_height)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    centre = (0.0, 0.0)
    if a.from_simulate:
        p = from_simulate(a.from_simulate)
    elif a.synthetic:
        p = synthetic(a.n, a.steps, a.dt, a.width, a.height, seed=a.seed)
    else:
        p = ratinabox(a.n, a.steps, a.dt, a.width, a.height, seed=a.seed)
        centre = (a.width / 2, a.height / 2)  # RatInABox's origin is the corner
    shape = save_trajectories(a.out, p, a.dt, centre)
    print(f"wrote {a.out}: positions {shape}, dt {a.dt}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
