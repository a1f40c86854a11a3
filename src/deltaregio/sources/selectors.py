"""Reads for provenance: the documents, the statements, and where statements disagree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from deltaregio.sources.models import SourceDocument, Statement


def document_list() -> QuerySet[SourceDocument]:
    return SourceDocument.objects.order_by("file_name")


def statement_list() -> QuerySet[Statement]:
    return Statement.objects.order_by("key", "source_document", "source_location")


@dataclass(frozen=True)
class Disagreement:
    key: str
    subject: str
    statements: list[Statement]


def disagreements() -> list[Disagreement]:
    """Quantities stated in several places with different values (or texts, where there is no value)."""
    groups: dict[str, list[Statement]] = {}
    for statement in statement_list():
        groups.setdefault(statement.key, []).append(statement)
    result = []
    for key, statements in groups.items():
        if len(statements) < 2:
            continue
        if all(s.value is not None for s in statements):
            differ = len({s.value.normalize() for s in statements if s.value is not None}) > 1
        else:
            differ = len({s.value_text.strip().lower() for s in statements}) > 1
        if differ:
            result.append(Disagreement(key, statements[0].subject, statements))
    return result
