"""JUnit XML (one testcase per check) from one result.json document, for CI systems."""
import xml.etree.ElementTree as ET


def junit_xml(doc):
    """The JUnit document as a string: a testsuite named after the submission."""
    checks = doc.get("checks", [])
    suite = ET.Element("testsuite", {
        "name": doc["submission"],
        "tests": str(len(checks)),
        "failures": str(sum(c["status"] == "failed" for c in checks)),
        "errors": str(sum(c["status"] in ("error", "timeout") for c in checks)),
        "skipped": str(sum(c["status"] == "skipped" for c in checks)),
        "time": "%.3f" % doc.get("seconds", 0.0),
    })
    if doc["status"] != "graded":
        ET.SubElement(suite, "system-err").text = doc.get("message", "")
    for check in checks:
        suite.append(testcase(check))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def testcase(check):
    case = ET.Element("testcase", {
        "classname": "cs231n.%s" % check["section"],
        "name": check["id"],
        "time": "%.3f" % check["seconds"],
    })
    text = "\n".join(filter(None, [check["message"], check.get("hint"), check.get("traceback")]))
    tag = {"failed": "failure", "error": "error", "timeout": "error", "skipped": "skipped"}.get(check["status"])
    if tag:
        ET.SubElement(case, tag, {"message": check["message"][:500]}).text = text
    if check.get("output"):
        ET.SubElement(case, "system-out").text = check["output"]
    return case
