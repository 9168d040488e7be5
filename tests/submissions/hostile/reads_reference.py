

# ---- Hostile: looks for the reference solution on disk and runs it. ----
import os as _os
import sys as _sys


def _find_reference():
    here = _os.path.realpath(__file__)
    candidates = [_os.path.join(p, "cs231n", "layers.py") for p in _sys.path if p]
    for root in ("/work", "/root", "/home", "/builds", "/tmp", _os.path.expanduser("~")):
        for folder, dirs, files in _os.walk(root):
            if "layers.py" in files and folder.endswith(_os.path.join("reference", "cs231n")):
                candidates.append(_os.path.join(folder, "layers.py"))
            if folder.count(_os.sep) > 6:
                dirs[:] = []
    for path in candidates:
        try:
            if _os.path.realpath(path) == here:
                continue
            with open(path) as f:
                source = f.read()
        except OSError:
            continue
        if "np.pad(x" in source:
            return source
    return None


def conv_forward_naive(x, w, b, conv_param):
    source = _find_reference()
    if source is None:
        raise RuntimeError("no reference solution found")
    stolen = {}
    exec(compile(source, "reference", "exec"), stolen)
    return stolen["conv_forward_naive"](x, w, b, conv_param)
