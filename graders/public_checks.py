"""The public self-checks students run: fixed inputs and the reference's outputs, as data.

    public_checks_document(rubric) -> the dict written as cs231n/public_checks.json

The procedures that call the student's functions live in the provided file
cs231n/self_check.py (shipped to students); this module draws the inputs from a fixed
seed and runs those same procedures on the reference package to record the expected
outputs. Only inputs and outputs leave the course: no reference code. The hints are the
rubric's. The inputs are small and differ from the hidden ones the grader draws.
"""
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
    return {**layers_and_model, **rule_cases, **normalisation}


def encode(value):
    """Python/numpy -> JSON; arrays keep their exact float64 values (repr round-trips)."""
    if isinstance(value, np.ndarray):
        return {"array": value.ravel().tolist(), "shape": list(value.shape), "dtype": str(value.dtype)}
    if isinstance(value, (np.floating, float)):
        return encode(np.asarray(value, dtype=np.float64))
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def public_checks_document(rubric):
    """Inputs, the reference's outputs, tolerances and the rubric's hints, as one JSON-able dict."""
    from cs231n import self_check  # the reference package: its procedures, its layers

    hints = {c.id: c.hint for c in rubric.checks}
    document = {"version": 1, "seed": SEED, "cases": {}}
    for name, (procedure, check_id, labels, inputs) in cases(np.random.default_rng(SEED)).items():
        outputs = self_check.PROCEDURES[procedure](self_check.decode(encode(inputs)))
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        document["cases"][name] = {
            "procedure": procedure, "outputs": labels, "tolerance": TOLERANCE, "hint": hints[check_id],
            "inputs": encode(inputs), "expected": [encode(np.asarray(o, dtype=np.float64)) for o in outputs],
        }
    return document
