"""The rubric file: the shipped one is consistent, and mistakes in one fail before grading."""
import ast
import json
from pathlib import Path

import pytest

from graders.assignment import load_assignment
from graders.rubric import RubricError, default_rubric_path, load_rubric

ASSIGNMENT = load_assignment()
SHIPPED_TEXT = ASSIGNMENT.rubric_path.read_text()

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = Path(str(default_rubric_path())).read_text()


def notebook_parameters(notebook):
    """The names the `parameters` cell of one of the assignment's notebooks assigns."""
    nb = json.loads((ASSIGNMENT.notebook_path(notebook)).read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}


def test_the_shipped_rubric_scores_147_and_runs_the_notebook():
    rubric = load_rubric()
    assert rubric.max_score == 147  # 100 for the convnet's parts, 27 fully connected, 20 batch and layer norm
    assert rubric.notebook.enabled and rubric.notebook.cell_timeout < rubric.notebook.total_timeout


def test_the_notebook_parameters_are_the_notebooks_own():
    """Each part's values are for names its own notebook's parameters cell assigns, and every
    notebook gets smaller sizes from the rubric."""
    parameters = load_rubric().notebook.parameters
    assert set(parameters) == {n.part for n in ASSIGNMENT.notebooks}
    for notebook in ASSIGNMENT.notebooks:
        assert parameters[notebook.part] and set(parameters[notebook.part]) <= notebook_parameters(notebook)


def test_notebook_parameters_are_tables_by_part(tmp_path):
    flat = SHIPPED_TEXT.replace("[notebook.parameters.FullyConnectedNets]", "[notebook.parameters]\nNUM_TRAINING = 5\n"
                                "[notebook.parameters.FullyConnectedNets]")
    with pytest.raises(RubricError, match="parameters.NUM_TRAINING should be a table of values for that part"):
        load_rubric(write(tmp_path, flat))


def write(tmp_path, text):
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("edit, words", [
    (("[notebook]\nenabled = true", "[notebook]\nenabled = true\ncell_timout = 3"), "cell_timout"),
    (("cell_timeout = 120", 'cell_timeout = "two minutes"'), "cell_timeout"),
    (("total_timeout = 600", "total_timeout = 0"), "total_timeout"),
    (("NUM_TRAINING = 2000", '"NUM TRAINING" = 2000'), "NUM TRAINING"),
    (('id = "conv_backward"', 'id = "conv_forward"'), "duplicate check ids"),
    (('depends_on = ["conv_forward"]', 'depends_on = ["conv_fwd"]'), "conv_fwd"),
    (("points = 9", "pionts = 9"), "pionts"),
    (("entries = 40", "entries = -1"), "entries"),
    (("entries = 40", "entries = true"), "entries"),
    (("entries = 40", 'entries = "all"'), "entries"),
])
def test_a_mistake_is_named_before_grading(tmp_path, edit, words):
    old, new = edit
    assert old in SHIPPED
    with pytest.raises(RubricError) as caught:
        load_rubric(write(tmp_path, SHIPPED.replace(old, new, 1)))
    assert words in str(caught.value) and "rubric.toml" in str(caught.value)


def test_a_rubric_that_is_not_toml_is_named(tmp_path):
    with pytest.raises(RubricError, match="cannot read rubric"):
        load_rubric(write(tmp_path, "[[check]\nid = 1"))


def test_a_check_id_with_no_implementation_stops_the_cli_before_grading(tmp_path, capsys):
    from graders import cli

    rubric = write(tmp_path, SHIPPED.replace('id = "cnn_loss"', 'id = "cnn_los"', 1))
    (tmp_path / "alice").mkdir()
    status = cli.main(["grade", str(tmp_path / "alice"), "--out", str(tmp_path / "out"), "--rubric", str(rubric)])
    err = capsys.readouterr().err
    assert status == 1
    assert "no check is implemented under the id cnn_los;" in err and "cnn_loss" in err
    assert not (tmp_path / "out" / "alice").exists()


def test_a_check_with_no_rubric_entry_stops_the_cli_before_grading(tmp_path, capsys):
    from graders import cli

    start = SHIPPED.index('[[check]]\nid = "cnn_gradcheck"')
    rubric = write(tmp_path, SHIPPED[:start] + SHIPPED[SHIPPED.index("[[check]]", start + 1):])
    (tmp_path / "alice").mkdir()
    status = cli.main(["grade", str(tmp_path / "alice"), "--out", str(tmp_path / "out"), "--rubric", str(rubric)])
    err = capsys.readouterr().err
    assert status == 1 and "the check cnn_gradcheck has no entry" in err and "skip" in err, err
    assert not (tmp_path / "out" / "alice").exists()


def test_a_skipped_check_is_left_out_and_a_skipped_unknown_id_is_named(tmp_path):
    from graders.rubric import ensure_implemented

    start = SHIPPED.index('[[check]]\nid = "cnn_gradcheck"')
    without = SHIPPED[:start] + SHIPPED[SHIPPED.index("[[check]]", start + 1):]
    rubric = load_rubric(write(tmp_path, without.replace("skip = []", 'skip = ["cnn_gradcheck"]', 1)))
    ensure_implemented(rubric, ASSIGNMENT.checks())
    assert "cnn_gradcheck" not in rubric.by_id() and rubric.skip == ("cnn_gradcheck",)
    typo = load_rubric(write(tmp_path, without.replace("skip = []", 'skip = ["cnn_gradchek"]', 1)))
    with pytest.raises(RubricError, match="cnn_gradchek"):
        ensure_implemented(typo, ASSIGNMENT.checks())
    with pytest.raises(RubricError, match="both skipped and defined"):
        load_rubric(write(tmp_path, SHIPPED.replace("skip = []", 'skip = ["cnn_loss"]', 1)))


def test_only_keeps_the_named_checks_and_skips_the_rest():
    from graders.rubric import ensure_implemented

    two = load_rubric().only({"conv_forward", "cnn_loss"})
    assert [c.id for c in two.checks] == ["conv_forward", "cnn_loss"]
    assert load_rubric().by_id()["cnn_loss"].depends_on and not two.by_id()["cnn_loss"].depends_on
    ensure_implemented(two, ASSIGNMENT.checks())
    ensure_implemented(load_rubric(Path(__file__).parents[1] / "submissions" / "quick_rubric.toml"), ASSIGNMENT.checks())
