"""Knowledge-base errors: what was wrong, naming the field, with no HTTP knowledge.

The composition root maps them to responses (``field`` goes into the error detail).
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base of every knowledge-base error."""

    slug = "knowledge_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
