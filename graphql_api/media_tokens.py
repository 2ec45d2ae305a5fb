"""Short-lived signed links to a job's files on the API's own origin: `/media/<job>/<path>?t=`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote, urlencode

from resources.settings import Settings

MEDIA_ROOT = "/media"
# `source` is the job's upload; every other path is relative to jobs/<job>/ (the manifest's)
SOURCE = "source"
_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_CONTEXT = b"lecture-highlights media links v1"


class MediaDenied(Exception):
    """A link that is forged, altered, for another method, or expired: `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def safe_path(path: str) -> bool:
    """A relative path of plain segments (no `..`, no empty or hidden segments)."""
    return bool(_PATH.fullmatch(path)) and ".." not in path


class MediaSigner:
    """Mints and checks links: an HMAC over method, owner, job, path, download name and expiry.

    A <video> or <a download> cannot send an Authorization header, so the grant travels in
    the URL. Expiry is rounded up to a step (a quarter of the lifetime) so a page that asks
    for its job again gets the same URLs: the browser's cache and the page's elements stay.
    """

    def __init__(self, key: bytes, ttl_s: int, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self.ttl_s = max(60, int(ttl_s))
        self._step = max(60, self.ttl_s // 4)
        self._clock = clock

    @classmethod
    def for_settings(
        cls, settings: Settings, clock: Callable[[], float] = time.time
    ) -> MediaSigner:
        """A signer every API replica with these settings shares (tokens and store secret);
        links live as long as presigned URLs (`presign_expiry_s`)."""
        tokens = ",".join(sorted(f"{o}:{t}" for t, o in settings.token_owners().items()))
        material = f"{tokens}\n{settings.s3_secret_access_key.get_secret_value()}"
        return cls(_derive_key(material), settings.presign_expiry_s, clock)

    def _mac(self, method: str, owner: str, job_id: str, path: str, dl: str, exp: int) -> bytes:
        message = "\n".join((method, owner, job_id, path, dl, str(exp))).encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:16]

    def url(
        self,
        owner: str,
        job_id: str,
        path: str,
        *,
        download: str | None = None,
        method: str = "GET",
        version: int | None = None,
    ) -> str:
        """The same-origin URL of `path` in `job_id` for `owner` (relative: `/media/...`)."""
        if not safe_path(path):
            raise ValueError(f"not a plain relative path: {path!r}")
        exp = (int(self._clock()) // self._step + 1) * self._step + self.ttl_s
        mac = self._mac(method, owner, job_id, path, download or "", exp)
        token = f"{exp}.{_b64(owner.encode())}.{_b64(mac)}"
        query: dict[str, str] = {}
        if version is not None:
            query["v"] = str(version)  # a new render gets a new URL (not signed: cache only)
        if download:
            query["dl"] = download
        query["t"] = token
        return f"{MEDIA_ROOT}/{quote(job_id)}/{quote(path)}?{urlencode(query)}"

    def verify(
        self, token: str, job_id: str, path: str, download: str | None, method: str = "GET"
    ) -> str:
        """The owner the link was minted for, or MediaDenied."""
        try:
            exp_text, owner_text, mac_text = token.split(".")
            exp, owner, mac = int(exp_text), _unb64(owner_text).decode(), _unb64(mac_text)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise MediaDenied(
                "MEDIA_LINK_INVALID", "this link is incomplete; reload the page for a fresh one"
            ) from None
        expected = self._mac(method, owner, job_id, path, download or "", exp)
        if not safe_path(path) or not hmac.compare_digest(mac, expected):
            raise MediaDenied(
                "MEDIA_LINK_INVALID",
                "this link was not issued for this file; reload the page for a fresh one",
            )
        if exp < self._clock():
            raise MediaDenied(
                "MEDIA_LINK_EXPIRED", "this link has expired; reload the page for a fresh one"
            )
        return owner


@lru_cache(maxsize=8)
def _derive_key(material: str) -> bytes:
    # from secrets every replica already shares, so there is no new secret to deploy
    return hmac.new(material.encode(), _CONTEXT, hashlib.sha256).digest()
