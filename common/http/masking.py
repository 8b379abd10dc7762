"""Keeping secrets out of everything a run writes: attachments, curl lines, messages and logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

MASK = "***"

_SECRET_NAMES = "access_token|appsecret|sign|x-acs-dingtalk-access-token"
_PATTERNS = (
    # query strings and form bodies: access_token=abc&…
    re.compile(rf"(?i)(\b(?:{_SECRET_NAMES})=)([^&\s'\"#]+)"),
    # JSON and Python reprs: "access_token": "abc", 'access_token': 'abc'
    re.compile(rf"(?i)(\"(?:{_SECRET_NAMES}|accessToken)\"\s*:\s*\")([^\"]*)"),
    re.compile(rf"(?i)('(?:{_SECRET_NAMES}|accessToken)'\s*:\s*')([^']*)"),
    # headers: x-acs-dingtalk-access-token: abc
    re.compile(rf"(?i)(\b(?:{_SECRET_NAMES})\s*:\s*)([^\s'\",}}]+)"),
)
SECRET_FIELD_NAMES = (*_SECRET_NAMES.split("|"), "accessToken")
"""Every name the patterns above look for: a text that names none of them has nothing for them to mask."""
_ANY_NAME = re.compile("(?i)" + "|".join(map(re.escape, SECRET_FIELD_NAMES)))
"""The names with the patterns' flags, so with their Unicode case folding."""
_LOWER_NAMES = tuple(name.lower() for name in SECRET_FIELD_NAMES)
FOLDING_TO_ASCII = "\u0130\u0131\u017f\u212a"
"""İ ı ſ and the Kelvin sign: the characters beyond ASCII that the patterns' case folding takes for letters of the
names (i, i, s, k)."""


def _names_a_secret(text: str) -> bool:
    """True when ``text`` holds a name the patterns look for, as they would find it. Without the characters of
    ``FOLDING_TO_ASCII`` a name is there exactly when it is in the text's lower case, a much faster search."""
    if not text.isascii() and any(char in text for char in FOLDING_TO_ASCII):
        return _ANY_NAME.search(text) is not None
    lowered = text.lower()
    return any(name in lowered for name in _LOWER_NAMES)


class Masker:
    """Replaces known secret values, and values of secret-named fields, with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._longest_first: tuple[str, ...] = ()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Mask this value from now on, wherever it appears."""
        if secret and len(secret) >= 4 and secret not in self._longest_first:
            self._longest_first = tuple(sorted((*self._longest_first, secret), key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self._longest_first:
            if secret in text:
                text = text.replace(secret, MASK)
        if not _names_a_secret(text):
            return text
        for pattern in _PATTERNS:
            text = pattern.sub(_masked_value, text)
        return text


def _masked_value(match: re.Match[str]) -> str:
    """A secret-named field's name as it was, its value masked."""
    return match.group(1) + MASK


class MaskingLogFilter(logging.Filter):
    """Masks every record passing through, so library debug logs (urllib3 URLs) never leak a token."""

    def __init__(self, masker: Masker) -> None:
        super().__init__()
        self.masker = masker

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.masker(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking(masker: Masker, logger_names: Iterable[str] = ("urllib3", "requests")) -> Callable[[], None]:
    """Mask every record of the loggers that see URLs and of their children, those made later included (requests
    and urllib3 are imported when a run first sends): as the record is made, since a logger's filters do not apply
    to records propagated from below. Returns the function that takes the masking off again."""
    names = tuple(logger_names)
    children = tuple(f"{name}." for name in names)
    log_filter = MaskingLogFilter(masker)
    previous = logging.getLogRecordFactory()
    active = True

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if active and (record.name in names or record.name.startswith(children)):
            log_filter.filter(record)
        return record

    logging.setLogRecordFactory(masked_record)

    def remove() -> None:
        nonlocal active
        active = False  # a factory installed after this one keeps calling it: it passes records through
        if logging.getLogRecordFactory() is masked_record:
            logging.setLogRecordFactory(previous)

    return remove
