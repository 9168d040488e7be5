"""The public self-checks students run: fixed inputs and the reference's outputs, as data.

    public_checks_document(rubric, assignment) -> the dict written as cs231n/public_checks.json

The procedures that call the student's functions live in the provided file
cs231n/self_check.py (shipped to students); this module draws the inputs from a fixed
seed and runs those same procedures on the reference package, in a separate Python that
imports it as students do (`cs231n`), to record the expected outputs. Only inputs and
outputs leave the course: no reference code. The hints are the rubric's. The inputs are
small and differ from the hidden ones the grader draws.
"""
import json
import subprocess
import sys

import numpy as np

SEED = 231
TOLERANCE = 1e-7


def cases(rng):
    """name -> (procedure, rubric check whose hint applies, output labels, inputs)."""
    r = rng.standard_normal
    model_kwargs = {"num_filters": 3, "filter_size": 3, "input_dim": [3, 8, 8], "hidden_dim": 7,
                    "num_classes": 4, "reg": 0.5, "dtype": "float64"}
    shapes = {"W1": (3, 3, 3, 3), "b1": (3,), "W2": (48, 7), "b2": (7,), "W3": (7, 4), "b3": (4,)}
    layers_and_model = {
        "conv_forward stride 2 pad 1": ("conv_forward", "conv_forward", ["out"], {
            "x": r((2, 3, 5, 6)), "w": r((3, 3, 4, 3)), "b": r(3), "conv_param": {"stride": 2, "pad": 1}}),
        "conv_forward stride 1 pad 0": ("conv_forward", "conv_forward", ["out"], {
            "x": r((1, 2, 6, 5)), "w": r((2, 2, 3, 2)), "b": r(2), "conv_param": {"stride": 1, "pad": 0}}),
        "conv_backward stride 2 pad 1": ("conv_backward", "conv_backward", ["dx", "dw", "db"], {
            "x": r((2, 3, 7, 6)), "w": r((2, 3, 3, 3)), "b": r(2), "dout": r((2, 2, 4, 3)),
            "conv_param": {"stride": 2, "pad": 1}}),
        "max_pool_forward 2x2 stride 2": ("pool_forward", "max_pool_forward", ["out"], {
            "x": r((2, 3, 4, 6)), "pool_param": {"pool_height": 2, "pool_width": 2, "stride": 2}}),
        "max_pool_backward 3x3 stride 2": ("pool_backward", "max_pool_backward", ["dx"], {
            "x": r((2, 2, 7, 7)), "dout": r((2, 2, 3, 3)),
            "pool_param": {"pool_height": 3, "pool_width": 3, "stride": 2}}),
        "spatial_batchnorm train": ("spatial_batchnorm", "spatial_batchnorm_backward",
                                    ["out", "dx", "dgamma", "dbeta"], {
            "x": 4 * r((3, 2, 4, 5)) + 10, "gamma": r(2), "beta": r(2), "dout": r((3, 2, 4, 5))}),
        "spatial_groupnorm G=2": ("spatial_groupnorm", "spatial_groupnorm_backward",
                                  ["out", "dx", "dgamma", "dbeta"], {
            "x": 4 * r((2, 6, 4, 5)) + 10, "gamma": r((1, 6, 1, 1)), "beta": r((1, 6, 1, 1)), "G": 2,
            "dout": r((2, 6, 4, 5))}),
        "ThreeLayerConvNet loss, reg 0.5": ("cnn_loss", "cnn_gradients",
                                            ["loss", "dW1", "db1", "dW2", "db2", "dW3", "db3"], {
            "X": r((2, 3, 8, 8)), "y": rng.integers(0, 4, size=2), "kwargs": model_kwargs,
            **{"param_" + k: 0.1 * r(s) for k, s in shapes.items()}}),
    }
    # Drawn after the layers' inputs, which stay what they were before the update rules came.
    rules = {
        "sgd_momentum": ({"learning_rate": 0.05, "momentum": 0.8, "velocity": 0.1 * r((3, 4))}, ["velocity"]),
        "rmsprop": ({"learning_rate": 0.02, "decay_rate": 0.95, "cache": rng.uniform(0.1, 1.0, (3, 4))}, ["cache"]),
        "adam": ({"learning_rate": 0.01, "m": 0.1 * r((3, 4)), "v": rng.uniform(0.1, 1.0, (3, 4)), "t": 3},
                 ["m", "v"]),
    }
    rule_cases = {"%s 3 steps" % rule: ("update_rule", rule, ["next_w"] + state, {
        "rule": rule, "w": r((3, 4)), "dw": r((3, 3, 4)), "config": config, "state": state})
        for rule, (config, state) in rules.items()}
    # Drawn after the update rules' inputs, for the same reason.
    grads = ["dx", "dgamma", "dbeta"]
    normalisation = {
        "batchnorm train, 2 steps": ("batchnorm_train", "batchnorm_forward", ["out", "running_mean", "running_var"], {
            "x0": 3 * r((5, 4)) + 2, "x1": 3 * r((5, 4)) + 2, "gamma": r(4), "beta": r(4), "momentum": 0.7}),
        "batchnorm test mode": ("batchnorm_test", "batchnorm_test_mode", ["out"], {
            "x": 3 * r((4, 3)) + 2, "gamma": r(3), "beta": r(3), "running_mean": r(3),
            "running_var": rng.uniform(0.5, 2.0, 3)}),
        "batchnorm_backward": ("batchnorm_backward", "batchnorm_backward", grads, {
            "x": 3 * r((6, 4)) + 2, "gamma": r(4), "beta": r(4), "dout": r((6, 4))}),
        "batchnorm_backward_alt": ("batchnorm_backward_alt", "batchnorm_backward_alt", grads, {
            "x": 3 * r((6, 4)) + 2, "gamma": r(4), "beta": r(4), "dout": r((6, 4))}),
        "layernorm forward and backward": ("layernorm", "layernorm_backward", ["out"] + grads, {
            "x": 3 * r((3, 5)) + 2, "gamma": r(5), "beta": r(5), "dout": r((3, 5))}),
    }
    # The FullyConnectedNets part's inputs, drawn after all the above; then Dropout's.
    return {**layers_and_model, **rule_cases, **normalisation, **fully_connected(rng), **dropout(rng)}


def fully_connected(rng):
    """The FullyConnectedNets part: affine, ReLU, softmax loss and a FullyConnectedNet."""
    r = rng.standard_normal
    relu_x = r((3, 5))
    relu_x[np.abs(relu_x) < 0.05] = 0.5  # no input at the kink, where either gradient is fine
    kwargs = {"hidden_dims": [6, 5], "input_dim": 8, "num_classes": 4, "reg": 0.7, "dtype": "float64"}
    shapes = {"W1": (8, 6), "b1": (6,), "W2": (6, 5), "b2": (5,), "W3": (5, 4), "b3": (4,)}
    return {
        "affine_forward/backward": ("affine", "affine_backward", ["out", "dx", "dw", "db"], {
            "x": r((3, 2, 2, 2)), "w": r((8, 4)), "b": r(4), "dout": r((3, 4))}),
        "relu_forward/backward": ("relu", "relu_backward", ["out", "dx"], {"x": relu_x, "dout": r((3, 5))}),
        "softmax_loss": ("softmax", "softmax_loss", ["loss", "dx"], {"x": r((4, 5)), "y": rng.integers(0, 5, size=4)}),
        "FullyConnectedNet loss, reg 0.7": ("fc_loss", "fc_gradients", ["loss"] + ["d" + k for k in shapes], {
            "X": r((3, 2, 2, 2)), "y": rng.integers(0, 4, size=3), "kwargs": kwargs, "names": list(shapes),
            **{"param_" + k: 0.3 * r(s) for k, s in shapes.items()}}),
    }


def dropout(rng):
    """The Dropout part: test mode, inverted scaling and a backward pass that uses the forward's mask."""
    x = rng.standard_normal((6, 10))
    x[np.abs(x) < 0.05] = 0.5  # out / x is the mask: no input may be zero
    return {"dropout forward and backward, p 0.6": ("dropout", "dropout_forward", [
        "test-mode out", "largest train-mode out / x", "smallest train-mode out / x", "largest |dx - dout * out / x|"],
        {"x": x, "dout": rng.standard_normal((6, 10)), "p": 0.6, "seed": 3})}


def encode(value):
    """Python/numpy -> JSON; arrays keep their exact float64 values (repr round-trips)."""
    if isinstance(value, np.ndarray):
        return {"array": value.ravel().tolist(), "shape": list(value.shape), "dtype": str(value.dtype)}
    if isinstance(value, (np.floating, float)):
        return encode(np.asarray(value, dtype=np.float64))
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


# Run in a separate Python (-I: nothing but numpy and the reference): the reference's self_check
# imports the package by the name students use, which the grader never binds in its own process.
_RUN_REFERENCE = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
self_check = importlib.import_module(sys.argv[2] + ".self_check")
found = {}
for name, (procedure, inputs) in json.load(sys.stdin).items():
    outputs = self_check.PROCEDURES[procedure](self_check.decode(inputs))
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    found[name] = [np.asarray(o, dtype=np.float64) for o in outputs]
print(json.dumps({name: [{"array": o.ravel().tolist(), "shape": list(o.shape), "dtype": "float64"} for o in outputs]
                  for name, outputs in found.items()}))
"""


def reference_outputs(assignment, calls):
    """{case name: [encoded outputs]} of the reference's procedures; calls: {name: (procedure, encoded inputs)}."""
    done = subprocess.run([sys.executable, "-I", "-c", _RUN_REFERENCE, str(assignment.reference.parent),
                           assignment.package], input=json.dumps(calls), capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError("the reference's self-check procedures failed:\n" + done.stderr[-2000:])
    return json.loads(done.stdout)


def public_checks_document(rubric, assignment):
    """Inputs, the reference's outputs, tolerances and the rubric's hints, as one JSON-able dict."""
    hints = {c.id: c.hint for c in rubric.checks}
    drawn = cases(np.random.default_rng(SEED))
    expected = reference_outputs(assignment, {name: (procedure, encode(inputs))
                                              for name, (procedure, _, _, inputs) in drawn.items()})
    document = {"version": 1, "seed": SEED, "cases": {}}
    for name, (procedure, check_id, labels, inputs) in drawn.items():
        document["cases"][name] = {
            "procedure": procedure, "outputs": labels, "tolerance": TOLERANCE, "hint": hints[check_id],
            "inputs": encode(inputs), "expected": expected[name],
        }
    return document
