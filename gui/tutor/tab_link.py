"""Join the tutor's generic panels to the tab they sit in, through :class:`gui.services.TutorHost`.

Every tab's tutor adapter does the same two things with each panel it adds: its messages go to
the status bar, and a typed answer marks the session changed (it is autosaved, like any edit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.services import TutorHost
    from gui.tutor.check_panel import CheckAnswerPanel
    from gui.tutor.which_input import WhichInputPanel


def join_tab(host: TutorHost, *panels: CheckAnswerPanel | WhichInputPanel) -> None:
    """Show each panel's ``message`` in the status bar and let its ``edited`` mark the tab
    changed (``host.state_changed``)."""
    for panel in panels:
        panel.message.connect(host.context.show_status)
        panel.edited.connect(host.state_changed)  # typed answers are autosaved too
