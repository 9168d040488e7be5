"""Turning the reference solution into what students receive.

Every region between the START/END marker lines loses its solution and gets
the course's placeholder (a blank line, `pass`, a blank line), indented like
the markers; the markers and all other code stay byte for byte.
"""
import re

START = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
END = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"


class MarkerError(ValueError):
    """Unbalanced or nested markers; the message names the line."""


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
