"""Layers from the previous assignment that this one builds on (reported, not scored)."""
from graders.checks import Job, check
from graders.checks.compare import Tally

from ..reference.cs231n import layers
from .jobs import LAYERS, judge_running_averages, running_average_job


def backward_call(function, dout_name, forward_save, save):
    return {"function": LAYERS + function, "args": [{"array": dout_name}, {"result": forward_save, "index": 1}], "save": save}


@check("batchnorm")
def batchnorm(rng, spec):
    N, D, momentum = 6, 5, 0.8
    xs = [3 * rng.standard_normal((N, D)) + 2 for _ in range(3)]
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    dout = rng.standard_normal((N, D))
    job = running_average_job("batchnorm_forward", xs, gamma, beta, momentum)
    job.arrays["dout"] = dout
    job.params["calls"].append(backward_call("batchnorm_backward", "dout", "step1", "back"))

    def judge(outputs):
        tally = Tally(spec.tolerance)
        caches = judge_running_averages(tally, outputs, layers.batchnorm_forward, xs, gamma, beta, momentum)
        expected = layers.batchnorm_backward(dout, caches[1])
        for k, name in enumerate(("dx", "dgamma", "dbeta")):
            tally.add("batchnorm_backward %s" % name, outputs.get("back/%d" % k, name), expected[k])
        return tally.verdict()

    return job, judge
