"""Reading uploaded text safely: UTF-8 only, no line beyond the limit, CSV with the
columns a format needs, at most so many rows."""
from __future__ import annotations

import csv
import io
from typing import Iterator

from library_transfer.rows import BadFile, Limits


def decoded(data: bytes, name: str, limits: Limits) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(f"{name} is not UTF-8 text (byte {exc.start}); export it again "
                      "or save it as UTF-8.") from None
    if "\x00" in text:
        raise BadFile(f"{name} holds NUL characters: not a text file.")
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > limits.max_line_bytes:
        raise BadFile(f"{name} has a line of {longest} characters; at most "
                      f"{limits.max_line_bytes} are accepted.")
    return text


def csv_rows(text: str, name: str, required: tuple[str, ...],
             limits: Limits) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV with a header holding every `required` column."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [column.strip() for column in reader.fieldnames or []]
    missing = [column for column in required if column not in header]
    if missing:
        raise BadFile(f"{name} lacks the column(s) {', '.join(missing)} "
                      f"(its header: {', '.join(header)[:200] or 'none'}).")
    reader.fieldnames = header
    try:
        for count, row in enumerate(reader, start=1):
            if count > limits.max_rows:
                raise BadFile(f"{name} has more than {limits.max_rows} rows.", 413)
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items()
                                    if isinstance(k, str)}
    except csv.Error as exc:
        raise BadFile(f"{name} line {reader.line_num}: not valid CSV ({exc}).") from None
