"""User text (file names, kernel names) put where Qt reads ``&`` as a keyboard mnemonic."""

from __future__ import annotations


def escape_mnemonic(text: str) -> str:
    """``text`` for a menu entry, button or tab title, shown exactly as written.

    Qt takes ``&x`` in such labels as "Alt+x" and shows ``x`` underlined without the ``&``: a
    file ``edges & lines.png`` appeared as "edges _lines.png". A doubled ``&&`` shows one ``&``.
    """
    return text.replace("&", "&&")
