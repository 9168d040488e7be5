"""The assignment notebook, notebooks/ConvolutionalNetworks.ipynb.

* The stored notebook is valid, clean (no outputs, no execution counts), has one
  `parameters` cell and a `check:<function>` tag on every check cell.
* Run end to end against the reference package (the installed `cs231n`) on a small
  synthetic CIFAR-10, with the parameters cell overridden to CI sizes, every cell runs and
  every figure the check cells print is within the orders of magnitude the notebook states.
* Run against the student template (the reference with its solution regions stripped), it
  stops at the first check cell with a NotImplementedError naming the function and the file.

The kernel is a kernelspec written for this test's own interpreter (sys.executable), so it
sees exactly the packages the tests see.
"""
import ast
import importlib.util
import json
import math
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from graders.assignment import load_assignment

ASSIGNMENT = load_assignment()
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ASSIGNMENT.notebook_path(next(n for n in ASSIGNMENT.notebooks if n.part == "ConvolutionalNetworks"))

# The transcript's sizes: what a student runs.
DEFAULT_PARAMETERS = {
    "NUM_TRAINING": 49000,
    "NUM_VALIDATION": 1000,
    "NUM_TEST": 1000,
    "IMAGE_SIZE": 200,
    "TIMING_CONV_X_SHAPE": (100, 3, 31, 31),
    "TIMING_CONV_W_SHAPE": (25, 3, 3, 3),
    "TIMING_POOL_X_SHAPE": (100, 3, 32, 32),
    "OVERFIT_NUM_TRAIN": 100,
    "OVERFIT_EPOCHS": 15,
    "TRAIN_EPOCHS": 1,
}

# What CI runs: small data and timing inputs; the overfitting experiment and the one-epoch
# run keep their real settings, since their accuracies are asserted.
CI_PARAMETERS = {
    "NUM_TRAINING": 2000,
    "NUM_VALIDATION": 500,
    "NUM_TEST": 500,
    "IMAGE_SIZE": 64,
    "TIMING_CONV_X_SHAPE": (20, 3, 15, 15),
    "TIMING_CONV_W_SHAPE": (5, 3, 3, 3),
    "TIMING_POOL_X_SHAPE": (20, 3, 16, 16),
}
SYNTHETIC_SIZES = {"num_train": 2500, "num_test": 500}

CHECK_TAGS = {
    "check:conv_forward_naive",
    "check:conv_backward_naive",
    "check:max_pool_forward_naive",
    "check:max_pool_backward_naive",
    "check:conv_forward_fast",
    "check:conv_backward_fast",
    "check:max_pool_forward_fast",
    "check:max_pool_backward_fast",
    "check:conv_relu_pool_forward",
    "check:conv_relu_pool_backward",
    "check:conv_relu_forward",
    "check:conv_relu_backward",
    "check:ThreeLayerConvNet",
    "check:spatial_batchnorm_forward",
    "check:spatial_batchnorm_backward",
    "check:spatial_groupnorm_forward",
    "check:spatial_groupnorm_backward",
}

# Upper bounds on the errors each check cell prints: the orders of magnitude the notebook
# (and the original run) states, e.g. "around 1e-8 or less" -> below 1e-7.
ERROR_BOUNDS = {
    "check:conv_forward_naive": {"out error": 1e-7},
    "check:conv_backward_naive": {"dx error": 1e-7, "dw error": 1e-7, "db error": 1e-7},
    "check:max_pool_forward_naive": {"out error": 1e-7},
    "check:max_pool_backward_naive": {"dx error": 1e-11},
    "check:conv_forward_fast": {
        "out difference": 1e-8, "dx difference": 1e-8, "dw difference": 1e-8, "db difference": 1e-8,
    },
    "check:max_pool_forward_fast": {"out difference": 1e-12, "dx difference": 1e-12},
    "check:conv_relu_pool_forward": {"dx error": 1e-7, "dw error": 1e-7, "db error": 1e-7},
    "check:conv_relu_forward": {"dx error": 1e-7, "dw error": 1e-7, "db error": 1e-7},
    "check:spatial_batchnorm_backward": {"dx error": 1e-6, "dgamma error": 1e-6, "dbeta error": 1e-6},
    "check:spatial_groupnorm_backward": {"dx error": 1e-7, "dgamma error": 1e-7, "dbeta error": 1e-7},
}
MODEL_GRADIENT_BOUND = 1e-1  # "relative errors up to the order of 1e-2"

KERNEL_NAME = "cs231n-notebook-test"


# --------------------------------------------------------------------------- helpers

def load_notebook():
    return nbformat.read(str(NOTEBOOK), as_version=4)


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def parameters_index(nb):
    return next(i for i, cell in enumerate(nb.cells) if "parameters" in tags(cell))


def with_parameters(nb, parameters, extra=""):
    """Insert an `injected-parameters` cell right after the parameters cell (papermill style)."""
    lines = ["%s = %r" % item for item in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines + [extra]).strip(), id="injected-parameters")
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(parameters_index(nb) + 1, cell)
    return nb


KERNEL_PROBE = 'import sys as _sys\nprint("kernel python:", _sys.executable)'


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")


def figures(cell):
    """The `name: value` lines a cell printed, as {name: value text}."""
    found = {}
    for line in stdout(cell).splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            found[name.strip()] = value.strip()
    return found


def numbers(text):
    return [float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", text)]


def cells_tagged(nb, tag):
    found = [cell for cell in nb.cells if tag in tags(cell)]
    assert found, "no cell tagged %s" % tag
    return found


def cell_by_id(nb, cell_id):
    return next(cell for cell in nb.cells if cell.get("id") == cell_id)


def write_kernelspec(folder):
    """A kernelspec running ipykernel on this very interpreter."""
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (notebook test)",
        "language": "python",
    }))
    return folder / "kernels"


def execute(nb, kernel_dirs, cwd, env):
    """Run nb in place with a kernel on sys.executable; raises CellExecutionError on a cell error."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    km = KernelManager(
        kernel_name=KERNEL_NAME,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dirs)]),
    )
    client = NotebookClient(
        nb, km=km, timeout=600, startup_timeout=120, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute(env=env)
    return nb


def kernel_env(cifar_dir, pythonpath_first=None):
    env = dict(os.environ)
    env["CS231N_CIFAR10_DIR"] = str(cifar_dir)
    # Threaded BLAS on a busy 2-core machine slows the training cells down up to tenfold.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    # The kernel imports `cs231n` as students do: the given folder's, else the reference's.
    first = [str(pythonpath_first)] if pythonpath_first else []
    env["PYTHONPATH"] = os.pathsep.join(filter(None, first + [str(installed_package().parent), env.get("PYTHONPATH")]))
    return env


def installed_package():
    """The folder of the `cs231n` package this interpreter imports (the installed reference,
    first on sys.path by tests/conftest.py)."""
    spec = importlib.util.find_spec("cs231n")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("the reference package `cs231n` is not importable from the test's interpreter")
    return Path(list(spec.submodule_search_locations)[0])


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def kernel_dirs(tmp_path_factory):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    return write_kernelspec(tmp_path_factory.mktemp("kernelspec"))


@pytest.fixture(scope="module")
def cifar_dir(tmp_path_factory):
    try:
        from graders.synthetic import write_cifar10
    except ImportError:
        pytest.skip(
            "graders.synthetic.write_cifar10 is not available: the notebook loads CIFAR-10 and "
            "these tests need its synthetic stand-in"
        )
    folder = tmp_path_factory.mktemp("cifar")
    write_cifar10(folder, seed=0, **SYNTHETIC_SIZES)
    return folder / "cifar-10-batches-py"  # the folder CS231N_CIFAR10_DIR names


@pytest.fixture(scope="module")
def executed(kernel_dirs, cifar_dir, tmp_path_factory):
    """The notebook run against the reference with the CI parameters."""
    nb = with_parameters(load_notebook(), CI_PARAMETERS, KERNEL_PROBE)
    cwd = tmp_path_factory.mktemp("run-reference")
    execute(nb, kernel_dirs, cwd, kernel_env(cifar_dir))
    return nb


# --------------------------------------------------------------------------- the stored notebook

def test_stored_notebook_is_valid_clean_and_tagged():
    nb = load_notebook()
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"

    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] for cell in code_cells), "the notebook is stored with outputs"
    assert all(cell.execution_count is None for cell in code_cells), "execution counts are stored"

    parameter_cells = [cell for cell in nb.cells if "parameters" in tags(cell)]
    assert len(parameter_cells) == 1

    all_tags = {tag for cell in nb.cells for tag in tags(cell)}
    assert CHECK_TAGS <= all_tags, "missing tags: %s" % sorted(CHECK_TAGS - all_tags)
    # Check cells come after the parameters cell and the setup that defines their helpers.
    first_check = min(i for i, cell in enumerate(nb.cells) if any(t.startswith("check:") for t in tags(cell)))
    assert parameters_index(nb) < first_check

    source = "\n".join(cell.source for cell in nb.cells)
    for leftover in ("google.colab", "drive.mount", "/content/", "kitten", "puppy"):
        assert leftover not in source


def test_parameters_cell_holds_the_transcript_sizes_as_plain_assignments():
    nb = load_notebook()
    cell = nb.cells[parameters_index(nb)]
    values = {}
    for statement in ast.parse(cell.source).body:
        # Only `NAME = literal`, so an injected cell can override every value.
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1
        values[statement.targets[0].id] = ast.literal_eval(statement.value)
    assert values == DEFAULT_PARAMETERS
    assert set(CI_PARAMETERS) <= set(values)


# --------------------------------------------------------------------------- against the reference

def test_reference_run_executes_every_cell_with_the_test_interpreter(executed):
    # The kernel ran this interpreter and imported the same cs231n as the tests do.
    probe = cell_by_id(executed, "injected-parameters")
    assert figures(probe)["kernel python"] == sys.executable
    assert figures(cell_by_id(executed, "setup"))["cs231n package"] == str(installed_package())

    code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells)
    errors = [o for cell in code_cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []

    # The overrides reached the data cell.
    data = figures(cell_by_id(executed, "data"))
    assert data["X_train"] == "(%d, 3, 32, 32)" % CI_PARAMETERS["NUM_TRAINING"]
    assert data["X_val"] == "(%d, 3, 32, 32)" % CI_PARAMETERS["NUM_VALIDATION"]
    assert data["X_test"] == "(%d, 3, 32, 32)" % CI_PARAMETERS["NUM_TEST"]


@pytest.mark.parametrize("tag", sorted(ERROR_BOUNDS))
def test_reference_errors_are_within_the_stated_orders(executed, tag):
    (cell,) = cells_tagged(executed, tag)
    printed = figures(cell)
    for name, bound in ERROR_BOUNDS[tag].items():
        assert name in printed, "%s did not print %r" % (tag, name)
        assert float(printed[name]) < bound, "%s: %s = %s, expected below %g" % (tag, name, printed[name], bound)


def test_reference_model_gradients_and_initial_loss(executed):
    printed = figures(cell_by_id(executed, "cnn-gradient-check"))
    for name in ("W1", "b1", "W2", "b2", "W3", "b3"):
        assert float(printed["%s max relative error" % name]) < MODEL_GRADIENT_BOUND

    loss = figures(cell_by_id(executed, "cnn-loss-check"))
    plain = float(loss["initial loss without regularization"])
    assert abs(plain - math.log(10)) < 0.01
    assert float(loss["initial loss with regularization"]) > plain


def test_reference_normalisation_statistics(executed):
    train, test = cells_tagged(executed, "check:spatial_batchnorm_forward")
    printed = figures(train)
    assert max(map(abs, numbers(printed["normalized means"]))) < 1e-10
    assert all(abs(v - 1) < 1e-5 for v in numbers(printed["normalized stds"]))
    assert all(abs(v - t) < 1e-6 for v, t in zip(numbers(printed["scaled means"]), [6, 7, 8]))
    assert all(abs(v / t - 1) < 1e-5 for v, t in zip(numbers(printed["scaled stds"]), [3, 4, 5]))

    printed = figures(test)
    assert all(abs(v) < 0.2 for v in numbers(printed["test-time means"]))
    assert all(abs(v - 1) < 0.1 for v in numbers(printed["test-time stds"]))

    (group,) = cells_tagged(executed, "check:spatial_groupnorm_forward")
    printed = figures(group)
    assert len(numbers(printed["normalized means"])) == 4  # N * G groups
    assert max(map(abs, numbers(printed["normalized means"]))) < 1e-10
    assert all(abs(v - 1) < 1e-5 for v in numbers(printed["normalized stds"]))


def test_reference_overfits_one_hundred_examples(executed):
    printed = figures(cell_by_id(executed, "overfit-accuracy"))
    assert float(printed["small data last epoch training accuracy"]) >= 0.9


def test_reference_one_epoch_beats_forty_percent(executed):
    printed = figures(cell_by_id(executed, "train-accuracy"))
    assert float(printed["full data training accuracy"]) > 0.4


# --------------------------------------------------------------------------- against the template

def test_template_run_stops_at_the_first_check_with_a_clear_message(kernel_dirs, cifar_dir, tmp_path):
    from nbclient.exceptions import CellExecutionError

    from graders.release import strip_solutions

    # The installed reference (it has the built extension; reference/ in a fresh checkout may
    # not), with the solution regions of the two student files stripped, first on PYTHONPATH.
    template = tmp_path / "template"
    shutil.copytree(installed_package(), template / "cs231n", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("layers.py", "classifiers/cnn.py", "classifiers/fc_net.py", "optim.py"):
        path = template / "cs231n" / name
        path.write_text(strip_solutions(path.read_text(), name))

    nb = with_parameters(load_notebook(), CI_PARAMETERS, KERNEL_PROBE)
    cwd = tmp_path / "run"
    cwd.mkdir()
    with pytest.raises(CellExecutionError) as caught:
        execute(nb, kernel_dirs, cwd, kernel_env(cifar_dir, pythonpath_first=template))

    error = caught.value
    message = "conv_forward_naive returned None: implement it in cs231n/layers.py"
    assert error.ename == "NotImplementedError"
    assert error.evalue == message
    assert message in str(error)

    # The template copy was the package the kernel imported.
    assert figures(cell_by_id(nb, "setup"))["cs231n package"] == str(template / "cs231n")

    # Execution stopped at the first check cell, after the set-up cells ran cleanly.
    failed = [i for i, cell in enumerate(nb.cells)
              if any(o.get("output_type") == "error" for o in cell.get("outputs", []))]
    first_check = next(i for i, cell in enumerate(nb.cells) if any(t.startswith("check:") for t in tags(cell)))
    assert failed == [first_check]
    assert "check:conv_forward_naive" in tags(nb.cells[first_check])
    assert all(cell.get("outputs", []) == [] for cell in nb.cells[failed[0] + 1:])


# --------------------------------------------------------------------------- BatchNormalization and Dropout
#
# The two notebooks of the assignment's other parts need no data: each is checked the same way,
# stored clean and tagged, run against the reference with small parameters (every figure within
# what its cells say to expect), and run against the template (stopping at its first check cell).

class Part:
    def __init__(self, name, defaults, ci, check_tags, first_function):
        self.name, self.defaults, self.ci = name, defaults, ci
        self.check_tags, self.first_function = check_tags, first_function
        self.path = NOTEBOOK.parent / ("%s.ipynb" % name)

    def __repr__(self):
        return self.name


PARTS = {
    "BatchNormalization": Part(
        "BatchNormalization",
        {"TEST_MODE_TRAIN_STEPS": 50, "TIMING_SHAPE": (100, 500), "TIMING_REPEATS": 20},
        {"TIMING_SHAPE": (20, 30), "TIMING_REPEATS": 2},
        {"check:batchnorm_forward", "check:batchnorm_backward", "check:batchnorm_backward_alt",
         "check:layernorm_forward", "check:layernorm_backward"},
        "batchnorm_forward"),
    "Dropout": Part(
        "Dropout",
        {"DROPOUT_X_SHAPE": (500, 500), "KEEP_PROBABILITIES": (0.25, 0.4, 0.7)},
        {"DROPOUT_X_SHAPE": (200, 200)},
        {"check:dropout_forward", "check:dropout_backward"},
        "dropout_forward"),
}


def plain_env():
    """The kernel's environment for a part's notebook: `cs231n` is the reference unless a folder
    put before it on PYTHONPATH holds another."""
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(installed_package().parent)]))
    return env


@pytest.fixture(scope="module")
def executed_parts(kernel_dirs, tmp_path_factory):
    """{name: the part's notebook run against the reference with its CI parameters}, run on first use."""
    runs = {}

    def run(part):
        if part.name not in runs:
            nb = with_parameters(nbformat.read(str(part.path), as_version=4), part.ci, KERNEL_PROBE)
            runs[part.name] = execute(nb, kernel_dirs, tmp_path_factory.mktemp("run-" + part.name), plain_env())
        return runs[part.name]

    return run


@pytest.mark.parametrize("part", PARTS.values(), ids=repr)
def test_part_notebook_is_stored_clean_tagged_and_listed(part):
    nb = nbformat.read(str(part.path), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)
    assert part.check_tags <= {tag for cell in nb.cells for tag in tags(cell)}
    first_check = min(i for i, cell in enumerate(nb.cells) if any(t.startswith("check:") for t in tags(cell)))
    assert parameters_index(nb) < first_check

    values = {}
    for statement in ast.parse(nb.cells[parameters_index(nb)].source).body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1
        values[statement.targets[0].id] = ast.literal_eval(statement.value)
    assert values == part.defaults and set(part.ci) <= set(values)

    from graders.assignment import load_assignment

    assert (part.path.name, part.name) in {(n.file, n.part) for n in load_assignment().notebooks}


@pytest.mark.parametrize("part", PARTS.values(), ids=repr)
def test_part_notebook_runs_against_the_reference(executed_parts, part):
    nb = executed_parts(part)
    assert figures(cell_by_id(nb, "injected-parameters"))["kernel python"] == sys.executable
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells)
    assert [o for cell in code_cells for o in cell.outputs if o.output_type == "error"] == []


def test_batchnorm_notebook_figures(executed_parts):
    nb = executed_parts(PARTS["BatchNormalization"])
    train, test = cells_tagged(nb, "check:batchnorm_forward")
    printed = figures(train)
    assert max(map(abs, numbers(printed["normalized means"]))) < 1e-10
    assert all(abs(v - 1) < 1e-5 for v in numbers(printed["normalized stds"]))
    assert all(abs(v - t) < 1e-6 for v, t in zip(numbers(printed["scaled means"]), [11, 12, 13]))
    assert all(abs(v / t - 1) < 1e-5 for v, t in zip(numbers(printed["scaled stds"]), [1, 2, 3]))
    printed = figures(test)
    assert all(abs(v) < 0.2 for v in numbers(printed["test-time means"]))
    assert all(abs(v - 1) < 0.1 for v in numbers(printed["test-time stds"]))

    for tag in ("check:batchnorm_backward", "check:layernorm_backward"):
        printed = figures(cells_tagged(nb, tag)[0])
        assert all(float(printed[name]) < 1e-8 for name in ("dx error", "dgamma error", "dbeta error")), printed
    printed = figures(cells_tagged(nb, "check:batchnorm_backward_alt")[0])
    assert all(float(printed[name]) < 1e-12 for name in ("dx difference", "dgamma difference", "dbeta difference"))
    assert "speedup" in printed  # printed for information, never asserted on

    printed = figures(cells_tagged(nb, "check:layernorm_forward")[0])
    assert max(map(abs, numbers(printed["normalized row means"]))) < 1e-10
    assert all(abs(v - 1) < 1e-5 for v in numbers(printed["normalized row stds"]))


def test_dropout_notebook_figures(executed_parts):
    nb = executed_parts(PARTS["Dropout"])
    forward, seeded = cells_tagged(nb, "check:dropout_forward")
    text = stdout(forward)
    keep = [float(v) for v in re.findall(r"p = ([\d.]+)", text)]
    assert keep == list(PARTS["Dropout"].defaults["KEEP_PROBABILITIES"])
    blocks = text.split("Running tests with")[1:]
    for p, block in zip(keep, blocks):
        lines = dict(line.split(": ", 1) for line in block.strip().splitlines()[1:])
        assert abs(float(lines["mean of train-time output"]) / float(lines["mean of input"]) - 1) < 0.02
        assert float(lines["mean of test-time output"]) == pytest.approx(float(lines["mean of input"]))
        assert abs(float(lines["fraction of train-time output set to zero"]) - (1 - p)) < 0.02
        assert float(lines["fraction of test-time output set to zero"]) == 0.0
    assert figures(seeded)["same seed, same output"] == "True"
    assert float(figures(cells_tagged(nb, "check:dropout_backward")[0])["dx relative error"]) < 1e-9


@pytest.mark.parametrize("part", PARTS.values(), ids=repr)
def test_part_template_run_stops_at_its_first_check(kernel_dirs, part, tmp_path):
    from nbclient.exceptions import CellExecutionError

    from graders.release import strip_solutions

    template = tmp_path / "template"
    shutil.copytree(installed_package(), template / "cs231n", ignore=shutil.ignore_patterns("__pycache__"))
    path = template / "cs231n" / "layers.py"
    path.write_text(strip_solutions(path.read_text(), "layers.py"))

    nb = with_parameters(nbformat.read(str(part.path), as_version=4), part.ci, KERNEL_PROBE)
    cwd = tmp_path / "run"
    cwd.mkdir()
    env = plain_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(template), env.get("PYTHONPATH")]))
    with pytest.raises(CellExecutionError) as caught:
        execute(nb, kernel_dirs, cwd, env)
    assert caught.value.ename == "NotImplementedError"
    assert caught.value.evalue == "%s returned None: implement it in cs231n/layers.py" % part.first_function
    failed = [i for i, cell in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in cell.get("outputs", []))]
    first_check = next(i for i, cell in enumerate(nb.cells) if any(t.startswith("check:") for t in tags(cell)))
    assert failed == [first_check]
