"""The pages: server-rendered with Jinja2, made live with htmx and Alpine.js (vendored from npm).

One module per area (``desk``, and later ``workorders``, ``floor``, ...), each with its
``templates/`` and ``static/``; the shared layout, login and language switch live here. A page
calls the same services as the API, never the API over HTTP; the desktop's script calls the REST
API from the browser with the session cookie and the CSRF header.

``hotline.web.app.install_web`` mounts them. This package itself imports nothing: the translation
layer (``hotline.web.i18n``) serves the command line and the API too, which must not load the
pages (and the centre's checks the pages import) to word a message.
"""
