"""The provided modules' namespaces and signatures are at least the course's, in every year.

starter_namespaces.toml records what `from cs231n.MODULE import *` yields in each year's
starter code and each public function's parameters (derived from the starters by
derive_starter_namespaces.py); namespace_gaps.toml lists, with reasons, the few names the
package leaves out. Student code such as a cnn.py that gets np and the layers only through
`from ..layer_utils import *` relies on these namespaces.
"""
import ast
import builtins
import importlib
import inspect
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from graders import workspace
from graders.assignment import load_assignment

ASSIGNMENT = load_assignment()

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from derive_starter_namespaces import popped_keywords  # noqa: E402

STARTERS = tomllib.loads((HERE / "starter_namespaces.toml").read_text())
GAPS = tomllib.loads((HERE / "namespace_gaps.toml").read_text())
NOT_PROVIDED = set(GAPS["modules_not_provided"]["names"])
PROVIDED = sorted(m for m in STARTERS["names"] if m not in NOT_PROVIDED)
CASES = [(m, year) for m in PROVIDED for year in STARTERS["names"][m]]



def star_import(module_name):
    """The names `from module_name import *` binds, in a fresh namespace."""
    namespace = {}
    exec("from %s import *" % module_name, namespace)
    return set(namespace) - {"__builtins__"}


def excused(year):
    """Names the package leaves out in that year's starter (namespace_gaps.toml)."""
    return {n for gap in GAPS["gap"] if year in gap.get("years", [year]) for n in gap["names"]}


@pytest.mark.parametrize("module, year", CASES, ids=["%s-%s" % c for c in CASES])
def test_star_import_yields_every_name_of_the_starter(module, year):
    ours = star_import("cs231n." + module)
    missing = {n for n in STARTERS["names"][module][year] if n not in ours and not hasattr(builtins, n)}
    assert missing <= excused(year), "cs231n.%s lacks %s" % (module, sorted(missing - excused(year)))


def test_every_provided_module_of_the_starters_is_here():
    for module in PROVIDED:
        importlib.import_module("cs231n." + module)


def test_each_gap_is_still_a_gap():
    """An entry of namespace_gaps.toml that the package now provides must go."""
    for gap in GAPS["gap"]:
        for module in PROVIDED:
            years = [y for y in gap.get("years", STARTERS["names"][module]) if y in STARTERS["names"][module]]
            recorded = {n for y in years for n in STARTERS["names"][module][y]}
            provided = set(gap["names"]) & recorded & star_import("cs231n." + module)
            assert not provided, "cs231n.%s now provides %s: remove it from namespace_gaps.toml" % (
                module, sorted(provided))


def differing(year):
    """Functions (MODULE.NAME) whose parameters differ from that year's, on purpose."""
    return {n for gap in GAPS["signature_gap"] if year in gap.get("years", [year]) for n in gap["names"]}


SIGNATURES = [
    (module, name, year, params)
    for module, functions in STARTERS["signatures"].items() if module in PROVIDED
    for name, years in functions.items()
    for year, params in years.items() if name not in excused(year) and "%s.%s" % (module, name) not in differing(year)
]


@pytest.mark.parametrize("module, name, year, params", SIGNATURES,
                         ids=["%s.%s-%s" % s[:3] for s in SIGNATURES])
def test_functions_take_the_starters_parameters(module, name, year, params):
    """Same parameter names in the same order, so calls by position or keyword both work; a
    constructor that takes **kwargs accepts every keyword the starter's pops."""
    obj = getattr(importlib.import_module("cs231n." + module), name)
    named = [p for p in params if not p.startswith("*")]
    ours = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj).parameters
    ours = [p for p in ours if p != "self"]
    if "**kwargs" not in params:
        assert ours[:len(named)] == named, "cs231n.%s.%s%s" % (module, name, inspect.signature(obj))
        return
    split = params.index("**kwargs")
    assert ours[:split] == params[:split]
    source = ast.parse(inspect.getsource(obj))
    init = next(n for n in ast.walk(source) if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    assert set(params[split + 1:]) <= set(popped_keywords(init))


def test_each_signature_gap_is_still_a_gap():
    for gap in GAPS["signature_gap"]:
        for qualified in gap["names"]:
            module, name = qualified.rsplit(".", 1)
            ours = list(inspect.signature(getattr(importlib.import_module("cs231n." + module), name)).parameters)
            for year in gap["years"]:
                theirs = [p for p in STARTERS["signatures"][module][name][year] if not p.startswith("*")]
                assert ours[:len(theirs)] != theirs, "%s now matches %s: remove it from namespace_gaps.toml" % (
                    qualified, year)


# ----------------------------------------------------------------------------------------
# The naive view: fast_layers, im2col and im2col_cython are stand-ins that raise when called.

STUBBED = list(load_assignment().naive_view.unavailable) + ["layer_utils", "classifiers.cnn"]

NAIVE_PROBE = """
import json, sys
names = {}
for module in sys.argv[1:]:
    namespace = {}
    exec("from cs231n.%s import *" % module, namespace)
    names[module] = sorted(set(namespace) - {"__builtins__"})
from cs231n.layer_utils import *
try:
    conv_forward_fast(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 3, 3)), np.zeros(1), {"stride": 1, "pad": 1})
    raised = None
except Exception as e:
    raised = type(e).__name__
print(json.dumps({"names": names, "raised": raised, "np": np.__name__,
                  "relu": relu_forward(np.array([-1.0, 2.0]))[0].tolist()}))
"""


@pytest.fixture(scope="module")
def naive_view(tmp_path_factory):
    """A copy of the provided package with the fast path stubbed, as the grader lays it out."""
    root = tmp_path_factory.mktemp("naive")
    workspace.shutil.copytree(ASSIGNMENT.reference, root / "cs231n",
                              ignore=workspace.shutil.ignore_patterns("__pycache__", "build", "datasets"))
    workspace.stub_fast_path(root / "cs231n", ASSIGNMENT)
    return root


def test_stand_ins_yield_the_names_of_the_real_modules(naive_view):
    done = subprocess.run([sys.executable, "-c", NAIVE_PROBE] + STUBBED, cwd=naive_view,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.splitlines()[-1])
    for module in STUBBED:
        real = star_import("cs231n." + module)
        assert real <= set(probe["names"][module]), (module, sorted(real - set(probe["names"][module])))
    assert probe["raised"] == "FastPathUnavailable"
    assert probe["np"] == "numpy"
    assert probe["relu"] == [0.0, 2.0]  # the naive layers themselves still work there
