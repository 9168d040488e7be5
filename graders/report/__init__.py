"""Renderers of graded submissions. Each reads result.json documents (dicts) only."""
