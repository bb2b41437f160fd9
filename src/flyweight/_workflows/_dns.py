"""Node ids as DNS labels, as flytekit makes them (ArrayNode sub-node ids, ``node_name`` overrides)."""

from __future__ import annotations

import hashlib

__all__ = ["dnsify"]


def dnsify(value: str) -> str:
    """``value`` as a DNS label, exactly as flytekit's ``flytekit.core.utils._dnsify`` makes it (the id of an
    ``ArrayNode``'s sub-node): lower case, ``_`` and ``.`` as ``-``, ``-`` before an upper-case letter, other
    characters dropped, at most 63 characters (a long value keeps a hash of itself and its tail)."""
    limit, hash_len = 63, 10
    if len(value) >= limit:
        digest = hashlib.sha224(value.encode("utf-8")).hexdigest()[:hash_len]
        value = f"{digest}-{value[-(limit - hash_len - 1) :]}"
    out = ""
    for ch in value:
        if ch in "_-.":
            if out and len(out) < limit - 1:
                out += "-"
        elif not ch.isalnum():
            continue
        elif ch.islower() or ch.isdigit():
            out += ch
        else:
            if out and out[-1] != "-" and len(out) < limit - 1:
                out += "-"
            out += ch.lower()
    return out.removesuffix("-")
