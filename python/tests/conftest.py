"""Fixtures of the Python module's tests: the CLI (REACTIVATE_BIN, default build/reactivate) and
the library (REACTIVATE_LIB, default build/libreactivate.so) of one build, and a tiny network
trained once by the CLI. CTest runs this suite as the test python_module; by hand:
    /usr/bin/python3 -m pytest -q python/tests"""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("REACTIVATE_BIN", os.path.join(ROOT, "build", "reactivate"))
os.environ.setdefault("REACTIVATE_LIB", os.path.join(ROOT, "build", "libreactivate.so"))
# The package from this source tree, unless the installed one is under test
# (REACTIVATE_TEST_INSTALLED=1, e.g. in a venv after pip install ./python).
if os.environ.get("REACTIVATE_TEST_INSTALLED") != "1":
    sys.path.insert(0, os.path.join(ROOT, "python"))

# A tiny spatial network: 32 units, 64 place cells, 3 steps of 20 trajectories of 20 steps.
TRAIN = ["spatial_navigation/noisy_unbiased", "rnn.n_rec=32", "task.place_cells_num=64",
         "task.batch_size=20", "task.sequence_length=20", "trainer.n_epochs=3"]
RUN = os.path.join("spatial_navigation", "noisy_unbiased_0.0001_0")


def cli(*args, check=True):
    """Runs the CLI; returns (exit status, stdout + stderr)."""
    p = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"reactivate {' '.join(map(str, args))}: exit {p.returncode}: "
                             f"{p.stdout}{p.stderr}")
    return p.returncode, p.stdout + p.stderr


def cli_message(*args):
    """The one-line error message of a failing CLI command (without 'reactivate: ')."""
    rc, out = cli(*args, check=False)
    assert rc != 0, f"reactivate {args} succeeded"
    lines = [l for l in out.splitlines() if l.startswith("reactivate: ")]
    assert len(lines) == 1, out
    return lines[0][len("reactivate: "):]


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """A results root holding the tiny run, trained by the CLI."""
    root = tmp_path_factory.mktemp("cli_root")
    cli("train", *TRAIN, f"path={root}", "--quiet", "--threads", "2")
    return root


@pytest.fixture(scope="session")
def checkpoint(trained):
    return str(trained / RUN / "model_3.npz")


@pytest.fixture
def fresh_root(trained, tmp_path):
    """A copy of the trained root, for commands that write into it."""
    dst = tmp_path / "root"
    shutil.copytree(trained, dst)
    return dst
