"""CS231n assignment 2 (fully connected nets, batch norm, dropout, convolutional networks).

The folder holds the manifest (assignment.toml), the rubric (rubric.toml), the checks
(checks/), the public self-checks' inputs (public_checks.py), the notebooks (notebooks/)
and the reference package (reference/cs231n/); see graders/assignment.py.
"""
