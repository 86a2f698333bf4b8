"""Change of a login identifier (email or phone): the strict server-side state machine of SPEC §3.

    started ──code to current──▶ current_verified ──new address──▶ new_code_sent ──code to new──▶ committed
       │ (lost phone)                                                  ▲
       └──code to login email──▶ waiting (LOST_PHONE_DELAY_SECONDS) ──┘ new phone entered after the wait

Every step re-reads the change under a row lock and refuses anything but the one expected state, so no
step can be skipped, repeated out of order, or applied to a cancelled or expired change. Nothing on the
account changes before ``committed``. One-time codes are bound to the change's ``flow`` id, so a code of
one change, step or purpose never passes for another.

Codes are checked *before* the write transaction opens: a wrong code must count as a failed try even
though the step then fails, and a rolled-back transaction would undo that count.
"""

from billing_center.accounts.services.identifier_change import steps
from billing_center.accounts.services.identifier_change.common import (
    CHANNEL,
    CURRENT_PURPOSE,
    NEW_PURPOSE,
    live_code,
)
from billing_center.accounts.services.identifier_change.steps import *  # noqa: F403 (the steps: steps.__all__)

__all__ = ["CHANNEL", "CURRENT_PURPOSE", "NEW_PURPOSE", "live_code"]
__all__ += steps.__all__
