"""Where stored files live on disk, and the checks a file passes before it is kept.

Layout: ``{data_dir}/media/{beneficiary_id}/{media_id}-{safe_name}``; one folder per person, so
erasure removes a whole folder.
"""

from __future__ import annotations

import mimetypes
import os
import re
import shutil
import tempfile
from pathlib import Path

#: The key under which sessions carry the data folder, so erasure finds the files.
MEDIA_DIR_KEY = "massar.data_dir"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Names for the files channels give no name to, by kind.
DEFAULT_STEMS = {"photo": "photo", "voice": "voice", "audio": "audio", "video": "video"}
#: Extensions ``mimetypes`` does not know or guesses oddly.
EXTENSIONS = {
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/amr": ".amr",
    "image/jpeg": ".jpg",
}


def person_dir(data_dir: Path, beneficiary_id: int) -> Path:
    """The folder of one person's files."""
    return data_dir / "media" / str(int(beneficiary_id))


def base_type(content_type: str | None) -> str:
    """``image/jpeg; charset=x`` -> ``image/jpeg``."""
    return (content_type or "").split(";")[0].strip().lower()


def allowed(content_type: str | None, types: frozenset[str]) -> bool:
    """Whether a file of this type may be kept."""
    return base_type(content_type) in types


def safe_name(name: str | None, *, kind: str, content_type: str | None) -> str:
    """A file name that is safe on disk and in a header: ASCII letters, digits, ``._-``."""
    stem = os.path.basename((name or "").replace("\\", "/"))
    cleaned = _UNSAFE.sub("_", stem).strip("._")[:80]
    if not cleaned:
        cleaned = DEFAULT_STEMS.get(kind, "file")
    if "." not in cleaned:
        kind_type = base_type(content_type)
        cleaned += EXTENSIONS.get(kind_type) or mimetypes.guess_extension(kind_type) or ""
    return cleaned


def stored_path(data_dir: Path, beneficiary_id: int, media_id: int, file_name: str) -> Path:
    """Where one file is kept."""
    return person_dir(data_dir, beneficiary_id) / f"{int(media_id)}-{file_name}"


def write_file(path: Path, content: bytes) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def delete_person_media(data_dir: Path, beneficiary_id: int) -> None:
    """Remove every file a person sent (erasure)."""
    shutil.rmtree(person_dir(data_dir, beneficiary_id), ignore_errors=True)
