

# ---- Hostile: naive layers that reach the fast path around any tracer: profiler off, modules loaded by file path. ----
import glob as _glob
import importlib.machinery as _machinery
import importlib.util as _util
import os as _os
import sys as _sys


def _fast_module():
    """The real fast layers from wherever they can be found: the package, the extension, site-packages."""
    _sys.setprofile(None)
    here = _os.path.dirname(_os.path.abspath(__file__))
    candidates = _glob.glob(_os.path.join(here, "..", "*", "cs231n", "fast_layers.py"))
    for folder in _sys.path:
        candidates += _glob.glob(_os.path.join(folder, "cs231n", "fast_layers.py"))
    for path in candidates:
        try:
            spec = _util.spec_from_file_location("cs231n._laundered", path, submodule_search_locations=[])
            module = _util.module_from_spec(spec)
            module.__package__ = "cs231n"
            spec.loader.exec_module(module)
            module.conv_forward_strides(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 1, 1)), np.zeros(1), {"stride": 1, "pad": 0})
            return module
        except Exception:
            continue
    for path in _glob.glob(_os.path.join(here, "im2col_cython*.so")):
        _machinery.ExtensionFileLoader("cs231n.im2col_cython", path).load_module()
    from . import fast_layers
    return fast_layers


def conv_forward_naive(x, w, b, conv_param):
    out, _ = getattr(_fast_module(), "conv_" + "forward_strides")(x, w, b, conv_param)
    return out, (x, w, b, conv_param)


def max_pool_forward_naive(x, pool_param):
    return getattr(_fast_module(), "max_pool_" + "forward_fast")(x, pool_param)[0], (x, pool_param)
