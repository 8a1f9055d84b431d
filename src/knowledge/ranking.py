"""BM25 over the candidates of a query, computed in Python from integer statistics.

The database returns integers only (term frequencies, document lengths, document counts), and the
score is computed here, so SQLite and PostgreSQL rank the same data identically to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class CorpusStats:
    documents: int  # searchable versions
    total_length: int  # sum of their lengths in terms

    @property
    def average_length(self) -> float:
        return self.total_length / self.documents if self.documents else 0.0


def idf(documents: int, containing: int) -> float:
    """BM25's inverse document frequency (the +1 keeps it positive for very common terms)."""
    return math.log(1.0 + (documents - containing + 0.5) / (containing + 0.5))


def bm25(
    frequencies: Mapping[str, int],
    length: int,
    document_frequency: Mapping[str, int],
    stats: CorpusStats,
) -> float:
    """The BM25 score of one document given its frequencies of the query's terms."""
    avg = stats.average_length or 1.0
    score = 0.0
    for term, tf in frequencies.items():
        if tf <= 0:
            continue
        norm = tf + K1 * (1.0 - B + B * length / avg)
        score += idf(stats.documents, document_frequency.get(term, 0)) * tf * (K1 + 1.0) / norm
    return score


def term_frequencies(terms: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for term in terms:
        counts[term] = counts.get(term, 0) + 1
    return counts


# The length an impact is normalised against: a fixed figure (near the sample base's average),
# not the corpus average, so an impact never changes once written and is the same integer on
# every database. It only orders one term's postings; the published score uses the real average.
REFERENCE_LENGTH = 200.0


def impact(frequency: int, length: int) -> int:
    """A term's weight in one version without its idf, x1000 as an integer: BM25's saturated,
    length-normalised frequency. Within one term, a higher impact is a higher BM25 share."""
    norm = frequency + K1 * (1.0 - B + B * length / REFERENCE_LENGTH)
    return int(1000.0 * frequency * (K1 + 1.0) / norm + 0.5)
