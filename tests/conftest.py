"""What every test folder shares.

The tests of the reference package, and the tests that compare with it, import it as
students do: `import cs231n`. The grader itself never binds that name (it imports the
reference under its assignment's private name), so the tests put the installed
reference's folder first on sys.path for themselves.
"""
import sys

from graders.assignment import load_assignment

sys.path.insert(0, str(load_assignment().reference.parent))
