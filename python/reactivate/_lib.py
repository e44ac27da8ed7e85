"""Finding and loading libreactivate.so, and the prototypes of its flat C API (capi.h).

Only the flat API is used: opaque handles, plain pointers with their shapes and a message buffer,
so no struct of the library is mirrored here. Order of search for the library:
REACTIVATE_LIB (the .so itself or the folder holding it, e.g. a CMake build tree), a build tree
next to this package's source (../build), then the dynamic loader's search (an installed
libreactivate.so.0: ``cmake --install``; run ``ldconfig`` after installing into /usr/local/lib)
and the usual prefixes.
"""

import ctypes
import os
import sys

_NAMES = ("libreactivate.so.0", "libreactivate.so")

c_int64_p = ctypes.POINTER(ctypes.c_int64)
c_float_p = ctypes.POINTER(ctypes.c_float)
c_char_pp = ctypes.POINTER(ctypes.c_char_p)

# int (*)(void *ctx, int64 step, int64 n_steps, double loss, double error, int tested,
#         double test_loss, double test_error, const char *note)
PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                               ctypes.c_double, ctypes.c_double, ctypes.c_int, ctypes.c_double,
                               ctypes.c_double, ctypes.c_char_p)
# void (*)(void *ctx, const char *line)
LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)

MSG_SIZE = 2048
PATH_SIZE = 4096

# rx_status (error.h)
STATUS_NAMES = {-1: "EINVAL", -2: "EIO", -3: "ENOMEM", -4: "EFORMAT", -5: "ENUMERIC"}


class ReactivateError(Exception):
    """An error of libreactivate: ``str(e)`` is the library's one-line message (naming the file,
    key or value at fault), ``e.code`` its negative rx_status and ``e.status`` the status' name
    ("EINVAL", "EIO", "ENOMEM", "EFORMAT", "ENUMERIC")."""

    def __init__(self, message, code=-1):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = STATUS_NAMES.get(code, str(code))


def _candidates():
    env = os.environ.get("REACTIVATE_LIB")
    if env:
        if os.path.isdir(env):
            return [os.path.join(env, n) for n in _NAMES], True
        return [env], True
    here = os.path.dirname(os.path.abspath(__file__))
    found = [os.path.join(here, "..", "..", "build", n) for n in _NAMES]
    found += list(_NAMES)  # the dynamic loader's search: LD_LIBRARY_PATH, ld.so.cache
    for prefix in (sys.prefix, "/usr/local", "/usr"):
        found += [os.path.join(prefix, "lib", n) for n in _NAMES]
    return found, False


def _declare(lib):
    def f(name, restype, *argtypes):
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = list(argtypes)

    vp, i, i64, d, s, sz = (ctypes.c_void_p, ctypes.c_int, ctypes.c_int64, ctypes.c_double,
                            ctypes.c_char_p, ctypes.c_size_t)
    f("rx_capi_version", s)
    f("rx_capi_set_threads", None, i)
    f("rx_capi_network_load", i, s, ctypes.POINTER(vp), s, sz)
    f("rx_capi_network_free", None, vp)
    f("rx_capi_network_config_json", s, vp)
    f("rx_capi_network_step", i64, vp)
    f("rx_capi_network_n_params", i, vp)
    f("rx_capi_network_param", i, vp, i, c_char_pp, ctypes.POINTER(i), c_int64_p,
      ctypes.POINTER(c_float_p), s, sz)
    f("rx_capi_arrays_count", i, vp)
    f("rx_capi_arrays_get", i, vp, i, c_char_pp, ctypes.POINTER(i), c_int64_p,
      ctypes.POINTER(c_float_p), s, sz)
    f("rx_capi_arrays_free", None, vp)
    f("rx_capi_simulate", i, vp, i, i, i64, i, i, i, i, d, d, i, c_char_pp,
      vp, i, i, c_int64_p, vp, i, i, c_int64_p, ctypes.POINTER(vp), s, sz)
    f("rx_capi_train", i, s, i, c_char_pp, i, i, PROGRESS_FN, vp, ctypes.POINTER(i), s, sz, s, sz)
    f("rx_capi_run_dir", i, s, i, c_char_pp, s, sz, s, sz)
    f("rx_capi_analyze", i, s, i, c_char_pp, LOG_FN, vp, s, sz, s, sz)
    f("rx_blas_better_kernel", s)


def load():
    """Loads libreactivate and declares its flat API; raises ReactivateError naming where it
    looked when it is nowhere."""
    paths, explicit = _candidates()
    errors = []
    for p in paths:
        if os.sep in p and not os.path.exists(p):
            errors.append(f"{p}: not found")
            continue
        try:
            lib = ctypes.CDLL(p)
        except OSError as e:
            errors.append(str(e))
            continue
        try:
            _declare(lib)
        except AttributeError as e:
            errors.append(f"{p}: not libreactivate with the flat API ({e})")
            continue
        lib.path = p
        return lib
    hint = ("REACTIVATE_LIB names it" if explicit else
            "build it (cmake --build build) and set REACTIVATE_LIB=build/libreactivate.so, or "
            "install it (cmake --install build; ldconfig)")
    raise ReactivateError("libreactivate not loaded (" + hint + "): " + "; ".join(errors[:4]))


_lib = None


def lib():
    global _lib
    if _lib is None:
        _lib = load()
    return _lib


def check(rc, msg):
    """Raises ReactivateError with the message in the buffer msg when rc is not 0."""
    if rc != 0:
        text = msg.value.decode("utf-8", "replace") if msg is not None else ""
        raise ReactivateError(text or f"libreactivate error {rc}", rc)


def strings(values):
    """A ``const char *const *`` over the encoded strings (kept alive by the returned tuple)."""
    enc = [v.encode("utf-8") for v in values]
    arr = (ctypes.c_char_p * max(1, len(enc)))(*enc)
    return ctypes.cast(arr, c_char_pp), (arr, enc)
