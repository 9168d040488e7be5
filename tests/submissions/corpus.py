"""The sample submissions: the reference, the template, correct variants, mutants, hostile ones.

Each sample is built from the reference's student files (graders/assignments/cs231n_a2/reference/cs231n/layers.py,
classifiers/cnn.py, optim.py and classifiers/fc_net.py) plus what this folder holds:
  variants/NAME/{layers,cnn,optim,fc_net}.py   correct alternatives, appended (later defs win)
  variants/NAME/{layers,cnn}.full.py   a whole file that replaces the reference's (for code
                                  whose import lines matter, such as a starter-era cnn.py)
  mutants.toml                    one-bug edits, with the checks each must fail
  hostile/NAME.py                 misbehaving code appended to layers.py

    python tests/submissions/corpus.py OUT [NAME ...]   writes OUT/NAME/cs231n/...
"""
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REFERENCE = ROOT / "graders" / "assignments" / "cs231n_a2" / "reference"  # holds cs231n/
STUDENT_FILES = {"layers": "cs231n/layers.py", "cnn": "cs231n/classifiers/cnn.py", "optim": "cs231n/optim.py",
                 "fc_net": "cs231n/classifiers/fc_net.py"}

sys.path.insert(0, str(ROOT))
from graders.release import strip_solutions  # noqa: E402


@dataclass(frozen=True)
class Sample:
    name: str
    kind: str                          # reference, template, variant, mutant, hostile
    files: dict                        # "cs231n/layers.py" -> source text
    description: str = ""
    fails: tuple = ()                  # mutants: exactly the checks that must fail
    diagnosis: str = ""                # mutants: words one failing check's diagnoses must contain
    extra: dict = field(default_factory=dict)


def reference_files():
    return {path: (REFERENCE / path).read_text() for path in STUDENT_FILES.values()}


def reference():
    return Sample("reference", "reference", reference_files(), "the reference solution")


def template():
    files = {path: strip_solutions(text, path) for path, text in reference_files().items()}
    return Sample("template", "template", files, "the student template, nothing filled in")


def variants():
    samples = []
    for folder in sorted(p for p in (HERE / "variants").iterdir() if p.is_dir()):
        files = reference_files()
        for key, path in STUDENT_FILES.items():
            whole, addition = folder / ("%s.full.py" % key), folder / ("%s.py" % key)
            if whole.exists():
                files[path] = whole.read_text()
            if addition.exists():
                files[path] += addition.read_text()
        samples.append(Sample("variant_" + folder.name, "variant", files, "a correct solution written differently"))
    return samples


def apply_mutation(text, m):
    if "append" in m:
        return text + "\n" + m["append"]
    count = text.count(m["find"])
    occurrence = m.get("occurrence")
    if occurrence is None and count != 1:
        raise ValueError("mutant %s: 'find' occurs %d times; give an occurrence" % (m["name"], count))
    index = -1
    for _ in range(occurrence or 1):
        index = text.find(m["find"], index + 1)
        if index < 0:
            raise ValueError("mutant %s: occurrence %s of 'find' not found" % (m["name"], occurrence))
    return text[:index] + m["replace"] + text[index + len(m["find"]):]


def mutants():
    spec = tomllib.loads((HERE / "mutants.toml").read_text())
    samples = []
    for m in spec["mutant"]:
        files = reference_files()
        path = STUDENT_FILES[m["file"]]
        files[path] = apply_mutation(files[path], m)
        samples.append(Sample("mutant_" + m["name"], "mutant", files, m["description"], tuple(m["fails"]),
                              m.get("diagnosis", "")))
    return samples


def hostile():
    samples = []
    for script in sorted((HERE / "hostile").glob("*.py")):
        files = reference_files()
        files[STUDENT_FILES["layers"]] += script.read_text()
        description = script.read_text().split("# ---- ", 1)[1].split(" ----", 1)[0]
        samples.append(Sample("hostile_" + script.stem, "hostile", files, description))
    return samples


def edited_provided_files():
    """The reference, plus a fast_layers.py rigged to break everything that uses it."""
    files = reference_files()
    files["cs231n/fast_layers.py"] = "def conv_forward_fast(*args):\n    raise SystemExit('rigged')\n"
    return Sample("edited_provided_files", "variant", files, "edits a provided file, which must have no effect")


def everything():
    return [reference(), template(), edited_provided_files()] + variants() + mutants() + hostile()


def write(sample, root):
    """Write the sample as a submission folder root/NAME/cs231n/...; returns its path."""
    folder = Path(root) / sample.name
    for path, text in sample.files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    return folder


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    root, names = Path(argv[0]), set(argv[1:])
    chosen = [s for s in everything() if not names or s.name in names]
    unknown = names - {s.name for s in chosen}
    if unknown:
        print("unknown samples: %s" % ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    for sample in chosen:
        print(write(sample, root))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
