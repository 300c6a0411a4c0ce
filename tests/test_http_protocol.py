"""HTTP/1.x on the wire: how requests arrive (whole, in pieces, pipelined), keep-alive rules,
timeouts, and heads the fast parser leaves to the full one (server/request_head.h)."""
import json
import socket
import time

from conftest import raw_body_json, raw_status


def read_replies(sock, count, timeout=10):
    """Reads `count` complete responses (Content-Length bodies) from `sock`; returns [(status, headers, body)]."""
    sock.settimeout(timeout)
    data, replies = b"", []
    while len(replies) < count:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode()
            fields = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in head.split("\r\n")[1:]}
            length = int(fields.get("content-length", "0"))
            if len(data) >= head_end + 4 + length:
                body = data[head_end + 4:head_end + 4 + length]
                replies.append((int(head.split(" ")[1]), fields, body))
                data = data[head_end + 4 + length:]
                continue
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {len(replies)} of {count} replies"
        data += chunk
    return replies


def closed_by_server(sock, timeout):
    """True when the server closes `sock` (recv returns b"" or a reset) within `timeout` seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def model_post(name):
    body = json.dumps({"name": name}).encode()
    return (b"POST /api/v1/models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


def test_request_sent_a_byte_at_a_time(server):
    request = model_post("trickled")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(request)):
            s.sendall(request[i:i + 1])
            if i % 16 == 0:
                time.sleep(0.002)
        [(status, _, body)] = read_replies(s, 1)
    assert status == 201 and json.loads(body)["name"] == "trickled"


def test_pipelined_posts_answered_in_order(server):
    requests_bytes = b"".join(model_post(f"piped-{i}") for i in range(20))
    requests_bytes += b"GET /api/v1/models?limit=100 HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(requests_bytes)
        replies = read_replies(s, 21)
    assert [json.loads(b)["name"] for _, _, b in replies[:20]] == [f"piped-{i}" for i in range(20)]
    assert sorted(m["name"] for m in json.loads(replies[20][2])["models"]) == sorted(f"piped-{i}" for i in range(20))


def test_keep_alive_follows_http_version_and_connection(server):
    reply, _ = server.raw(b"GET /healthz HTTP/1.0\r\n\r\n")  # 1.0: closed after the answer
    assert reply.startswith(b"HTTP/1.0 200 OK") and b"Connection: keep-alive" not in reply
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        [(status, fields, _)] = read_replies(s, 1)
        assert status == 200 and fields["connection"].lower() == "keep-alive"
        s.sendall(b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
        [(status, fields, _)] = read_replies(s, 1)
        assert status == 200 and fields["connection"] == "close"
        assert closed_by_server(s, 5)


def test_idle_keep_alive_connection_is_closed_after_idle_timeout(start_server):
    srv = start_server("--idle-timeout", "1s")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_replies(s, 1)[0][0] == 200
        started = time.monotonic()
        assert closed_by_server(s, 8)
        assert 0.8 < time.monotonic() - started < 5


def test_unfinished_head_is_dropped_after_request_timeout(start_server):
    srv = start_server("--request-timeout", "1s", "--idle-timeout", "30s")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never the blank line
        started = time.monotonic()
        assert closed_by_server(s, 8)
        assert 0.8 < time.monotonic() - started < 5
    assert srv.ok("GET", "/healthz") == {"status": "ok"}


def test_heads_left_to_the_full_parser(server):
    # Each is refused by the full parser with a 400 naming the problem, never misread.
    for head in [b"POST /api/v1/models HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                 b"GET /healthz HTTP/2.0\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nBad Name: x\r\n\r\n"]:
        reply, _ = server.raw(head)
        assert raw_status(reply) == 400, (head, reply[:300])
        assert "malformed HTTP request" in raw_body_json(reply)["error"]["message"]
    # Bare LF line ends: refused too. An obs-folded field: accepted (Beast joins the lines).
    reply, _ = server.raw(b"GET /healthz HTTP/1.1\nHost: x\n\n")
    assert raw_status(reply) == 400
    reply, _ = server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n")
    assert raw_status(reply) == 200
    # A chunked body still works (test_bad_input.py covers its limits).
    body = b'{"name": "chunky"}'
    reply, _ = server.raw(b"POST /api/v1/models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    assert raw_status(reply) == 201 and raw_body_json(reply)["name"] == "chunky"
    assert server.ok("GET", "/healthz") == {"status": "ok"}


def test_header_over_the_limit_is_431(server):
    reply, _ = server.raw(b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    assert raw_status(reply) == 431
    # Also when the oversized head arrives whole, blank line included (Beast let that through).
    reply, _ = server.raw(b"GET /healthz HTTP/1.1\r\n" + b"X-Many: b\r\n" * 2000 + b"\r\n")
    assert raw_status(reply) == 431
    assert "request header larger than 16384 bytes" in raw_body_json(reply)["error"]["message"]


def test_upload_with_a_large_head_is_stored(server):
    # Upload bodies stream through Beast's parser, which takes over the head read by the fast
    # path: a head between Beast's default limit (8 KiB) and the server's (16 KiB) is fine.
    resp = server.http("POST", "/api/v1/artifacts", data=b"payload behind a big head",
                       headers={"Content-Type": "application/octet-stream", "X-Pad": "p" * 12000})
    assert resp.status_code == 201, resp.text
    assert resp.json()["size"] == len(b"payload behind a big head")
