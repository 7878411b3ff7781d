"""The HTTP endpoint of ``notifier run``: digest ingest, health and metrics.

Imports aiohttp: only ``notifier run`` imports this package.
"""

from notifier.server._app import Health, Ingest, make_app
from notifier.server._log import AccessLogger
from notifier.server._run import Server, serve

__all__ = ["AccessLogger", "Health", "Ingest", "Server", "make_app", "serve"]
