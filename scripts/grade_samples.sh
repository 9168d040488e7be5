#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install the grader into .venv, write the
# bundled sample submissions to samples/, grade them (and run their notebooks) into results/,
# print the scores and where the HTML reports and the class summary are.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet .

rm -rf samples
.venv/bin/python tests/submissions/corpus.py samples \
  reference template mutant_cnn_reg_without_half mutant_pool_backward_assigns >/dev/null
# The reference and the template hand in all four notebooks, which the grader runs; one mutant
# hands in ConvolutionalNetworks.ipynb alone and the other no notebook, so the reports show
# parts graded on the code alone.
cp graders/assignments/cs231n_a2/notebooks/*.ipynb samples/reference/
cp graders/assignments/cs231n_a2/notebooks/*.ipynb samples/template/
cp graders/assignments/cs231n_a2/notebooks/ConvolutionalNetworks.ipynb samples/mutant_cnn_reg_without_half/
.venv/bin/cs231n-grade grade samples/* --out results
echo "HTML reports: $(pwd)/results/<submission>/report.html"
echo "class summary: $(pwd)/results/index.html (open it in a browser; it links to every report)"
