"""Recognise video containers from their first bytes, before spending a run on an upload."""

from __future__ import annotations

CONTAINERS = {
    "mp4": "ISO base media (mp4/mov)",
    "mkv": "Matroska/WebM",
    "avi": "AVI",
    "mpeg": "MPEG program/transport stream",
}


def sniff_container(head: bytes) -> str | None:
    """The container family of a file from its first bytes, or None when it is not a video."""
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "mkv"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return "mpeg"
    if len(head) >= 189 and head[0] == 0x47 and head[188] == 0x47:
        return "mpeg"
    return None


def describe_non_video(head: bytes) -> str:
    """A short human guess at what a non-video upload is, for the error message."""
    stripped = head.lstrip().lower()
    if stripped.startswith(b"%pdf"):
        return "a PDF document"
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if head.startswith((b"ID3", b"fLaC", b"OggS")) or head[:2] == b"\xff\xfb":
        return "an audio file"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "an image"
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive or office document"
    try:
        head.decode("utf-8")
        return "a text file"
    except UnicodeDecodeError:
        return "not a video container we recognise"
