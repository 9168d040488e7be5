"""The assignments shipped with the grader: one folder each (see graders/assignment.py)."""
