"""Builds the reference package's Cython extension during `pip install`.

Everything else about the project is declared in pyproject.toml; this file only
adds what TOML cannot say: the extension needs numpy's headers.
"""
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

# The reference package lives in its assignment's folder and is imported under that folder's
# name (graders.assignments.cs231n_a2.reference.cs231n), never as a top-level `cs231n`.
REFERENCE = "graders/assignments/cs231n_a2/reference/cs231n"

extension = Extension(
    REFERENCE.replace("/", ".") + ".im2col_cython",
    [REFERENCE + "/im2col_cython.pyx"],
    include_dirs=[numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
)

setup(
    ext_modules=cythonize(
        [extension],
        build_dir="build/cython",  # keep the generated C out of the source tree
        compiler_directives={"language_level": 3},
    )
)
