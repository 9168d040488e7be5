"""The only grader code that runs inside the sandbox, next to the student's code.

Usage (by graders.runner, never by hand):  python -I child.py WORKSPACE IN_DIR OUT_DIR

It reads IN_DIR/job.json (what to run) and IN_DIR/inputs.npz (arrays drawn by
the grader), imports the student's `cs231n` package from WORKSPACE, runs the
requested task and writes
  OUT_DIR/outputs.npz   numeric arrays only (np.savez, allow_pickle=False)
  OUT_DIR/meta.json     status, error text, timings: shown to humans, never a verdict

This file uses only the standard library and numpy, and imports nothing of the
grader: it is copied into the workspace and runs with the student's privileges.
Everything it writes is untrusted by the grader.
"""
import copy
import json
import os
import sys
import time
import traceback

import numpy as np

STUDENT_FILES = set()  # the student's files, relative to the workspace: job.json's "student_files"


class TaskError(Exception):
    """A student function broke the task's contract (wrong return, non-numeric output)."""


# ---------------------------------------------------------------- arguments


def resolve(function_path, meta):
    """'cs231n.layers.conv_forward_naive' -> the object, imported from the workspace."""
    import importlib

    module_name, _, attr = function_path.rpartition(".")
    meta["current"] = "importing %s" % module_name  # what an import-time error is blamed on
    module = importlib.import_module(module_name)
    meta["current"] = function_path
    try:
        return getattr(module, attr)
    except AttributeError:
        raise TaskError("%s does not define %s" % (module.__file__, attr)) from None


def build_args(specs, arrays, dicts, results):
    """Turn JSON argument specs into values; arrays are fresh copies for each call."""
    values = []
    for spec in specs:
        if "array" in spec:
            values.append(arrays[spec["array"]].copy())
        elif "value" in spec:
            values.append(spec["value"])
        elif "dict" in spec:
            values.append(dicts[spec["dict"]])
        elif "mapping" in spec:  # a fresh dict whose values are built from specs (arrays in a config)
            values.append({k: build_args([v], arrays, dicts, results)[0] for k, v in spec["mapping"].items()})
        elif "result" in spec:
            result = results[spec["result"]]
            values.append(result[spec["index"]] if "index" in spec else result)
        else:
            raise ValueError("unknown argument spec %r" % (spec,))
    return values


def export(outputs, prefix, value):
    """Record a returned value under prefix; tuples become prefix/0, prefix/1, ..."""
    if isinstance(value, tuple):
        for i, item in enumerate(value):
            export(outputs, "%s/%d" % (prefix, i), item)
        return
    if value is None:
        outputs["none:" + prefix] = np.zeros(0)
        return
    try:
        # A copy: code that later updates the value in place (w -= ..., running_mean *= ...)
        # must not change what an earlier call is recorded to have returned.
        array = np.array(value)
    except Exception:  # an object numpy cannot even wrap
        return
    if array.dtype.kind in "biuf":
        outputs[prefix] = array


def dict_arrays(outputs, name, d):
    for key, value in d.items():
        if isinstance(key, str) and key.isidentifier():
            export(outputs, "dict/%s/%s" % (name, key), value)


def export_returned_dict(outputs, save, value, index):
    """The dict at value[index] (an update rule's config), key by key, as save/index/<key>."""
    if isinstance(value, tuple) and len(value) > index and isinstance(value[index], dict):
        dict_arrays(outputs, "%s/%d" % (save, index), value[index])


# ---------------------------------------------------------------- tasks


def task_calls(params, arrays, outputs, meta):
    """Run a sequence of calls; each call's result may feed later ones."""
    dicts = {name: dict(d) for name, d in params.get("dicts", {}).items()}
    results = {}
    for call in params["calls"]:
        fn = resolve(call["function"], meta)
        for name, values in call.get("update", {}).items():
            dicts[name].update(values)  # e.g. switch bn_param to test mode
        value = fn(*build_args(call["args"], arrays, dicts, results))
        results[call["save"]] = value
        if call.get("export", True):
            export(outputs, call["save"], value)
        for index in call.get("export_returned_dicts", []):
            export_returned_dict(outputs, call["save"], value, index)
        for name in call.get("export_dicts", []):
            dict_arrays(outputs, "%s/%s" % (call["save"], name), dicts[name])


def forward_out(value):
    """A forward pass's out: the first item of its (out, cache)."""
    if not isinstance(value, tuple) or len(value) != 2:
        raise TaskError("a forward pass must return (out, cache), got %s" % type(value).__name__)
    return np.asarray(value[0], dtype=np.float64)


def central_values(scalar, args, wrt, h, outputs, entries=None):
    """plus/<i> and minus/<i>: scalar(args) with args[i] moved elementwise by +h and -h, at
    every entry (arrays of args[i]'s shape) or at the flat indices entries[str(i)] (1-D).

    The grader takes the differences itself; each call gets fresh copies of the arguments.
    (The twin of graders/checks/gradcheck.py:central_differences, which this file cannot import.)
    """
    for i in wrt:
        base = np.asarray(args[i], dtype=np.float64)
        flat = (entries or {}).get(str(i))
        where = list(np.ndindex(base.shape)) if flat is None else [np.unravel_index(int(j), base.shape) for j in flat]
        for sign, name in ((1.0, "plus"), (-1.0, "minus")):
            values = np.empty(len(where))
            for n, j in enumerate(where):
                moved = copy.deepcopy(args)
                moved[i] = base.copy()
                moved[i][j] += sign * h
                values[n] = scalar(moved)
            outputs["%s/%s" % (name, i)] = values if flat is not None else values.reshape(base.shape)


def task_gradcheck(params, arrays, outputs, meta):
    """The student's forward summed against dout at the grader's perturbed inputs, and the backward."""
    forward, backward = resolve(params["forward"], meta), resolve(params["backward"], meta)
    dicts = {name: dict(d) for name, d in params.get("dicts", {}).items()}
    args = build_args(params["args"], arrays, dicts, {})
    dout = arrays[params["dout"]]
    value = forward(*copy.deepcopy(args))
    forward_out(value)
    export(outputs, "out", value[0])
    if value[0] is None:
        return  # not implemented yet: the grader says so
    meta["current"] = params["backward"]
    export(outputs, "analytic", backward(dout.copy(), value[1]))
    meta["current"] = "%s at perturbed inputs" % params["forward"]
    central_values(lambda a: float(np.sum(forward_out(forward(*a)) * dout)), args, params["wrt"],
                   params["h"], outputs, params.get("entries"))


def model_name(params):
    """The class name of the job's model ("package.module.Class"), for messages."""
    return params["model"].rsplit(".", 1)[-1]


def new_model(params, meta):
    """The student's model class the job names, constructed with the job's keyword arguments."""
    cls = resolve(params["model"], meta)
    meta["current"] = "%s.__init__" % model_name(params)
    model = cls(**params["kwargs"])
    if not isinstance(getattr(model, "params", None), dict):
        raise TaskError("%s() did not leave a dict in self.params" % model_name(params))
    return model


def set_params(model, arrays):
    given = {k[len("param/"):]: v.copy() for k, v in arrays.items() if k.startswith("param/")}
    if given:
        model.params = given


def task_model(params, arrays, outputs, meta):
    """Construct the student's model, optionally give it parameters, call loss()."""
    model = new_model(params, meta)
    for name, value in model.params.items():
        export(outputs, "init/%s" % name, value)
    set_params(model, arrays)
    for call in params.get("calls", []):
        meta["current"] = "%s.loss" % model_name(params)
        if "reg" in call:
            model.reg = call["reg"]
        y = arrays[call["y"]] if call.get("y") else None
        value = model.loss(arrays[call["X"]].copy(), y)
        if y is None:
            export(outputs, "%s/scores" % call["save"], value)
            continue
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict)):
            raise TaskError("loss(X, y) must return (loss, grads) with grads a dict")
        export(outputs, "%s/loss" % call["save"], value[0])
        for name, grad in value[1].items():
            export(outputs, "%s/grad/%s" % (call["save"], name), grad)


def task_model_gradcheck(params, arrays, outputs, meta):
    """The student's loss at the grader's perturbed parameters, and the student's gradients;
    with params["scores_X"], first the scores loss(X) of that input (test mode), as "scores"."""
    model = new_model(params, meta)
    set_params(model, arrays)
    X, y = arrays["X"], arrays["y"]
    if params.get("scores_X"):
        meta["current"] = "%s.loss" % model_name(params)
        export(outputs, "scores", model.loss(arrays[params["scores_X"]].copy()))
    meta["current"] = "%s.loss" % model_name(params)
    loss, grads = loss_and_grads(model.loss(X.copy(), y.copy()))
    outputs["loss"] = np.asarray(loss, dtype=np.float64)
    names = sorted(k[len("param/"):] for k in arrays if k.startswith("param/"))
    for name in names:
        export(outputs, "analytic/%s" % name, grads.get(name))

    def loss_at(values):
        model.params = dict(zip(names, values))
        return float(loss_and_grads(model.loss(X.copy(), y.copy()))[0])

    central_values(loss_at, [model.params[n] for n in names], range(len(names)), params["h"], outputs,
                   params.get("entries"))


def loss_and_grads(value):
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict)):
        raise TaskError("loss(X, y) must return (loss, grads) with grads a dict")
    return value


def task_train(params, arrays, outputs, meta):
    """Train the student's model with the Solver the job names; return its parameters."""
    Solver = resolve(params["solver_class"], meta)
    np.random.seed(params["seed"])
    model = new_model(params, meta)
    data = {k: arrays[k] for k in ("X_train", "y_train", "X_val", "y_val")}
    meta["current"] = "Solver.train with %s.loss" % model_name(params)
    solver = Solver(model, data, verbose=False, **params["solver"])
    solver.train()
    for name, value in model.params.items():
        export(outputs, "params/%s" % name, value)
    for name in ("loss_history", "train_acc_history", "val_acc_history"):
        export(outputs, "history/%s" % name, np.asarray(getattr(solver, name), dtype=float))


def task_speed(params, arrays, outputs, meta):
    """Time the student's naive layers on the notebook's shapes (medians of repeats)."""
    timings, results = {}, {}
    for case in params["cases"]:
        fn = resolve(case["function"], meta)
        times = []
        for _ in range(case["repeats"]):
            args = build_args(case["args"], arrays, {}, results)
            start = time.perf_counter()
            value = fn(*args)
            times.append(time.perf_counter() - start)
            if sum(times) > params["budget_seconds"]:
                break
        results[case["save"]] = value
        timings[case["save"]] = sorted(times)[len(times) // 2]
        export(outputs, case["save"], value)
    meta["timings"] = timings


TASKS = {
    "calls": task_calls,
    "gradcheck": task_gradcheck,
    "model": task_model,
    "model_gradcheck": task_model_gradcheck,
    "train": task_train,
    "speed": task_speed,
}


# ---------------------------------------------------------------- reporting


def student_traceback(exc):
    """The traceback limited to frames in the student's files, plus the error line."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if os.path.relpath(f.filename, os.getcwd()) in STUDENT_FILES
    ]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    workspace = os.getcwd() + os.sep
    return "".join(lines).replace(workspace, "")


def main(workspace, in_dir, out_dir):
    sys.path.insert(0, workspace)
    os.chdir(workspace)
    with open(os.path.join(in_dir, "job.json")) as f:
        job = json.load(f)
    STUDENT_FILES.update(job.get("student_files", ()))
    with np.load(os.path.join(in_dir, "inputs.npz"), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}

    outputs, meta = {}, {"status": "ok", "current": None}
    start = time.perf_counter()
    try:
        TASKS[job["task"]](job["params"], arrays, outputs, meta)
    except BaseException as exc:  # the student's SystemExit and KeyboardInterrupt included
        meta.update(
            status="error",
            error_type=type(exc).__name__,
            error=str(exc)[:2000],
            traceback=student_traceback(exc)[-6000:],
        )
    meta["seconds"] = time.perf_counter() - start
    np.savez(os.path.join(out_dir, "outputs.npz"), allow_pickle=False, **outputs)
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump(meta, f, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
