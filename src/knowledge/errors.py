"""Knowledge-base errors: what was wrong, naming the field, with no HTTP knowledge.

The composition root maps them to responses (``field`` goes into the error detail). ``message``
is this package's English; ``code`` and ``params`` say the same as data, so that the pages can
word it in their reader's language (hotline: ``kb.problem.<code>``). Never rename a code.
"""

from __future__ import annotations

from collections.abc import Mapping


class KnowledgeError(Exception):
    """Base of every knowledge-base error."""

    slug = "knowledge_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code  # None: only the English message says what is wrong
        self.params: dict[str, str] = dict(params or {})


class InvalidArticleError(KnowledgeError):
    """An article or version field is missing or malformed."""

    slug = "invalid_article"


class OverlappingVersionsError(KnowledgeError):
    """Two published versions of one article would be in force on the same day for one region."""

    slug = "overlapping_versions"


class TransitionError(KnowledgeError):
    """The workflow does not allow this step from the version's current status."""

    slug = "wrong_status"


class NotAnEditorError(KnowledgeError):
    """Only the owning department's editors may do this."""

    slug = "forbidden"
