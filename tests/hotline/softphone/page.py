"""A tiny test page around softphone.js, served from loopback with the real static files.

The desk page (branch desk) will host the softphone for real; this page does only what the tests
need: load the module, record its DOM events in `window.softphoneEvents`, start it with a config.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STATIC = Path(__file__).resolve().parents[3] / "src" / "hotline" / "web" / "static"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>softphone test</title></head>
<body>
<div id="softphone"></div>
<script type="module">
import { startSoftphone } from "/static/desk/softphone.js";
window.softphoneEvents = [];
localStorage.debug = "JsSIP:RTCSession*,JsSIP:ERROR*,JsSIP:WARN*";
for (const name of ["registered", "ringing", "answered", "ended", "error"]) {
  document.addEventListener(`softphone:${name}`, (event) => {
    window.softphoneEvents.push({ name, detail: event.detail });
  });
}
window.startPhone = async (config, lang) => {
  window.phone = await startSoftphone({
    root: document.getElementById("softphone"), config, lang,
  });
};
window.pageReady = true;
</script>
</body></html>
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_page(workdir: Path) -> Iterator[str]:
    root = workdir / "site"
    root.mkdir()
    (root / "static").symlink_to(STATIC)
    (root / "index.html").write_text(PAGE)
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
