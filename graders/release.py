"""Turning the reference solution into what students receive.

Every region between the START/END marker lines loses its solution and gets
the course's placeholder (a blank line, `pass`, a blank line), indented like
the markers; the markers and all other code stay byte for byte.

    strip_solutions(source)          one file's text -> its student version (graders/solutions.py)
    solution_lines(source)           the lines inside its solution regions (for leak checks)
    build_template(ref, dest)        reference package folder -> student package folder,
                                     without build artefacts (*.so, *.c, build/) or data
    build_bundle(zip, template, ...) the template's package + the notebooks + a README -> the
                                     zip students receive
    release(ref, template, bundle)   both, as `cs231n-grade release` runs them

Outputs are deterministic: the same reference gives the same template bytes and
modes (0o644, or 0o755 for executables), and the same inputs give the same zip
bytes (sorted entries, fixed times and modes).
"""
import fnmatch
import json
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from .assignment import load_assignment
from .solutions import (  # noqa: F401 (the release's API)
    END, START, MarkerError, has_solution_region, solution_lines, strip_solutions,
)


DEFAULT_TEMPLATE = Path("student_template")
PUBLIC_CHECKS = "public_checks.json"  # in the package: the public self-checks' inputs and expected outputs

# Build artefacts and downloaded data: never part of a template or a bundle.
EXCLUDED_FILES = ("*.so", "*.pyd", "*.c", "*.o", "*.py[cod]", ".DS_Store")
EXCLUDED_DIRS = ("build", "__pycache__", ".pytest_cache", "*.egg-info")
EXCLUDED_PATHS = ("datasets/cifar-10-batches-py", "datasets/cifar-10-python.tar.gz")

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


class ReleaseError(Exception):
    """A release input is missing or unsuitable; the message says what to do."""


# --- the template -------------------------------------------------------------------------


def is_artefact(relative):
    """True for build artefacts and downloaded data (a path relative to the package)."""
    path = PurePosixPath(relative)
    if any(fnmatch.fnmatch(path.name, p) for p in EXCLUDED_FILES):
        return True
    if any(fnmatch.fnmatch(part, p) for part in path.parts[:-1] for p in EXCLUDED_DIRS):
        return True
    return any(relative == p or relative.startswith(p + "/") for p in EXCLUDED_PATHS)


def package_files(folder):
    """The package's files as sorted relative POSIX paths, artefacts left out."""
    folder = Path(folder)
    found = []
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        dirs[:] = [d for d in dirs if not is_artefact((base / d / "x").as_posix())]
        found += [(base / f).as_posix() for f in files if not is_artefact((base / f).as_posix())]
    return sorted(found)


def file_mode(path):
    """0o755 for an executable file, else 0o644: what git records, whatever the umask."""
    return 0o755 if os.stat(path).st_mode & 0o111 else 0o644


def student_version(path, relative):
    """The bytes students get for one reference file: solutions stripped from .py files."""
    data = Path(path).read_bytes()
    if not relative.endswith(".py"):
        return data
    return strip_solutions(data.decode("utf-8"), relative).encode("utf-8")


def has_regions(folder):
    """True if a .py file of the package folder holds a solution region: a reference package,
    or a template made from one (the markers stay)."""
    return any(relative.endswith(".py") and has_solution_region((Path(folder) / relative).read_text(errors="replace"))
               for relative in package_files(folder))


def check_reference(reference_dir):
    """Fail clearly unless reference_dir is a reference package folder (one with solution regions)."""
    reference_dir = Path(reference_dir)
    if not reference_dir.is_dir():
        raise ReleaseError("reference package %s not found: pass --reference DIR, the package folder of "
                           "the reference solution" % reference_dir)
    if not has_regions(reference_dir):
        raise ReleaseError("%s is not a reference package: none of its files holds a solution region "
                           "between START and END markers. Pass --reference DIR, the package folder of the "
                           "reference solution." % reference_dir)


def check_destination(reference_dir, dest_dir):
    """Refuse a destination that holds the reference, lies inside it, or is not a template."""
    ref, dest = Path(reference_dir).resolve(), Path(dest_dir).resolve()
    if dest == ref or ref in dest.parents or dest in ref.parents:
        raise ReleaseError("the template folder %s overlaps the reference %s; choose another folder" % (dest, ref))
    if dest.exists() and not dest.is_dir():
        raise ReleaseError("%s exists and is not a folder" % dest)
    if dest.is_dir() and any(dest.iterdir()) and not has_regions(dest):
        raise ReleaseError("refusing to replace %s: it is not empty and holds no earlier template (no file with "
                           "solution markers)" % dest)


def build_template(reference_dir, dest_dir):
    """Write the student package to dest_dir (replaced whole) from the reference package folder.

    Every file except build artefacts is copied, .py files with their solution regions
    stripped; modes are normalised to 0o644 / 0o755. Returns dest_dir as a Path.
    """
    reference_dir, dest_dir = Path(reference_dir), Path(dest_dir)
    check_reference(reference_dir)
    check_destination(reference_dir, dest_dir)
    staging = dest_dir.with_name("." + dest_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    for relative in package_files(reference_dir):
        source, target = reference_dir / relative, staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(student_version(source, relative))
        os.chmod(target, file_mode(source))
    shutil.rmtree(dest_dir, ignore_errors=True)
    staging.rename(dest_dir)
    return dest_dir


# --- the bundle ---------------------------------------------------------------------------



def template_package(template_dir, package):
    """The package folder of a template: template_dir/<package>, or template_dir itself."""
    template_dir = Path(template_dir)
    for candidate in (template_dir / package, template_dir):
        if candidate.is_dir() and has_regions(candidate):
            return candidate
    raise ReleaseError("no student template in %s; write one first with `cs231n-grade release`" % template_dir)


def template_entries(folder, package):
    """Bundle entries (name, bytes, mode) for the template package folder, stored under
    <package>/; refuses unstripped code."""
    entries = []
    for relative in package_files(folder):
        data = (folder / relative).read_bytes()
        if relative.endswith(".py") and strip_solutions(data.decode("utf-8"), relative).encode("utf-8") != data:
            raise ReleaseError(
                "%s still holds code inside its solution regions: build_bundle takes the template "
                "made by build_template, not the reference" % (folder / relative)
            )
        entries.append(("%s/%s" % (package, relative), data, file_mode(folder / relative)))
    return entries


def notebook_entry(notebook_path):
    """The bundle entry for a notebook, under its own name; a clear error when it is missing or
    not a notebook."""
    path = Path(notebook_path)
    if not path.is_file():
        raise ReleaseError("notebook %s not found: the bundle needs it (pass --notebooks DIR)" % path)
    data = path.read_bytes()
    try:
        cells = json.loads(data).get("cells")
    except (ValueError, AttributeError):
        cells = None
    if not isinstance(cells, list):
        raise ReleaseError("%s is not a Jupyter notebook (JSON with a list of cells)" % path)
    return (path.name, data, 0o644)


def extra_entry(item):
    """A bundle entry for an extra file: a path (stored under its name) or (name, path)."""
    name, path = item if isinstance(item, tuple) else (Path(item).name, item)
    name = PurePosixPath(name)
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise ReleaseError("extra file name %r must be a relative path inside the bundle" % str(name))
    if not Path(path).is_file():
        raise ReleaseError("extra file %s not found" % path)
    return (name.as_posix(), Path(path).read_bytes(), file_mode(path))


def write_zip(zip_path, entries):
    """Write entries (name, bytes, mode) as a reproducible zip: sorted, fixed times, Unix modes."""
    zip_path = Path(zip_path)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_name(zip_path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as bundle:
        for name, data, mode in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the modes below are honoured by unzip
            info.external_attr = (0o100000 | mode) << 16
            bundle.writestr(info, data, compresslevel=9)
    partial.replace(zip_path)
    return zip_path


def build_bundle(zip_path, template_dir, package, notebooks, readme, extra_files=(), public_checks=None):
    """Write the zip students receive; returns its path.

    It holds <package>/... from the template (template_dir/<package> or the package folder
    itself), the notebooks (paths, each stored under its name), README.md with the text readme,
    the extra files (paths stored under their names, or (name, path) pairs) and, if given, the
    public self-checks' document as <package>/public_checks.json. The same inputs give the same bytes.
    """
    entries = template_entries(template_package(template_dir, package), package)
    entries += [notebook_entry(path) for path in notebooks] + [("README.md", readme.encode("utf-8"), 0o644)]
    if public_checks is not None:
        entries.append(("%s/%s" % (package, PUBLIC_CHECKS),
                        (json.dumps(public_checks, separators=(",", ":")) + "\n").encode(), 0o644))
    entries += [extra_entry(item) for item in extra_files]
    names = [name for name, _, _ in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ReleaseError("the bundle would hold %s twice; rename the extra file(s)" % ", ".join(duplicates))
    return write_zip(zip_path, entries)


def assignment_notebooks(assignment, notebooks_dir=None):
    """The paths of every notebook of the assignment, in notebooks_dir (default: the
    assignment's own notebooks/ folder); a ReleaseError naming those that are missing."""
    paths = [(Path(notebooks_dir) / n.file if notebooks_dir else assignment.notebook_path(n))
             for n in assignment.notebooks]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise ReleaseError("%s holds no %s: the bundle needs every notebook of the assignment (pass "
                           "--notebooks DIR, the folder holding them)" % (
                               notebooks_dir or assignment.folder / "notebooks", " and no ".join(missing)))
    return paths


def release(reference_dir, template_dir, bundle_path=None, notebooks_dir=None, assignment=None):
    """Write template_dir/<package> from the reference and, if bundle_path is given, the bundle.

    assignment defaults to the shipped one; reference_dir (None) to its reference package and
    notebooks_dir (None) to its notebooks/ folder, which must hold every notebook of the
    assignment; the notebooks are checked before anything is written. The student README is the
    assignment's student_README.md. Returns (package folder, bundle or None).
    """
    assignment = assignment or load_assignment()
    reference_dir = assignment.reference if reference_dir is None else reference_dir
    check_reference(reference_dir)
    notebooks = []
    if bundle_path is not None:
        notebooks = assignment_notebooks(assignment, notebooks_dir)
        for path in notebooks:
            notebook_entry(path)
    package = build_template(reference_dir, Path(template_dir) / assignment.package)
    bundle = None
    if bundle_path is not None:
        checks = assignment.public_checks(assignment.rubric())
        bundle = build_bundle(bundle_path, template_dir, assignment.package, notebooks, assignment.student_readme(),
                              public_checks=checks)
    return package, bundle
