"""Layers from the previous assignment that this one builds on (reported, not scored)."""
import numpy as np
from cs231n import layers

from . import Job, check
from .compare import Tally
from .jobs import LAYERS, arg_specs


def call(function, args, save, arrays, **extra):
    return dict(function=LAYERS + function, args=arg_specs(save, args, arrays), save=save, **extra)


def backward_call(function, dout_name, forward_save, save):
    return {"function": LAYERS + function, "args": [{"array": dout_name}, {"result": forward_save, "index": 1}], "save": save}


@check("affine_relu_softmax")
def affine_relu_softmax(rng, spec):
    N, shape, M, C = 4, (3, 2, 5), 6, 7
    x, w, b = rng.standard_normal((N,) + shape), rng.standard_normal((30, M)), rng.standard_normal(M)
    r = rng.standard_normal((N, M))
    scores, y = rng.standard_normal((N, C)), rng.integers(0, C, size=N)
    arrays = {"dout_affine": rng.standard_normal((N, M)), "dout_relu": rng.standard_normal((N, M))}
    calls = [
        call("affine_forward", [x, w, b], "affine", arrays),
        backward_call("affine_backward", "dout_affine", "affine", "affine_back"),
        call("relu_forward", [r], "relu", arrays),
        backward_call("relu_backward", "dout_relu", "relu", "relu_back"),
        call("softmax_loss", [scores, y], "softmax", arrays),
    ]

    def judge(outputs):
        tally = Tally(spec.tolerance)
        out, cache = layers.affine_forward(x, w, b)
        tally.add("affine_forward out", outputs.get("affine/0", "affine_forward out"), out)
        for k, name in enumerate(("dx", "dw", "db")):
            expected = layers.affine_backward(arrays["dout_affine"], cache)[k]
            tally.add("affine_backward %s" % name, outputs.get("affine_back/%d" % k, name), expected)
        out, cache = layers.relu_forward(r)
        tally.add("relu_forward out", outputs.get("relu/0", "relu_forward out"), out)
        tally.add("relu_backward dx", outputs.get("relu_back", "relu_backward dx"), layers.relu_backward(arrays["dout_relu"], cache))
        loss, dx = layers.softmax_loss(scores, y)
        tally.add("softmax_loss loss", outputs.get("softmax/0", "softmax_loss loss"), loss)
        tally.add("softmax_loss dx", outputs.get("softmax/1", "softmax_loss dx"), dx)
        return tally.verdict()

    return Job("calls", {"calls": calls}, arrays), judge


@check("batchnorm")
def batchnorm(rng, spec):
    N, D, momentum = 6, 5, 0.8
    xs = [3 * rng.standard_normal((N, D)) + 2 for _ in range(3)]
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    arrays = {"gamma": gamma, "beta": beta, "dout": rng.standard_normal((N, D))}
    calls = []
    for k, x in enumerate(xs):
        arrays["x%d" % k] = x
        calls.append({
            "function": LAYERS + "batchnorm_forward",
            "args": [{"array": "x%d" % k}, {"array": "gamma"}, {"array": "beta"}, {"dict": "bn_param"}],
            "save": "step%d" % k,
            "update": {"bn_param": {"mode": "test" if k == 2 else "train"}},
            "export_dicts": ["bn_param"],
        })
    calls.append(backward_call("batchnorm_backward", "dout", "step1", "back"))
    job = Job("calls", {"dicts": {"bn_param": {"momentum": momentum}}, "calls": calls}, arrays)

    def judge(outputs):
        tally, bn_param, caches = Tally(spec.tolerance), {"momentum": momentum}, []
        for k, x in enumerate(xs):
            bn_param["mode"] = "test" if k == 2 else "train"
            out, cache = layers.batchnorm_forward(x, gamma, beta, bn_param)
            caches.append(cache)
            tally.add("batchnorm_forward out, call %d (%s)" % (k + 1, bn_param["mode"]), outputs.get("step%d/0" % k, "out"), out)
            for key in ("running_mean", "running_var"):
                actual = outputs.get("dict/step%d/bn_param/%s" % (k, key), "bn_param['%s']" % key)
                tally.add("bn_param['%s'] after call %d" % (key, k + 1), actual, bn_param[key])
        expected = layers.batchnorm_backward(arrays["dout"], caches[1])
        for k, name in enumerate(("dx", "dgamma", "dbeta")):
            tally.add("batchnorm_backward %s" % name, outputs.get("back/%d" % k, name), expected[k])
        return tally.verdict()

    return job, judge
