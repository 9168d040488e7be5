

# ---- variant: update rules that change w and the state arrays in place, as the course's sgd does
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.setdefault("velocity", np.zeros_like(w))
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    w += v
    return w, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    cache = config.setdefault("cache", np.zeros_like(w))
    cache *= config["decay_rate"]
    cache += (1 - config["decay_rate"]) * dw * dw
    w -= config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    return w, config


def adam(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.setdefault("learning_rate", 1e-3)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    m, v = config.setdefault("m", np.zeros_like(w)), config.setdefault("v", np.zeros_like(w))
    config["t"] = t = config.get("t", 0) + 1
    m *= b1
    m += (1 - b1) * dw
    v *= b2
    v += (1 - b2) * dw**2
    # The Adam paper's form: the bias corrections folded into the step size.
    step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    w -= step * m / (np.sqrt(v) + eps * np.sqrt(1 - b2**t))
    return w, config
