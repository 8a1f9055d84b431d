"""The knowledge base wired to the database: search, the version workflow, import and export.

``knowledge`` holds the rules; this package stores articles in the ``kb_*`` tables
(:mod:`hotline.db.models.knowledge`) and is what the API, the CLI and the pages call.
"""
