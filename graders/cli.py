"""Command line: cs231n-grade (also python -m graders). Parses, calls the API, prints.

    cs231n-grade grade PATH... --out DIR [--workers N] [--force] [--dask ADDRESS]
    cs231n-grade check [PATH]
    cs231n-grade release [--template DIR] [--bundle ZIP] [--reference DIR] [--notebooks DIR]
    cs231n-grade synthetic-data OUT [--train N] [--test N] [--seed S]
"""
import argparse
import sys

from . import __version__, api, batch, cluster, collect, confinement, intake, release, store, student_check, synthetic
from .assignment import ManifestError, load_assignment, shipped
from .progress import Progress
from .rubric import RubricError


def count(text):
    """argparse type: a non-negative integer."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more, not %s" % text)
    return value


def positive(text):
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more, not %s" % text)
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="cs231n-grade", description="Grade submissions of CS231n-style assignments.")
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    parser.add_argument("--assignment", metavar="NAME",
                        help="the assignment: a shipped one's name (%s) or the path of an assignment folder "
                             "(default: the shipped one)" % ", ".join(shipped()))
    verbs = parser.add_subparsers(dest="verb", required=True)

    grade = verbs.add_parser("grade", help="grade submissions (folders or zips) into OUT/<name>/result.json")
    grade.add_argument("paths", nargs="+", metavar="PATH",
                       help="a submission folder or zip, or a folder of them (one per student)")
    grade.add_argument("--out", required=True, help="folder for the results")
    grade.add_argument("--rubric", help="a rubric TOML file (default: the assignment's own)")
    grade.add_argument("--isolation", choices=["bwrap", "rlimits"], help="sandbox mode (default: bwrap when available)")
    grade.add_argument("--seed", type=int, help="fix the secret seed of the hidden inputs (for debugging)")
    grade.add_argument("--keep-workspace", action="store_true", help="keep each submission's workspace")
    grade.add_argument("--workers", type=positive, default=batch.default_workers(), metavar="N",
                       help="grade N submissions at once, each in its own sandbox (default: the number of cores, %(default)s)")
    grade.add_argument("--dask", metavar="ADDRESS",
                       help="grade on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786)")
    grade.add_argument("--force", action="store_true",
                       help="regrade every submission, even those whose result in OUT is up to date")
    grade.add_argument("--min-score", type=float, metavar="S",
                       help="exit with status 1 if any submission scores below S (for CI)")

    check = verbs.add_parser("check", help="run the public self-checks on your own package, with hints")
    check.add_argument("path", nargs="?", default=".", metavar="PATH",
                       help="your assignment folder (holding the package you edit) or a zip of it (default: .)")
    check.add_argument("--isolation", choices=["bwrap", "rlimits"], help="sandbox mode (default: bwrap when available)")

    rel = verbs.add_parser("release", help="write the student template (and the students' zip) from the reference")
    rel.add_argument("--template", default=str(release.DEFAULT_TEMPLATE),
                     help="folder to hold the template's package (default: %(default)s)")
    rel.add_argument("--bundle", metavar="ZIP", help="also write the zip students receive")
    rel.add_argument("--reference", help="the reference package folder (default: the assignment's)")
    rel.add_argument("--notebooks", metavar="DIR",
                     help="the folder holding every notebook of the assignment, for the zip (default: the assignment's)")

    data = verbs.add_parser("synthetic-data", help="write a synthetic CIFAR-10 (offline stand-in) into OUT")
    data.add_argument("out", metavar="OUT", help="folder to hold cifar-10-batches-py/")
    data.add_argument("--train", type=count, default=50000, help="training images (default: %(default)s)")
    data.add_argument("--test", type=count, default=10000, help="test images (default: %(default)s)")
    data.add_argument("--seed", type=count, default=0, help="random seed (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run = {"grade": run_grade, "check": run_check, "release": run_release, "synthetic-data": run_synthetic}[args.verb]
    try:
        return run(args)
    except (ManifestError, RubricError, release.ReleaseError, release.MarkerError, intake.IntakeError, OSError) as e:
        print("cs231n-grade %s: error: %s" % (args.verb, e), file=sys.stderr)
        return 1
    except confinement.ConfinementError as e:
        print("cs231n-grade %s: error: %s" % (args.verb, e), file=sys.stderr)
        return 2


def run_grade(args):
    assignment = load_assignment(args.assignment)
    options = api.Options(assignment=assignment, rubric=args.rubric, mode=args.isolation,
                          keep_workspace=args.keep_workspace, seed=args.seed)
    try:
        jobs = collect.collect(args.paths, intake.Layout.of(assignment))
    except collect.CollectError as e:
        print("cs231n-grade grade: error: %s" % e, file=sys.stderr)
        return 2
    progress = Progress(len(jobs))
    try:
        report = batch.run(jobs, args.out, options, args.workers, args.force, progress, dask=args.dask)
    except batch.Interrupted as e:
        print("interrupted: %d of %d submissions done, their results are in %s; run the same command "
              "again to grade the rest (finished ones are not regraded)" % (e.done, e.total, args.out),
              file=sys.stderr)
        return 130
    except (store.BusyError, cluster.ClusterError, confinement.ConfinementError) as e:
        print("cs231n-grade grade: error: %s" % e, file=sys.stderr)
        return 2
    finally:
        progress.close()
    results = report.results
    print("%d graded, %d up to date (skipped); results in %s/<submission>/ (result.json, report.html, "
          "gradescope.json, junit.xml); class summary %s/index.html, gradebook %s/gradebook.csv; log in %s/runs.jsonl"
          % (len(report.graded), len(report.skipped), args.out, args.out, args.out, args.out))
    # Rejected submissions are results too; only a failure of the grader itself is an error.
    if any(r.status == "grader_error" for r in results):
        return 2
    below = [r.submission for r in results if args.min_score is not None and r.score < args.min_score]
    if below:
        print("below the minimum score %g: %s" % (args.min_score, ", ".join(below)))
        return 1
    return 0


def run_check(args):
    passed, text = student_check.check_package(args.path, load_assignment(args.assignment), mode=args.isolation)
    print(text)
    return 0 if passed else 1


def run_release(args):
    package, bundle = release.release(args.reference, args.template, args.bundle, args.notebooks,
                                      load_assignment(args.assignment))
    print("template written to %s" % package)
    if bundle:
        print("bundle written to %s" % bundle)
    return 0


def run_synthetic(args):
    folder = synthetic.write_cifar10(args.out, num_train=args.train, num_test=args.test, seed=args.seed)
    print("synthetic CIFAR-10 written; point the loader at it with")
    print("    export CS231N_CIFAR10_DIR=%s" % folder.resolve())
    return 0
