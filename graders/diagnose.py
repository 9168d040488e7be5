"""Plain-language explanations of what went wrong in a student's code.

Everything here reads text: error messages the child reported, and the
student's source compiled (never executed) by the trusted process.
"""
import functools
import re
import threading


_compile_lock = threading.Lock()

# (pattern in "ErrorType: message", explanation); the assignment's own come first, the first
# match wins. {files}: the student files, {package}: the package they belong to.
KNOWN_ERRORS = [
    (r"No module named '([^']+)'",
     "your code imports '{0}', which the grader does not provide: {files} may use numpy, the "
     "{package} package and the course's Python 2 compatibility packages (future, six) only "
     "(plotting and image libraries belong in the notebook)"),
    (r"module 'numpy' has no attribute '(int|float|bool|object|str|long|complex|mat|asscalar|alltrue|product)'",
     "np.{0} no longer exists in NumPy 2: use the Python built-in (int, float, bool...) or np.int64 / np.asarray"),
    (r"name '(xrange|unicode|raw_input|basestring)' is not defined",
     "'{0}' is Python 2: use its Python 3 equivalent (range, str, input), or import it as the starter "
     "code did (from past.builtins import {0})"),
    (r"Missing parentheses in call to 'print'", "print is a function in Python 3: write print(...)"),
    (r"'float' object cannot be interpreted as an integer",
     "a size computed with / is a float in Python 3: use // for integer division"),
    (r"^MemoryError", "your code ran out of memory (the grader's limit); look for arrays far larger than the inputs"),
    (r"^SystemExit", "your code called exit() or sys.exit(); remove it from {files}"),
]


@functools.cache
def explanations(assignment):
    """Every (pattern, explanation) in the order they are tried, with {files} and {package} filled in."""
    from .workspace import student_files

    files = " and ".join(p.rsplit("/", 1)[-1] for p in student_files(assignment.reference))
    return [(pattern, words.replace("{files}", files).replace("{package}", assignment.package))
            for pattern, words in list(assignment.explanations) + KNOWN_ERRORS]

def error_text(meta):
    return "%s: %s" % (str(meta.get("error_type") or "Error"), str(meta.get("error") or "").strip())


def known_cause(meta, assignment):
    """The plain-language cause of a reported error when it is a known one, else None
    (the assignment's own explanations are tried first)."""
    if meta.get("error_type") == "TaskError":
        return None
    text = error_text(meta)
    for pattern, explanation in explanations(assignment):
        match = re.search(pattern, text)
        if match:
            return explanation.format(*match.groups()) + "."
    return None


def explain(meta, assignment):
    """One message for a child that reported an error in the student's code."""
    where = meta.get("current")
    if meta.get("error_type") == "TaskError":  # the child's own words about a broken contract
        return "%s: %s" % (where or "your code", meta.get("error"))
    text = error_text(meta)
    prefix = "%s raised %s" % (where, text) if where else text
    cause = known_cause(meta, assignment)
    return "%s. In plain words: %s" % (prefix, cause) if cause else prefix


def from_output(output):
    """Extra words for a child that died: what its last output suggests."""
    if "MemoryError" in output or "Cannot allocate memory" in output:
        return "; it ran out of memory"
    return ""


def syntax_problems(files, assignment):
    """Messages for student files that do not even parse (compiled, never run, one at a time:
    CPython's compiler is not safe in several threads at once). Never raises."""
    problems = []
    for relative, content in sorted(files.items()):
        try:
            with _compile_lock:
                compile(content, relative, "exec", dont_inherit=True)
        except SyntaxError as e:
            words = explain({"error_type": "SyntaxError", "error": e.msg}, assignment)
            problems.append("%s line %s does not parse. %s" % (relative, e.lineno, words))
        except Exception as e:  # null bytes, nesting too deep for the compiler, memory
            problems.append("%s could not be checked for syntax errors (%s); it was graded as it ran"
                            % (relative, type(e).__name__))
    return problems
