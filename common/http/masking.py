"""Keeping secrets out of everything a run writes: attachments, curl lines, messages and logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

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


class Masker:
    """Replaces known secret values, and values of secret-named fields, with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Mask this value from now on, wherever it appears."""
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda match: match.group(1) + MASK, text)
        return text


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
    """Mask the loggers that see URLs (each one and its existing children, since a logger's filters do not
    apply to records propagated from below); returns the function that removes the filter again."""
    log_filter = MaskingLogFilter(masker)
    names = tuple(logger_names)
    loggers = [
        logging.getLogger(name)
        for name in [*names, *list(logging.root.manager.loggerDict)]
        if name in names or name.startswith(tuple(f"{n}." for n in names))
    ]
    for logger in loggers:
        logger.addFilter(log_filter)

    def remove() -> None:
        for logger in loggers:
            logger.removeFilter(log_filter)

    return remove
