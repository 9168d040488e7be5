"""Derive, from the course's starter code, the names `from cs231n.X import *` yields.

    python tests/compat/derive_starter_namespaces.py --git CLONE --repository OWNER/NAME \
        YEAR=PATH/IN/REPO.zip ... > tests/compat/starter_namespaces.toml

Each YEAR=PATH names a year (or any label) and a starter zip of assignment 2 inside the git
clone CLONE of the repository OWNER/NAME, read at the clone's HEAD (without --git, PATH is a
zip or an unpacked folder on disk). The package is the folder named `cs231n` inside it. The
sources are read, never run, so PyTorch, the Cython extension or `future` need not be
installed. The output records, per year, where the starter was read ([sources]), the names
of each module's star import ([names]) and the parameters of each public function and class
constructor ([signatures]).

What a star import yields, as Python defines it: without `__all__`, every top-level
name of the module not starting with an underscore, including the modules it imported
(`np`) and the names its own star imports brought in. Read statically:
  - def, class, assignments and imports at the top level, and inside top-level if/with/
    try blocks (a try block's success path: the extension built, the packages installed);
  - `from .m import *` and `from cs231n.m import *` take m's names, recursively;
  - a star import from outside the package (none in the starters so far) is reported;
  - `from __future__ import ...` features are left out: they bind a name, but no
    student's code uses it as one;
  - im2col_cython.pyx: its `def` functions and `import ... as` lines.
setup.py is left out: importing it runs the build.
"""
import argparse
import ast
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SKIPPED = ("setup.py",)


def find_package(root):
    """The cs231n folder of an unpacked starter (at the top or one folder down)."""
    candidates = sorted(p for p in Path(root).rglob("cs231n") if p.is_dir() and (p / "layers.py").exists())
    if not candidates:
        raise SystemExit("no cs231n/layers.py under %s" % root)
    return min(candidates, key=lambda p: len(p.parts))


def module_files(package):
    """{dotted module name relative to the package: file} for every .py and .pyx."""
    found = {}
    for path in sorted(package.rglob("*")):
        if path.suffix not in (".py", ".pyx") or path.name in SKIPPED or "build" in path.parts:
            continue
        parts = list(path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:  # the package's own __init__ exports nothing in every starter read
            found[".".join(parts)] = path
    return found


class Namespaces:
    def __init__(self, package):
        self.files = module_files(package)
        self.cache = {}
        self.warnings = []

    def exports(self, module):
        if module not in self.cache:
            self.cache[module] = set()  # guards against import cycles
            path = self.files[module]
            text = path.read_text(encoding="utf-8", errors="replace")
            names = pyx_names(text) if path.suffix == ".pyx" else self.python_names(module, text)
            self.cache[module] = {n for n in names if not n.startswith("_")}
        return self.cache[module]

    def python_names(self, module, text):
        tree = ast.parse(text)
        explicit = declared_all(tree)
        if explicit is not None:
            return explicit
        names = set()
        for node in top_level(tree.body):
            names |= self.bound(module, node)
        return names

    def bound(self, module, node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return {node.name}
        if isinstance(node, ast.Import):
            return {a.asname or a.name.split(".")[0] for a in node.names}
        if isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                return set()
            if any(a.name == "*" for a in node.names):
                return self.star(module, node)
            return {a.asname or a.name for a in node.names}
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        return set()

    def star(self, module, node):
        target = resolve(module, node.level, node.module or "")
        if target in self.files:
            return self.exports(target)
        self.warnings.append("%s: star import from %s, outside the package" % (module, node.module))
        return set()


def top_level(body):
    """Statements run at import time, descending into if/with/try (not into def/class)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from top_level(node.body)
            yield from top_level(node.orelse)
        elif isinstance(node, ast.With):
            yield from top_level(node.body)
        elif isinstance(node, ast.Try):
            yield from top_level(node.body)
            yield from top_level(node.orelse)
            yield from top_level(node.finalbody)
        else:
            yield node


def declared_all(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return None


def resolve(module, level, name):
    """The package-relative dotted name of an import made in module, or None if outside."""
    if level == 0:
        return name[len("cs231n."):] if name.startswith("cs231n.") else None
    base = module.split(".")[:-level] if level <= module.count(".") + 1 else None
    if base is None:
        return None
    return ".".join(base + ([name] if name else []))


def pyx_names(text):
    names = set(re.findall(r"^(?:cp)?def\s+(?:\w+\s+)*?(\w+)\s*\(", text, re.M))
    names |= set(re.findall(r"^import\s+\w+(?:\.\w+)*\s+as\s+(\w+)", text, re.M))
    return names


def signatures(path):
    """{"function" or "Class": [parameter names]} of a module's public top-level functions and
    classes (a class by its __init__, without self; keywords it pops from **kwargs follow it)."""
    if path.suffix != ".py":
        return {}
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8", errors="replace")).body:
        if getattr(node, "name", "_").startswith("_"):
            continue
        if isinstance(node, ast.FunctionDef):
            found[node.name] = parameters(node)
        elif isinstance(node, ast.ClassDef):
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
            if init is not None:
                found[node.name] = parameters(init)[1:] + popped_keywords(init)
    return found


def parameters(function):
    args = function.args
    names = [a.arg for a in args.posonlyargs + args.args]
    names += ["*" + args.vararg.arg] if args.vararg else []
    names += [a.arg for a in args.kwonlyargs]
    return names + (["**" + args.kwarg.arg] if args.kwarg else [])


def popped_keywords(function):
    """Keywords read with kwargs.pop("name", ...) (the Solver's way of taking its options)."""
    kwarg = function.args.kwarg.arg if function.args.kwarg else None
    return [node.args[0].value for node in ast.walk(function)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "pop"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == kwarg
            and node.args and isinstance(node.args[0], ast.Constant)]


def read_starter(source, scratch, git):
    """The unpacked folder of a starter, and its [sources] entry."""
    folder = Path(scratch) / re.sub(r"\W", "_", source)
    if git:
        commit = subprocess.run(["git", "-C", git.folder, "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        data = subprocess.run(["git", "-C", git.folder, "show", "HEAD:" + source], capture_output=True,
                              check=True).stdout
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            z.extractall(folder)
        return folder, {"repository": git.repository, "commit": commit, "path": source}
    if Path(source).is_dir():
        return Path(source), {"path": source}
    with zipfile.ZipFile(source) as z:
        z.extractall(folder)
    return folder, {"path": source}


def derive(sources, git):
    """[sources], [names] and [signatures] tables for the starters given as {year: source}."""
    origins, names, signed = {}, {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        for year, source in sources.items():
            folder, origins[year] = read_starter(source, scratch, git)
            spaces = Namespaces(find_package(folder))
            for module, path in spaces.files.items():
                names.setdefault((module,), {})[year] = sorted(spaces.exports(module))
                for name, params in signatures(path).items():
                    signed.setdefault((module, name), {})[year] = params
            for warning in spaces.warnings:
                print("warning: %s %s" % (year, warning), file=sys.stderr)
    return origins, names, signed


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--git", help="a clone of the repository holding the starter zips")
    parser.add_argument("--repository", help="that repository's OWNER/NAME, recorded in [sources]")
    parser.add_argument("starters", nargs="+", metavar="YEAR=PATH")
    args = parser.parse_args(argv)
    if any("=" not in a for a in args.starters) or bool(args.git) != bool(args.repository):
        parser.error("give YEAR=PATH arguments, and --git with --repository")
    git = argparse.Namespace(folder=args.git, repository=args.repository) if args.git else None
    origins, names, signed = derive(dict(a.split("=", 1) for a in args.starters), git)
    print("# Generated by tests/compat/derive_starter_namespaces.py; do not edit by hand.")
    print("#   [sources.YEAR]          where that year's starter was read")
    print("#   [names.MODULE] YEAR     the public names `from cs231n.MODULE import *` yields")
    print("#   [signatures.MODULE.NAME] YEAR   the parameters of a function, or of a class's")
    print("#                           constructor followed by the keywords it pops from **kwargs\n")
    for year, origin in origins.items():
        print("[sources.%s]" % quote_key(year))
        for key, value in origin.items():
            print('%s = "%s"' % (key, value))
        print()
    for title, table in (("names", names), ("signatures", signed)):
        for key in sorted(table):
            print("[%s]" % ".".join(quote_key(part) for part in (title,) + key))
            for year, values in table[key].items():
                print("%s = [%s]" % (quote_key(year), ", ".join('"%s"' % v for v in values)))
            print()
    return 0


def quote_key(key):
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"%s"' % key


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
