"""train, Network (load, config, weights, simulate) and analyze: each one call of libreactivate's
flat API (capi.h), which runs the same library code as the matching `reactivate` command, so the
same arguments give the same bits. numpy arrays in and out; errors raise ReactivateError with the
library's one-line message."""

import ctypes
import json
import math
import os
import sys
import time
import weakref

import numpy as np

from . import _lib
from ._lib import ReactivateError

_RULES = {"scaled": 0, "same": 1, "absolute": 2}


def set_threads(n=0):
    """Threads for BLAS and the library's loops (0: all cores), as the CLI's --threads. Results
    do not depend on it."""
    _lib.lib().rx_capi_set_threads(int(n))


def _format_value(v):
    """A Python value as the text of a key=value setting (read as YAML by the library)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_format_value(x) for x in v) + "]"
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    return str(v)


def _settings(*dicts):
    """key=value strings of dicts whose keys are dotted ("rnn.n_rec") or nested
    ({"rnn": {"n_rec": 32}}), in the order given."""
    out = []

    def walk(d, prefix):
        for k, v in d.items():
            key = f"{prefix}{k}"
            if isinstance(v, dict):
                walk(v, key + ".")
            else:
                out.append(f"{key}={_format_value(v)}")

    for d in dicts:
        if d:
            walk(d, "")
    return out


def _msg():
    return ctypes.create_string_buffer(_lib.MSG_SIZE)


def _text(b):
    return b.decode("utf-8", "replace") if b else ""


# ---- train ----

class _TrainView:
    """Progress on stderr (rate-limited; every test evaluation), a user callback, and Ctrl-C:
    the library calls back after every step, so an interrupt stops training at the next step
    boundary after writing a checkpoint, as SIGINT stops `reactivate train`."""

    def __init__(self, progress, metric):
        self.progress = progress
        self.metric = metric
        self.interrupted = False
        self.error = None
        self.last_print = 0.0
        self.t0 = time.monotonic()
        self.last = None

    def __call__(self, ctx, step, n_steps, loss, error, tested, test_loss, test_error, note):
        try:
            p = {"step": step, "n_steps": n_steps, "loss": loss, "error": error,
                 "tested": bool(tested), "test_loss": test_loss if tested else None,
                 "test_error": test_error if tested else None,
                 "elapsed_s": time.monotonic() - self.t0, "note": _text(note) or None}
            self.last = p
            if callable(self.progress):
                if self.progress(p) is False:
                    return 1
            elif self.progress:
                self._print(p)
            return 0
        except KeyboardInterrupt:
            self.interrupted = True
            return 1
        except BaseException as e:  # an exception cannot cross the C frames: stop, raise later
            self.error = e
            return 1

    def _print(self, p):
        if p["note"]:
            print(f"reactivate: note: {p['note']}", file=sys.stderr, flush=True)
        now = time.monotonic()
        if p["step"] == 0 or not (p["tested"] or p["step"] == p["n_steps"]
                                  or now - self.last_print >= 2.0):
            return
        self.last_print = now
        line = (f"step {p['step']}/{p['n_steps']}  loss {p['loss']:.3g} {self.metric} "
                f"{p['error']:.3g}")
        if p["tested"]:
            line += f" | test loss {p['test_loss']:.3g} {self.metric} {p['test_error']:.3g}"
        print(f"{line}  [{p['elapsed_s']:.1f}s]", file=sys.stderr, flush=True)


def run_dir(experiment, overrides=None, path=None):
    """The run directory `train` would write (`reactivate train --dry-run`), training nothing."""
    args = _settings(overrides, {"path": path} if path is not None else None)
    ptr, keep = _lib.strings(args)
    out, msg = ctypes.create_string_buffer(_lib.PATH_SIZE), _msg()
    _lib.check(_lib.lib().rx_capi_run_dir(os.fsencode(experiment), len(args), ptr, out,
                                          _lib.PATH_SIZE, msg, _lib.MSG_SIZE), msg)
    return _text(out.value)


def train(experiment, overrides=None, path=None, resume=False, overwrite=False, progress=True):
    """Trains one network, as `reactivate train EXPERIMENT key=value ... [--resume]
    [--overwrite]`, and returns its run directory (<path>/<task>/<run name>).

    experiment: a bundled experiment ("spatial_navigation/noisy_unbiased") or a YAML file.
    overrides: config settings, dotted ({"rnn.n_rec": 64}) or nested ({"rnn": {"n_rec": 64}}).
    path: the results root (the config's `path`, default ./results).
    progress: True prints progress lines on stderr, False nothing; a callable receives a dict
    (step, n_steps, loss, error, tested, test_loss, test_error, elapsed_s, note) after every step
    and stops training (after a checkpoint) by returning False.
    Ctrl-C (a notebook's interrupt) stops after writing a checkpoint and raises
    KeyboardInterrupt; train(..., resume=True) continues bit-exactly."""
    args = _settings(overrides, {"path": path} if path is not None else None)
    directory = run_dir(experiment, overrides, path)
    task = os.path.basename(os.path.dirname(directory))
    view = _TrainView(progress, "hd_mse" if task == "head_direction" else "pos_mse")
    callback = _lib.PROGRESS_FN(view)
    ptr, keep = _lib.strings(args)
    out, msg = ctypes.create_string_buffer(_lib.PATH_SIZE), _msg()
    interrupted = ctypes.c_int(0)
    rc = _lib.lib().rx_capi_train(os.fsencode(experiment), len(args), ptr, int(bool(resume)),
                                  int(bool(overwrite)), callback, None, ctypes.byref(interrupted),
                                  out, _lib.PATH_SIZE, msg, _lib.MSG_SIZE)
    _lib.check(rc, msg)
    directory = _text(out.value)
    if view.error is not None:
        raise view.error
    if view.interrupted:
        raise KeyboardInterrupt(f"training stopped at step {view.last['step']}; its checkpoint is "
                                f"in {directory}: train(..., resume=True) continues")
    if progress is True and view.last:
        p = view.last
        print(f"done: {p['step']} steps in {directory}", file=sys.stderr, flush=True)
    return directory


# ---- networks ----

def _input_array(x, what):
    """x as a C-ordered native float32 or float64 array (the library rounds float64 to float32
    when every value is finite and in float32's range, as the CLI reads .npy files); any other
    dtype is refused, naming it."""
    a = np.asarray(x)
    if a.dtype.kind != "f" or a.dtype.itemsize not in (4, 8):
        raise ReactivateError(f"{what}: dtype {a.dtype.name} ({a.dtype.str}), expected float32 "
                              f"(<f4) or float64 (<f8)", -4)
    a = np.ascontiguousarray(a, dtype=np.dtype(f"=f{a.dtype.itemsize}"))
    return a, (0 if a.dtype.itemsize == 4 else 1)


def _count(name, v, lo, hi):
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
        raise ReactivateError(f"--{name} needs an integer in [{lo}, {hi}] (got {v!r})", -1)
    return int(v)


def _variance(name, v):
    if v is None:
        return -1.0
    v = float(v)
    if not math.isfinite(v) or v < 0:
        raise ReactivateError(f"--{name} must be a finite number >= 0 (got {v!r})", -1)
    return v


class Network:
    """A trained network loaded from a checkpoint (model_<step>.npz).

    config: the resolved training config (dict); weights: the parameters under their PyTorch
    names ("w_rec.weight": (n_rec, n_rec) float32, ...), copies; step: training steps done."""

    def __init__(self, handle, checkpoint):
        self._handle = handle
        self.checkpoint = checkpoint
        self._free = weakref.finalize(self, _lib.lib().rx_capi_network_free, handle)
        lib = _lib.lib()
        self.config = json.loads(_text(lib.rx_capi_network_config_json(handle)))
        self.step = int(lib.rx_capi_network_step(handle))
        self.weights = {}
        for i in range(lib.rx_capi_network_n_params(handle)):
            name, ndim = ctypes.c_char_p(), ctypes.c_int()
            shape, data, msg = (ctypes.c_int64 * 2)(), _lib.c_float_p(), _msg()
            _lib.check(lib.rx_capi_network_param(handle, i, ctypes.byref(name), ctypes.byref(ndim),
                                                 shape, ctypes.byref(data), msg, _lib.MSG_SIZE),
                       msg)
            self.weights[_text(name.value)] = np.ctypeslib.as_array(
                data, shape=tuple(shape[:ndim.value])).copy()

    @classmethod
    def load(cls, checkpoint):
        """Loads and checks a checkpoint, as `reactivate simulate` does."""
        handle, msg = ctypes.c_void_p(), _msg()
        _lib.check(_lib.lib().rx_capi_network_load(os.fsencode(checkpoint), ctypes.byref(handle),
                                                   msg, _lib.MSG_SIZE), msg)
        return cls(handle.value, os.fspath(checkpoint))

    def close(self):
        """Frees the library's copy of the network now (else when garbage-collected)."""
        self._free()
        self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        rnn = self.config.get("rnn", {})
        return (f"Network({self.checkpoint!r}: {rnn.get('model', '?')} of {rnn.get('n_rec', '?')} "
                f"units, step {self.step})")

    def simulate(self, inputs=None, init=None, batch=None, steps=None, quiescent=False, rule=None,
                 noise_var=None, seed=0, test_batch=False, rule_var=None, settings=None,
                 keep_hidden=True):
        """Runs the network as `reactivate simulate` does, with the same arguments and defaults
        (the same call gives the same bits), and returns its arrays, batch-major float32:
        hidden (B, T, n_rec; not with keep_hidden=False), outputs (B, T, n_out), decoded (B, T, 2)
        positions or (B, T, 1) headings, init (B, n_init); on a generated batch also inputs
        (B, T, n_in; not quiescent), positions (B, T, dim) and init_positions (B, dim).

        inputs: (B, T, n_in) displacements or turns per step; init: (B, n_init) population codes
        (float32; float64 is rounded to float32 when finite and in range; C order made when
        needed; another dtype or shape is refused with the expected shape). batch, steps: the
        generated batch's size (default the run's task.batch_size and task.sequence_length).
        quiescent: zero inputs, recurrent noise by rule ("scaled", "same", "absolute" with
        rule_var; default the model's). noise_var: recurrent noise variance overriding all that
        (0: deterministic). seed: noise and generated batches. test_batch: the run's own test
        batch. settings: the vanilla cell's mechanisms offline for a quiescent run
        ({"rnn.momentum": 0.5}, docs/science.md §3.6)."""
        if self._handle is None:
            raise ReactivateError("simulate: the network was closed", -1)
        lib = _lib.lib()
        if rule is None:
            rule_code = -1
        elif rule in _RULES:
            rule_code = _RULES[rule]
        else:
            raise ReactivateError(f"--rule must be scaled, same or absolute (got {rule!r})", -1)
        seed = _count("seed", seed, 0, 4294967295)
        args = _settings(settings)
        ptr, keep = _lib.strings(args)
        arrays = []
        for x, what in ((inputs, "inputs"), (init, "init")):
            if x is None:
                arrays.append((None, 0, 0, None))
            else:
                a, code = _input_array(x, what)
                keep += (a,)
                arrays.append((a.ctypes.data_as(ctypes.c_void_p), code, a.ndim,
                               (ctypes.c_int64 * max(1, a.ndim))(*a.shape)))
        handle, msg = ctypes.c_void_p(), _msg()
        rc = lib.rx_capi_simulate(self._handle, _count("batch", batch, 1, 1 << 20),
                                  _count("steps", steps, 1, 1 << 24), seed, int(bool(quiescent)),
                                  int(bool(test_batch)), int(bool(keep_hidden)), rule_code,
                                  _variance("rule-var", rule_var), _variance("noise-var", noise_var),
                                  len(args), ptr, *arrays[0], *arrays[1], ctypes.byref(handle),
                                  msg, _lib.MSG_SIZE)
        _lib.check(rc, msg)
        try:
            out = {}
            for i in range(lib.rx_capi_arrays_count(handle)):
                name, ndim = ctypes.c_char_p(), ctypes.c_int()
                shape, data = (ctypes.c_int64 * 8)(), _lib.c_float_p()
                _lib.check(lib.rx_capi_arrays_get(handle, i, ctypes.byref(name), ctypes.byref(ndim),
                                                  shape, ctypes.byref(data), msg, _lib.MSG_SIZE),
                           msg)
                out[_text(name.value)] = np.ctypeslib.as_array(
                    data, shape=tuple(shape[:ndim.value])).copy()
            return out
        finally:
            lib.rx_capi_arrays_free(handle)


# ---- analyze ----

def analyze(kind, task=None, seed=None, path=None, settings=None, log=False, **more):
    """Runs one analysis over the trained runs of a seed, as `reactivate analyze KIND
    key=value ...`, and returns its result dict (the JSON file it writes into <path>/<task>/;
    the arrays of its .npz are in load_results).

    kind: "kl", "variance", "distance", "pca", "heading", "mixing", "score", "temperature",
    "diffusion" or "replay". task, seed, path: which runs (defaults of configs/analysis/).
    Further settings as keywords, nested dicts or dotted keys in settings:
    analyze("variance", path=p, variance={"batch_size": 50}) or
    settings={"variance.batch_size": 50}. log: True prints the analysis' log lines on stderr;
    a callable receives each line."""
    given = {}
    if task is not None:
        given["task"] = task
    if seed is not None:
        given["seed"] = seed
    if path is not None:
        given["path"] = path
    args = _settings(given, more, settings)

    def relay(ctx, line):
        try:
            text = _text(line)
            if callable(log):
                log(text)
            elif log:
                print(text, file=sys.stderr, flush=True)
        except BaseException:  # nothing may cross the C frames
            pass

    callback = _lib.LOG_FN(relay)
    ptr, keep = _lib.strings(args)
    out, msg = ctypes.create_string_buffer(_lib.PATH_SIZE), _msg()
    _lib.check(_lib.lib().rx_capi_analyze(str(kind).encode(), len(args), ptr, callback, None, out,
                                          _lib.PATH_SIZE, msg, _lib.MSG_SIZE), msg)
    with open(_text(out.value)) as f:
        return json.load(f)
