"""The built site served from 127.0.0.1, as the tests, the bench and ``python -m viz.playground --serve`` do.

>>> import tempfile, urllib.request
>>> folder = Path(tempfile.mkdtemp()); _ = (folder / "index.html").write_text("hello", encoding="utf-8")
>>> with serve(folder) as url:
...     urllib.request.urlopen(url + "/index.html").read()
b'hello'
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path
from typing import Any, Iterator

# How the tests and the bench start headless Chromium: no background traffic, which a closed network refuses.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that logs nothing (a page load is dozens of requests)."""

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path, port: int = 0, quiet: bool = True) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (``port`` 0: any free one) in a thread; yields the address."""
    handler = QuietHandler if quiet else http.server.SimpleHTTPRequestHandler
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
