"""Read the reference data set's YAML files into plain records, each tagged with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

SECTIONS = (
    "organisations",
    "people",
    "labs",
    "funders",
    "instruments",
    "summits",
    "themes",
    "subdomains",
    "agenda_items",
    "declarations",
    "events",
    "stakeholder_groups",
    "calls",
    "application_domains",
    "key_technologies",
    "projects",
    "budget_tables",
    "statements",
)


class SeedFileError(Exception):
    """A seed file cannot be read; the message names the file and what is wrong."""


@dataclass
class Record:
    section: str
    data: dict[str, Any]
    document: str
    file: str
    index: int

    @property
    def location(self) -> str:
        return str(self.data.get("source", ""))

    def where(self) -> str:
        ident = next(
            (self.data[k] for k in ("code", "name", "acronym", "key", "number", "date") if k in self.data), ""
        )
        return f"{self.file} {self.section}[{self.index}] {ident}".rstrip()


@dataclass
class DataSet:
    documents: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, list[Record]] = field(default_factory=lambda: {s: [] for s in SECTIONS})


def read_data_set(data_dir: Path = DATA_DIR) -> DataSet:
    data_set = DataSet()
    documents_file = data_dir / "documents.yaml"
    if not documents_file.exists():
        raise SeedFileError(
            f"{documents_file.name}: missing; the data set must describe its source documents"
        )
    data_set.documents = _load(documents_file).get("documents", [])
    known_documents = {doc["file_name"] for doc in data_set.documents}
    files = sorted(p for p in data_dir.glob("*.yaml") if p.name != "documents.yaml")
    if not files:
        raise SeedFileError(f"no seed files found in {data_dir}")
    for path in files:
        content = _load(path)
        document = content.get("document")
        if document not in known_documents:
            raise SeedFileError(f"{path.name}: 'document: {document}' is not listed in documents.yaml")
        unknown = set(content) - set(SECTIONS) - {"document"}
        if unknown:
            raise SeedFileError(f"{path.name}: unknown section(s) {', '.join(sorted(unknown))}")
        for section in SECTIONS:
            items = content.get(section) or []
            if not isinstance(items, list):
                raise SeedFileError(f"{path.name}: section {section} must be a list")
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    raise SeedFileError(f"{path.name}: {section}[{index}] must be a mapping")
                data_set.records[section].append(Record(section, item, str(document), path.name, index))
    return data_set


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with the same key twice (YAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice in one record", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load(path: Path) -> dict[str, Any]:
    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, ValueError) as exc:
        raise SeedFileError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(content, dict):
        raise SeedFileError(f"{path.name}: must contain a mapping of sections")
    return content
