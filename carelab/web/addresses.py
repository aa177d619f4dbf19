"""This machine's network addresses: where phones on the same network can reach CareLab.

A facilitator who opened CareLab at `localhost` needs the address that `make run` prints
as Streamlit's "Network URL". These functions find the same addresses without sending
anything: connecting a UDP socket only asks the operating system which local address it
would use for that route.
"""

from __future__ import annotations

import ipaddress
import socket

# Documentation addresses (RFC 5737 and RFC 3849): a route to them is looked up, but a UDP
# "connect" sends no packet, so nothing leaves the machine.
_PROBES = (("192.0.2.1", socket.AF_INET), ("2001:db8::1", socket.AF_INET6))


def _usable(address: str) -> bool:
    """True for an address another machine could use: not loopback, link-local or unset."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def _routed_addresses() -> list[str]:
    """The local address the system would send from, for IPv4 and IPv6, where it has one."""
    found = []
    for probe, family in _PROBES:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                found.append(sock.getsockname()[0])
        except OSError:
            continue
    return found


def _host_addresses() -> list[str]:
    """Addresses the machine's own name resolves to."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def network_addresses() -> list[str]:
    """This machine's addresses that phones on its network might reach, IPv4 first."""
    candidates = [a for a in _routed_addresses() + _host_addresses() if _usable(a)]
    unique = list(dict.fromkeys(a.split("%", 1)[0] for a in candidates))
    return sorted(unique, key=lambda a: ipaddress.ip_address(a).version)


def url_for(address: str, port: int, scheme: str = "http") -> str:
    """The base URL for an address and port, IPv6 addresses in brackets."""
    host = f"[{address}]" if ":" in address else address
    default = (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    return f"{scheme}://{host}" + ("" if default else f":{port}")
