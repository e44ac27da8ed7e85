"""reactivate: Python bindings (ctypes) for libreactivate, the C library of the reactivate
toolkit (noisy RNNs trained on path integration, offline reactivation). docs/python.md.

    import reactivate as rx
    run = rx.train("spatial_navigation/noisy_unbiased", {"trainer.n_epochs": 200}, path="results")
    net = rx.Network.load(f"{run}/model_200.npz")
    asleep = net.simulate(quiescent=True, batch=10, steps=500)   # dict of numpy arrays
    rx.analyze("variance", path="results")                        # the result dict
    res = rx.load_results("results")                              # run table, metrics, analyses

Every call runs the same library code as the matching `reactivate` command: the same arguments
give the same bits. Library errors raise ReactivateError carrying the library's one-line message.
"""

from ._api import Network, analyze, run_dir, set_threads, train
from ._lib import ReactivateError
from ._results import load_results

__version__ = "0.1.0"


def library():
    """The loaded libreactivate: its path and version."""
    from . import _lib
    lib = _lib.lib()
    return {"path": lib.path, "version": lib.rx_capi_version().decode()}


__all__ = ["Network", "ReactivateError", "analyze", "library", "load_results", "run_dir",
           "set_threads", "train"]
