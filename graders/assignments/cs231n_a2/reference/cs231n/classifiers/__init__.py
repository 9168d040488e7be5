"""Classifiers built from the layers of ``cs231n.layers``."""
