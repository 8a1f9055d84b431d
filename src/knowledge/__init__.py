"""The knowledge base (知识库): articles, versions and their workflow, Chinese search.

A pure domain package: it imports neither ``hotline``, ``cti`` nor ``workorders``, nor a web
framework, a database driver or a network client. Modules, by role:

* ``model``     articles (lineages with an owner and editors) and version content
* ``rules``     region and effective-date rules; the checks a version passes before it is kept
* ``workflow``  draft -> review -> published -> retired, and who may take each step
* ``analysis``  segmentation (jieba-rs + the tax dictionary), synonyms, highlighting
* ``ranking``   BM25 from integer statistics (the same score on every database)
* ``corpus``    the Markdown + YAML front matter file format (import and export)
* ``errors``    the error hierarchy
"""

from knowledge.analysis import Analyzer, build_analyzer, default_analyzer
from knowledge.corpus import ArticleFile, ArticleFileError, parse_article, render_article
from knowledge.errors import (
    InvalidArticleError,
    KnowledgeError,
    NotAnEditorError,
    OverlappingVersionsError,
    TransitionError,
)
from knowledge.model import ArticleHead, Status, VersionContent
from knowledge.rules import PROVINCE, applies_to, in_force

__all__ = [
    "PROVINCE",
    "Analyzer",
    "ArticleFile",
    "ArticleFileError",
    "ArticleHead",
    "InvalidArticleError",
    "KnowledgeError",
    "NotAnEditorError",
    "OverlappingVersionsError",
    "Status",
    "TransitionError",
    "VersionContent",
    "applies_to",
    "build_analyzer",
    "default_analyzer",
    "in_force",
    "parse_article",
    "render_article",
]
