"""`cs231n-grade check PATH`: the public self-checks, run on a student's own package.

The same checks students run with `python -m cs231n.self_check`, with the expected
values made from the reference on the spot. The student's code runs in the sandbox, in a
workspace built as for grading (the trusted provided files and the student's files); what it
prints is shown as it is.
"""
import json
import shutil
import sys
import tempfile
from pathlib import Path

from . import confinement, intake, sandbox
from .workspace import build_workspace

TIME_LIMIT = 120.0


def check_package(path, assignment, mode=None, rubric=None):
    """Run the assignment's public checks on the submission at path; returns (all passed, printed text)."""
    submission = intake.read_submission(path, layout=intake.Layout.of(assignment))
    mode = mode or sandbox.available_mode()
    confinement.ensure(mode, assignment, path)
    root = Path(tempfile.mkdtemp(prefix="cs231n-check-"))
    root.chmod(0o711)  # the sandbox's uid must reach ws/ inside
    try:
        workspace = build_workspace(submission, root / "ws", assignment)
        document = assignment.public_checks(rubric or assignment.rubric())
        if document is None:
            return False, "%s has no public self-checks" % assignment.title
        with workspace.fresh_run("self-check") as run_dir:
            (run_dir.root / assignment.package / "public_checks.json").write_text(json.dumps(document))
            run = sandbox.run_confined(
                [sys.executable, "-B", "-m", assignment.package + ".self_check"], run_dir.root,
                sandbox.Limits(wall_seconds=TIME_LIMIT, cpu_seconds=int(2 * TIME_LIMIT)), mode=mode,
                hidden=[assignment.reference],
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = (run.stdout + run.stderr).strip()
    if run.timed_out or run.exit_code not in (0, 1):
        text += "\nthe checks did not finish (%s)" % run.reason
    notes = "\n".join("note: %s" % n for n in submission.notes + workspace.notes)
    return run.exit_code == 0 and not run.timed_out, "\n".join(t for t in (notes, text) if t)
