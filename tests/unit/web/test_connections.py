"""Which proxies the server believes: CARELAB_TRUSTED_PROXIES as uvicorn will take it."""

from __future__ import annotations

import pytest
import uvicorn

from carelab.web import connections


@pytest.mark.parametrize(
    ("setting", "trusted"),
    [
        ("", ["127.0.0.1", "::1"]),  # the default: a proxy on this machine
        ("10.0.0.5", ["10.0.0.5"]),
        (" 10.0.0.5 , fd00::/8 ", ["10.0.0.5", "fd00::/8"]),
        ("10.1.2.3/8", ["10.0.0.0/8"]),  # uvicorn would match nothing with the host bits set
        ("none", []),
        ("NONE", []),
        ("10.0.0.5, *", ["*"]),
        ("proxy.local, 10.0.0.0/33, 10.0.0.5", ["10.0.0.5"]),  # not addresses: left out
    ],
)
def test_the_setting_names_the_trusted_proxies(monkeypatch, setting, trusted):
    monkeypatch.setenv("CARELAB_TRUSTED_PROXIES", setting)
    assert connections.trusted_proxies() == trusted


def test_a_config_that_is_loading_is_given_the_proxies_and_the_guarded_protocol(monkeypatch):
    monkeypatch.setenv("CARELAB_TRUSTED_PROXIES", "10.0.0.5")
    config = uvicorn.Config("server:app", proxy_headers=False)
    connections.adopt(config)
    assert config.proxy_headers is True
    assert config.forwarded_allow_ips == ["10.0.0.5"]
    assert config.http_protocol_class is connections.GuardedH11Protocol


def test_a_plain_import_finds_no_uvicorn_config():
    assert connections.loading_config() is None
