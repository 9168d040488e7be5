"""FullyConnectedNet: parameters, scores, loss and gradients against the reference, with batch
and layer normalisation, and with dropout.

The host draws the parameters, sends them to the child (which sets them on the student's
model, as for the convnet) and recomputes everything with the reference's model holding
the same parameters. Dropout masks are the one thing the host cannot know: a student may
draw them differently and correctly (np.random.binomial, another comparison), so the net
with dropout is judged by its test-mode scores (no dropout there) and by the notebook's
numeric gradient check of the student's own seeded train-mode loss.
"""
import functools

import numpy as np

from graders.checks import Job, Verdict, check
from graders.checks.compare import Tally, rel_error
from graders.checks.gradcheck import allowance_used, at, central_differences, chosen_entries, entries_param, excess_error, noise

from ..reference.cs231n.classifiers.fc_net import FullyConnectedNet
from . import suspects

MODEL = "cs231n.classifiers.fc_net.FullyConnectedNet"  # the student's class, as the child imports it
# A small net with distinct sizes everywhere, three hidden layers, inputs of shape (N, 3, 2, 2).
SMALL = {"hidden_dims": [9, 7, 8], "input_dim": 12, "num_classes": 5}
X_SHAPE = (6, 3, 2, 2)
FORWARD_TOLERANCE = 1e-6  # test-mode scores must agree this well before the dropout gradient check counts


def reference_model(kwargs, params=None, reg=0.0):
    model = FullyConnectedNet(**{**kwargs, "reg": reg, "dtype": np.float64})
    if params is not None:
        model.params = {k: v.copy() for k, v in params.items()}
    return model


def draw_params(rng, kwargs):
    """Parameters with the reference's shapes: weights at a scale that keeps activations near 1,
    non-zero biases, gammas around 1 and betas around 0."""
    params = {}
    for name, value in reference_model(kwargs).params.items():
        if name.startswith("W"):
            params[name] = rng.standard_normal(value.shape) / np.sqrt(value.shape[0])
        elif name.startswith("gamma"):
            params[name] = 1.0 + 0.3 * rng.standard_normal(value.shape)
        else:
            params[name] = 0.3 * rng.standard_normal(value.shape)
    return params


# ---------------------------------------------------------------- initialisation

@check("fc_init")
def fc_init(rng, spec):
    weight_scale = float(rng.choice([2e-2, 5e-3]))
    kwargs = {"hidden_dims": [30, 25, 20], "input_dim": 40, "num_classes": 6, "normalization": "batchnorm",
              "weight_scale": weight_scale, "dtype": "float64"}
    job = Job("model", {"model": MODEL, "kwargs": kwargs}, {})
    expected = {k: v.shape for k, v in reference_model(kwargs).params.items()}

    def judge(outputs):
        params = outputs.prefixed("init/")
        problems = [] if set(params) == set(expected) else [
            "self.params has keys %s, expected %s" % (sorted(params), sorted(expected))]
        worst = 0.0
        for name, shape in expected.items():
            p = params.get(name)
            if p is None:
                continue
            if p.shape != shape:
                problems.append("%s has shape %s, expected %s" % (name, p.shape, shape))
                continue
            if p.dtype != np.float64:
                problems.append("%s has dtype %s, but dtype=np.float64 was requested" % (name, p.dtype))
            if name.startswith("gamma") and np.any(p != 1):
                problems.append("%s is not all ones" % name)
            elif name.startswith(("b", "beta")) and np.any(p != 0):
                problems.append("%s is not all zeros" % name)
            elif name.startswith("W"):
                deviation = abs(float(np.std(p)) - weight_scale) / weight_scale
                worst = max(worst, deviation)
                if deviation > spec.tolerance:
                    problems.append("%s has standard deviation %.3g, expected weight_scale = %g"
                                    % (name, np.std(p), weight_scale))
        message = "; ".join(problems) or "names, shapes, dtype and initial values as expected"
        return Verdict(not problems, worst, message, {"weight_scale": weight_scale})

    return job, judge


# ---------------------------------------------------------------- scores, loss and gradients

def loss_job(rng, extra, regs, test_after=False):
    """A job calling loss(X, y) once per reg (saved as call0, call1, ...) on host-drawn parameters,
    and, with test_after, loss(X_test) afterwards (saved as test/scores).

    Returns the job and a function replaying the same calls with the reference: it returns
    [(loss, grads) per reg] and the test scores (or None).
    """
    kwargs = {**SMALL, **extra, "dtype": "float64"}
    params = draw_params(rng, kwargs)
    X, y = rng.standard_normal(X_SHAPE), rng.integers(0, SMALL["num_classes"], size=X_SHAPE[0])
    X_test = rng.standard_normal(X_SHAPE)
    arrays = {"X": X, "y": y, "X_test": X_test, **{"param/" + k: v for k, v in params.items()}}
    calls = [{"X": "X", "y": "y", "reg": reg, "save": "call%d" % i} for i, reg in enumerate(regs)]
    if test_after:
        calls.append({"X": "X_test", "y": None, "save": "test"})
    job = Job("model", {"model": MODEL, "kwargs": kwargs, "calls": calls}, arrays)

    @functools.cache
    def replay():
        model = reference_model(kwargs, params)
        results = []
        for reg in regs:
            model.reg = reg
            results.append(model.loss(X, y))
        return results, (model.loss(X_test) if test_after else None)

    return job, replay, params, X, y


def loss_suspects(data_loss, reg, params, N):
    """What common mistakes in the regularised loss would return."""
    weights = [v for k, v in params.items() if k.startswith("W")]
    squares = sum(float(np.sum(W * W)) for W in weights)
    every_square = sum(float(np.sum(p * p)) for k, p in params.items() if k.startswith(("W", "b")))
    return [
        ("The regularisation has no 0.5: the course's loss adds 0.5 * reg * sum(W ** 2) per weight.",
         lambda: np.array(data_loss + reg * squares)),
        ("The biases are regularised too: the course regularises the weights W1 ... WL only.",
         lambda: np.array(data_loss + 0.5 * reg * every_square)),
        ("Only the last layer's weights are regularised: add 0.5 * reg * sum(W ** 2) for every layer.",
         lambda: np.array(data_loss + 0.5 * reg * float(np.sum(weights[-1] ** 2)))),
        ("The data loss is summed over the minibatch: softmax_loss must average it (divide by N).",
         lambda: np.array(N * data_loss + 0.5 * reg * squares)),
        ("The regularisation is missing from the loss: add 0.5 * reg * sum(W ** 2) for every weight.",
         lambda: np.array(data_loss)),
    ]


def add_loss(tally, outputs, save, what, expected, data_loss, reg, params, N):
    """Compare one returned loss (one number: the minibatch's mean) with the reference's."""
    tally.add_scalar(what, outputs.get(save + "/loss", what), np.array(expected),
                     suspects=loss_suspects(data_loss, reg, params, N))


def add_gradients(tally, outputs, save, label, grads, reg, params):
    for name in sorted(grads):
        what = "grads['%s'] %s" % (name, label)
        wrong = suspects.cnn_gradient(name, grads[name], reg, params[name]) if name[0] in "Wb" else ()
        tally.add(what, outputs.get("%s/grad/%s" % (save, name), what), grads[name], suspects=wrong)


def draw_reg(rng):
    return float(rng.uniform(0.3, 3.5))


@check("fc_scores")
def fc_scores(rng, spec):
    job, replay, *_ = loss_job(rng, {}, [], test_after=True)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        tally.add("scores = loss(X)", outputs.get("test/scores", "loss(X)"), replay()[1])
        return tally.verdict()

    return job, judge


def loss_check(extra):
    """(rng, spec) -> (Job, judge) comparing the loss with reg = 0 and reg > 0."""
    def make(rng, spec):
        regs = [0.0, draw_reg(rng)]
        job, replay, params, X, y = loss_job(rng, extra, regs)

        def judge(outputs):
            tally = Tally(spec.tolerance)
            results, _ = replay()
            for i, reg in enumerate(regs):
                add_loss(tally, outputs, "call%d" % i, "loss with reg = %.3g" % reg, results[i][0],
                         results[0][0], reg, params, len(X))
            return tally.verdict()

        return job, judge
    return make


def gradients_check(extra, regs_of, test_after=False):
    """(rng, spec) -> (Job, judge) comparing every gradient for each reg that regs_of(rng) draws
    (and, with test_after, the test-mode scores of a call after them). Normalised nets (extra)
    also compare the loss: their checks alone see a normalisation layer's effect on it."""
    def make(rng, spec):
        regs = regs_of(rng)
        job, replay, params, X, y = loss_job(rng, extra, regs, test_after)

        def judge(outputs):
            tally = Tally(spec.tolerance)
            results, scores = replay()
            for i, reg in enumerate(regs):
                label = "with reg = %.3g" % reg
                if extra:
                    add_loss(tally, outputs, "call%d" % i, "loss " + label, results[i][0], results[0][0], reg,
                             params, len(X))
                add_gradients(tally, outputs, "call%d" % i, label, results[i][1], reg, params)
            if test_after:
                tally.add("scores = loss(X) in test mode, after the train-mode calls",
                          outputs.get("test/scores", "loss(X)"), scores)
            return tally.verdict()

        return job, judge
    return make


check("fc_loss")(loss_check({}))
check("fc_gradients")(gradients_check({}, lambda rng: [0.0, draw_reg(rng)]))
# Without regularisation: its mistakes are fc_loss's and fc_gradients', not counted twice here.
check("fc_batchnorm")(gradients_check({"normalization": "batchnorm"}, lambda rng: [0.0, 0.0], test_after=True))
check("fc_layernorm")(gradients_check({"normalization": "layernorm"}, lambda rng: [0.0], test_after=True))


# ---------------------------------------------------------------- dropout

def dropout_kwargs(rng):
    return {"hidden_dims": [8, 6], "input_dim": 10, "num_classes": 4, "dtype": "float64",
            "dropout_keep_ratio": float(rng.choice([0.5, 0.75])), "seed": int(rng.integers(2**31))}


@check("fc_dropout_test_mode")
def fc_dropout_test_mode(rng, spec):
    """Scores in test mode equal the reference's: dropout is the identity at test time,
    also after a train-mode call has set the dropout parameters' mode to 'train'."""
    kwargs = dropout_kwargs(rng)
    params = draw_params(rng, kwargs)
    X, y = rng.standard_normal((5, 10)), rng.integers(0, 4, size=5)
    arrays = {"X": X, "y": y, **{"param/" + k: v for k, v in params.items()}}
    calls = [{"X": "X", "y": None, "save": "before"}, {"X": "X", "y": "y", "save": "train"},
             {"X": "X", "y": None, "save": "after"}]
    job = Job("model", {"model": MODEL, "kwargs": kwargs, "calls": calls}, arrays)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        expected = reference_model(kwargs, params).loss(X)
        tally.add("scores = loss(X) in test mode", outputs.get("before/scores", "loss(X)"), expected)
        tally.add("scores = loss(X) in test mode after a train-mode call", outputs.get("after/scores", "loss(X)"),
                  expected)
        return tally.verdict()

    return job, judge


@check("fc_dropout_gradcheck")
def fc_dropout_gradcheck(rng, spec):
    """The notebook's check: with a fixed seed the train-mode loss is a function of the
    parameters, whose numeric gradient must match the student's grads (at `entries` drawn
    entries of each larger parameter). It counts only when the test-mode scores agree with
    the reference's (no masks there) and the train-mode loss differs from the same network's
    without dropout (dropout is applied in train mode)."""
    kwargs = dropout_kwargs(rng)
    params = draw_params(rng, kwargs)
    X, y = rng.standard_normal((5, 10)), rng.integers(0, 4, size=5)
    arrays = {"X": X, "y": y, **{"param/" + k: v for k, v in params.items()}}
    h = 1e-5
    names = sorted(params)
    entries = chosen_entries(rng, [params[n] for n in names], range(len(names)), spec.entries)
    job = Job("model_gradcheck", {"model": MODEL, "kwargs": kwargs, "h": h, "entries": entries_param(entries),
                                  "scores_X": "X"}, arrays)

    @functools.cache
    def expected():
        """The reference's loss without dropout and, with its own masks, the noise its finite
        differences show against its analytic gradients on this net."""
        without_dropout = reference_model({**kwargs, "dropout_keep_ratio": 1}, params)
        plain, scores = without_dropout.loss(X, y)[0], without_dropout.loss(X)
        model = reference_model(kwargs, params)
        loss, grads = model.loss(X, y)

        def loss_at(values):
            model.params = dict(zip(names, values))
            return float(model.loss(X, y)[0])

        differences = central_differences(loss_at, [params[n] for n in names], range(len(names)), h, entries)
        forgiven = {names[i]: noise((plus - minus) / (2 * h), at(grads[names[i]], entries.get(i)), abs(loss), h)
                    for i, (plus, minus) in differences.items()}
        return plain, scores, forgiven

    def judge(outputs):
        plain, scores, forgiven = expected()
        # Counted only for a forward pass that agrees with the reference where masks play no part.
        returned = outputs.get("scores", "loss(X)")
        forward_error = rel_error(returned, scores) if returned.shape == scores.shape else float("inf")
        if forward_error > FORWARD_TOLERANCE:
            return Verdict(False, None, "not counted: the test-mode scores loss(X) differ from the reference's "
                           "(error %.3g). A numeric gradient check counts only for a forward pass that agrees with "
                           "the reference." % forward_error, {})
        loss = float(np.asarray(outputs.get("loss", "the loss")).reshape(()))
        if rel_error(loss, plain) < 1e-9:
            return Verdict(False, None, "the train-mode loss %.6g equals the loss of the same network without "
                           "dropout: dropout is not applied in train mode" % loss, {},
                           ["Dropout is missing from the train-mode forward pass: call dropout_forward with "
                            "self.dropout_param after each hidden ReLU when self.use_dropout is set."])
        errors, used = {}, {}
        for i, name in enumerate(names):
            flat = entries.get(i)
            plus = outputs.get("plus/%d" % i, "the loss values for " + name)
            minus = outputs.get("minus/%d" % i, "the loss values for " + name)
            analytic = outputs.get("analytic/" + name, "grads['%s']" % name)
            if analytic.shape != params[name].shape:
                return Verdict(False, None, "grads['%s'] has shape %s, expected %s"
                               % (name, analytic.shape, params[name].shape), {})
            numeric = (plus - minus) / (2 * h)
            errors[name] = excess_error(at(analytic, flat), numeric, forgiven[name])
            used[name] = allowance_used(at(analytic, flat), numeric, forgiven[name], spec.tolerance)
        worst = max(errors, key=errors.get)
        passed = errors[worst] <= spec.tolerance
        message = ("largest error %.3g in grads['%s'] against the numeric gradient of your seeded loss, beyond the "
                   "finite differences' own noise (tolerance %.1g)" % (errors[worst], worst, spec.tolerance))
        return Verdict(passed, errors[worst], message, {"errors": errors, "allowance_used": used})

    return job, judge
