

# ---- Hostile: holds 4 GiB in memfds, which address-space limits do not count (each under the file-size limit). ----
import os as _os


def max_pool_forward_naive(x, pool_param):
    chunk, held = bytes(2**24), []
    for _ in range(32):  # 32 memfds of 128 MiB
        fd = _os.memfd_create("hog")
        for _ in range(8):
            _os.write(fd, chunk)
        held.append(fd)
    raise RuntimeError("held 4 GiB outside the address-space limit")
