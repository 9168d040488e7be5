"""Solution regions: the reference's code between the START and END marker lines.

A file with a region is a student file: students receive it with every region replaced by
the course's placeholder (a blank line, `pass`, a blank line), indented like the markers,
and the grader never lets the reference's version of it reach a sandbox.

    has_solution_region(source)   whether a file is a student file
    strip_solutions(source)       one file's text -> its student version
    solution_lines(source)        the lines inside its regions (for leak checks)
"""
import re

START = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
END = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"


class MarkerError(ValueError):
    """Unbalanced or nested markers; the message names the line."""


def has_solution_region(source):
    return any(line.strip() == START for line in source.splitlines())


def strip_solutions(source, filename="<source>"):
    """The source with every solution region replaced by the placeholder."""
    out, inside = [], None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == START:
            if inside is not None:
                raise MarkerError("%s:%d: START marker inside the region opened at line %d" % (filename, number, inside))
            inside = number
            indent = re.match(r"\s*", line).group(0)
            out += [line, "\n", indent + "pass\n", "\n"]
        elif stripped == END:
            if inside is None:
                raise MarkerError("%s:%d: END marker without a START marker" % (filename, number))
            inside = None
            out.append(line)
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise MarkerError("%s:%d: START marker never closed" % (filename, inside))
    return "".join(out)


def solution_lines(source):
    """The non-blank lines inside solution regions (to prove none leaks into a release)."""
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == START:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines
