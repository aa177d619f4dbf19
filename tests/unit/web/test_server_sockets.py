"""The server's listening socket sends small replies at once (no Nagle wait for an ACK)."""

from __future__ import annotations

import socket

import server


def test_listening_sockets_get_tcp_nodelay_and_connections_inherit_it():
    listener = socket.socket()  # protocol 0, as Streamlit binds it
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    other = socket.socket()  # bound but not listening: left alone
    other.bind(("127.0.0.1", 0))
    try:
        assert not listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert server.send_small_replies_at_once() >= 1
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert not other.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            assert client.fileno() >= 0
        # Every descriptor it looked at is still open and usable.
        assert listener.fileno() >= 0 and other.fileno() >= 0
    finally:
        listener.close()
        other.close()
