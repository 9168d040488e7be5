"""Stopping every run in flight: the :data:`cancel` switch and :class:`Cancelled`."""

from __future__ import annotations

import threading

#: Set to stop every run in flight and refuse new ones (see "Cleanup"); clear to allow runs again.
cancel = threading.Event()


class Cancelled(BaseException):
    """A run was stopped because :data:`cancel` was set.

    A BaseException, like KeyboardInterrupt, so that "record any error" handlers let it through.
    """
