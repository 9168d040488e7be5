

# ---- Hostile: tries to leave marks outside its workspace and to rewrite provided files. ----
import os as _os

_MARK = "cs231n-hostile-was-here"
for _target in (
    _os.path.join(_os.path.dirname(_os.getcwd()), _MARK),
    _os.path.join(_os.path.dirname(_os.path.dirname(_os.getcwd())), _MARK),
    _os.path.join("/tmp", _MARK),
    _os.path.join("/var/tmp", _MARK),
    _os.path.join(_os.path.expanduser("~"), _MARK),
    _os.path.join(_os.getcwd(), "cs231n", "fast_layers.py"),
):
    try:
        with open(_target, "w") as _f:
            _f.write("def conv_forward_fast(*args):\n    raise SystemExit('rigged')\n")
    except OSError:
        pass
