"""What the shared database's connection test says when the address is wrong."""
from __future__ import annotations

import socket
import threading

import pytest

from qos.store.server_check import ServerUnreachable, probe_server


@pytest.mark.parametrize("sslmode", ["prefer", "disable"])
def test_another_program_on_the_port_is_named_as_not_postgresql(sslmode):
    """A web server on the port answers libpq in its own words: not a certificate problem."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_like_a_web_server() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(1024)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    server = threading.Thread(target=answer_like_a_web_server, daemon=True)
    server.start()
    try:
        with pytest.raises(ServerUnreachable) as caught:
            probe_server(f"postgresql://qos@127.0.0.1:{port}/qos?connect_timeout=5"
                         f"&sslmode={sslmode}")
    finally:
        server.join(timeout=5)
        listener.close()
    said = str(caught.value)
    assert said.startswith(f"Something answered at postgresql://qos@127.0.0.1:{port}/qos")
    assert "but it is not a PostgreSQL server" in said
    assert "TLS" not in said and "certificates" not in said
