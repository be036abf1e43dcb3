"""KernelScope's computation core: numpy + OpenCV, never Qt.

The public API for notebooks and the README: ``from engine import correlate2d`` works for
every name in the ``__all__`` of a public submodule — the domain packages ``engine.conv``,
``engine.matrix``, ``engine.numbers``, ``engine.images``, ``engine.layers``, ``engine.loss``,
``engine.train``, ``engine.tutor``, ``engine.storage`` (files) and the house modules
``engine.checks``, ``engine.text``. Those ``__all__`` lists are the table of contents; nothing
is listed again here. Names are imported on first use (:mod:`engine._public_names`), so
importing one house module does not load the whole engine and OpenCV. The GUI imports from the
packages and house modules, never from deeper modules or from here.
"""

# PEP 562 hooks: Python calls them for ``engine.<name>``, ``from engine import …`` and dir().
from engine._public_names import public_dir as __dir__  # noqa: F401
from engine._public_names import public_getattr as __getattr__  # noqa: F401
