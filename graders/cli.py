"""Command line: cs231n-grade (also python -m graders). Parses, calls the API, prints."""
import argparse
import sys

from . import __version__, api


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="cs231n-grade", description="Grade CS231n ConvolutionalNetworks submissions.")
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    grade = verbs.add_parser("grade", help="grade submissions (folders or zips) into OUT/<name>/result.json")
    grade.add_argument("paths", nargs="+", metavar="PATH", help="a submission folder or zip")
    grade.add_argument("--out", required=True, help="folder for the results")
    grade.add_argument("--rubric", help="a rubric TOML file (default: the one shipped with the grader)")
    grade.add_argument("--isolation", choices=["bwrap", "rlimits"], help="sandbox mode (default: bwrap when available)")
    grade.add_argument("--seed", type=int, help="fix the secret seed of the hidden inputs (for debugging)")
    grade.add_argument("--keep-workspace", action="store_true", help="keep each submission's workspace")
    return parser.parse_args(argv)


def score_line(result):
    failed = [c.id for c in result.checks if c.status != "passed" and c.max_score > 0]
    status = result.status if result.status != "graded" else "%d check(s) lost points" % len(failed) if failed else "all passed"
    return "%-28s %7.2f / %-7.2f %6.1fs  %s" % (result.submission[:28], result.score, result.max_score, result.seconds, status)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    options = api.Options(rubric=args.rubric, mode=args.isolation, keep_workspace=args.keep_workspace, seed=args.seed)
    print("%-28s %17s %7s  %s" % ("submission", "score", "time", "status"))
    results = api.grade(args.paths, args.out, options, progress=lambda r: print(score_line(r), flush=True))
    print("results written to %s/<submission>/result.json" % args.out)
    # Rejected submissions are results too; only a failure of the grader itself is an error.
    return 2 if any(r.status == "grader_error" for r in results) else 0
