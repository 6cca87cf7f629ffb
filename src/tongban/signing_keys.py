"""The OpenID Connect signing keys, read by the settings (no Django imports here).

The current RSA key signs ID tokens; earlier keys stay published in the JWKS so that tokens
signed before a rotation still verify. Keys live in ``OIDC_KEY_DIR`` (``current.pem`` and
``inactive/*.pem``) or, for the current key, in the ``OIDC_RSA_PRIVATE_KEY`` environment
variable. ``manage.py oidc_rotate_key`` rotates them; a missing current key is generated.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _write_exclusive(path: Path, text: str) -> None:
    """Write ``path`` unless another process did first (several workers may start at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text)
    temporary.chmod(0o600)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def load_keys(directory: Path) -> tuple[str, list[str]]:
    """(current private key PEM, inactive private key PEMs, newest first)."""
    current = os.environ.get("OIDC_RSA_PRIVATE_KEY", "")
    current_path = directory / "current.pem"
    if not current:
        if not current_path.exists():
            _write_exclusive(current_path, new_private_key_pem())
        current = current_path.read_text()
    inactive_dir = directory / "inactive"
    inactive = (
        [p.read_text() for p in sorted(inactive_dir.glob("*.pem"), reverse=True)]
        if inactive_dir.exists()
        else []
    )
    return current, inactive


def rotate(directory: Path, *, stamp: str) -> None:
    """Move the current key to ``inactive/`` and make a new current key."""
    current_path = directory / "current.pem"
    if current_path.exists():
        target = directory / "inactive" / f"{stamp}.pem"
        target.parent.mkdir(parents=True, exist_ok=True)
        current_path.rename(target)
    _write_exclusive(current_path, new_private_key_pem())
