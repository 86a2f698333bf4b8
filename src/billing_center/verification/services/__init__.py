"""One-time codes for every purpose (SPEC §2): send, check, state, void; notices; the delivery tick.

One module per concern: ``sending`` (issue a code, void codes), ``checking`` (consume a code, count a
failure, lock a purpose; the live code's state), ``limits`` (cooldowns, send caps and budgets, check
caps, lock keys), ``pow`` (the sign-up SMS puzzle), ``notices`` (messages without a code) and
``common``. Every public service is re-exported here: ``from billing_center.verification.services
import code_send``. Modules of this package import each other by their module path, never through this
package.

Limits live in the shared store of ``core.ratelimit`` (all processes and nodes see the same counts).

Transactions: ``code_check`` must be called *outside* any transaction of the caller (it raises
``RuntimeError`` otherwise), because a wrong code has to stay counted, and a caller's transaction
that rolls back on the raised ``ValidationFailed`` would undo the count. ``code_send`` may run inside
a caller's transaction; its message then goes out when that transaction commits (``delivery`` is
``"queued"``; ask ``delivery_status(sent.delivery_id)`` after the commit). Called outside one, it
makes the first attempt before returning, so ``delivery`` is ``"sent"`` or ``"delayed"``.
"""

from billing_center.verification.delivery import deliveries_process_due, delivery_status
from billing_center.verification.services.checking import (
    CodeState,
    code_check,
    code_state,
    invalid_code_error,
)
from billing_center.verification.services.common import (
    code_lifetime_minutes,
    code_normalize,
    target_normalize,
)
from billing_center.verification.services.notices import notice_send
from billing_center.verification.services.pow import POW_PREFIX, pow_required, pow_verify
from billing_center.verification.services.sending import CodeSent, code_send, codes_void

__all__ = [
    "POW_PREFIX",
    "CodeSent",
    "CodeState",
    "code_check",
    "code_lifetime_minutes",
    "code_normalize",
    "code_send",
    "code_state",
    "codes_void",
    "deliveries_process_due",
    "delivery_status",
    "invalid_code_error",
    "notice_send",
    "pow_required",
    "pow_verify",
    "target_normalize",
]
