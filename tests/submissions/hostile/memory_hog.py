

# ---- Hostile: max pooling allocates without bound. ----


def max_pool_forward_naive(x, pool_param):
    hoard = []
    while True:
        hoard.append(np.ones(2**27))  # 1 GiB at a time
