"""Labels for the configurable industry and region lists (settings.INDUSTRIES / settings.REGIONS).

The stored value is the key; the label is translated (English source, Simplified Chinese in the
catalog). A value configured through the environment that has no label here is shown as it is.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

INDUSTRY_LABELS: dict[str, str | Promise] = {
    "internet": _("Internet and software"),  # 互联网与软件
    "finance": _("Finance and insurance"),  # 金融与保险
    "manufacturing": _("Manufacturing"),  # 制造业
    "retail": _("Retail and e-commerce"),  # 零售与电商
    "education": _("Education"),  # 教育
    "healthcare": _("Healthcare"),  # 医疗健康
    "government": _("Government and public sector"),  # 政府与公共事业
    "other": _("Other industry"),  # 其他行业
}

REGION_LABELS: dict[str, str | Promise] = {
    "cn-north": _("North China"),  # 华北
    "cn-east": _("East China"),  # 华东
    "cn-south": _("South China"),  # 华南
    "cn-west": _("West China"),  # 西部
    "hong-kong": _("Hong Kong, China"),  # 中国香港
    "asia-pacific": _("Asia Pacific"),  # 亚太
    "europe": _("Europe"),  # 欧洲
    "americas": _("Americas"),  # 美洲
    "other": _("Other region"),  # 其他地区
}


def industry_choices(*, blank_label: str | Promise = "") -> list[tuple[str, str | Promise]]:
    """(value, label) pairs for a select, in the configured order, led by an empty choice."""
    return [("", blank_label), *((value, INDUSTRY_LABELS.get(value, value)) for value in settings.INDUSTRIES)]


def region_choices(*, blank_label: str | Promise = "") -> list[tuple[str, str | Promise]]:
    return [("", blank_label), *((value, REGION_LABELS.get(value, value)) for value in settings.REGIONS)]


def industry_label(value: str) -> str | Promise:
    return INDUSTRY_LABELS.get(value, value)


def region_label(value: str) -> str | Promise:
    return REGION_LABELS.get(value, value)
