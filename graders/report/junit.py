"""JUnit XML (one testcase per check) from one result.json document, for CI systems.

Every attribute value and text goes through safe_text.visible_escapes: whatever a student
names a file or prints, the document is well-formed XML 1.0 in UTF-8.
"""
import xml.etree.ElementTree as ET

from .safe_text import visible_escapes

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
TAGS = {"failed": "failure", "error": "error", "timeout": "error", "skipped": "skipped"}


def junit_xml(doc):
    """The JUnit document as a string (to be written as UTF-8): a testsuite named after the submission."""
    checks = doc.get("checks", [])
    suite = element("testsuite", {
        "name": doc["submission"],
        "tests": len(checks),
        "failures": sum(c["status"] == "failed" for c in checks),
        "errors": sum(c["status"] in ("error", "timeout") for c in checks),
        "skipped": sum(c["status"] == "skipped" for c in checks),
        "time": "%.3f" % doc.get("seconds", 0.0),
    })
    if doc["status"] != "graded":
        suite.append(element("system-err", text=doc.get("message", "")))
    part_of = {i: part["part"] for part in doc.get("parts", []) for i in part["checks"]}
    for check in checks:
        suite.append(testcase(check, part_of.get(check["id"])))
    return DECLARATION + ET.tostring(suite, encoding="unicode")


def testcase(check, part=None):
    """A check's testcase; its classname is <part>.<section> (the section alone outside any part)."""
    case = element("testcase", {
        "classname": ".".join(filter(None, (part, check["section"]))),
        "name": check["id"],
        "time": "%.3f" % check["seconds"],
    })
    text = "\n".join(filter(None, [check["message"], check.get("hint"), check.get("traceback")]))
    tag = TAGS.get(check["status"])
    if tag:
        case.append(element(tag, {"message": check["message"][:500]}, text))
    if check.get("output"):
        case.append(element("system-out", text=check["output"]))
    return case


def element(tag, attributes=None, text=None):
    """An element whose attribute values and text are made safe for XML."""
    node = ET.Element(tag, {name: visible_escapes(str(value)) for name, value in (attributes or {}).items()})
    if text is not None:
        node.text = visible_escapes(str(text))
    return node
