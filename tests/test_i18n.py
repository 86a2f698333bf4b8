"""The shipped Simplified Chinese catalog: complete, compiled, and used by the pages.

The .po is parsed with a small reader below (polib is not a project dependency); the compiled .mo is
checked through Django's own gettext, so a .po edited without `compilemessages` fails here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

import billing_center
from tests.factories import AccountFactory

PACKAGE_DIR = Path(billing_center.__file__).parent
LOCALE_DIR = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
# The project catalog plus any app's own (``<app>/locale/``, which Django finds by itself).
CATALOGS = sorted(PACKAGE_DIR.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))

# %(name)s, %(count)d, %s, %d … and str.format fields such as {name} or {}; "%%" and "{{" are literals.
PLACEHOLDER = re.compile(r"%%|%\(\w+\)[sdfir]|%[sdfir]|\{\{|\{\w*\}")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda match: _ESCAPES[match.group(1)], text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (obsolete `#~` entries are skipped)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry
        if entry is not None and (entry.msgstr or entry.msgid):
            entries.append(entry)
        entry = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:
                finish()
            if line.startswith("#,"):
                entry = entry or Entry(line=number)
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            assert entry is not None and target is not None, f"line {number}: stray string"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index or 0] += _unquote(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _unquote(line))
            continue
        if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
            finish()
        entry = entry or Entry(line=number)
        indexed = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if indexed:
            target = ("msgstr", int(indexed.group(1)))
            entry.msgstr[int(indexed.group(1))] = _unquote(rest)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            entry.msgstr[0] = _unquote(rest)
        elif keyword in ("msgid", "msgid_plural", "msgctxt"):
            target = (keyword, None)
            setattr(entry, keyword, _unquote(rest))
        else:
            raise AssertionError(f"line {number}: unexpected {raw!r}")
    finish()
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def po_path(request) -> Path:
    return request.param


@pytest.fixture(scope="module")
def po_entries(po_path: Path) -> list[Entry]:
    return parse_po(po_path)


@pytest.fixture(scope="module")
def messages(po_entries: list[Entry]) -> list[Entry]:
    return [entry for entry in po_entries if not entry.is_header]


def test_the_catalog_header_is_final_and_names_the_language(po_entries):
    # given the shipped .po / when its header is read
    header = po_entries[0]
    assert header.is_header
    # then it is not fuzzy, and names zh_Hans with a single plural form
    assert "fuzzy" not in header.flags
    assert "Language: zh_Hans\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8" in header.msgstr[0]


def test_the_project_catalog_is_found_and_parsed():
    assert PO_PATH in CATALOGS
    assert len([entry for entry in parse_po(PO_PATH) if not entry.is_header]) > 400, "too few entries"


def test_a_message_shipped_in_several_catalogs_has_one_translation():
    # given every catalog (Django merges them, so which translation wins depends on app order)
    seen: dict[tuple[str | None, str], tuple[str, str]] = {}
    conflicts = []
    for path in CATALOGS:
        for entry in parse_po(path):
            if entry.is_header:
                continue
            key = (entry.msgctxt, entry.msgid)
            where = str(path.relative_to(PACKAGE_DIR))
            if key in seen and seen[key][0] != entry.msgstr[0]:
                conflicts.append((entry.msgid, seen[key], (entry.msgstr[0], where)))
            seen.setdefault(key, (entry.msgstr[0], where))
    # then one term reads the same on every page
    assert conflicts == []


def test_every_message_is_translated_with_the_same_placeholders(messages):
    # given every message of a shipped catalog
    problems = []
    for entry in messages:
        # when its translation(s) are compared with the source
        if "fuzzy" in entry.flags:
            problems.append((entry.line, entry.msgid, "fuzzy"))
        if entry.msgid_plural is not None:
            # nplurals=1: exactly msgstr[0], holding the placeholders of the plural source
            if sorted(entry.msgstr) != [0]:
                problems.append((entry.line, entry.msgid, f"plural forms {sorted(entry.msgstr)}"))
            expected = placeholders(entry.msgid_plural)
        else:
            expected = placeholders(entry.msgid)
        for text in entry.msgstr.values():
            if not text.strip():
                problems.append((entry.line, entry.msgid, "untranslated"))
            elif placeholders(text) != expected:
                problems.append((entry.line, entry.msgid, f"placeholders {placeholders(text)} != {expected}"))
    # then there is nothing to report
    assert problems == []


def test_the_compiled_catalog_matches_the_po(po_path, messages):
    # given the .mo shipped next to the .po
    assert po_path.with_suffix(".mo").is_file()
    mismatches = []
    with translation.override("zh-hans"):
        for entry in messages:
            # when Django translates each msgid through the compiled catalog
            if entry.msgid_plural is not None:
                if entry.msgctxt is not None:
                    got = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 5)
                else:
                    got = translation.ngettext(entry.msgid, entry.msgid_plural, 5)
            elif entry.msgctxt is not None:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = translation.gettext(entry.msgid)
            # then it answers the .po's msgstr (a stale .mo would not)
            if got != entry.msgstr[0]:
                mismatches.append((entry.line, entry.msgid, got))
    assert mismatches == [], "run `billing-center manage compilemessages` after editing the .po"


@pytest.mark.django_db
def test_pages_follow_accept_language(client):
    # given a visitor whose browser prefers Chinese
    # when the login page is opened
    response = client.get("/login", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    # then it is in Simplified Chinese
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "登录费用中心" in page and "验证码登录" in page
    assert "Log in to the Billing Center" not in page


@pytest.mark.django_db
def test_an_english_browser_gets_english(client):
    response = client.get("/login", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Log in to the Billing Center" in page


@pytest.mark.django_db
def test_the_account_language_wins_over_accept_language(client):
    # given a holder whose account language is Simplified Chinese, logged in from an English browser
    holder = AccountFactory(language="zh-hans")
    client.force_login(holder, backend="billing_center.accounts.backends.IdentifierBackend")
    # when the profile page is opened
    response = client.get("/settings/profile", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # then it is in Chinese
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "基本信息" in page and "账号设置" in page and "企业信息" in page
    assert "Enterprise information" not in page
