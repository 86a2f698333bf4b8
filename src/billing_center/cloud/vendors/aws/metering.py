"""The two AWS Marketplace calls the intake makes, through boto3: ``ResolveCustomer`` and ``GetEntitlements``.

Clients use the standard AWS credential chain, region ``AWS_MARKETPLACE_REGION`` and, when set,
``AWS_MARKETPLACE_ENDPOINT_URL`` for both services (tests point it at a fake on 127.0.0.1). Errors
come back as three exceptions the callers switch on: :class:`TokenInvalid`, :class:`TokenExpired`
and :class:`MarketplaceUnavailable` (throttling, outage, network, credentials).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

METERING_SERVICE = "meteringmarketplace"
ENTITLEMENT_SERVICE = "marketplace-entitlement"
MAX_TOKEN_LENGTH = 4096
MAX_ENTITLEMENT_PAGES = 40
_ACCOUNT_ID = re.compile(r"[0-9]{1,128}", re.ASCII)

_CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 2},  # one retry
    user_agent_extra="billing-center",
)


class MarketplaceError(Exception):
    pass


class TokenInvalid(MarketplaceError):
    """``InvalidTokenException`` (or a token for another product)."""


class TokenExpired(MarketplaceError):
    """``ExpiredTokenException``: the buyer must start again from AWS Marketplace."""


class MarketplaceUnavailable(MarketplaceError):
    """Throttled, failing or unreachable: try again later; nothing was decided."""


@dataclass(frozen=True)
class ResolvedCustomer:
    customer_aws_account_id: str
    license_arn: str
    product_code: str
    customer_identifier: str  # legacy; empty for new (concurrent-agreement) integrations
    agreement_id: str


@dataclass(frozen=True)
class Entitlement:
    dimension: str
    value: Any
    expires_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "value": self.value,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


def license_suffix(arn: str) -> str:
    """The ``l-…`` part of a licence ARN (events may print the ARN without its ``arn:`` prefix)."""
    return re.split(r"[:/]", arn)[-1]


_clients: dict[tuple[str, str, str], Any] = {}
_clients_lock = threading.Lock()


def client_for(service: str) -> Any:
    """A cached boto3 client (thread-safe once made); a new one when the settings change."""
    region = settings.AWS_MARKETPLACE_REGION or "us-east-1"
    endpoint = settings.AWS_MARKETPLACE_ENDPOINT_URL or ""
    key = (service, region, endpoint)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            # A session per client: boto3's default session is not thread-safe.
            client = boto3.session.Session().client(
                service,  # type: ignore[call-overload]
                region_name=region,
                endpoint_url=endpoint or None,
                config=_CLIENT_CONFIG,
            )
            _clients[key] = client
    return client


def clients_forget() -> None:
    with _clients_lock:
        _clients.clear()


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def resolve_customer(token: str) -> ResolvedCustomer:
    """Redeem the buyer's registration token; the product must be ours (``AWS_MARKETPLACE_PRODUCT_CODE``)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenInvalid("empty or oversized token")
    try:
        answer = client_for(METERING_SERVICE).resolve_customer(RegistrationToken=token)
    except ClientError as exc:
        code = _error_code(exc)
        if code == "InvalidTokenException":
            raise TokenInvalid(code) from exc
        if code == "ExpiredTokenException":
            raise TokenExpired(code) from exc
        raise MarketplaceUnavailable(code or "client_error") from exc
    except (BotoCoreError, OSError) as exc:
        raise MarketplaceUnavailable(type(exc).__name__) from exc
    account_id = str(answer.get("CustomerAWSAccountId") or "")
    license_arn = str(answer.get("LicenseArn") or "")
    customer_identifier = str(answer.get("CustomerIdentifier") or "")
    product_code = str(answer.get("ProductCode") or "")
    if product_code != settings.AWS_MARKETPLACE_PRODUCT_CODE:
        raise TokenInvalid("token for another product")
    if not (account_id and license_arn) and not customer_identifier:
        raise TokenInvalid("no customer in the answer")
    # What the cloud account's columns can hold (AWS documents a 12-digit id, ARNs and ids ≤ 255).
    if (account_id and not _ACCOUNT_ID.fullmatch(account_id)) or len(license_arn) > 256 or len(customer_identifier) > 255:
        raise TokenInvalid("malformed customer in the answer")
    metadata = answer.get("Metadata") or {}
    return ResolvedCustomer(
        customer_aws_account_id=account_id,
        license_arn=license_arn,
        product_code=product_code,
        customer_identifier=customer_identifier,
        agreement_id=str(metadata.get("AgreementId") or ""),
    )


def get_entitlements(
    *,
    product_code: str,
    customer_aws_account_id: str = "",
    license_arn: str = "",
    customer_identifier: str = "",
) -> list[Entitlement]:
    """Every entitlement of one customer, following ``NextToken`` (an empty page may still carry one)."""
    filters: dict[str, list[str]] = {}
    if customer_aws_account_id:
        filters["CUSTOMER_AWS_ACCOUNT_ID"] = [customer_aws_account_id]
    elif customer_identifier:
        filters["CUSTOMER_IDENTIFIER"] = [customer_identifier]
    if license_arn:
        filters["LICENSE_ARN"] = [license_arn]
    if not filters:
        raise ValueError("get_entitlements needs a customer")
    client = client_for(ENTITLEMENT_SERVICE)
    request: dict[str, Any] = {"ProductCode": product_code, "Filter": filters, "MaxResults": 25}
    found: list[Entitlement] = []
    for _page in range(MAX_ENTITLEMENT_PAGES):
        try:
            answer = client.get_entitlements(**request)
        except ClientError as exc:
            raise MarketplaceUnavailable(_error_code(exc) or "client_error") from exc
        except (BotoCoreError, OSError) as exc:
            raise MarketplaceUnavailable(type(exc).__name__) from exc
        for item in answer.get("Entitlements") or []:
            found.append(_entitlement(item))
        next_token = answer.get("NextToken")
        if not next_token:
            return found
        request["NextToken"] = next_token
    raise MarketplaceUnavailable("too many entitlement pages")


def _entitlement(item: dict[str, Any]) -> Entitlement:
    raw_value = item.get("Value") or {}
    value: Any = None
    for kind in ("IntegerValue", "DoubleValue", "BooleanValue", "StringValue"):
        if kind in raw_value:
            value = raw_value[kind]
            break
    expires = item.get("ExpirationDate")
    if isinstance(expires, datetime) and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return Entitlement(
        dimension=str(item.get("Dimension") or ""),
        value=value,
        expires_at=expires if isinstance(expires, datetime) else None,
    )


def entitlements_current(entitlements: list[Entitlement], *, now: datetime) -> bool:
    """At least one entitlement that has not expired (what makes a contract subscription active)."""
    return any(e.expires_at is None or e.expires_at > now for e in entitlements)
