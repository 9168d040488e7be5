

# ---- Python 2 habits of the starter era: the compatibility imports the course's environment
# provided (future, six), and a pooling loop written with xrange. ----
from builtins import range
from past.builtins import xrange
from six.moves import range as six_range


def max_pool_forward_naive(x, pool_param):
    N, C, H, W = x.shape
    ph, pw, stride = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for i in xrange(H_out):
        for j in six_range(W_out):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            out[:, :, i, j] = np.max(window.reshape(N, C, -1), axis=2)
    cache = (x, pool_param)
    return out, cache
