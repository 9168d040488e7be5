"""The FullyConnectedNets notebook, notebooks/FullyConnectedNets.ipynb.

* The stored notebook is valid, clean, has one `parameters` cell and a `check:<function>` tag
  on every check cell, and is one of the assignment's notebooks.
* Run end to end against the reference package on a small synthetic CIFAR-10 with CI sizes,
  every cell runs and every figure the check cells print is within the orders of magnitude the
  notebook states; the network memorises its 50 examples.
* Run against the student template, it stops at the first check cell with a NotImplementedError
  naming the function and the file.

The helpers and fixtures (kernel, synthetic data) are test_notebook.py's.
"""
import ast
import math
import shutil

import pytest
from test_notebook import (ROOT, cell_by_id, cells_tagged, execute, figures, installed_package, kernel_env,
                           nbformat, tags)
from test_notebook import cifar_dir, kernel_dirs  # noqa: F401 (fixtures)

NOTEBOOK = ROOT / "graders" / "assignments" / "cs231n_a2" / "notebooks" / "FullyConnectedNets.ipynb"

DEFAULT_PARAMETERS = {"NUM_TRAINING": 49000, "NUM_VALIDATION": 1000, "NUM_TEST": 1000,
                      "OVERFIT_NUM_TRAIN": 50, "OVERFIT_EPOCHS": 20}
# What CI runs: a small data set; the overfitting experiment keeps its real settings.
CI_PARAMETERS = {"NUM_TRAINING": 500, "NUM_VALIDATION": 100, "NUM_TEST": 100}

CHECK_TAGS = {"check:affine_forward", "check:affine_backward", "check:relu_forward", "check:relu_backward",
              "check:softmax_loss", "check:FullyConnectedNet", "check:sgd_momentum", "check:rmsprop",
              "check:adam"}

# Upper bounds on the errors each check cell prints, from the orders of magnitude it states.
ERROR_BOUNDS = {
    "check:affine_forward": {"out error": 1e-8},
    "check:affine_backward": {"dx error": 1e-9, "dw error": 1e-9, "db error": 1e-9},
    "check:relu_forward": {"out error": 1e-7},
    "check:relu_backward": {"dx error": 1e-11},
    "check:softmax_loss": {"dx error": 1e-7},
    "check:sgd_momentum": {"next_w error": 1e-7, "velocity error": 1e-7},
    "check:rmsprop": {"next_w error": 1e-7, "cache error": 1e-7},
    "check:adam": {"next_w error": 1e-6, "v error": 1e-6, "m error": 1e-6},
}
NET_GRADIENT_BOUND = 1e-4  # "about 1e-6 or better", with room for a crossed kink


def load_notebook():
    return nbformat.read(str(NOTEBOOK), as_version=4)


def with_parameters(nb, parameters):
    """An `injected-parameters` cell right after the parameters cell (papermill style)."""
    index = next(i for i, cell in enumerate(nb.cells) if "parameters" in tags(cell))
    cell = nbformat.v4.new_code_cell("\n".join("%s = %r" % item for item in parameters.items()),
                                     id="injected-parameters")
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(index + 1, cell)
    return nb


@pytest.fixture(scope="module")
def executed(kernel_dirs, cifar_dir, tmp_path_factory):  # noqa: F811 (the imported fixtures)
    nb = with_parameters(load_notebook(), CI_PARAMETERS)
    execute(nb, kernel_dirs, tmp_path_factory.mktemp("run-fc-reference"), kernel_env(cifar_dir))
    return nb


def test_stored_notebook_is_valid_clean_tagged_and_in_the_manifest():
    from graders.assignment import load_assignment

    nb = load_notebook()
    nbformat.validate(nb)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)
    parameters = [cell for cell in nb.cells if "parameters" in tags(cell)]
    assert len(parameters) == 1
    values = {}
    for statement in ast.parse(parameters[0].source).body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1
        values[statement.targets[0].id] = ast.literal_eval(statement.value)
    assert values == DEFAULT_PARAMETERS
    assert CHECK_TAGS <= {tag for cell in nb.cells for tag in tags(cell)}
    assert ("FullyConnectedNets.ipynb", "FullyConnectedNets") in [
        (n.file, n.part) for n in load_assignment().notebooks]


def test_reference_run_executes_every_cell(executed):
    assert figures(cell_by_id(executed, "setup"))["cs231n package"] == str(installed_package())
    code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells)
    assert [o for cell in code_cells for o in cell.outputs if o.output_type == "error"] == []
    assert figures(cell_by_id(executed, "data"))["X_train"] == "(%d, 3, 32, 32)" % CI_PARAMETERS["NUM_TRAINING"]


@pytest.mark.parametrize("tag", sorted(ERROR_BOUNDS))
def test_reference_errors_are_within_the_stated_orders(executed, tag):
    (cell,) = cells_tagged(executed, tag)
    printed = figures(cell)
    for name, bound in ERROR_BOUNDS[tag].items():
        assert float(printed[name]) < bound, "%s: %s = %s, expected below %g" % (tag, name, printed[name], bound)


def test_reference_losses_gradients_and_overfitting(executed):
    (softmax,) = cells_tagged(executed, "check:softmax_loss")
    assert abs(float(figures(softmax)["loss"]) - math.log(10)) < 0.01

    printed = figures(cell_by_id(executed, "fc-gradient-check"))
    assert abs(float(printed["initial loss with reg 0"]) - math.log(10)) < 0.1
    assert float(printed["initial loss with reg 3.14"]) > float(printed["initial loss with reg 0"])
    for reg in ("0", "3.14"):
        for name in ("W1", "b1", "W2", "b2", "W3", "b3"):
            assert float(printed["reg %s %s relative error" % (reg, name)]) < NET_GRADIENT_BOUND

    assert float(figures(cell_by_id(executed, "overfit-accuracy"))["small data training accuracy"]) == 1.0


def test_template_run_stops_at_the_first_check_with_a_clear_message(kernel_dirs, cifar_dir, tmp_path):  # noqa: F811
    from nbclient.exceptions import CellExecutionError

    from graders.release import strip_solutions

    template = tmp_path / "template"
    shutil.copytree(installed_package(), template / "cs231n", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("layers.py", "classifiers/cnn.py", "classifiers/fc_net.py", "optim.py"):
        path = template / "cs231n" / name
        path.write_text(strip_solutions(path.read_text(), name))

    nb = with_parameters(load_notebook(), CI_PARAMETERS)
    cwd = tmp_path / "run"
    cwd.mkdir()
    with pytest.raises(CellExecutionError) as caught:
        execute(nb, kernel_dirs, cwd, kernel_env(cifar_dir, pythonpath_first=template))
    assert "affine_forward returned None: implement it in cs231n/layers.py" in str(caught.value)
    (first,) = cells_tagged(nb, "check:affine_forward")
    assert any(o.output_type == "error" for o in first.outputs)
