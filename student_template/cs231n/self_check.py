"""Public self-checks: run your layers, your networks and your update rules on fixed inputs.

From the notebook (or any Python started in the assignment folder):

    from cs231n.self_check import run_self_checks
    run_self_checks()                  # every check; or run_self_checks("conv") for some

The inputs and the expected outputs are data, in public_checks.json next to this file,
computed by the course staff's solution. Passing these checks does not mean full marks:
the grader uses other, hidden inputs (other strides, pads, shapes and seeds).
"""
import json
import os
import traceback

import numpy as np

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "public_checks.json")


# ---------------------------------------------------------------- how each check calls your code


def conv_forward(d):
    from cs231n.layers import conv_forward_naive

    return conv_forward_naive(d["x"], d["w"], d["b"], d["conv_param"])[0]


def conv_backward(d):
    from cs231n.layers import conv_backward_naive, conv_forward_naive

    _, cache = conv_forward_naive(d["x"], d["w"], d["b"], d["conv_param"])
    return conv_backward_naive(d["dout"], cache)


def pool_forward(d):
    from cs231n.layers import max_pool_forward_naive

    return max_pool_forward_naive(d["x"], d["pool_param"])[0]


def pool_backward(d):
    from cs231n.layers import max_pool_backward_naive, max_pool_forward_naive

    _, cache = max_pool_forward_naive(d["x"], d["pool_param"])
    return max_pool_backward_naive(d["dout"], cache)


def spatial_batchnorm(d):
    from cs231n.layers import spatial_batchnorm_backward, spatial_batchnorm_forward

    out, cache = spatial_batchnorm_forward(d["x"], d["gamma"], d["beta"], {"mode": "train"})
    return (out, *spatial_batchnorm_backward(d["dout"], cache))


def spatial_groupnorm(d):
    from cs231n.layers import spatial_groupnorm_backward, spatial_groupnorm_forward

    out, cache = spatial_groupnorm_forward(d["x"], d["gamma"], d["beta"], d["G"], {})
    return (out, *spatial_groupnorm_backward(d["dout"], cache))


def batchnorm_train(d):
    """Two train-mode calls sharing one bn_param: the second call's out and the running averages after it."""
    from cs231n.layers import batchnorm_forward

    bn_param = {"mode": "train", "momentum": d["momentum"]}
    batchnorm_forward(d["x0"], d["gamma"], d["beta"], bn_param)
    out, _ = batchnorm_forward(d["x1"], d["gamma"], d["beta"], bn_param)
    return out, bn_param.get("running_mean"), bn_param.get("running_var")


def batchnorm_test(d):
    from cs231n.layers import batchnorm_forward

    bn_param = {"mode": "test", "running_mean": d["running_mean"], "running_var": d["running_var"]}
    return batchnorm_forward(d["x"], d["gamma"], d["beta"], bn_param)[0]


def normalisation_backward(forward_name, backward_name, d, param):
    """The gradients of a normalisation layer's backward pass, fed its own forward's cache."""
    from cs231n import layers

    _, cache = getattr(layers, forward_name)(d["x"], d["gamma"], d["beta"], param)
    return getattr(layers, backward_name)(d["dout"], cache)


def batchnorm_backward(d):
    return normalisation_backward("batchnorm_forward", "batchnorm_backward", d, {"mode": "train"})


def batchnorm_backward_alt(d):
    return normalisation_backward("batchnorm_forward", "batchnorm_backward_alt", d, {"mode": "train"})


def layernorm(d):
    from cs231n.layers import layernorm_forward

    out, _ = layernorm_forward(d["x"], d["gamma"], d["beta"], {})
    return (out, *normalisation_backward("layernorm_forward", "layernorm_backward", d, {}))


def cnn_loss(d):
    from cs231n.classifiers.cnn import ThreeLayerConvNet

    model = ThreeLayerConvNet(**d["kwargs"])
    model.params = {k[len("param_"):]: v.copy() for k, v in d.items() if k.startswith("param_")}
    loss, grads = model.loss(d["X"], d["y"])
    return (loss, *[grads.get(name) for name in ("W1", "b1", "W2", "b2", "W3", "b3")])


def affine(d):
    from cs231n.layers import affine_backward, affine_forward

    out, cache = affine_forward(d["x"], d["w"], d["b"])
    return (out, *affine_backward(d["dout"], cache))


def relu(d):
    from cs231n.layers import relu_backward, relu_forward

    out, cache = relu_forward(d["x"])
    return out, relu_backward(d["dout"], cache)


def softmax(d):
    from cs231n.layers import softmax_loss

    return softmax_loss(d["x"], d["y"])


def fc_loss(d):
    """FullyConnectedNet's loss and gradients for given parameters, in the order of d["names"]."""
    from cs231n.classifiers.fc_net import FullyConnectedNet

    model = FullyConnectedNet(**d["kwargs"])
    model.params = {k[len("param_"):]: v.copy() for k, v in d.items() if k.startswith("param_")}
    loss, grads = model.loss(d["X"], d["y"])
    return (loss, *[grads.get(name) for name in d["names"]])


def dropout(d):
    """Inverted dropout through what holds for any random mask: the test-mode output, the
    largest and smallest train-mode out / x (1 / p where kept, 0 where dropped) and how far
    dx is from dout * out / x, the mask the forward pass applied (rounded: out / x gives the
    mask back only to the last bit)."""
    from cs231n.layers import dropout_backward, dropout_forward

    x, p = d["x"], float(d["p"])
    test_out, _ = dropout_forward(x, {"mode": "test", "p": p})
    out, cache = dropout_forward(x, {"mode": "train", "p": p, "seed": int(d["seed"])})
    if out is None:
        return test_out, None, None, None
    scale = np.asarray(out, dtype=np.float64) / x  # the inputs hold no zeros
    dx = dropout_backward(d["dout"], cache)
    if dx is None:
        return test_out, scale.max(), scale.min(), None
    return test_out, scale.max(), scale.min(), np.round(np.abs(dx - d["dout"] * scale).max(), 10)


def update_rule(d):
    """Steps of an update rule, each fed the w and the config the last returned; the final
    next_w and the config's state arrays."""
    from cs231n import optim

    rule, w, config = getattr(optim, d["rule"]), d["w"], dict(d["config"])
    for dw in d["dw"]:  # one dw per step
        w, config = rule(w, dw, config)
        if w is None:
            return (None,) * (1 + len(d["state"]))
    return (w, *[config.get(key) for key in d["state"]])


PROCEDURES = {
    "conv_forward": conv_forward, "conv_backward": conv_backward,
    "pool_forward": pool_forward, "pool_backward": pool_backward,
    "spatial_batchnorm": spatial_batchnorm, "spatial_groupnorm": spatial_groupnorm,
    "cnn_loss": cnn_loss, "update_rule": update_rule,
    "affine": affine, "relu": relu, "softmax": softmax, "fc_loss": fc_loss,
    "batchnorm_train": batchnorm_train, "batchnorm_test": batchnorm_test,
    "batchnorm_backward": batchnorm_backward, "batchnorm_backward_alt": batchnorm_backward_alt,
    "layernorm": layernorm, "dropout": dropout,
}


# ---------------------------------------------------------------- data and comparison


def decode(value):
    """JSON -> Python: {"array": [...], "shape": [...], "dtype": ...} becomes an ndarray."""
    if isinstance(value, dict) and "array" in value:
        return np.array(value["array"], dtype=value["dtype"]).reshape(value["shape"])
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    return value


def rel_error(x, y):
    """Largest elementwise relative error, as the notebook computes it."""
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def compare(got, expected, labels):
    """(worst relative error, problem or None) of the outputs against the expected ones."""
    got = got if isinstance(got, tuple) else (got,)
    if len(got) != len(expected):
        return None, "returned %d values, expected %d (%s)" % (len(got), len(expected), ", ".join(labels))
    worst = 0.0
    for value, want, label in zip(got, expected, labels):
        if value is None:
            return None, "%s is None: the function is not implemented yet" % label
        value = np.asarray(value, dtype=np.float64)
        if value.shape != want.shape:
            if value.size != want.size:
                return None, "%s has shape %s, expected %s" % (label, value.shape, want.shape)
            value = value.reshape(want.shape)  # e.g. dgamma as (C,) instead of (1, C, 1, 1)
        if not np.all(np.isfinite(value)):
            return None, "%s holds NaN or inf" % label
        worst = max(worst, rel_error(value, want))
    return worst, None


# ---------------------------------------------------------------- running


def run_case(name, case):
    """One check: (passed, message)."""
    try:
        got = PROCEDURES[case["procedure"]](decode(case["inputs"]))
    except Exception as e:
        frame = traceback.extract_tb(e.__traceback__)[-1]
        where = "%s, line %d" % (os.path.basename(frame.filename), frame.lineno)
        return False, "raised %s: %s (%s)" % (type(e).__name__, e, where)
    error, problem = compare(got, [decode(v) for v in case["expected"]], case["outputs"])
    if problem:
        return False, problem
    passed = error <= case["tolerance"]
    return passed, "relative error %.2e (%s %.0e)" % (error, "within" if passed else "above", case["tolerance"])


def run_self_checks(only=None, data_file=DATA_FILE, verbose=True):
    """Run the public checks whose name contains `only` (all if None); returns {name: passed}."""
    if not os.path.isfile(data_file):
        raise FileNotFoundError(
            "%s is missing: it comes with the assignment's zip (copy it into cs231n/), or run "
            "`cs231n-grade check .` where the grader is installed" % data_file)
    with open(data_file) as f:
        cases = json.load(f)["cases"]
    results = {}
    for name, case in cases.items():
        if only and only not in name:
            continue
        passed, message = run_case(name, case)
        results[name] = passed
        if verbose:
            print("%-4s %-32s %s" % ("ok" if passed else "FAIL", name, message))
            if not passed:
                print("     hint: %s" % case["hint"])
    if verbose:
        print("%d of %d public checks passed" % (sum(results.values()), len(results)))
    return results


if __name__ == "__main__":
    import sys

    outcome = run_self_checks(sys.argv[1] if len(sys.argv) > 1 else None)
    sys.exit(0 if all(outcome.values()) else 1)
