"""Which submissions a batch grades: command-line paths -> (submission id, path) jobs.

A path is one submission when it is a zip, or a folder that is a submission itself: named
as the assignment's package (cs231n), or holding the package, a student file (layers.py,
classifiers/) or a notebook at its top, or holding
no subfolder or zip at all (intake then says what is missing). Any other folder is a
folder of submissions: each subfolder and each .zip in it is one student's submission;
hidden entries (.DS_Store, ._*), __MACOSX and other files are ignored. A submission's id
is its file or folder name without .zip (see intake.submission_name); its result folder is
OUT/<store.folder_name(id)>/, the id itself unless that is unsafe.
"""
from dataclasses import dataclass
from pathlib import Path

from .intake import submission_name
from .store import folder_name
IGNORED = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Job:
    id: str      # the submission id
    path: Path   # the submission's zip or folder

    @property
    def folder(self):
        """The name of the job's result folder in OUT."""
        return folder_name(self.id)


class CollectError(ValueError):
    """The paths cannot be graded as one batch; the message says why and what to do."""


def collect(paths, layout):
    """Jobs for paths given on the command line, folders of submissions expanded (layout, an
    intake.Layout, tells a submission folder); ids unique."""
    jobs = [job for path in paths for job in expand(Path(path), layout)]
    check_unique(jobs)
    return jobs


def as_submissions(paths):
    """One job per path, nothing expanded (the Python API's grade()); ids unique."""
    jobs = [Job(submission_name(p), Path(p)) for p in paths]
    check_unique(jobs)
    return jobs


def expand(path, layout):
    """The jobs of one path: itself, or each submission in it if it is a folder of submissions."""
    if path.is_dir() and not is_submission_folder(path, layout):
        entries = submission_entries(path)
        if entries:
            return [Job(submission_name(e), e) for e in entries]
    return [Job(submission_name(path), path)]


def submission_markers(layout):
    """Names whose presence at a folder's top makes it one submission: the package, the notebooks,
    and the student files' first path components ("layers.py", "classifiers")."""
    return tuple(filter(None, (layout.package, *layout.notebooks,
                               *sorted({s.split("/")[0] for s in layout.student_paths}))))


def is_submission_folder(folder, layout):
    """True for a folder that is one submission by its own top level."""
    return folder.name == layout.package or any((folder / m).exists() for m in submission_markers(layout)) \
        or any(p.suffix == ".ipynb" for p in folder.iterdir())


def submission_entries(folder):
    """The subfolders and zips of a folder of submissions, sorted, junk left out."""
    return sorted(
        entry for entry in folder.iterdir()
        if not entry.name.startswith(".") and entry.name not in IGNORED
        and (entry.is_dir() or (entry.is_file() and entry.suffix.lower() == ".zip"))
    )


def check_unique(jobs):
    """Refuse two jobs with one result folder: one id twice, or two ids whose folder names meet."""
    seen = {}
    clashes = []
    for job in jobs:
        first = seen.setdefault(job.folder, job)
        if first is not job:
            clashes.append(clash(first, job))
    if clashes:
        raise CollectError(
            "two submissions would share one result folder, so nothing was graded: %s. The id is the "
            "file or folder name without .zip; rename or remove one of each pair and run again."
            % "; ".join(clashes))


def clash(first, second):
    """The sentence naming two jobs that would share a result folder."""
    if first.path == second.path:
        return "%r: %s is given twice" % (first.id, first.path)
    if first.id == second.id:
        return "%r from both %s and %s" % (first.id, first.path, second.path)
    return "%r from %s and %r from %s (both in the result folder %r)" % (
        first.id, first.path, second.id, second.path, first.folder)
