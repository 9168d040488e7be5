"""The reference package, imported from the grader's own installation and nowhere else.

The grader's expectations come from the reference `cs231n`. Python would import whichever
`cs231n` comes first on sys.path, and `python -m graders` puts the current folder first:
run from a course folder or a student's repository, that is a student's `cs231n/`, whose
code would then run in the grader's process and define the expected answers. So the
grader binds the name `cs231n` to the package installed beside it or in its installation's
site-packages (or, in a source checkout, reference/cs231n) before anything imports it, and
refuses to run if another `cs231n` was imported first.
"""
import importlib.util
import sys
from pathlib import Path

from .assignment import load_assignment

HERE = Path(__file__).resolve().parent


def candidates():
    """Where the reference may be, in order: beside this package (how pip installs the grader),
    in the installation's site-packages, in a source checkout (reference/cs231n)."""
    import site

    package = load_assignment().package
    found = [HERE.parent / package]
    found += [Path(folder) / package for folder in site.getsitepackages()]
    return found + [HERE.parent / "reference" / package]


class ReferenceNotFound(ImportError):
    pass


def location():
    """The folder of the reference package the grader was installed with."""
    for folder in candidates():
        if (folder / "__init__.py").is_file():
            return folder.resolve()
    raise ReferenceNotFound("the reference package %s is not installed beside the grader (looked in %s); "
                            "reinstall the grader with pip" % (load_assignment().package, ", ".join(map(str, candidates()))))


def pin():
    """Make `import <package>` in this process mean the grader's reference package."""
    folder, name = location(), load_assignment().package
    loaded = sys.modules.get(name)
    if loaded is not None:
        where = Path(getattr(loaded, "__file__", "") or "").resolve().parent
        if where != folder:
            raise ReferenceNotFound("another %s package (%s) was imported before the grader's reference (%s); "
                                    "import graders first, or run the grader outside that folder" % (name, where, folder))
        return loaded
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
