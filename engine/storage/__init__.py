"""Files: the one atomic writer, versioned JSON documents, and reading files the user names.

Nothing here knows about Qt: the GUI decides *where* files live and *when* to write them; this
package decides *how*, so that a crash, a full disk or a hand-edited file never costs the user
the last good copy, and a hostile path never hangs the program.

- :func:`atomic_write_bytes` / :func:`atomic_write_text` are the engine's one file writer: a
  temporary file in the target folder, ``fsync``ed and ``os.replace``d over the target, so the old
  file stays intact until the new one is complete; permissions follow the old file or the umask.
  :func:`rename_file` is the one rename; :func:`write_files` replaces several files all or
  nothing (``_atomic.py``; ``tests/test_architecture.py`` keeps it the only writer).
- :func:`load_document` reads a ``{"kind", "version", "data"}`` document. A file that is not JSON,
  not of the expected kind, or written by a newer KernelScope (future ``version``) is moved aside
  as ``<name>.<reason>-<timestamp><suffix>`` so the caller can start with defaults and say so
  (``_documents.py``); :func:`make_session_data` / :func:`normalize_session_data` build and check
  a session's ``data`` (``_session_data.py``).
- :func:`to_plain_json` turns numpy scalars/arrays and tuples into plain JSON types and refuses
  anything else, so nothing that a fresh process cannot read back is ever stored.
  :func:`parse_json` is the engine's one JSON reader: whatever is wrong with the text (not JSON,
  nested too deeply, a whole number of thousands of digits) is one ``ValueError`` in words
  (``_plain_json.py``).
- :func:`require_regular_file`, :func:`open_user_file`, :func:`read_user_bytes` and
  :func:`read_user_text` read a path the user named without hanging on a FIFO or a device, and
  :class:`UserFileError` says in a sentence what is wrong with it; :func:`check_write_target` and
  :func:`write_problem` do the same for a file about to be written (``_user_files.py``).
"""

from engine.storage._atomic import (
    atomic_write_bytes,
    atomic_write_text,
    rename_file,
    save_text,
    write_files,
)
from engine.storage._documents import (
    SESSION_KIND,
    SESSION_VERSION,
    SETTINGS_KIND,
    SETTINGS_VERSION,
    DocumentError,
    LoadResult,
    document_text,
    load_document,
    move_aside,
    parse_document,
    write_document,
)
from engine.storage._plain_json import MAX_JSON_INT_DIGITS, parse_json, to_plain_json
from engine.storage._session_data import make_session_data, normalize_session_data
from engine.storage._user_files import (
    MAX_NAME_BYTES,
    UserFileError,
    check_write_target,
    open_user_file,
    read_user_bytes,
    read_user_text,
    require_regular_file,
    write_problem,
)

__all__ = [
    "MAX_JSON_INT_DIGITS",
    "MAX_NAME_BYTES",
    "SESSION_KIND",
    "SESSION_VERSION",
    "SETTINGS_KIND",
    "SETTINGS_VERSION",
    "DocumentError",
    "LoadResult",
    "UserFileError",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_write_target",
    "document_text",
    "load_document",
    "make_session_data",
    "move_aside",
    "normalize_session_data",
    "open_user_file",
    "parse_document",
    "parse_json",
    "read_user_bytes",
    "read_user_text",
    "rename_file",
    "require_regular_file",
    "save_text",
    "to_plain_json",
    "write_document",
    "write_files",
    "write_problem",
]
