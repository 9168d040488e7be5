"""Build the im2col Cython extension in place, the way the notebook asks:

    cd cs231n
    python setup.py build_ext --inplace

Needs Cython, numpy and a C compiler. Uses setuptools (distutils is gone from
Python 3.12).
"""
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

if __name__ == "__main__":
    extensions = [
        Extension(
            "im2col_cython",
            ["im2col_cython.pyx"],
            include_dirs=[numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        )
    ]
    setup(ext_modules=cythonize(extensions, compiler_directives={"language_level": 3}))
