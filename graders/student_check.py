"""`cs231n-grade check PATH`: the public self-checks, run on a student's own package.

The same checks students run with `python -m cs231n.self_check`, with the expected
values made from the reference on the spot. The student's code runs in the sandbox, in a
workspace built as for grading (the trusted provided files, the student's layers.py and
cnn.py); what it prints is shown as it is.
"""
import json
import shutil
import sys
import tempfile
from pathlib import Path

from . import confinement, intake, sandbox
from .public_checks import public_checks_document
from .release import PUBLIC_CHECKS
from .rubric import load_rubric
from .workspace import build_workspace, provided_package

TIME_LIMIT = 120.0


def check_package(path, mode=None, rubric=None):
    """Run the public checks on the submission at path; returns (all passed, printed text)."""
    submission = intake.read_submission(path)
    mode = mode or sandbox.available_mode()
    confinement.ensure(mode, path)
    root = Path(tempfile.mkdtemp(prefix="cs231n-check-"))
    root.chmod(0o711)  # the sandbox's uid must reach ws/ inside
    try:
        workspace = build_workspace(submission, root / "ws")
        document = public_checks_document(rubric or load_rubric())
        with workspace.fresh_run("self-check") as run_dir:
            (run_dir.root / PUBLIC_CHECKS).write_text(json.dumps(document))
            run = sandbox.run_confined(
                [sys.executable, "-B", "-m", "cs231n.self_check"], run_dir.root,
                sandbox.Limits(wall_seconds=TIME_LIMIT, cpu_seconds=int(2 * TIME_LIMIT)), mode=mode,
                hidden=[provided_package()],
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = (run.stdout + run.stderr).strip()
    if run.timed_out or run.exit_code not in (0, 1):
        text += "\nthe checks did not finish (%s)" % run.reason
    notes = "\n".join("note: %s" % n for n in submission.notes + workspace.notes)
    return run.exit_code == 0 and not run.timed_out, "\n".join(t for t in (notes, text) if t)
