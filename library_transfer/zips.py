"""Reading a ZIP without trusting it: no absolute or `..` member names, no more than
the unpacked limit in total (counted while reading, not taken from the headers, so a
zip bomb stops at the limit), no encrypted or nested archives."""
from __future__ import annotations

import io
import posixpath
import zipfile

from library_transfer.rows import BadFile, Limits

MAX_MEMBERS = 1000


def members(data: bytes, limits: Limits, wanted) -> dict[str, bytes]:
    """The contents of the members whose name `wanted(name)` accepts, by name."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise BadFile(f"The ZIP cannot be read ({exc}).") from None
    if len(infos) > MAX_MEMBERS:
        raise BadFile(f"The ZIP holds more than {MAX_MEMBERS} files.")
    for info in infos:
        _check_name(info.filename)
    budget = [limits.max_unpacked_bytes]
    return {info.filename: _read(archive, info, budget)
            for info in infos if not info.is_dir() and wanted(info.filename)}


def _check_name(name: str) -> None:
    normal = posixpath.normpath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or normal.startswith("..") or ":" in name.split("/")[0]:
        raise BadFile(f"The ZIP names a file outside itself ({name[:80]!r}).")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    if info.flag_bits & 0x1:
        raise BadFile(f"{info.filename} is encrypted.")
    if info.file_size > budget[0]:
        raise BadFile(_too_big(), 413)
    try:
        with archive.open(info) as member:
            data = member.read(budget[0] + 1)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise BadFile(f"{info.filename} cannot be unpacked ({exc}).") from None
    if len(data) > budget[0]:
        raise BadFile(_too_big(), 413)
    budget[0] -= len(data)
    return data


def _too_big() -> str:
    return "The ZIP unpacks to more than the accepted size (a zip bomb?)."
