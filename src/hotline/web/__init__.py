"""The pages: server-rendered with Jinja2, made live with htmx and Alpine.js (vendored from npm).

One module per area (``desk``, and later ``workorders``, ``floor``, ...), each with its
``templates/`` and ``static/``; the shared layout, login and language switch live here. A page
calls the same services as the API, never the API over HTTP; the desktop's script calls the REST
API from the browser with the session cookie and the CSRF header.
"""

from hotline.web.app import install_web

__all__ = ["install_web"]
