"""Documents of requests and replies: files stored once by sha256 under the data directory, typed by content.

A file's type is sniffed from its first bytes (never its name); only the types listed in ACCEPTED are stored,
up to a size limit. The same content added twice, to any request, is stored once. Files are written before the
database commits; a file whose transaction then rolls back stays on disk unreferenced (harmless: it is only ever
reached through a committed row).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.dialects import postgresql, sqlite

from straitlink.domain.errors import DocumentRejected, InvalidValue, StoreUnavailable
from straitlink.store.tables_workflow import StoredFileRow
from straitlink.store.uow import UnitOfWork

MAX_BYTES = 50 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED: dict[str, str] = {
    "application/pdf": "PDF",
    DOCX: "Word (DOCX)",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/tiff": "TIFF",
    "text/plain; charset=utf-8": "plain text (UTF-8)",
}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
# Control characters other than tab, line feed, form feed and carriage return do not occur in text documents.
_BINARY = bytes(c for c in range(32) if c not in (9, 10, 12, 13)) + b"\x7f"


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _is_text(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return content.translate(None, _BINARY) == content


def sniff(content: bytes) -> str | None:
    """The media type the content shows, if it is one of the accepted types."""
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    if content.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(content) else None
    return "text/plain; charset=utf-8" if _is_text(content) else None


@dataclass(frozen=True)
class Upload:
    """A file as given: its name (kept for display only) and its bytes."""

    filename: str
    content: bytes

    @classmethod
    def from_path(cls, path: Path) -> Upload:
        try:
            return cls(path.name, path.read_bytes())
        except OSError as exc:
            raise InvalidValue("document", str(path), exc.strerror or "cannot be read") from None


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    sha256: str
    size: int
    media_type: str
    content: bytes


class FileStore:
    """Content-addressed files under one directory: `<root>/<first two hex digits>/<sha256>`."""

    def __init__(self, root: Path, *, max_bytes: int = MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def check(self, upload: Upload) -> CheckedFile:
        """The file's hash and type, or DocumentRejected naming the file and what is wrong with it."""
        name = os.path.basename(upload.filename.replace("\\", "/")).strip()
        if not name or len(name) > 255:
            raise InvalidValue("filename", upload.filename, "a file name of 1 to 255 characters")
        size = len(upload.content)
        if size == 0:
            raise DocumentRejected(f"document: {name!r} is empty", field="document", value=name)
        if size > self.max_bytes:
            raise DocumentRejected(
                f"document: {name!r} is {size} bytes, over the limit of {self.max_bytes}", field="document", value=name
            )
        media_type = sniff(upload.content)
        if media_type is None:
            kinds = ", ".join(ACCEPTED.values())
            raise DocumentRejected(
                f"document: {name!r} is not one of the accepted types ({kinds}), judged by its content",
                field="document",
                value=name,
            )
        digest = hashlib.sha256(upload.content).hexdigest()
        return CheckedFile(name, digest, size, media_type, upload.content)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, checked: CheckedFile) -> None:
        """Write the content once; an existing file with this hash is kept as it is."""
        target = self.path(checked.sha256)
        if target.exists():
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        except OSError as exc:
            raise StoreUnavailable(
                f"data_dir: cannot store files in {str(self.root)!r} ({exc.strerror})",
                field="data_dir",
                value=self.root,
            ) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(checked.content)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)  # atomic: a reader sees the whole file or none
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, sha256: str) -> bytes:
        """The content, checked against its hash so a damaged file is never handed out as the original."""
        try:
            content = self.path(sha256).read_bytes()
        except OSError:
            raise DocumentRejected(
                f"document: file {sha256} is missing from the store", field="sha256", value=sha256
            ) from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise DocumentRejected(
                f"document: file {sha256} is damaged (its hash differs)", field="sha256", value=sha256
            )
        return content


def record_file(uow: UnitOfWork, checked: CheckedFile, *, recorded_at: str) -> None:
    """The file's row, added unless another transaction (even a concurrent one) already added it."""
    values = {
        "sha256": checked.sha256,
        "size": checked.size,
        "media_type": checked.media_type,
        "first_stored_at": recorded_at,
    }
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    uow.session.execute(insert(StoredFileRow).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
