"""Encrypted backup files: AES-256-GCM in 1 MiB chunks, never the whole database in memory.

The format (version 1) is the "STREAM" construction used by Tink and age, on `cryptography`'s
AESGCM and HKDF:

    header  = MAGIC (8 bytes) || salt (16 random bytes)
    key     = HKDF-SHA256(BACKUP_KEY, salt, info=INFO), 32 bytes: a fresh key per file
    chunk i = AES-GCM(key, nonce = i as 11 bytes big-endian || last flag (1 byte),
                      plaintext of CHUNK bytes (the last one shorter, maybe empty),
                      associated data = header)

The counter in the nonce stops chunks being reordered, the last flag stops a file being cut
short, and the header is authenticated with every chunk. A wrong key fails on the first chunk.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"MAIDBK01"
SALT_BYTES = 16
CHUNK = 1 << 20
TAG_BYTES = 16
INFO = b"mutual-aid-bot backup v1"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupKeyError(Exception):
    """The key does not open this backup (a wrong key, or the file was changed or cut short)."""


def new_key() -> str:
    """A fresh random key for BACKUP_KEY (32 bytes, URL-safe base64)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def is_encrypted(path: Path) -> bool:
    """Whether the file starts like an encrypted backup."""
    with path.open("rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def _file_key(key: str, salt: bytes) -> AESGCM:
    master = base64.urlsafe_b64decode(key.encode("ascii"))
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO).derive(master)
    return AESGCM(derived)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt_file(source: Path, target: Path, key: str) -> None:
    """Write source, encrypted with the key, to target (which must not exist yet)."""
    header = MAGIC + os.urandom(SALT_BYTES)
    aead = _file_key(key, header[len(MAGIC) :])
    with source.open("rb") as plain, target.open("xb") as out:
        out.write(header)
        index, chunk = 0, plain.read(CHUNK)
        while True:
            following = plain.read(CHUNK)
            last = not following
            out.write(aead.encrypt(_nonce(index, last), chunk, header))
            if last:
                break
            index, chunk = index + 1, following
        out.flush()
        os.fsync(out.fileno())


def decrypted_chunks(encrypted: BinaryIO, key: str) -> Iterator[bytes]:
    """The plaintext, chunk by chunk; raises BackupKeyError as soon as a chunk fails."""
    header = encrypted.read(len(MAGIC) + SALT_BYTES)
    if len(header) != len(MAGIC) + SALT_BYTES or not header.startswith(MAGIC):
        raise BackupKeyError("this is not an encrypted backup of this bot")
    aead = _file_key(key, header[len(MAGIC) :])
    index, block = 0, encrypted.read(CHUNK + TAG_BYTES)
    while True:
        following = encrypted.read(CHUNK + TAG_BYTES)
        last = not following
        try:
            yield aead.decrypt(_nonce(index, last), block, header)
        except InvalidTag:
            raise BackupKeyError(
                "BACKUP_KEY does not open this backup: the key is wrong, or the file was "
                "changed or cut short"
            ) from None
        if last:
            return
        index, block = index + 1, following


def decrypt_file(source: Path, target: Path, key: str) -> None:
    """Decrypt source into target; target is created only once the first chunk opened."""
    with source.open("rb") as encrypted:
        chunks = decrypted_chunks(encrypted, key)
        first = next(chunks)  # a wrong key stops here, before anything is written
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("xb") as out:
                out.write(first)
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
