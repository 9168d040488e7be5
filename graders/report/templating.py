"""The Jinja2 environment of the HTML reports: templates shipped in graders/report/templates.

Autoescaping is on for every template: result.json and the executed notebook carry text the
student's code produced, and all of it reaches the page as escaped text. Every value a template
prints also goes through safe_text.visible_escapes (the environment's finalize), so control
characters and lone surrogates show as escapes such as \x1b instead of breaking the page.
"""
import base64
import hashlib
import math
from functools import lru_cache

import jinja2
import markupsafe

from .safe_text import visible_escapes


def number(value):
    """A measured value or tolerance, short: 3 significant digits; a dash when missing."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "\u2013"
    if not math.isfinite(value):
        return str(value)
    return "%.3g" % value


def points(value):
    """Points with at most two decimals and no trailing zeros: 6, 2.5, 0.33."""
    if not isinstance(value, (int, float)):
        return "0"
    return ("%.2f" % value).rstrip("0").rstrip(".")


def seconds(value):
    """A duration in seconds, 1 decimal (or '<0.1 s')."""
    if not isinstance(value, (int, float)):
        return "\u2013"
    return "<0.1 s" if value < 0.05 else "%.1f s" % value


def printable(value):
    """The environment's finalize: plain text made printable; markup the code marked safe kept."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible_escapes(value)
    return value


def script_hash(text):
    """The Content-Security-Policy source expression allowing exactly this inline script."""
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return markupsafe.Markup("'sha256-%s'") % digest


@lru_cache(maxsize=1)
def environment():
    """The shared environment: package templates, autoescape, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("graders.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, finalize=printable,
    )
    env.filters.update(number=number, points=points, seconds=seconds)
    return env


def render(template, **view):
    """Render one template with the given view values."""
    return environment().get_template(template).render(**view)


def template_source(name):
    """The raw text of a shipped template file (for inline scripts that need a CSP hash)."""
    source, _, _ = environment().loader.get_source(environment(), name)
    return source
