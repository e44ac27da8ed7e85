"""The Python module against the CLI: the same arguments give the same bytes (simulate, train,
analyze); library errors raise ReactivateError with the CLI's message; inputs are converted when
safe and refused otherwise; memory stays bounded over many calls."""

import json
import os

import numpy as np
import pytest

import reactivate as rx
from conftest import RUN, TRAIN, cli, cli_message

SIMULATE_CASES = [
    # (CLI options, the same as Python keywords)
    (["--batch", 20, "--steps", 30], dict(batch=20, steps=30)),
    (["--quiescent", "--batch", 8, "--steps", 60, "--seed", 3],
     dict(quiescent=True, batch=8, steps=60, seed=3)),
    (["--quiescent", "--rule", "absolute", "--rule-var", 0.001, "--batch", 5],
     dict(quiescent=True, rule="absolute", rule_var=0.001, batch=5)),
    (["--quiescent", "--rule", "same", "--steps", 25, "rnn.momentum=0.5"],
     dict(quiescent=True, rule="same", steps=25, settings={"rnn.momentum": 0.5})),
    (["--test-batch", "--noise-var", 0], dict(test_batch=True, noise_var=0)),
    (["--no-hidden", "--seed", 7], dict(keep_hidden=False, seed=7)),
]


def npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def assert_same_bits(py, ref):
    assert list(py) == list(ref), (list(py), list(ref))
    for k in ref:
        assert py[k].dtype == ref[k].dtype == np.float32, k
        assert py[k].shape == ref[k].shape, (k, py[k].shape, ref[k].shape)
        assert py[k].tobytes() == ref[k].tobytes(), f"{k} differs"


@pytest.mark.parametrize("opts,kw", SIMULATE_CASES, ids=lambda c: " ".join(map(str, c))
                         if isinstance(c, list) else None)
def test_simulate_gives_the_cli_bits(checkpoint, tmp_path, opts, kw):
    out = tmp_path / "cli.npz"
    cli("simulate", checkpoint, "--out", out, *opts)
    with rx.Network.load(checkpoint) as net:
        assert_same_bits(net.simulate(**kw), npz(out))


def test_simulate_on_given_inputs_gives_the_cli_bits(checkpoint, tmp_path):
    rng = np.random.default_rng(0)
    x = (0.02 * rng.standard_normal((6, 40, 2))).astype(np.float32)
    c = np.abs(rng.standard_normal((6, 64))).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "c.npy", c)
    out = tmp_path / "cli.npz"
    cli("simulate", checkpoint, "--inputs", tmp_path / "x.npy", "--init", tmp_path / "c.npy",
        "--out", out, "--seed", 5)
    with rx.Network.load(checkpoint) as net:
        py = net.simulate(inputs=x, init=c, seed=5)
        assert_same_bits(py, npz(out))
        # float64, and not C-ordered: converted (rounded to float32), the same bits
        x64 = np.asfortranarray(x.astype(np.float64))
        assert not x64.flags.c_contiguous
        assert_same_bits(net.simulate(inputs=x64, init=c.astype(np.float64), seed=5), py)
        assert_same_bits(net.simulate(inputs=x.tolist(), init=c, seed=5), py)


def test_bad_inputs_are_refused_with_the_expected_shape(checkpoint):
    with rx.Network.load(checkpoint) as net:
        cases = [
            (dict(inputs=np.zeros((3, 5), np.float32)),
             "inputs: expected shape (any, any, 2), got (3, 5)"),
            (dict(inputs=np.zeros((3, 5, 3))), "inputs: expected shape (any, any, 2), got (3, 5, 3)"),
            (dict(inputs=np.zeros((3, 5, 2)), batch=4),
             "inputs: expected shape (4, any, 2), got (3, 5, 2)"),
            (dict(inputs=np.zeros((3, 5, 2)), init=np.zeros((4, 64))),
             "init: expected shape (3, 64), got (4, 64)"),
            (dict(init=np.zeros((4, 10))), "init: expected shape (any, 64), got (4, 10)"),
            (dict(inputs=np.zeros((3, 5, 2), np.int32)),
             "inputs: dtype int32 (<i4), expected float32 (<f4) or float64 (<f8)"),
            (dict(inputs=np.full((3, 5, 2), 1e300)), "beyond float32's range"),
            (dict(quiescent=True, inputs=np.zeros((3, 5, 2))),
             "--quiescent and --inputs contradict each other"),
            (dict(rule="same"), "--rule applies to --quiescent runs only"),
            (dict(quiescent=True, rule="hot"), "--rule must be scaled, same or absolute"),
            (dict(quiescent=True, settings={"rnn.n_rec": 3}), "rnn.n_rec"),
            (dict(batch=0), "--batch needs an integer in [1, 1048576] (got 0)"),
            (dict(noise_var=-1.0), "--noise-var"),
        ]
        for kw, says in cases:
            with pytest.raises(rx.ReactivateError) as e:
                net.simulate(**kw)
            assert says in str(e.value), (kw, str(e.value))
        x = np.zeros((3, 5, 2))
        x[1, 3, 0] = np.nan
        with pytest.raises(rx.ReactivateError, match=r"inputs: NaN at \[1, 3, 0\]") as e:
            net.simulate(inputs=x)
        assert e.value.status == "ENUMERIC"
        # the network still works after every refusal
        assert net.simulate(batch=2, steps=3)["decoded"].shape == (2, 3, 2)


def test_library_errors_carry_the_cli_message(tmp_path, checkpoint):
    missing = tmp_path / "nope" / "model_1.npz"
    with pytest.raises(rx.ReactivateError) as e:
        rx.Network.load(missing)
    assert str(e.value) == cli_message("simulate", missing, "--out", tmp_path / "o.npz")
    assert e.value.status == "EIO"
    garbage = tmp_path / "model_2.npz"
    garbage.write_bytes(b"PK\x03\x04 not a zip at all")
    with pytest.raises(rx.ReactivateError) as e:
        rx.Network.load(garbage)
    assert str(e.value) == cli_message("simulate", garbage, "--out", tmp_path / "o.npz")
    with rx.Network.load(checkpoint) as net, pytest.raises(rx.ReactivateError) as e:
        net.simulate(quiescent=True, settings={"rnn.momentum": 1.5})
    assert str(e.value) == cli_message("simulate", checkpoint, "--out", tmp_path / "o.npz",
                                       "--quiescent", "rnn.momentum=1.5")
    with pytest.raises(rx.ReactivateError) as e:
        rx.train(TRAIN[0], {"rnn.n_recc": 3}, path=tmp_path, progress=False)
    assert str(e.value) == cli_message("train", TRAIN[0], "rnn.n_recc=3", f"path={tmp_path}")
    assert "did you mean 'rnn.n_rec'" in str(e.value)
    with pytest.raises(rx.ReactivateError) as e:
        rx.analyze("variance", path=tmp_path, variance={"batch_size": -3})
    assert str(e.value) == cli_message("analyze", "variance", f"path={tmp_path}",
                                       "variance.batch_size=-3")
    with pytest.raises(rx.ReactivateError, match="unknown analysis 'vairance'"):
        rx.analyze("vairance", path=tmp_path)


def test_network_config_and_weights_are_the_checkpoints(checkpoint):
    net = rx.Network.load(checkpoint)
    assert net.step == 3
    assert net.config["rnn"]["n_rec"] == 32 and net.config["task"]["place_cells_num"] == 64
    assert net.config["rnn"]["sigma2_rec"] == pytest.approx(1e-4)
    ref = npz(checkpoint)
    assert set(net.weights) == {"encoder.weight", "w_in.weight", "w_rec.weight", "w_out.weight"}
    for k, w in net.weights.items():
        assert w.dtype == np.float32 and w.tobytes() == ref[k].tobytes(), k
    assert net.weights["w_rec.weight"].shape == (32, 32)
    net.close()
    with pytest.raises(rx.ReactivateError, match="closed"):
        net.simulate()


def test_train_gives_the_cli_bits_and_resumes(trained, tmp_path):
    overrides = dict(a.split("=") for a in TRAIN[1:])
    stops = []

    def stop_at_two(p):
        stops.append(p["step"])
        return p["step"] < 2  # False at step 2: stop after writing its checkpoint

    run = rx.train(TRAIN[0], overrides, path=tmp_path, progress=stop_at_two)
    assert run == str(tmp_path / RUN) == rx.run_dir(TRAIN[0], overrides, path=tmp_path)
    assert os.path.exists(os.path.join(run, "model_2.npz"))
    assert not os.path.exists(os.path.join(run, "model_3.npz"))
    assert rx.train(TRAIN[0], overrides, path=tmp_path, resume=True, progress=False) == run
    for f in ("test_metrics.json", "train_metrics.json"):
        a = open(os.path.join(run, f), "rb").read()
        b = open(trained / RUN / f, "rb").read()
        assert a == b, f
    # every array of the checkpoint but the config text, which names its own results root
    a, b = npz(os.path.join(run, "model_3.npz")), npz(trained / RUN / "model_3.npz")
    assert list(a) == list(b) and len(a) > 10
    for k in a:
        if k != "config":
            assert a[k].dtype == b[k].dtype and a[k].tobytes() == b[k].tobytes(), k
    assert str(a["config"]).replace(str(tmp_path), "ROOT") == \
        str(b["config"]).replace(str(trained), "ROOT")


@pytest.mark.parametrize("kind,settings", [
    ("variance", ["variance.batch_size=10", "variance.t_total=60", "variance.t_skip=20"]),
    ("distance", ["batch_size=12", "distance.t_quiescent=30"]),
])
def test_analyze_gives_the_cli_bits(trained, tmp_path, kind, settings):
    import shutil
    roots = []
    for name in ("cli", "py"):
        shutil.copytree(trained, tmp_path / name)
        roots.append(tmp_path / name)
    cli("analyze", kind, f"path={roots[0]}", *settings, "--quiet")
    lines = []
    result = rx.analyze(kind, path=roots[1], settings=dict(s.split("=") for s in settings),
                        log=lines.append)
    assert any("wrote" in l for l in lines), lines
    stem = os.path.join("spatial_navigation", f"{kind}_0.0001_0")
    for ext in ("json", "npz"):
        a = open(roots[0] / f"{stem}.{ext}", "rb").read()
        b = open(roots[1] / f"{stem}.{ext}", "rb").read()
        assert a == b, ext
    assert result == json.load(open(roots[0] / f"{stem}.json"))
    assert "noisy_unbiased_0.0001_0" in result


def test_load_results_reads_runs_metrics_and_analyses(fresh_root):
    rx.analyze("variance", path=fresh_root, variance={"batch_size": 10, "t_total": 40,
                                                       "t_skip": 10})
    for tables in (False, None):
        res = rx.load_results(fresh_root, tables=tables)
        runs = res["runs"]
        rows = runs if isinstance(runs, list) else runs.to_dict("records")
        assert len(rows) == 1
        row = rows[0]
        assert (row["task"], row["run"], row["experiment"], row["noise"], row["seed"],
                row["steps"], row["checkpoints"]) == ("spatial_navigation",
                                                      "noisy_unbiased_0.0001_0", "noisy_unbiased",
                                                      "0.0001", 0, 3, [0, 3])
        test = json.load(open(fresh_root / RUN / "test_metrics.json"))
        assert row["final_test_loss"] == test["3"]["loss"]
        assert row["final_test_error"] == test["3"]["pos_mse"]
        m = res["metrics"]["spatial_navigation"]["noisy_unbiased_0.0001_0"]["train"]
        if tables is False:
            assert list(m["step"]) == [1, 2, 3] and m["loss"].dtype == np.float64
        else:
            assert len(m) == 3
        a = res["analyses"]["spatial_navigation"]["variance_0.0001_0"]
        assert a["result"] == json.load(open(fresh_root / "spatial_navigation" /
                                             "variance_0.0001_0.json"))
        assert a["arrays"]["noisy_unbiased_0.0001_0.quiescent"].shape == (10,)


def vm_rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def test_memory_stays_bounded_over_1000_simulate_calls(checkpoint):
    """Each call hands back ~0.5 MB of arrays (hidden 20 x 50 x 32, outputs 20 x 50 x 64, ...):
    a leak of them, or of the library's copies, grows the process by ~500 MB over 1000 calls;
    allowed is 24 MB (allocator noise)."""
    net = rx.Network.load(checkpoint)
    for _ in range(50):  # warm-up: the allocator's and OpenMP's pools
        net.simulate(batch=20, steps=50)
    before = vm_rss_kb()
    total = 0
    for i in range(1000):
        out = net.simulate(batch=20, steps=50, seed=i, quiescent=bool(i % 2))
        total += sum(a.nbytes for a in out.values())
    for _ in range(100):
        rx.Network.load(checkpoint).close()
    grown = vm_rss_kb() - before
    assert total > 400e6, total  # what a leak would have kept
    assert grown < 24 * 1024, f"RSS grew by {grown} kB over 1000 simulate calls"


def test_ctrl_c_stops_training_at_a_checkpoint_and_resume_continues(trained, tmp_path):
    """A real SIGINT during training (a notebook's interrupt) stops it after writing a
    checkpoint and raises KeyboardInterrupt; an exception of the progress callback stops it and
    is raised; resume ends with the uninterrupted run's weights."""
    import signal
    overrides = dict(a.split("=") for a in TRAIN[1:])

    def interrupt_at_one(p):
        if p["step"] == 1:
            os.kill(os.getpid(), signal.SIGINT)  # Python raises KeyboardInterrupt right here

    with pytest.raises(KeyboardInterrupt, match=r"stopped at step 1.*resume=True"):
        rx.train(TRAIN[0], overrides, path=tmp_path, progress=interrupt_at_one)
    run = tmp_path / RUN
    assert (run / "model_1.npz").exists() and not (run / "model_3.npz").exists()

    def fail_at_two(p):
        if p["step"] == 2:
            raise ValueError("the callback's own error")

    with pytest.raises(ValueError, match="the callback's own error"):
        rx.train(TRAIN[0], overrides, path=tmp_path, resume=True, progress=fail_at_two)
    assert (run / "model_2.npz").exists() and not (run / "model_3.npz").exists()
    rx.train(TRAIN[0], overrides, path=tmp_path, resume=True, progress=False)
    a, b = npz(run / "model_3.npz"), npz(trained / RUN / "model_3.npz")
    for k in a:
        if k != "config":
            assert a[k].tobytes() == b[k].tobytes(), k
