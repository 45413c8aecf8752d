"""Reading a JSON body that may be anything: bounded nesting, strict values, typed failures.

``json.loads`` recurses once per nesting level and raises ``RecursionError`` (or, on some
builds, exhausts the C stack) on a body of 100,000 ``[``; it also accepts ``NaN`` and
``Infinity``, which are not JSON. :func:`loads` checks the nesting depth first, with a scan
that never recurses, and rejects those constants, so every failure is one
:class:`JSONError` whose message says what was wrong.

Standard library only: the error module imports this, and it must stay cheap.
"""

from __future__ import annotations

import json
import re

__all__ = ["MAX_DEPTH", "JSONError", "loads"]

#: Deepest nesting of arrays and objects accepted. HubSpot's answers nest about six levels.
MAX_DEPTH = 200

# A JSON string, escapes included; removed before counting brackets, so that brackets
# inside strings ("inputs[0]", "{missingScopes=[a]}") do not count as nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
# Every byte except the four brackets, deleted with bytes.translate (C speed).
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN = frozenset(b"[{")


class JSONError(ValueError):
    """The body is not JSON this client accepts; ``str()`` says why."""


def _depth_exceeds(data: bytes, limit: int) -> bool:
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if len(brackets) <= limit:
        return False  # too few brackets to nest that deep: the common case, no loop
    depth = 0
    for byte in brackets:
        if byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _reject_constant(name: str) -> object:
    raise JSONError(f"the body contains {name}, which is not valid JSON")


def loads(content: bytes) -> object:
    """Parse ``content`` as JSON; raise :class:`JSONError` on anything else.

    Accepts UTF-8, UTF-16 and UTF-32 (as ``json.loads`` detects them). Rejects nesting
    deeper than :data:`MAX_DEPTH`, ``NaN``/``Infinity``, and invalid text.

    >>> loads(b'{"a": [1, 2]}')
    {'a': [1, 2]}
    """
    if content[:2] in (b"\xff\xfe", b"\xfe\xff") or (
        len(content) >= 2 and (content[0] == 0 or content[1] == 0)
    ):
        # UTF-16/32: count brackets on the decoded text, where they are single bytes again.
        try:
            text = content.decode(json.detect_encoding(content))
        except UnicodeDecodeError as exc:
            raise JSONError(f"the body is not valid text ({exc.reason})") from None
        scanned = text.encode("utf-8", "replace")
    else:
        scanned = content
    if _depth_exceeds(scanned, MAX_DEPTH):
        raise JSONError(f"the body nests arrays or objects deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(content, parse_constant=_reject_constant)
    except JSONError:
        raise
    except RecursionError:  # defensive: the scan above should have caught it
        raise JSONError(f"the body nests deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError as exc:
        raise JSONError(f"the body is not valid text ({exc.reason})") from None
    except ValueError as exc:
        raise JSONError(f"the body is not valid JSON ({exc})") from None
