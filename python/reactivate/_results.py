"""load_results: a results root read into plain dicts and numpy arrays (pandas DataFrames when
pandas is importable), from the files docs/formats.md describes. This is file reading only: the
numbers are those the library wrote."""

import glob
import json
import os
import re

import numpy as np

_RUN = re.compile(r"^(?P<experiment>.+?)(?:_(?P<noise>\d[\d.e+-]*))?_(?P<seed>\d+)$")
_CHECKPOINT = re.compile(r"^model_(\d+)\.npz$")
_TASKS = ("spatial_navigation", "head_direction")


def _pandas():
    try:
        import pandas
        return pandas
    except ImportError:
        return None


def _read_json(path):
    with open(path) as f:
        return json.load(f)


def _metrics(path):
    """{"step": (n,) int64, "<metric>": (n,) float64 (NaN where null)} of a metrics file."""
    d = _read_json(path)
    steps = sorted(d, key=int)
    keys = []
    for s in steps:
        for k in d[s]:
            if k not in keys:
                keys.append(k)
    out = {"step": np.array([int(s) for s in steps], dtype=np.int64)}
    for k in keys:
        out[k] = np.array([np.nan if d[s].get(k) is None else d[s][k] for s in steps],
                          dtype=np.float64)
    return out


def _npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _task_dirs(path):
    """(task, directory) pairs: path is a results root (holding <task>/) or a task folder."""
    base = os.path.basename(os.path.normpath(path))
    if base in _TASKS:
        return [(base, path)]
    return [(t, os.path.join(path, t)) for t in _TASKS if os.path.isdir(os.path.join(path, t))]


def load_results(path, tables=None):
    """Reads a results root (or one task's folder under it) as `reactivate` writes it.

    Returns {"runs": the run table, "metrics": {task: {run: {"train": ..., "test": ...}}},
    "analyses": {task: {file stem: {"result": the JSON dict, "arrays": {name: array}}}}}.
    The run table has a row per run directory: task, run, experiment, noise (sigma2_rec as the
    name writes it, None without noise), seed, steps (its newest checkpoint's), checkpoint (its
    path), checkpoints (every step saved), final_test_loss and final_test_error (the last test
    evaluation's, with metric naming the error: pos_mse or hd_mse). Metrics are {"step": (n,),
    "loss": (n,), "<metric>": (n,)} arrays. With pandas importable (and tables not False) the
    run table is a DataFrame and each metrics entry a DataFrame indexed by step; tables=True
    insists on pandas."""
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{path}: no such results folder")
    pd = _pandas() if tables is not False else None
    if tables is True and pd is None:
        raise ImportError("load_results(tables=True) needs pandas")
    runs, metrics, analyses = [], {}, {}
    for task, tdir in _task_dirs(path):
        metrics[task], analyses[task] = {}, {}
        for rdir in sorted(glob.glob(os.path.join(tdir, "*", ""))):
            rdir = os.path.normpath(rdir)
            run = os.path.basename(rdir)
            steps = sorted(int(m.group(1)) for m in map(_CHECKPOINT.match, os.listdir(rdir)) if m)
            has_metrics = any(os.path.exists(os.path.join(rdir, f))
                              for f in ("train_metrics.json", "test_metrics.json"))
            if not steps and not has_metrics:
                continue  # figures/ and other folders
            m = _RUN.match(run)
            row = {"task": task, "run": run,
                   "experiment": m.group("experiment") if m else run,
                   "noise": m.group("noise") if m else None,
                   "seed": int(m.group("seed")) if m else None,
                   "steps": steps[-1] if steps else None,
                   "checkpoint": os.path.join(rdir, f"model_{steps[-1]}.npz") if steps else None,
                   "checkpoints": steps,
                   "metric": "hd_mse" if task == "head_direction" else "pos_mse",
                   "final_test_loss": None, "final_test_error": None}
            entry = {}
            for kind in ("train", "test"):
                f = os.path.join(rdir, f"{kind}_metrics.json")
                if os.path.exists(f):
                    entry[kind] = _metrics(f)
            if "test" in entry and len(entry["test"]["step"]):
                t = entry["test"]
                row["final_test_loss"] = float(t["loss"][-1]) if "loss" in t else None
                if row["metric"] in t:
                    row["final_test_error"] = float(t[row["metric"]][-1])
            if pd is not None:
                entry = {k: pd.DataFrame(v).set_index("step") for k, v in entry.items()}
            metrics[task][run] = entry
            runs.append(row)
        for f in sorted(glob.glob(os.path.join(tdir, "*.json"))):
            stem = os.path.splitext(os.path.basename(f))[0]
            npz = os.path.join(tdir, stem + ".npz")
            analyses[task][stem] = {"result": _read_json(f),
                                    "arrays": _npz(npz) if os.path.exists(npz) else {}}
    table = pd.DataFrame(runs) if pd is not None else runs
    return {"runs": table, "metrics": metrics, "analyses": analyses}
