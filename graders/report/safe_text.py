"""Text a student controls (names, messages, captured output, tracebacks) on its way into a report.

XML 1.0 cannot hold C0 control characters other than tab, newline and carriage return, lone
surrogates, U+FFFE or U+FFFF; a UTF-8 file cannot hold a lone surrogate; terminals, spreadsheets
and Gradescope's database choke on NUL and escape sequences. visible_escapes writes each such
character as a Python-style escape (\\x00, \\x1b, \\udcfc, \\uffff), so the text stays readable
and the reader sees that something was there. Every other character is kept.
"""
import re

UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def visible_escapes(text):
    """text with every character XML 1.0 cannot hold written as a visible escape."""
    return UNSAFE.sub(escape, text)


def escape(match):
    return match.group().encode("unicode_escape").decode("ascii")


def visible_strings(value):
    """value (a JSON-like document) with visible_escapes applied to every string in it."""
    if isinstance(value, str):
        return visible_escapes(value)
    if isinstance(value, dict):
        return {visible_strings(k): visible_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [visible_strings(v) for v in value]
    return value
