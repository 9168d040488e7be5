"""A cnn.py works with whichever import lines the course's starters (or their students) used.

Each form below heads the reference's ThreeLayerConvNet in place of its own import lines;
the package copy around it is the provided one, laid out as the grader lays it out, so the
class finds np and the layers only through what those lines import. The loss and gradients
must be the reference's, and the module must also import in the naive view, where the fast
layers are stand-ins.
"""
import json
import secrets
import shutil
import subprocess
import sys

import numpy as np
import pytest

from graders.assignment import load_assignment
from graders import workspace

ASSIGNMENT = load_assignment()

from cs231n.classifiers.cnn import ThreeLayerConvNet  # noqa: E402

FORMS = {
    "starter_2018_2019": "from builtins import object\nimport numpy as np\n\n"
                         "from cs231n.layers import *\nfrom cs231n.fast_layers import *\nfrom cs231n.layer_utils import *\n",
    "starter_2020_on": "from builtins import object\nimport numpy as np\n\n"
                       "from ..layers import *\nfrom ..fast_layers import *\nfrom ..layer_utils import *\n",
    "relative_layer_utils_only": "from builtins import object\nfrom ..layer_utils import *\n",
    "absolute_layer_utils_only": "from cs231n.layer_utils import *\n",
    "fc_net_style_absolute": "from builtins import range\nfrom builtins import object\n"
                             "from cs231n.layers import *\nfrom cs231n.layer_utils import *\n",
    "module_imports": "import cs231n.fast_layers\nimport cs231n.layer_utils as layer_utils\n"
                      "from cs231n import layers\nfrom cs231n.layer_utils import *\n",
    "python2_compatibility": "from __future__ import print_function, division\n"
                             "from builtins import range, object\nfrom past.builtins import xrange\n"
                             "from future import standard_library\nstandard_library.install_aliases()\n"
                             "from six.moves import range as six_range\nfrom ..layer_utils import *\n",
}

PROBE = """
import json, sys
import numpy
seed = int(sys.argv[1])
from cs231n.classifiers.cnn import ThreeLayerConvNet
if sys.argv[2] == "naive":
    print(json.dumps({"imported": True}))
    raise SystemExit
numpy.random.seed(seed)
model = ThreeLayerConvNet(input_dim=(3, 8, 6), num_filters=4, filter_size=3, hidden_dim=7,
                          num_classes=5, weight_scale=0.1, reg=0.3, dtype=numpy.float64)
X = numpy.random.randn(4, 3, 8, 6)
y = numpy.random.randint(5, size=4)
loss, grads = model.loss(X, y)
print(json.dumps({"loss": float(loss), "grads": {k: v.tolist() for k, v in grads.items()}}))
"""


def reference_body():
    """The reference cnn.py from its class on: no import lines of its own."""
    text = (ASSIGNMENT.reference / "classifiers" / "cnn.py").read_text()
    return text[text.index("class ThreeLayerConvNet"):]


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    """{view name: a folder holding cs231n/}: the provided package, and its naive view."""
    made = {}
    for name in ("full", "naive"):
        root = tmp_path_factory.mktemp(name)
        shutil.copytree(ASSIGNMENT.reference, root / "cs231n",
                        ignore=shutil.ignore_patterns("__pycache__", "build", "datasets"))
        if name == "naive":
            workspace.stub_fast_path(root / "cs231n", ASSIGNMENT)
        made[name] = root
    return made


def run_probe(root, header, seed, view):
    (root / "cs231n" / "classifiers" / "cnn.py").write_text(header + "\n\n" + reference_body())
    done = subprocess.run([sys.executable, "-c", PROBE, str(seed), view], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("form", sorted(FORMS))
def test_cnn_computes_the_reference_loss_with_these_import_lines(views, form):
    seed = secrets.randbits(31)
    print("seed", seed)
    got = run_probe(views["full"], FORMS[form], seed, "full")

    np.random.seed(seed)
    model = ThreeLayerConvNet(input_dim=(3, 8, 6), num_filters=4, filter_size=3, hidden_dim=7,
                              num_classes=5, weight_scale=0.1, reg=0.3, dtype=np.float64)
    X = np.random.randn(4, 3, 8, 6)
    y = np.random.randint(5, size=4)
    loss, grads = model.loss(X, y)
    assert got["loss"] == pytest.approx(loss, rel=1e-12)
    for name, grad in grads.items():
        np.testing.assert_allclose(got["grads"][name], grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_cnn_imports_in_the_naive_view(views, form):
    assert run_probe(views["naive"], FORMS[form], 0, "naive") == {"imported": True}
