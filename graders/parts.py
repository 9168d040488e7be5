"""The parts of a result: each notebook of the assignment with the checks of its sections.

A course grades an assignment notebook by notebook. The manifest names, for each notebook, the
rubric sections that make up its part (graders/assignment.py); a part's score is the sum of its
checks' scores, so the parts always add up to the submission's score. A part is "not_submitted"
when its notebook is absent and the student's files leave every function its checks grade as
the starter wrote it: a student who hands in some notebooks is graded on those, and the rest
say so plainly. Whether a function was touched is read from the submitted source (its syntax
tree against the template's), never from what the student's code does when it runs.
"""
import ast
import functools

from .result import PartResult
from .rubric import RubricError
from .solutions import strip_solutions
from .workspace import student_files


def check_parts(rubric, assignment):
    """Raise RubricError unless every section of the rubric belongs to one part of the
    assignment and its notebook parameters name parts of it (an assignment without notebooks
    has no parts)."""
    parts = {n.part for n in assignment.notebooks}
    unknown = sorted(set(rubric.notebook.parameters) - parts)
    if unknown:
        raise RubricError("rubric %s: [notebook.parameters.%s] names no part of the assignment; its parts are %s"
                          % (rubric.source, unknown[0], ", ".join(sorted(parts)) or "none"))
    if not assignment.notebooks:
        return
    owned = {s for n in assignment.notebooks for s in n.sections}
    loose = sorted({c.section for c in rubric.checks} - owned)
    if loose:
        raise RubricError("rubric %s: the section%s %s %s in no part of the assignment; add %s to the sections "
                          "of a [[notebook]] in %s" % (
                              rubric.source, "s" if len(loose) > 1 else "", ", ".join(loose),
                              "are" if len(loose) > 1 else "is", "them" if len(loose) > 1 else "it",
                              assignment.source))


def part_results(assignment, checks, submitted, touched):
    """A PartResult per notebook of the assignment, in the manifest's order.

    checks: the CheckResults; submitted: the file names of the notebooks the submission holds;
    touched: {student function: whether the submission changed it} (see touched_functions).
    """
    return [part_result(n, [c for c in checks if c.section in n.sections], n.file in submitted, touched)
            for n in assignment.notebooks]


def part_result(notebook, checks, notebook_submitted, touched):
    graded = {f for c in checks if c.max_score > 0 for f in c.functions if f in touched}
    started = any(touched[f] for f in graded)
    score = round(sum(c.score for c in checks), 6)
    status = "graded" if notebook_submitted or started else "not_submitted"
    return PartResult(part=notebook.part, notebook=notebook.file, status=status, score=score,
                      max_score=sum(c.max_score for c in checks), checks=[c.id for c in checks],
                      message=part_message(notebook, status, notebook_submitted, bool(graded)))


def part_message(notebook, status, notebook_submitted, has_functions):
    if status == "not_submitted" and has_functions:
        return ("%s was not submitted and its functions are still the starter's placeholders, "
                "so this part scores nothing." % notebook.file)
    if status == "not_submitted":
        return "%s was not submitted." % notebook.file
    if not notebook_submitted:
        return "%s was not submitted; the part is graded on your code alone." % notebook.file
    return ""


def touched_functions(files, assignment):
    """{name: changed?} for every function of the student files ("affine_forward",
    "FullyConnectedNet.loss"): changed when its syntax tree differs from the template's, so
    comments and blank lines are not a start. A file the submission lacks changes nothing; one
    that cannot be read or parsed counts as changed throughout (an attempt, however broken)."""
    touched = {}
    for relative, template in template_functions(assignment).items():
        data = files.get(relative)
        mine = {} if data is None else functions_in(data)
        for name, tree in template.items():
            touched[name] = data is not None and (mine is None or mine.get(name) != tree)
    return touched


@functools.cache
def template_functions(assignment):
    """{student file: {function name: syntax tree dump}} of the starter's version of each file."""
    found = {}
    for relative in student_files(assignment.reference):
        source = (assignment.reference.parent / relative).read_text(encoding="utf-8")
        found[relative] = functions_in(strip_solutions(source, relative).encode("utf-8"))
    return found


def functions_in(data):
    """{name: dump of its syntax tree} of the functions and methods in a file's bytes; None if
    the bytes are not Python this grader can parse."""
    try:
        tree = ast.parse(data.decode("utf-8"))
    except (UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = {}
    for node in tree.body:
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, kinds):
            found[node.name] = ast.dump(node)
        elif isinstance(node, ast.ClassDef):
            found.update(("%s.%s" % (node.name, item.name), ast.dump(item)) for item in node.body
                         if isinstance(item, kinds))
    return found
