"""Fixtures for the grader's tests: the sample corpus, graded once per session."""
import os
import secrets
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "submissions"))

import corpus  # noqa: E402

from graders import api  # noqa: E402
from graders.rubric import load_rubric  # noqa: E402

# Hostile samples that loop forever would hold a check for its full time limit; the tests
# grade with the shipped rubric's limits capped so the suite stays quick. The caps leave a
# correct but slow submission (variant_loops, variant_einsum) room on a busy machine.
TEST_TIME_LIMIT = 20
TEST_TIME_LIMITS = {"fast_layers": 60, "cnn_overfit": 240}


def capped_rubric():
    """The shipped rubric with every time limit capped for the tests."""
    rubric = load_rubric()
    checks = tuple(
        replace(c, time_limit=min(c.time_limit, TEST_TIME_LIMITS.get(c.id, TEST_TIME_LIMIT)))
        for c in rubric.checks
    )
    return replace(rubric, checks=checks)


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Every sample of the corpus graded into result objects, by sample name."""
    base = tmp_path_factory.mktemp("corpus")
    listener = LoopbackListener()  # a free port, so that two test sessions never collide
    samples = [aimed_at(s, listener.port) for s in corpus.everything()]
    paths = [corpus.write(s, base / "submissions") for s in samples]
    rubric = capped_rubric()
    options = api.Options()
    # A fresh secret each session, as in real grading; set CS231N_TEST_SEED to replay one.
    seed = int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(63))
    print("grading the corpus with CS231N_TEST_SEED=%d" % seed)

    def grade(path):
        return api.grade_one(path, base / "results", rubric, options, seed)

    with listener, ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(grade, paths))
    GRADED_EXTRAS["connections"] = listener.accepted
    return {s.name: (s, r) for s, r in zip(samples, results)}, base / "results"


PORT_LINE = "HOSTILE_PORT = 47231"  # the line of hostile/network.py naming the port it tries
GRADED_EXTRAS = {}


def aimed_at(sample, port):
    """The sample, with hostile/network.py aimed at the listener's port."""
    if sample.name != "hostile_network":
        return sample
    files = {k: v.replace(PORT_LINE, "HOSTILE_PORT = %d" % port) for k, v in sample.files.items()}
    return replace(sample, files=files)


class LoopbackListener:
    """A TCP server on a free port of the grading machine's loopback that counts who reaches it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port, self.accepted = self.server.getsockname()[1], []

    def __enter__(self):
        self.server.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()
        return self

    def serve(self):
        while self.running:
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                self.accepted.append(conn.recv(100))

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.server.close()
