"""The password policy, after NIST SP 800-63B and OWASP ASVS 5: length, not common, not trivial,
not the user's own name or email; no composition rules (no "one digit and one capital").

Every path that sets a password (account page, admin user form, `crmkit user`, `crmkit init`,
the first admin of `crmkit serve`) goes through ``password_problem`` via crmkit.core.auth.service.
Characters are Unicode code points after NFKC, so Cyrillic counts one per letter.
"""

from __future__ import annotations

import gzip
import secrets
import unicodedata
from functools import cache
from importlib import resources

from crmkit.i18n import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128  # argon2 hashes any length; this only bounds the work per attempt
# A password needs this many "fresh" characters: ones that do not merely repeat the previous one
# or step to its neighbour in the alphabet or on a keyboard row ("aaaa", "abcd", "qwer", "4321").
MIN_FRESH_CHARACTERS = 5
KEYBOARD_ROWS = (
    "`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
    "ё1234567890-=", "йцукенгшщзхъ\\", "фывапролджэ", "ячсмитьбю.",
)
# A Cyrillic letter typed on the Russian layout is the Latin key below it: "пароль" is "gfhjkm",
# which is what the common-password lists hold.
CYRILLIC_TO_KEYS = str.maketrans("йцукенгшщзхъфывапролджэячсмитьбюё", "qwertyuiop[]asdfghjkl;'zxcvbnm,.`")
SERVICE_WORDS = ("crmkit",)
EDGE_NOISE = "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (see the file's header for its source and licence)."""
    raw = resources.files("crmkit.core.auth").joinpath("common_passwords.txt.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password).casefold()


def _neighbours() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in KEYBOARD_ROWS:
        for left, right in zip(row, row[1:]):
            found.setdefault(left, set()).add(right)
            found.setdefault(right, set()).add(left)
    return found


NEIGHBOURS = _neighbours()


def fresh_characters(text: str) -> int:
    """How many characters are not predictable from the one before (same, ±1, keyboard neighbour)."""
    fresh = 1 if text else 0
    for previous, current in zip(text, text[1:]):
        if abs(ord(current) - ord(previous)) > 1 and current not in NEIGHBOURS.get(previous, ()):
            fresh += 1
    return fresh


def repeating_unit(text: str) -> str:
    """The shortest string whose repetition makes ``text`` ("abcabc" -> "abc")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def is_common(text: str) -> bool:
    """In the list as typed, without spaces, without digits and signs around it, once of a repeat,
    or typed in the Russian layout ("Password2024!", "pass word", "iloveyou iloveyou", "пароль123456")."""
    common = common_passwords()
    compact = "".join(text.split())
    stripped = compact.strip(EDGE_NOISE)
    candidates = {text, compact, stripped, repeating_unit(compact), repeating_unit(stripped)}
    candidates |= {candidate.translate(CYRILLIC_TO_KEYS) for candidate in candidates}
    return any(candidate in common for candidate in candidates)


def personal_words(email: str, name: str) -> list[str]:
    """The user's email, its parts (but the top-level domain) and the words of their name, longest
    first (3+ characters)."""
    email = normalise(email.strip())
    local, _at, domain = email.partition("@")
    words = {email, local, domain, *domain.split(".")[:-1], *SERVICE_WORDS}
    for text in (local, normalise(name)):
        words.add(text)
        words.update("".join(ch if ch.isalnum() else " " for ch in text).split())
    return sorted((word for word in words if len(word) >= 3), key=len, reverse=True)


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is refused for the user with this email and name, or None when it is fine."""
    text = normalise(password)
    if len(text) < MIN_LENGTH:
        return _("The password must be at least %(n)d characters long.", n=MIN_LENGTH)
    if len(text) > MAX_LENGTH:
        return _("The password must be at most %(n)d characters long.", n=MAX_LENGTH)
    if is_common(text):
        return _("This password is one of the most common ones; choose another.")
    unit = repeating_unit(text)
    if fresh_characters(unit) < MIN_FRESH_CHARACTERS or len(set(text)) < 4:
        return _("The password is too predictable (repeated or sequential characters); choose another.")
    rest = text
    for word in personal_words(email, name):
        rest = rest.replace(word, "")
    if len(rest) < MIN_LENGTH:
        return _(
            "Your name and email address do not count towards the %(n)d characters; add words of your own.",
            n=MIN_LENGTH,
        )
    return None


def generate_password(email: str = "", name: str = "") -> str:
    """A random password the policy accepts (16 URL-safe characters, 96 bits), for first runs and demos."""
    while True:
        password = secrets.token_urlsafe(12)
        if password_problem(password, email, name) is None:
            return password
