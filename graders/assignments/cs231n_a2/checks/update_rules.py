"""The update rules of optim.py: sgd_momentum, rmsprop and adam.

Each check runs one rule three ways, replayed on the host with the reference:
  - the FullyConnectedNets notebook's cell: N, D = 4, 5, w and dw and the state from
    np.linspace, one step (the notebook compares with printed arrays; we recompute them);
  - hidden inputs: weights of a drawn shape (sometimes 4-D, like conv filters), drawn
    hyperparameters and state, STEPS consecutive steps, each fed the w and the config the
    previous step returned, as the Solver does (a state never written back shows here);
  - config=None: the rule's defaults, two steps.
Every step's next_w and every number of the returned config are compared.
"""
import copy
import numpy as np

from graders.checks import Job, check
from graders.checks.compare import Tally

from ..reference.cs231n import optim

OPTIM = "cs231n.optim."
STEPS = 4
N, D = 4, 5  # the notebook's shapes


def linspace(start, stop):
    return np.linspace(start, stop, num=N * D).reshape(N, D)


# The notebook's configs (besides w = linspace(-0.4, 0.6), dw = linspace(-0.6, 0.4)).
NOTEBOOK_CONFIGS = {
    "sgd_momentum": lambda: {"learning_rate": 1e-3, "velocity": linspace(0.6, 0.9)},
    "rmsprop": lambda: {"learning_rate": 1e-2, "cache": linspace(0.6, 0.9)},
    "adam": lambda: {"learning_rate": 1e-2, "m": linspace(0.6, 0.9), "v": linspace(0.7, 0.5), "t": 5},
}


def hidden_config(rule, rng, shape):
    """Drawn hyperparameters and a drawn state of the given shape."""
    config = {"learning_rate": float(10 ** rng.uniform(-3, -1))}
    if rule == "sgd_momentum":
        config.update(momentum=float(rng.uniform(0.5, 0.95)), velocity=0.1 * rng.standard_normal(shape))
    elif rule == "rmsprop":
        config.update(decay_rate=float(rng.uniform(0.9, 0.999)), cache=rng.uniform(0.1, 1.0, shape))
    else:
        config.update(beta1=float(rng.uniform(0.8, 0.95)), beta2=float(rng.uniform(0.99, 0.9999)),
                      m=0.1 * rng.standard_normal(shape), v=rng.uniform(0.1, 1.0, shape),
                      t=int(rng.integers(0, 20)))
    return config


def hidden_shape(rng):
    """(rows, columns) like an affine layer's weights or (F, C, HH, WW) like a conv layer's."""
    if rng.random() < 0.5:
        return tuple(int(n) for n in rng.integers(2, 8, size=2))
    return (int(rng.integers(2, 5)), 3, int(rng.integers(2, 4)), int(rng.integers(2, 4)))


def runs(rule, rng):
    """name -> (w, [dw per step], config or None): the notebook's, the hidden and the defaults' run."""
    shape = hidden_shape(rng)
    return {
        "notebook": (linspace(-0.4, 0.6), [linspace(-0.6, 0.4)], NOTEBOOK_CONFIGS[rule]()),
        "hidden": (rng.standard_normal(shape), [rng.standard_normal(shape) for _ in range(STEPS)],
                   hidden_config(rule, rng, shape)),
        "defaults": (rng.standard_normal((N, D)), [rng.standard_normal((N, D)) for _ in range(2)], None),
    }


def config_spec(name, config, arrays):
    """The argument spec of a first step's config: a fresh dict, arrays as hidden inputs."""
    spec = {}
    for key, value in config.items():
        if isinstance(value, np.ndarray):
            arrays["%s/config/%s" % (name, key)] = value
            spec[key] = {"array": "%s/config/%s" % (name, key)}
        else:
            spec[key] = {"value": value}
    return {"mapping": spec}


def run_calls(rule, name, run, arrays):
    """The child's calls for one run: step k is saved as name/k, its config exported as dict/name/k/1/<key>."""
    w, dws, config = run
    arrays[name + "/w"] = w
    calls = []
    for k, dw in enumerate(dws):
        arrays["%s/dw%d" % (name, k)] = dw
        if k == 0:
            args = [{"array": name + "/w"}, {"array": "%s/dw0" % name}]
            if config is not None:
                args.append(config_spec(name, config, arrays))
        else:
            previous = "%s/%d" % (name, k - 1)
            args = [{"result": previous, "index": 0}, {"array": "%s/dw%d" % (name, k)},
                    {"result": previous, "index": 1}]
        calls.append({"function": OPTIM + rule, "args": args, "save": "%s/%d" % (name, k),
                      "export_returned_dicts": [1]})
    return calls


def replay(rule_fn, run):
    """[(next_w, config)] of the reference (or a suspect) over a run, fed back as the Solver does."""
    w, dws, config = copy.deepcopy(run)
    steps = []
    for dw in dws:
        w, config = rule_fn(w, dw.copy(), config) if config is not None else rule_fn(w, dw.copy())
        steps.append((np.copy(w), copy.deepcopy(config)))
    return steps


def judge_run(tally, outputs, rule, name, run, suspects):
    """Compare each step's next_w and config numbers with the reference's replay."""
    expected = replay(getattr(optim, rule), run)
    wrong = {label: replay(fn, run) for label, fn in suspects}
    for k, (next_w, config) in enumerate(expected):
        where = "step %d of the %s run" % (k + 1, name)
        tally.add("next_w after %s" % where, outputs.get("%s/%d/0" % (name, k), "next_w"), next_w,
                  suspects=[(label, lambda s=s, k=k: s[k][0]) for label, s in wrong.items()])
        for key, value in sorted(config.items()):
            what = "config['%s'] returned by %s" % (key, where)
            tally.add(what, outputs.get("dict/%s/%d/1/%s" % (name, k, key), what), value,
                      suspects=[(label, lambda s=s, k=k, key=key: s[k][1][key]) for label, s in wrong.items()])


def rule_check(rule, suspects=()):
    """(rng, spec) -> (Job, judge) for one update rule; suspects: (sentence, buggy rule) pairs."""
    def make(rng, spec):
        all_runs, arrays, calls = runs(rule, rng), {}, []
        for name, run in all_runs.items():
            calls += run_calls(rule, name, run, arrays)

        def judge(outputs):
            tally = Tally(spec.tolerance)
            for name, run in all_runs.items():
                judge_run(tally, outputs, rule, name, run, suspects)
            return tally.verdict()

        return Job("calls", {"calls": calls}, arrays), judge
    return make


# ---------------------------------------------------------------- well-known mistakes, as rules

def state_not_stored(rule, key):
    """The rule as written by a student who computes the new state but never stores it in
    config[key]: the next step starts from the old state (or zeros) again."""
    def buggy(w, dw, config=None):
        config = dict(config or {})
        old = config.get(key)
        next_w, config = rule(w, dw, config)
        config[key] = old if old is not None else np.zeros_like(w)
        return next_w, config
    return buggy


def adam_uncorrected(w, dw, config=None):
    """Adam without bias correction: the same as a corrected step whose t is huge."""
    config = dict(config or {})
    t = config.get("t", 0)
    config["t"] = 10**9
    next_w, config = optim.adam(w, dw, config)
    config["t"] = t + 1
    return next_w, config


def adam_beta1_for_v(w, dw, config=None):
    config = dict(config or {})
    config.setdefault("beta1", 0.9)
    beta2 = config.get("beta2", 0.999)
    config["beta2"] = config["beta1"]
    next_w, config = optim.adam(w, dw, config)
    config["beta2"] = beta2
    return next_w, config


sgd_momentum_check = check("sgd_momentum")(rule_check("sgd_momentum", [
    ("config['velocity'] is never updated: store the new velocity where the next step reads it (v, which the "
     "starter code writes to config['velocity']).", state_not_stored(optim.sgd_momentum, "velocity"))]))
rmsprop_check = check("rmsprop")(rule_check("rmsprop", [
    ("config['cache'] is never updated: store the new moving average of dw**2 in config['cache'].",
     state_not_stored(optim.rmsprop, "cache"))]))
adam_check = check("adam")(rule_check("adam", [
    ("No bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t) before the step.", adam_uncorrected),
    ("The second moment uses beta1: v is a moving average of dw**2 with beta2.", adam_beta1_for_v)]))
