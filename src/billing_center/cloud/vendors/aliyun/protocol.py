"""The Alibaba Cloud SPI protocol: the token, the actions and their parameters (reference §2).

``token`` = lowercase hex MD5 of every received parameter but ``token`` (URL-decoded values, extra
billable-item keys included), sorted by name and joined ``k=v&…``, followed by ``&key=<ISV key>``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from django.utils.translation import gettext as _

from billing_center.cloud.vendors._common import Rejected, length_check, required_check

# expiredOn / timeStamp carry no zone; the China site speaks Beijing time (reference §2.2, unconfirmed).
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# How old (or early) a ``verify`` login's timeStamp may be.
VERIFY_WINDOW_SECONDS = 300


@dataclass(frozen=True)
class Action:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # createInstance adds billable-item keys (``Count=2``…) at the top level: any other name is allowed.
    open_ended: bool = False


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "createInstance",
            ("aliUid", "orderBizId", "orderId", "productCode", "skuId", "trial"),
            ("expiredOn", "template", "ecsInstanceId", "email", "mobile", "accountQuantity"),
            open_ended=True,
        ),
        Action("renewInstance", ("instanceId", "orderId", "expiredOn"), ("ecsInstanceId",)),
        Action("upgradeInstance", ("instanceId", "skuId"), ("orderId", "ecsInstanceId")),
        Action("expiredInstance", ("instanceId",), ("ecsInstanceId",)),
        Action("releaseInstance", ("instanceId", "isRefund"), ("orderId", "ecsInstanceId")),
        Action("verify", ("instanceId", "timeStamp"), ()),
    )
}


def aliyun_token(params: dict[str, str], key: str) -> str:
    """The token the marketplace sends with ``params`` (every parameter but ``token`` is hashed)."""
    signed = "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "token")
    return hashlib.md5(f"{signed}&key={key}".encode(), usedforsecurity=False).hexdigest()


def token_check(params: dict[str, str], key: str) -> None:
    received = params.get("token", "")
    # Bytes, not str: compare_digest refuses non-ASCII strings (a hostile token must be a plain refusal).
    expected = aliyun_token(params, key).encode("ascii")
    if not received or not hmac.compare_digest(expected, received.lower().encode("utf-8", "replace")):
        raise Rejected("invalid_token", _("The token does not match."))


def action_check(params: dict[str, str]) -> Action:
    action = ACTIONS.get(params.get("action", ""))
    if action is None:
        raise Rejected("invalid_parameters", _("Unknown action."))
    required_check(params, action.required)
    if not action.open_ended:
        known = {"action", "token", *action.required, *action.optional}
        unknown = sorted(set(params) - known)
        if unknown:
            raise Rejected("invalid_parameters", _("Unknown parameters: %(names)s.") % {"names": ", ".join(unknown)})
    # The columns these land in: instance id and account id 128, product 256.
    length_check(params, (("instanceId", 128), ("orderBizId", 128), ("aliUid", 128), ("productCode", 256)))
    if "trial" in params:
        boolean_param(params, "trial")
    if "isRefund" in params:
        boolean_param(params, "isRefund")
    if params.get("expiredOn"):
        time_param(params, "expiredOn")
    if "timeStamp" in params:
        time_param(params, "timeStamp")
    return action


def boolean_param(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "").strip().lower()
    if value not in {"true", "false"}:
        raise Rejected("invalid_parameters", _("The parameter %(name)s must be true or false.") % {"name": name})
    return value == "true"


def time_param(params: dict[str, str], name: str) -> datetime:
    try:
        moment = datetime.strptime(params[name], TIME_FORMAT).replace(tzinfo=BEIJING)
    except (KeyError, ValueError):
        moment = None
    # Years outside 2000-9998 cannot be real, and the edges overflow time-zone arithmetic.
    if moment is None or not 2000 <= moment.year <= 9998:
        raise Rejected(
            "invalid_parameters", _("The parameter %(name)s must read yyyy-MM-dd HH:mm:ss.") % {"name": name}
        )
    return moment


BASE_PARAMETERS = frozenset(
    {"action", "token", *ACTIONS["createInstance"].required, *ACTIONS["createInstance"].optional}
)


def billable_items(params: dict[str, str]) -> dict[str, str]:
    """The extra (billable-item) parameters a createInstance carries, e.g. ``{"Count": "2"}``."""
    return {name: value for name, value in params.items() if name not in BASE_PARAMETERS}
