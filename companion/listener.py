"""The companion's listening socket: a flood of connections cannot make it stop accepting.

Kept apart from companion.http (uvicorn's protocol) so that `serve` can claim its port before it
imports the web stack.
"""

import errno
import logging
import os
import socket
import time

log = logging.getLogger("netral.http")


def _spare_handle() -> int | None:
    try:
        return os.open(os.devnull, os.O_RDONLY)
    except OSError:
        return None


class SheddingListener(socket.socket):
    """A listening socket that never lets asyncio see "too many open files".

    When accept() fails with EMFILE, asyncio (3.11–3.13) logs it and schedules one retry per
    remaining slot of its accept loop, and under a sustained flood those retries multiply until
    the companion stops answering. Instead, this socket keeps one spare handle: out of handles,
    it gives the spare back, takes the waiting connection and closes it at once, takes the spare
    again, and tells asyncio the queue is empty for now. Excess connections are refused one by
    one and the service answers again as soon as the flood's own connections close.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._spare = _spare_handle()
        self._last_warning = 0.0

    def accept(self):  # type: ignore[override]
        try:
            return super().accept()
        except OSError as error:
            if error.errno not in (errno.EMFILE, errno.ENFILE) or self._spare is None:
                raise
        os.close(self._spare)
        self._spare = None
        try:
            connection, _ = super().accept()
            connection.close()
        except OSError:
            pass
        finally:
            self._spare = _spare_handle()
        now = time.monotonic()
        if now - self._last_warning > 10:
            self._last_warning = now
            log.warning("out of file handles: refusing new connections until some close")
        raise ConnectionAbortedError(errno.ECONNABORTED, "refused: out of file handles")

    def close(self) -> None:
        if self._spare is not None:
            os.close(self._spare)
            self._spare = None
        super().close()
