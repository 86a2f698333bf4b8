"""Configuration rules: generated secrets on the embedded default, refusals in production."""

import os
import subprocess
import sys


def _settings_probe(env: dict[str, str], code: str = "print(settings.SECRET_KEY[:8])"):
    script = f"import django; from django.conf import settings; django.setup(); {code}"
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "CODE_HMAC_KEY", "DEPLOYMENT"}}
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**base, "DJANGO_SETTINGS_MODULE": "billing_center.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_embedded_default_generates_secrets_once_and_keeps_them(tmp_path):
    # given an empty data directory
    env = {"DATA_DIR": str(tmp_path)}
    # when the settings are loaded twice
    first = _settings_probe(env)
    second = _settings_probe(env)
    # then the same generated key is kept in the data directory, private to the owner
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert (tmp_path / "secret_key.txt").stat().st_mode & 0o077 == 0
    assert (tmp_path / "code_hmac_key.txt").exists()


def test_production_refuses_to_start_without_secrets(tmp_path):
    result = _settings_probe({"DATA_DIR": str(tmp_path), "DEPLOYMENT": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key.txt").exists()


def test_production_refuses_debug(tmp_path):
    result = _settings_probe(
        {"DATA_DIR": str(tmp_path), "DEPLOYMENT": "production", "DEBUG": "true", "SECRET_KEY": "x" * 50}
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_refuses_equal_secret_and_code_keys(tmp_path):
    # given production with CODE_HMAC_KEY equal to SECRET_KEY / when the settings load / then they refuse
    key = "k" * 50
    result = _settings_probe(
        {"DATA_DIR": str(tmp_path), "DEPLOYMENT": "production", "SECRET_KEY": key, "CODE_HMAC_KEY": key}
    )
    assert result.returncode != 0
    assert "CODE_HMAC_KEY must differ from SECRET_KEY" in result.stderr


def test_production_refuses_plain_http(tmp_path):
    # given production with HTTPS=false (even with a proxy listed) / then the settings refuse to load
    env = {
        "DATA_DIR": str(tmp_path),
        "DEPLOYMENT": "production",
        "SECRET_KEY": "s" * 50,
        "CODE_HMAC_KEY": "c" * 50,
    }
    for extra in ({"HTTPS": "false"}, {"HTTPS": "false", "TRUSTED_PROXIES": "10.0.0.0/8"}):
        result = _settings_probe({**env, **extra})
        assert result.returncode != 0
        assert "HTTPS=true" in result.stderr


def test_secret_file_variant_is_read(tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("from-a-file-0123456789\n")
    result = _settings_probe({"DATA_DIR": str(tmp_path), "SECRET_KEY_FILE": str(secret_file)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-f"


def test_s3_compatible_storage_is_selected_by_configuration(tmp_path):
    # given an S3-compatible store configured for attachments (no connection is made to build it)
    env = {
        "DATA_DIR": str(tmp_path),
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": "contracts",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    # when the default storage is built
    result = _settings_probe(
        env,
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.default_acl, s.file_overwrite)",
    )
    # then attachments go to that bucket, private, never overwriting an existing object
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "contracts", "private", "False"]
