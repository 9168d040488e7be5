"""Layers from the previous assignment that this one builds on (reported, not scored)."""
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
