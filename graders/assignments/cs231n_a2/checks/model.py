"""ThreeLayerConvNet: parameters, scores, loss and gradients against the reference,
the notebook's gradient check, and overfitting a small training set."""
import functools
import numpy as np

from graders.checks import Figure, Job, Verdict, check
from graders.checks.compare import Tally, rel_error
from graders.checks.patterns import matching_suspect
from graders.checks.gradcheck import Judgement, central_differences, chosen_entries, entries_param

from ..reference.cs231n.classifiers.cnn import ThreeLayerConvNet
from . import suspects

NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
HISTORIES = ("history/loss_history", "history/train_acc_history", "history/val_acc_history")
MODEL = "cs231n.classifiers.cnn.ThreeLayerConvNet"  # the student's class, as the child imports it
SOLVER = "cs231n.solver.Solver"
LOSS_TOLERANCE = 1e-6  # the loss must agree with the reference before the gradient check counts
HISTORY_CAP = 1000  # points of each training curve kept for the report
# A small net with distinct sizes everywhere, so a swapped dimension shows.
SMALL = {"input_dim": [3, 12, 12], "num_filters": 4, "filter_size": 5, "hidden_dim": 11, "num_classes": 7}
# The initialisation is judged on a wider W3 (360 entries): a sample's standard deviation strays
# by about 1/sqrt(2 n), 4% here, so a weight drawn with k times weight_scale always shows as k.
INIT = {**SMALL, "hidden_dim": 30, "num_classes": 12}


def reference_model(kwargs, params=None, reg=0.0):
    model = ThreeLayerConvNet(**{**kwargs, "input_dim": tuple(kwargs["input_dim"]), "reg": reg, "dtype": np.float64})
    if params is not None:
        model.params = {k: v.copy() for k, v in params.items()}
    return model


def draw_params(rng, kwargs):
    """Parameters with the reference's shapes, non-zero biases included."""
    shapes = {k: v.shape for k, v in reference_model(kwargs).params.items()}
    return {k: 0.05 * rng.standard_normal(shape) for k, shape in shapes.items()}


def expected_shapes(kwargs):
    C, H, W = kwargs["input_dim"]
    F, k, hidden, classes = kwargs["num_filters"], kwargs["filter_size"], kwargs["hidden_dim"], kwargs["num_classes"]
    return {"W1": (F, C, k, k), "b1": (F,), "W2": (F * (H // 2) * (W // 2), hidden), "b2": (hidden,),
            "W3": (hidden, classes), "b3": (classes,)}


@check("cnn_init")
def cnn_init(rng, spec):
    weight_scale = float(rng.choice([2e-2, 5e-3]))
    kwargs = {**INIT, "weight_scale": weight_scale, "dtype": "float64"}
    job = Job("model", {"model": MODEL, "kwargs": kwargs}, {})

    def judge(outputs):
        params = outputs.prefixed("init/")
        problems = [] if set(params) == set(NAMES) else [
            "self.params has keys %s, expected %s" % (sorted(params), list(NAMES))]
        worst = 0.0
        for name, shape in expected_shapes(kwargs).items():
            p = params.get(name)
            if p is None:
                continue
            if p.shape != shape:
                problems.append("%s has shape %s, expected %s" % (name, p.shape, shape))
            if p.dtype != np.float64:
                problems.append("%s has dtype %s, but dtype=np.float64 was requested" % (name, p.dtype))
            if name.startswith("b") and np.any(p != 0):
                problems.append("%s is not all zeros" % name)
            if name.startswith("W"):
                deviation = abs(float(np.std(p)) - weight_scale) / weight_scale
                worst = max(worst, deviation)
                if deviation > spec.tolerance:
                    problems.append("%s has standard deviation %.3g, expected weight_scale = %g" % (name, np.std(p), weight_scale))
        message = "; ".join(problems) or "names, shapes, dtype and scale as expected"
        return Verdict(not problems, worst, message, {"weight_scale": weight_scale},
                       init_diagnoses(params, kwargs, weight_scale) if problems else [])

    return job, judge


def init_diagnoses(params, kwargs, weight_scale):
    """What a wrong initialisation shows: sizes for the default input, or a scaled weight."""
    found = []
    C, H, W = kwargs["input_dim"]
    W2 = params.get("W2")
    if W2 is not None and W2.ndim == 2 and W2.shape[0] == kwargs["num_filters"] * 16 * 16 != kwargs["num_filters"] * (H // 2) * (W // 2):
        found.append("W2 is sized for 32x32 images whatever input_dim says: compute its rows from input_dim "
                     "(num_filters * H/2 * W/2 after the 2x2 pool).")
    for name in ("W1", "W2", "W3"):
        p = params.get(name)
        ratio = float(np.std(p)) / weight_scale if p is not None and p.size > 1 else 1.0
        # A sample's standard deviation strays by about 1/sqrt(2 n) (4% for INIT's W3): a whole
        # multiple is recognised within 25% of it.
        if round(ratio) >= 2 and abs(ratio / round(ratio) - 1) < 0.25:
            found.append("%s is drawn with %d times weight_scale: multiply np.random.randn(...) by "
                         "weight_scale alone." % (name, round(ratio)))
    return found


def loss_job(rng, reg, with_labels):
    kwargs = {**SMALL, "dtype": "float64"}
    params = draw_params(rng, kwargs)
    X = rng.standard_normal((5,) + tuple(kwargs["input_dim"]))
    y = rng.integers(0, kwargs["num_classes"], size=5)
    arrays = {"X": X, "y": y, **{"param/" + k: v for k, v in params.items()}}
    calls = [{"X": "X", "y": "y" if with_labels else None, "reg": reg, "save": "call"}]
    job = Job("model", {"model": MODEL, "kwargs": kwargs, "calls": calls}, arrays)
    return job, reference_model(kwargs, params, reg), X, y


@check("cnn_scores")
def cnn_scores(rng, spec):
    job, ref, X, _ = loss_job(rng, reg=0.0, with_labels=False)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        tally.add("scores = loss(X)", outputs.get("call/scores", "loss(X)"), ref.loss(X))
        return tally.verdict()

    return job, judge


@check("cnn_loss")
def cnn_loss(rng, spec):
    reg = float(rng.uniform(0.3, 0.9))
    job, ref, X, y = loss_job(rng, reg=reg, with_labels=True)

    def judge(outputs):
        expected, _ = ref.loss(X, y)
        returned = outputs.get("call/loss", "the loss")
        if returned.size != 1:
            per_sample = returned.shape == (len(X),) and rel_error(np.mean(returned), expected) <= 1e-6
            return Verdict(False, None, "loss(X, y) returned an array of shape %s as the loss; expected one number, "
                           "the mean over the minibatch" % (returned.shape,), {},
                           ["The loss is returned per example: return the mean over the minibatch, one number."]
                           if per_sample else [])
        actual = float(returned.reshape(()))
        err = rel_error(actual, expected)
        data_loss = reference_model({**SMALL}, ref.params).loss(X, y)[0]
        details = {"loss": actual, "expected": float(expected), "reg": reg, "data_loss": float(data_loss)}
        message = "loss %.6g, expected %.6g with reg = %.3g (%.3g of it regularisation)" % (actual, expected, reg, expected - data_loss)
        found = None if err <= spec.tolerance else matching_suspect(
            np.array(actual), suspects.cnn_loss(float(data_loss), reg, ref.params, len(X)))
        return Verdict(err <= spec.tolerance, err, message, details, [found] if found else [])

    return job, judge


@check("cnn_gradients")
def cnn_gradients(rng, spec):
    reg = float(rng.uniform(0.3, 0.9))
    job, ref, X, y = loss_job(rng, reg=reg, with_labels=True)

    def judge(outputs):
        _, expected = ref.loss(X, y)
        tally = Tally(spec.tolerance)
        for name in NAMES:
            tally.add("grads['%s']" % name, outputs.get("call/grad/" + name, "grads['%s']" % name), expected[name],
                      suspects=suspects.cnn_gradient(name, expected[name], reg, ref.params[name]))
        return tally.verdict()

    return job, judge


@check("cnn_gradcheck")
def cnn_gradcheck(rng, spec):
    # The notebook's network (3 filters of 3x3 on (3, 16, 16), 7 hidden units, 2 inputs,
    # reg 0, h = 1e-6) with weights at its scale of 1e-3, set by the grader.
    kwargs = {"num_filters": 3, "filter_size": 3, "input_dim": [3, 16, 16], "hidden_dim": 7, "dtype": "float64"}
    params = {k: 1e-3 * rng.standard_normal(v.shape) for k, v in reference_model(kwargs).params.items()}
    X, y = rng.standard_normal((2, 3, 16, 16)), rng.integers(0, 10, size=2)
    arrays = {"X": X, "y": y, **{"param/" + k: v for k, v in params.items()}}
    h = 1e-6
    names = sorted(params)
    entries = chosen_entries(rng, [params[n] for n in names], range(len(names)), spec.entries)
    job = Job("model_gradcheck", {"model": MODEL, "kwargs": kwargs, "h": h, "entries": entries_param(entries)}, arrays)

    @functools.cache
    def expected():
        """The reference's loss, gradients and finite differences (computed once per draw)."""
        model = reference_model(kwargs, params)
        loss, grads = model.loss(X, y)

        def loss_at(values):
            model.params = dict(zip(names, values))
            return float(model.loss(X, y)[0])

        differences = central_differences(loss_at, [params[n] for n in names], range(len(names)), h, entries)
        return loss, grads, {i: (plus - minus) / (2 * h) for i, (plus, minus) in differences.items()}

    def judge(outputs):
        loss, grads, numeric = expected()
        judgement = Judgement(spec.tolerance, LOSS_TOLERANCE)
        judgement.forward("the loss", outputs.get("loss", "the loss"), loss)
        for i, ref_numeric in numeric.items():
            name = names[i]
            judgement.gradient("grads['%s']" % name, outputs.get("plus/%d" % i, "the loss values for " + name),
                               outputs.get("minus/%d" % i, "the loss values for " + name),
                               outputs.get("analytic/" + name, "grads['%s']" % name),
                               ref_numeric, grads[name], abs(loss), h, flat=entries.get(i))
        return judgement.verdict()

    return job, judge


def small_training_set(rng, n=100, classes=10):
    """Images around one random prototype per class, at CIFAR's centred pixel scale.

    A network that learns at all fits them; the class structure keeps the outcome
    the same from one secret seed to the next.
    """
    prototypes = rng.standard_normal((classes, 3, 32, 32))
    y = rng.integers(0, classes, size=n)
    X = 40.0 * (prototypes[y] + rng.standard_normal((n, 3, 32, 32)))
    return X, y


@check("cnn_overfit")
def cnn_overfit(rng, spec):
    X, y = small_training_set(rng)
    # Validating on the training set makes the Solver keep the best-fitting parameters.
    arrays = {"X_train": X, "y_train": y, "X_val": X, "y_val": y}
    solver = {"num_epochs": 15, "batch_size": 50, "update_rule": "adam", "optim_config": {"learning_rate": 1e-3}}
    job = Job("train", {"model": MODEL, "solver_class": SOLVER, "kwargs": {"weight_scale": 1e-2}, "solver": solver,
                         "seed": int(rng.integers(2**31))}, arrays)

    def judge(outputs):
        params = {name: outputs.get("params/" + name, "trained %s" % name) for name in NAMES}
        ref = ThreeLayerConvNet(dtype=np.float64)
        for name, value in params.items():
            if value.shape != ref.params[name].shape:
                return Verdict(False, None, "trained %s has shape %s, expected %s" % (name, value.shape, ref.params[name].shape), {})
        ref.params = {k: v.astype(np.float64) for k, v in params.items()}
        accuracy = float(np.mean(np.argmax(ref.loss(X), axis=1) == y))
        history = {k: outputs.arrays[k].ravel()[:HISTORY_CAP].astype(float).tolist()
                   for k in HISTORIES if k in outputs.arrays}
        message = "training accuracy %.2f measured with the reference forward pass (needs %.2f)" % (accuracy, spec.tolerance)
        # The first layer's filters, for the report's filter grid (32 x 3 x 7 x 7 by default).
        filters = np.round(params["W1"].astype(np.float64), 5).tolist()
        figures = [Figure("training_curves", "Training the three-layer convnet on 100 examples",
                          "training loss and accuracy curves",
                          {k[len("history/"):]: v for k, v in history.items()}),
                   Figure("filter_grid", "First-layer filters after training",
                          "grid of the first convolution layer's filters", {"filters": filters})]
        return Verdict(accuracy >= spec.tolerance, accuracy, message, {"accuracy": accuracy}, figures=figures)

    return job, judge
