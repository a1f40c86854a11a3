"""Reading a source file into records: CSV (delimiter, encoding), JSON (a path to the list of records)
and XLSX (a sheet). Problems with the file itself — too large, empty, a wrong encoding, a duplicated
or missing column, a formula in a cell — are reported with their row and column; the reader never
stops at the first one."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterator, MutableSet
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from deltaregio.imports.profiles import Profile

#: The largest file an import accepts unless settings.DELTAREGIO_IMPORT_MAX_BYTES says otherwise.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
SURROGATE = re.compile("[\udc80-\udcff]")
PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
MISSING = object()


def max_bytes() -> int:
    return int(getattr(settings, "DELTAREGIO_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass
class Problem:
    """Something wrong with the input: where (row N, record N, header, file), which field, what."""

    location: str
    field: str
    message: str
    severity: str = "error"

    def as_dict(self) -> dict[str, str]:
        return {
            "location": self.location,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(slots=True)
class SourceRecord:
    number: int  # the row in the file (header = row 1) or the record's position (first = 1)
    location: str
    values: Any  # dict of column → value (CSV, XLSX) or the JSON object
    # a digest of the whole record, every cell: two records are the same when their digests are.
    # A CSV record keeps only the columns the profile reads in `values`, so the reader makes it.
    digest: str = ""
    unreadable: bool = False  # the reader reported an error of this record (encoding, cells)


def record_digest(values: Any) -> str:
    payload = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(payload.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


@dataclass
class Source:
    records: list[SourceRecord] = field(default_factory=list)
    columns: list[str] | None = None  # the header (CSV, XLSX); None for JSON
    problems: list[Problem] = field(default_factory=list)
    formula_cells: set[tuple[int, str]] = field(default_factory=set)
    # a CSV file read as a stream (read_source(streaming=True)): its records, to be read once
    stream: Iterator[SourceRecord] | None = None
    has_records: bool = False
    # of the records read (plan_import keeps them in its spill: a large file has millions)
    locations: MutableSet[str] = field(default_factory=set)
    lines: int = 0  # the file's line ends: about the number of records while they are streamed

    def each(self) -> Iterator[SourceRecord]:
        """Every record, once: from the stream, or from the list."""
        if self.stream is not None:
            stream, self.stream = self.stream, None
            yield from stream
        else:
            yield from self.records

    @property
    def expected(self) -> int:
        return len(self.records) if self.records else max(self.lines - 1, 1)

    @property
    def any_records(self) -> bool:
        return bool(self.records) or self.has_records


def get_value(values: Any, column: str) -> Any:
    """The value of a column (CSV/XLSX) or of a path in a JSON record ('recipientOrganization[0].id',
    'a.b.0.c'); MISSING when the record does not have it."""
    if isinstance(values, dict) and column in values:
        return values[column]
    current = values
    for name, index in PATH_PART.findall(column):
        key: Any = int(index) if index else name
        if isinstance(current, dict):
            if key not in current:
                return MISSING
            current = current[key]
        elif isinstance(current, list):
            if isinstance(key, str):
                if not key.isdigit():
                    return MISSING
                key = int(key)
            if key >= len(current):
                return MISSING
            current = current[key]
        else:
            return MISSING
    return current


NOT_BLANK = re.compile(rb"\S")


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _blank(stream: IO[bytes]) -> bool:
    while chunk := stream.read(1 << 20):
        if NOT_BLANK.search(chunk):
            stream.seek(0)
            return False
    stream.seek(0)
    return True


def read_source(data: bytes | IO[bytes], profile: Profile, *, streaming: bool = False) -> Source:
    """Read the file (its bytes, or a binary file opened for reading). A CSV file is parsed row by row;
    with `streaming` its records are not read here but given one at a time by `Source.each()` (the
    header is read, and the first record, to know there is one), so that a large file is never held
    whole in memory."""
    stream: IO[bytes] = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    source = Source()
    limit = max_bytes()
    size = _size(stream)
    if size > limit:
        source.problems.append(
            Problem(
                "file",
                "",
                _(
                    "The file is %(size)s MB; the largest file an import accepts is %(limit)s MB (setting "
                    "DELTAREGIO_IMPORT_MAX_BYTES). Split the file or ask the administrator to raise the "
                    "limit."
                )
                % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.1f}"},
            )
        )
        return source
    if _blank(stream):
        source.problems.append(Problem("file", "", _("The file is empty.")))
        return source
    if profile.format == "csv":
        _read_csv(stream, profile, source, streaming=streaming)
    elif profile.format == "json":
        _read_json(stream.read(), profile, source)
    else:
        _read_xlsx(stream.read(), profile, source)
    if not source.any_records and not any(p.severity == "error" for p in source.problems):
        source.problems.append(Problem("file", "", _("The file has no records.")))
    _check_columns(profile, source)
    return source


def _encoding_hint(encoding: str) -> str:
    return _("The profile says the file is %(encoding)s; was it saved as Windows-1252 or Latin-1?") % {
        "encoding": encoding
    }


def _decodes(stream: IO[bytes], encoding: str, source: Source) -> bool:
    """Whether the whole file is valid in the encoding (read in pieces, then rewound); counts its lines."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := stream.read(1 << 20):
            source.lines += chunk.count(b"\n")
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def _read_csv(stream: IO[bytes], profile: Profile, source: Source, *, streaming: bool) -> None:
    encoding = (
        "utf-8-sig" if profile.encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else profile.encoding
    )
    bad_encoding = not _decodes(stream, encoding, source)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
    reader = csv.reader(text, delimiter=profile.delimiter)
    header = _csv_header(reader, profile, source, bad_encoding)
    if header is None:
        text.detach()
        return
    rows = _csv_records(reader, text, header, profile, source, encoding, bad_encoding)
    if not streaming:
        source.records = list(rows)
        return
    first = next(rows, None)  # a file of a header alone has no records (and its columns are not checked)
    if first is not None:
        source.stream = itertools.chain([first], rows)
        source.has_records = True


def _csv_header(reader: Any, profile: Profile, source: Source, bad_encoding: bool) -> list[str] | None:
    try:
        header = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        source.problems.append(Problem("row 1", "", _("The header cannot be read: %(e)s") % {"e": exc}))
        return None
    header = [h.strip() for h in header]
    duplicates = sorted({h for h in header if header.count(h) > 1})
    for name in duplicates:
        source.problems.append(
            Problem("row 1", name, _("The column %(name)s occurs twice.") % {"name": name})
        )
    if bad_encoding:
        for index, name in enumerate(header):
            if SURROGATE.search(name):
                source.problems.append(Problem("row 1", name, _encoding_hint(profile.encoding)))
                header[index] = SURROGATE.sub("?", name)
    source.columns = header
    return header


def _csv_records(
    reader: Any,
    text: io.TextIOWrapper,
    header: list[str],
    profile: Profile,
    source: Source,
    encoding: str,
    bad_encoding: bool,
) -> Iterator[SourceRecord]:
    """The records of a CSV file, one at a time; a row's problems go to source.problems before its
    record is given (and mark it unreadable). The caller's file stays open when they are all read."""
    try:
        yield from _csv_rows(reader, header, profile, source, encoding, bad_encoding)
    finally:
        text.detach()


def _csv_rows(
    reader: Any, header: list[str], profile: Profile, source: Source, encoding: str, bad_encoding: bool
) -> Iterator[SourceRecord]:
    read = set(profile.columns())  # a record keeps the columns the profile reads, and a digest of all
    width = len(header)
    row = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row += 1
            source.problems.append(Problem(f"row {row}", "", _("The row cannot be read: %(e)s") % {"e": exc}))
            continue
        row += 1
        if not any(cell.strip() for cell in cells):
            continue
        location = f"row {row}"
        problems_before = len(source.problems)
        if len(cells) != width:
            source.problems.append(
                Problem(
                    location,
                    "",
                    _("The row has %(n)s cells; the header has %(w)s columns.")
                    % {"n": len(cells), "w": width},
                )
            )
        values = dict(zip(header, cells, strict=False))
        if bad_encoding:
            for name, value in values.items():
                if SURROGATE.search(value):
                    byte = value.encode(encoding, errors="surrogateescape")[
                        SURROGATE.search(value).start() :  # type: ignore[union-attr]
                    ][:1]
                    source.problems.append(
                        Problem(
                            location,
                            name,
                            _("The value is not valid %(encoding)s (byte 0x%(byte)s). %(hint)s")
                            % {
                                "encoding": profile.encoding,
                                "byte": byte.hex().upper(),
                                "hint": _encoding_hint(profile.encoding),
                            },
                        )
                    )
                    values[name] = SURROGATE.sub("?", value)
        kept = {name: value for name, value in values.items() if name in read}
        unreadable = len(source.problems) > problems_before
        yield SourceRecord(row, location, kept, record_digest(values), unreadable)


def _read_json(data: bytes, profile: Profile, source: Source) -> None:
    try:
        text = data.decode("utf-8-sig" if profile.encoding.lower() in {"utf-8", "utf8"} else profile.encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        source.problems.append(
            Problem(
                f"line {line}",
                "",
                _("The file is not valid %(encoding)s (byte 0x%(byte)s at position %(pos)s).")
                % {
                    "encoding": profile.encoding,
                    "byte": data[exc.start : exc.start + 1].hex().upper(),
                    "pos": exc.start,
                },
            )
        )
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        source.problems.append(
            Problem(
                f"line {exc.lineno}",
                "",
                _("The file is not valid JSON: %(msg)s (column %(col)s).")
                % {"msg": exc.msg, "col": exc.colno},
            )
        )
        return
    records: Any = document
    if profile.records:
        records = get_value(document, profile.records)
    if records is MISSING or not isinstance(records, list):
        source.problems.append(
            Problem(
                "file",
                profile.records,
                _("The file has no list of records at %(path)s.")
                % {"path": profile.records or _("the top level")},
            )
        )
        return
    for index, record in enumerate(records, start=1):
        location = f"{profile.record_label} {index}"
        if not isinstance(record, dict):
            source.problems.append(Problem(location, "", _("The record is not an object.")))
            continue
        source.records.append(SourceRecord(index, location, record))


def _read_xlsx(data: bytes, profile: Profile, source: Source) -> None:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        source.problems.append(
            Problem("file", "", _("The file is not an Excel workbook (.xlsx): %(e)s") % {"e": exc})
        )
        return
    try:
        if profile.sheet:
            if profile.sheet not in workbook.sheetnames:
                source.problems.append(
                    Problem(
                        "file",
                        profile.sheet,
                        _("The workbook has no sheet %(sheet)s (sheets: %(sheets)s).")
                        % {"sheet": profile.sheet, "sheets": ", ".join(workbook.sheetnames)},
                    )
                )
                return
            sheet = workbook[profile.sheet]
        else:
            sheet = workbook.worksheets[0]
        rows: Iterator[Any] = sheet.iter_rows()
        try:
            header_cells = next(rows)
        except StopIteration:
            return
        header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
        while header and not header[-1]:
            header.pop()
        for name in sorted({h for h in header if h and header.count(h) > 1}):
            source.problems.append(
                Problem("row 1", name, _("The column %(name)s occurs twice.") % {"name": name})
            )
        source.columns = header
        for cells in rows:
            row = cells[0].row if cells and hasattr(cells[0], "row") else len(source.records) + 2
            values: dict[str, Any] = {}
            for name, cell in zip(header, cells, strict=False):
                if not name:
                    continue
                value = cell.value
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(value, str) and value.startswith("=")
                ):
                    source.formula_cells.add((row, name))
                if isinstance(value, str):
                    value = value.strip()
                values[name] = value
            if not any(v not in (None, "") for v in values.values()):
                continue
            source.records.append(SourceRecord(row, f"row {row}", values))
    finally:
        workbook.close()


def _check_columns(profile: Profile, source: Source) -> None:
    """Every column the profile maps must be in the file: in the header (CSV, XLSX), or in at least one
    record (JSON)."""
    if not source.any_records:
        return
    if source.columns is not None:
        present = set(source.columns)
        for column in profile.columns():
            if column not in present:
                source.problems.append(
                    Problem(
                        "row 1",
                        column,
                        _("The column %(column)s that the profile maps is missing.") % {"column": column},
                    )
                )
        return
    missing = set(profile.columns())
    for record in source.records:
        missing = {c for c in missing if get_value(record.values, c) is MISSING}
        if not missing:
            return
    required = set(profile.required_columns())
    for column in sorted(missing):
        if column in required:
            message = _("No record has the field %(column)s that the profile maps.") % {"column": column}
            source.problems.append(Problem("file", column, message))
        else:
            message = _("No record has the optional field %(column)s; it stays empty.") % {"column": column}
            source.problems.append(Problem("file", column, message, severity="warning"))
