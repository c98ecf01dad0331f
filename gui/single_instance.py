"""One window per user: a second start (a file manager opening contracts with the app, a second click on
the menu entry) hands its files to the window already open, brings it forward and exits.

A ``QLocalServer`` whose name is private to the user (and whose socket only the user may open) receives
one JSON list of paths per connection.
"""

from __future__ import annotations

import getpass
import hashlib
import json

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from core.config import data_dir

_TIMEOUT_MS = 2000
_MAX_MESSAGE = 1_000_000


def server_name() -> str:
    # Per user and per data directory, so a test (or a second profile) never talks to the user's window.
    key = f"{getpass.getuser()}|{data_dir()}"
    return "contract-batch-manager-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def hand_over(paths: list[str], name: str | None = None) -> bool:
    """Send ``paths`` to the running window; False when none is running (this process opens one)."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write(json.dumps(paths).encode())
    socket.flush()
    socket.waitForBytesWritten(_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later starts; ``paths_received`` carries the files and folders they were given."""

    paths_received = Signal(object)  # list[str]

    def __init__(self, parent: QObject | None = None, name: str | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytearray] = {}

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        # A server file left by a crashed window: nobody answers on it (hand_over said so), remove it.
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(self._done)

    def _read(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket) or socket not in self._buffers:
            return
        buffer = self._buffers[socket]
        buffer += bytes(socket.readAll().data())
        if len(buffer) > _MAX_MESSAGE:
            del self._buffers[socket]
            socket.abort()

    def _done(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket):
            return
        buffer = self._buffers.pop(socket, None)
        socket.deleteLater()
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        try:
            paths = json.loads(buffer.decode("utf-8"))
        except ValueError:
            return
        if isinstance(paths, list) and all(isinstance(p, str) for p in paths):
            self.paths_received.emit(paths)

    def close(self) -> None:
        self.server.close()
