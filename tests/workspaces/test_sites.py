"""The site table setting (WORKSPACE_SITES) and its parsing helper."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from billing_center.conf import env_pairs
from billing_center.workspaces.sites import site_choices, site_label, site_vendor

DEFAULT = {"cn1": "aliyun"}


def test_the_shipped_site_table_is_the_one_of_the_spec(settings):
    assert settings.WORKSPACE_SITES == {
        "cn1": "aliyun",
        "cn2": "aws",
        "cn4": "huawei",
        "cn6": "aliyun",
        "us1": "aws",
        "eu1": "aws",
        "ap1": "aws",
    }
    assert site_vendor("cn4") == "huawei"
    with translation.override("en"):
        assert site_label("cn2") == "cn2 · Ningxia (AWS)"
    with translation.override("zh-hans"):
        assert site_label("cn2") == "cn2 · 宁夏 (亚马逊云科技)"
    assert [code for code, _label in site_choices()][:2] == ["cn1", "cn2"]


def test_env_pairs_reads_site_vendor_pairs_in_order(monkeypatch):
    monkeypatch.setenv("WORKSPACE_SITES", " sa1:aws , cn1:aliyun ")
    assert list(env_pairs("WORKSPACE_SITES", DEFAULT).items()) == [("sa1", "aws"), ("cn1", "aliyun")]
    monkeypatch.setenv("WORKSPACE_SITES", "")
    assert env_pairs("WORKSPACE_SITES", DEFAULT) == DEFAULT
    monkeypatch.delenv("WORKSPACE_SITES")
    assert env_pairs("WORKSPACE_SITES", DEFAULT) == DEFAULT


@pytest.mark.parametrize("raw", ["cn1", "cn1:", ":aws", "cn1:aws,broken"])
def test_env_pairs_refuses_malformed_values(monkeypatch, raw):
    monkeypatch.setenv("WORKSPACE_SITES", raw)
    with pytest.raises(ImproperlyConfigured):
        env_pairs("WORKSPACE_SITES", DEFAULT)


def test_a_site_added_by_configuration_shows_its_code(settings):
    settings.WORKSPACE_SITES = {"sa1": "aws"}
    with translation.override("en"):
        assert site_label("sa1") == "sa1 (AWS)"


def test_the_settings_refuse_an_unknown_vendor_and_read_a_custom_table(tmp_path):
    from tests.test_settings import _settings_probe

    refused = _settings_probe({"DATA_DIR": str(tmp_path), "WORKSPACE_SITES": "cn1:azure"})
    assert refused.returncode != 0
    assert "WORKSPACE_SITES" in refused.stderr
    custom = _settings_probe(
        {"DATA_DIR": str(tmp_path), "WORKSPACE_SITES": "sa1:aws,cn9:huawei"}, "print(settings.WORKSPACE_SITES)"
    )
    assert custom.returncode == 0, custom.stderr
    assert custom.stdout.strip() == "{'sa1': 'aws', 'cn9': 'huawei'}"
