"""Connecting the window: local mode (start the server and a worker) or a shared broker, in the
background; then reattach to the batch that was running when the app closed; and the broker's health in
the status bar, with a banner and a Retry when it is unreachable."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from core.engine.broker import BrokerUnavailable, mask, resolve_broker
from core.local.mode import Started
from core.memory import settle_memory
from core.policy import broker_url, local_worker_count
from gui.banner import Banner
from gui.bridge import Health

if TYPE_CHECKING:
    from core.engine.client import BatchClient
    from gui.app_context import AppContext


class Connection(QObject):
    connected = Signal()  # the broker answered and the client is ready
    connect_failed = Signal(str)  # local services did not start, or the broker did not answer

    def __init__(self, ctx: AppContext, banner: Banner, health_label: QLabel, status: QStatusBar,
                 reattach: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.bridge = ctx, ctx.bridge
        self.banner, self.health_label, self.status = banner, health_label, status
        self.reattach = reattach
        self.redis_version: str | None = None
        self.last_health: Health | None = None
        b = self.bridge
        b.health.connect(self.on_health)
        b.broker_error.connect(self.on_broker_error)
        b.broker_ok.connect(lambda: self.banner.clear("error"))

    def start(self) -> None:
        """Connect in the background: local mode (start Redis and a worker if needed) or the broker."""
        self.banner.clear("error")
        try:
            choice = resolve_broker(self.ctx.broker_option)
        except Exception as exc:  # a broken settings file must not stop the window
            self.on_broker_error(f"broker settings: {exc}")
            return
        local = self.ctx.local
        mode = "local" if choice.local else "remote"
        label = "local" if choice.local else mask(choice.url or "")
        self.health_label.setText(
            "Local mode: starting Redis and a worker…" if choice.local else f"Connecting to {label}…"
        )
        concurrency = local_worker_count()

        def connect() -> tuple[BatchClient, str | None, Started | None]:
            started = local.ensure_running(concurrency) if choice.local else None
            from core.engine.client import connect as connect_client

            try:
                # Local mode's address is known once it runs (with TCP: its port and keyring password).
                client = connect_client(broker_url(choice, local=local))
                info = client.redis.info("server")
            except BaseException:
                if started is not None:
                    local.stop(started)  # nothing this window started outlives a failed connect
                raise
            # Warm up the reporting stack here, off the GUI thread, so the first report shows quickly.
            import core.reporting.exporter  # noqa: F401

            settle_memory()  # the modules just imported are permanent: keep them out of full collections
            return client, str(info.get("redis_version") or ""), started

        def connected(result: tuple[BatchClient, str | None, Started | None]) -> None:
            client, version, started = result
            self.redis_version = version
            if started is not None and (started.redis or started.workers):
                self.ctx.started = started
            self.bridge.set_client(client, mode, label)
            self.status.showMessage(f"Connected to {label}", 5000)
            self.connected.emit()
            self.reattach()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, BrokerUnavailable | OSError | RuntimeError | TimeoutError):
                self.on_broker_error(str(exc))
                self.connect_failed.emit(str(exc))
                return
            raise exc

        self.bridge.run(connect, connected, failed)

    def on_health(self, h: Health) -> None:
        self.last_health = h
        where = "Local mode" if h.mode == "local" else f"Broker {h.broker}"
        if not h.reachable:
            self.health_label.setText(f"<span style='color:#d64541'>● {where}: unreachable</span>")
            return
        n = len(h.workers)
        colour = "#2e9e4f" if n else "#d39a1c"
        # Say what is meant: one worker program with two processes is "1 worker · 2 processes", the same
        # number Settings calls "local worker processes".
        procs = f" · {h.processes} process{'es' if h.processes != 1 else ''}" if h.processes else ""
        workers = f"{n} worker{'s' if n != 1 else ''}{procs}" if n else "no workers answering"
        self.health_label.setText(f"<span style='color:{colour}'>●</span> {where}: Redis OK · {workers}")
        self.health_label.setToolTip("\n".join(h.workers) or "no worker answered a ping")

    def on_broker_error(self, message: str) -> None:
        self.health_label.setText("<span style='color:#d64541'>● broker unreachable</span>")
        self.banner.show_message(message, "error", "Retry", self.retry)

    def retry(self) -> None:
        if self.bridge.client is None:
            self.start()
        else:
            self.banner.clear()
            self.bridge.poll_now()
