"""The network addresses the Facilitate page offers when it was opened at localhost."""

from __future__ import annotations

import pytest

from carelab.web import addresses


def test_only_addresses_another_machine_could_use_are_offered(monkeypatch):
    monkeypatch.setattr(addresses, "_routed_addresses", lambda: ["10.20.1.15", "fd00::2"])
    monkeypatch.setattr(
        addresses,
        "_host_addresses",
        lambda: ["127.0.1.1", "::1", "fe80::1%eth0", "10.20.1.15", "0.0.0.0", "192.168.4.7"],
    )
    # Loopback, link-local and unset addresses are dropped, duplicates once, IPv4 first.
    assert addresses.network_addresses() == ["10.20.1.15", "192.168.4.7", "fd00::2"]


def test_no_network_gives_no_address(monkeypatch):
    monkeypatch.setattr(addresses, "_routed_addresses", lambda: [])
    monkeypatch.setattr(addresses, "_host_addresses", lambda: ["127.0.0.1", "::1"])
    assert addresses.network_addresses() == []


def test_the_real_machine_answers_without_error():
    # Whatever this machine's network, the answer is a list of usable addresses.
    found = addresses.network_addresses()
    assert all(addresses._usable(a) for a in found)


@pytest.mark.parametrize(
    ("address", "port", "scheme", "url"),
    [
        ("10.20.1.15", 8501, "http", "http://10.20.1.15:8501"),
        ("10.20.1.15", 80, "http", "http://10.20.1.15"),
        ("fd00::2", 8501, "http", "http://[fd00::2]:8501"),
        ("10.20.1.15", 443, "https", "https://10.20.1.15"),
    ],
)
def test_urls_put_ipv6_in_brackets_and_drop_default_ports(address, port, scheme, url):
    assert addresses.url_for(address, port, scheme) == url
