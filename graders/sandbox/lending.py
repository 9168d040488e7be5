"""Lending the workspace (and the writable directories) to one run, and giving them back."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .paths import Paths, walk
from .uids import Identity


@contextlib.contextmanager
def prepared_workspace(paths: Paths, ident: Identity, mode: str) -> Iterator[Path | None]:
    """Prepare the workspace (and the writable directories) for one run; restore afterwards.

    In rlimits mode a private TMPDIR ``.tmp`` is made inside the workspace (and removed
    afterwards); it is yielded.  The trees are lent to the run's uid (:func:`lent`).
    """
    tmpdir = paths.workspace / ".tmp" if mode == "rlimits" else None
    if tmpdir is not None:
        tmpdir.mkdir(mode=0o700, exist_ok=True)
    try:
        with lent([paths.workspace, *paths.writable], ident):
            yield tmpdir
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


@contextlib.contextmanager
def lent(roots: Sequence[Path], ident: Identity) -> Iterator[None]:
    """With a dedicated uid, chown each tree to it for the run and give it back afterwards.

    Given back, what that uid owns gets its earlier owner back (new entries: the owner of
    their tree's root); nothing else is touched, so a planted hard link cannot be given away.
    """
    if ident.uid is None:
        yield
        return
    before = [(root, owners(root)) for root in roots]
    try:
        for root in roots:
            chown_tree(root, lambda _path: (ident.uid, ident.gid))
        yield
    finally:
        for root, owned in before:
            default = owned[str(root)]
            chown_tree(root, lambda path: owned.get(path, default), only=ident.uid)


def owners(root: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for path in walk(root):
        try:
            st = os.lstat(path)
        except OSError:
            continue
        found[path] = (st.st_uid, st.st_gid)
    return found


def chown_tree(root: Path, owner_of: Callable[[str], tuple[int, int]],
               only: int | None = None) -> None:
    """lchown every entry under root (root included) to owner_of(path); with ``only``,
    just the entries that uid owns."""
    for path in walk(root):
        try:
            if only is None or os.lstat(path).st_uid == only:
                os.lchown(path, *owner_of(path))
        except OSError:
            pass
