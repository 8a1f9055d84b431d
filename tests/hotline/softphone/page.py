"""A tiny test page around softphone.js for the tests against kamailio alone (no service).

The desk page hosts the softphone for real (tests/hotline/softphone/test_softphone_emulator.py
and the desk test in test_softphone_sip.py open /desk); this page does only what the SIP tests
need: load the module with the messages of the one catalog (hotline.web.i18n), record its DOM
events in `window.softphoneEvents` (tests.browser adds the recorder), start it with a config.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hotline.web import i18n

WEB = Path(i18n.__file__).resolve().parent
STATIC = WEB / "static"
DESK_STATIC = WEB / "desk" / "static"
MESSAGES = json.dumps(
    {lang: i18n.bundle(lang, ("softphone.",)) for lang in i18n.LANGS}, ensure_ascii=False
)

PAGE = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>softphone test</title></head>
<body>
<div id="softphone"></div>
<script type="module">
import { startSoftphone } from "/static/desk/softphone.js";
const MESSAGES = __MESSAGES__;
localStorage.debug = "JsSIP:RTCSession*,JsSIP:ERROR*,JsSIP:WARN*";
window.startPhone = async (config, lang) => {
  const table = MESSAGES[lang];
  const t = (key, params = {}) =>
    (table[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
  window.phone = await startSoftphone({ root: document.getElementById("softphone"), config, t });
};
window.pageReady = true;
</script>
</body></html>
""".replace("__MESSAGES__", MESSAGES)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_page(workdir: Path) -> Iterator[str]:
    root = workdir / "site"
    (root / "static").mkdir(parents=True)
    # The same URLs as the service's: /static/vendor (JsSIP) and /static/desk (the softphone).
    (root / "static" / "vendor").symlink_to(STATIC / "vendor")
    (root / "static" / "desk").symlink_to(DESK_STATIC)
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
