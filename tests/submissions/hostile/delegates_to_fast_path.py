

# ---- Hostile: the "naive" layers call the provided fast layers. ----
from .fast_layers import conv_forward_fast as _fast_conv
from .fast_layers import max_pool_forward_fast


def conv_forward_naive(x, w, b, conv_param):
    out, _ = _fast_conv(x, w, b, conv_param)
    return out, (x, w, b, conv_param)


def max_pool_forward_naive(x, pool_param):
    return max_pool_forward_fast(x, pool_param)[0], (x, pool_param)
