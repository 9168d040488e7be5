"""The parts of a result: each notebook of the assignment with the checks of its sections.

A course grades an assignment notebook by notebook. The manifest names, for each notebook, the
rubric sections that make up its part (graders/assignment.py); a part's score is the sum of its
checks' scores, so the parts always add up to the submission's score. A part is "not_submitted"
when its notebook is absent and every scored check of it found only the starter's placeholders:
a student who hands in some notebooks is graded on those, and the rest say so plainly.
"""
from .result import PartResult
from .rubric import RubricError


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


def part_results(assignment, checks, submitted):
    """A PartResult per notebook of the assignment, in the manifest's order.

    checks: the CheckResults; submitted: the file names of the notebooks the submission holds.
    """
    return [part_result(n, [c for c in checks if c.section in n.sections], n.file in submitted)
            for n in assignment.notebooks]


def part_result(notebook, checks, notebook_submitted):
    scored = [c for c in checks if c.max_score > 0]
    started = any(not c.details.get("not_started") for c in scored)
    score = round(sum(c.score for c in checks), 6)
    status = "graded" if notebook_submitted or started else "not_submitted"
    return PartResult(part=notebook.part, notebook=notebook.file, status=status, score=score,
                      max_score=sum(c.max_score for c in checks), checks=[c.id for c in checks],
                      message=part_message(notebook, status, notebook_submitted, bool(scored)))


def part_message(notebook, status, notebook_submitted, scored):
    if status == "not_submitted" and scored:
        return ("%s was not submitted and its functions are still the starter's placeholders, "
                "so this part scores nothing." % notebook.file)
    if status == "not_submitted":
        return "%s was not submitted." % notebook.file
    if not notebook_submitted:
        return "%s was not submitted; the part is graded on your code alone." % notebook.file
    return ""
