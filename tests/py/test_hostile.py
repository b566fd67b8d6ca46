"""Hostile local peers against the real kernel, over real sockets on 127.0.0.1 (issue 20).

Any local process can connect to a kernel's five ports; only messages signed with the
connection key are acted on. Each case below plays such a process: raw bytes through a plain
TCP socket where ZMTP framing is the point (oversized, garbage and truncated frames), pyzmq
where it is not. After each, a normal client (jupyter_client, with the key) must still get
`kernel_info` on shell and control and an echo from the heartbeat. All cases share one
kernel, started with the open-file limit many desktops have (1,024), so the kernel must make
room for 1,000 idle connections itself. Evaluating cells costs a compile each, so everything
that needs the evaluator is in one test, last: a variable kept across cells that forged
requests try to change, and a cell printing 10,000 lines while another subscriber never reads.

NAPKIN_KERNEL_BINARY runs another build of the kernel instead of the installed kernelspec's
(to see these tests fail on a kernel without the fixes). The kernel's log (its stderr) is
printed for a failing case.
"""

import os
import resource
import socket
import struct
import time

import pytest
import zmq
from jupyter_client import KernelManager
from jupyter_client.session import Session

PATIENCE = 10  # seconds for anything the kernel should do at once
PORTS = ["shell", "control", "stdin", "hb", "iopub"]
# What a well-behaved peer of each port is (ZMTP READY's Socket-Type).
PEER_TYPE = {"shell": b"DEALER", "control": b"DEALER", "stdin": b"DEALER", "hb": b"REQ", "iopub": b"SUB"}
DESKTOP_FILE_LIMIT = 1024


# --- ZMTP 3.0 (rfc.zeromq.org/spec/23), spelled out byte by byte -----------------------------


def greeting():
    """The 64-byte greeting: signature, version 3.0, mechanism NULL, as-server 0, filler."""
    return b"\xff" + bytes(8) + b"\x7f" + bytes([3, 0]) + b"NULL".ljust(20, b"\0") + b"\0" + bytes(31)


def frame(body, more=False, command=False, claimed=None):
    """One frame; `claimed` puts another length in its header than the body has."""
    length = len(body) if claimed is None else claimed
    flags = (1 if more else 0) | (4 if command else 0)
    if length > 255 or claimed is not None:
        return bytes([flags | 2]) + struct.pack(">Q", length) + body
    return bytes([flags, length]) + body


def ready(socket_type):
    """The READY command of the NULL mechanism's handshake."""
    name, value = b"Socket-Type", socket_type
    body = bytes([5]) + b"READY" + bytes([len(name)]) + name + struct.pack(">I", len(value)) + value
    return frame(body, command=True)


# --- the kernel and its clients ---------------------------------------------------------


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    # This process opens the 1,000 idle connections: give it room of its own.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    log_path = tmp_path_factory.mktemp("kernel") / "kernel.log"
    log = open(log_path, "w")

    def desktop_limits():
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(DESKTOP_FILE_LIMIT, hard), hard))

    km = KernelManager(kernel_name="napkin")
    if os.environ.get("NAPKIN_KERNEL_BINARY"):
        km.kernel_spec.argv[0] = os.environ["NAPKIN_KERNEL_BINARY"]
    km.start_kernel(stderr=log, preexec_fn=desktop_limits)
    km.log_path = log_path
    try:
        assert_served(km)
        yield km
    finally:
        km.shutdown_kernel(now=True)
        log.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def served(kernel):
    """The kernel, checked to be still serving normal clients after the test's hostile part.
    The end of its log is printed, which pytest shows for a failing test."""
    yield kernel
    print(f"--- kernel log ({kernel.log_path}), last 40 lines:")
    print("\n".join(kernel.log_path.read_text().splitlines()[-40:]))
    assert_served(kernel)


def assert_served(km):
    """A normal client gets kernel_info on shell and control, and the heartbeat echoes."""
    assert km.is_alive(), "the kernel process died"
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=PATIENCE * 3)
        reply = reply_to(kc.shell_channel, kc.kernel_info())
        assert reply["content"]["implementation"] == "napkin"
        request = kc.session.msg("kernel_info_request")
        kc.control_channel.send(request)
        reply_to(kc.control_channel, request["header"]["msg_id"])
    finally:
        kc.stop_channels()
    ctx = zmq.Context.instance()
    hb = ctx.socket(zmq.REQ)
    hb.linger = 0
    hb.connect(f"tcp://127.0.0.1:{km.hb_port}")
    try:
        hb.send(b"napkin-ping")
        assert hb.poll(PATIENCE * 1000), "no heartbeat echo"
        assert hb.recv() == b"napkin-ping"
    finally:
        hb.close()


def reply_to(channel, msg_id):
    """The reply to `msg_id` on `channel`, within PATIENCE (replies to earlier requests, such
    as wait_for_ready's, are skipped)."""
    deadline = time.monotonic() + PATIENCE
    while True:
        reply = channel.get_msg(timeout=max(0.01, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def port(km, name):
    return getattr(km, f"{name}_port")


def raw(km, name):
    """A plain TCP connection to one of the kernel's ports."""
    return socket.create_connection(("127.0.0.1", port(km, name)), timeout=PATIENCE)


def closed_by_kernel(conn):
    """Whether the kernel closes `conn` within PATIENCE (whatever it sent first is skipped)."""
    deadline = time.monotonic() + PATIENCE
    try:
        while time.monotonic() < deadline:
            conn.settimeout(max(0.01, deadline - time.monotonic()))
            if not conn.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    finally:
        conn.close()
    return False


def send_all(conn, data):
    """Sends what the kernel takes; it may close the connection before taking everything."""
    try:
        conn.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass


# --- the cases ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PORTS)
def test_a_huge_frame_in_the_handshake_closes_that_connection(served, name):
    # The report: before the fix, the kernel aborted at once trying to reserve
    # 4611686018427453449 bytes. A command frame, then a message frame instead of READY.
    for huge in [frame(b"", command=True, claimed=1 << 62), frame(b"", claimed=1 << 62)]:
        conn = raw(served, name)
        send_all(conn, greeting() + huge)
        assert closed_by_kernel(conn)


@pytest.mark.parametrize("name", PORTS)
def test_a_huge_frame_after_the_handshake_closes_that_connection(served, name):
    # 2^40 bytes claimed but not sent; then 256 MiB and one byte claimed after a first frame
    # of the same message, and the first 64 KiB of it sent.
    claims = [
        frame(b"", claimed=1 << 40),
        frame(b"x" * 1000, more=True) + frame(b"y" * 65536, claimed=256 * 1024 * 1024 - 1000),
    ]
    for claim in claims:
        conn = raw(served, name)
        send_all(conn, greeting() + ready(PEER_TYPE[name]) + claim)
        assert closed_by_kernel(conn)


@pytest.mark.parametrize("name", PORTS)
def test_garbage_and_truncated_frames_are_survived(served, name):
    peer = PEER_TYPE[name]
    for junk in [
        os.urandom(4096),  # not ZMTP at all
        greeting()[:30],  # a truncated greeting
        greeting() + ready(peer)[:7],  # a truncated READY
        greeting() + b"\x04\x05NOPE!",  # an unknown command
        greeting() + ready(peer) + frame(b"x" * 100)[:50],  # a truncated frame
        greeting() + ready(peer) + frame(os.urandom(300), more=True) + frame(os.urandom(10)),
    ]:
        conn = raw(served, name)
        send_all(conn, junk)
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the kernel has closed it already
        assert closed_by_kernel(conn)


def test_a_thousand_idle_connections_leave_room_for_clients(served):
    # Opened and left idle, 200 on each port, some without a byte, some mid-greeting, some
    # past the handshake. The kernel started with a limit of 1,024 open files.
    idle = []
    try:
        for name in PORTS:
            for i in range(200):
                conn = raw(served, name)
                if i % 3 == 1:
                    conn.sendall(greeting()[:20])
                elif i % 3 == 2:
                    conn.sendall(greeting() + ready(PEER_TYPE[name]))
                idle.append(conn)
        assert_served(served)
    finally:
        for conn in idle:
            conn.close()


@pytest.mark.parametrize("name", ["shell", "control"])
def test_wrongly_signed_and_unsigned_requests_get_no_answer(served, name):
    ctx = zmq.Context.instance()
    for session in [Session(key=b"not-the-key"), Session(key=b"")]:
        dealer = ctx.socket(zmq.DEALER)
        dealer.linger = 0
        dealer.connect(f"tcp://127.0.0.1:{port(served, name)}")
        try:
            session.send(dealer, "kernel_info_request", {})
            session.send(dealer, "shutdown_request", {"restart": False})
            assert not dealer.poll(2000), "the kernel answered a request it could not verify"
        finally:
            dealer.close()
    # A correctly signed message with its signature damaged.
    good = Session(key=served.session.key)
    dealer = ctx.socket(zmq.DEALER)
    dealer.linger = 0
    dealer.connect(f"tcp://127.0.0.1:{port(served, name)}")
    try:
        message = good.msg("shutdown_request", {"restart": False})
        parts = good.serialize(message)
        parts[1] = bytes(reversed(parts[1]))
        dealer.send_multipart(parts)
        assert not dealer.poll(2000), "the kernel answered a damaged signature"
    finally:
        dealer.close()


def test_a_stolen_identity_takes_no_replies(served):
    # jupyter_client names its shell socket with its session id, which every message it
    # causes on IOPub carries: any local process can learn it and connect with it. The client
    # here does not reconnect (libzmq would, after 0.1 s, and take its identity back).
    ctx = zmq.Context.instance()
    session = Session(key=served.session.key)
    sockets = []

    def dealer(identity, reconnect=True):
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.sndtimeo = PATIENCE * 1000
        sock.identity = identity
        if not reconnect:
            sock.reconnect_ivl = -1
        sock.connect(f"tcp://127.0.0.1:{served.shell_port}")
        sockets.append(sock)
        return sock

    def kernel_info(sock):
        try:
            session.send(sock, "kernel_info_request", {})
        except zmq.Again:
            return None  # the kernel closed this connection
        if not sock.poll(PATIENCE * 1000):
            return None
        return session.deserialize(session.feed_identities(sock.recv_multipart())[1])

    try:
        client = dealer(session.bsession, reconnect=False)
        assert kernel_info(client)["msg_type"] == "kernel_info_reply"
        thief = dealer(session.bsession)
        time.sleep(0.5)
        reply = kernel_info(client)
        assert reply is not None, "the client's reply went elsewhere"
        assert reply["msg_type"] == "kernel_info_reply"
        assert not thief.poll(500), "the thief got the client's reply"
    finally:
        for sock in sockets:
            sock.close()


def test_cells_run_and_keep_variables_while_a_subscriber_never_reads(served):
    kc = served.client()
    kc.start_channels()
    ctx = zmq.Context.instance()
    forged = ctx.socket(zmq.DEALER)
    forged.linger = 0
    forged.connect(f"tcp://127.0.0.1:{served.shell_port}")
    # Subscribed to everything, then never reads a byte.
    stalled = raw(served, "iopub")
    stalled.sendall(greeting() + ready(b"SUB") + frame(b"\x01"))
    try:
        kc.wait_for_ready(timeout=PATIENCE * 3)

        def run(code, timeout=900):
            reply = kc.execute_interactive(code, timeout=timeout, output_hook=outputs.append)
            return reply["content"]

        outputs = []
        assert run("let kept = 41;")["status"] == "ok"
        # Forged cells (wrong key, no key) that would change the variable must not run.
        for session in [Session(key=b"not-the-key"), Session(key=b"")]:
            session.send(forged, "execute_request", {"code": "let kept = 0;", "silent": False})
        outputs = []
        assert run("kept + 1")["status"] == "ok"
        results = [o["content"]["data"]["text/plain"] for o in outputs if o["msg_type"] == "execute_result"]
        assert results == ["42"]
        assert not forged.poll(0), "a forged request was answered"

        # 10,000 lines of 3,000 characters: 30 MB, far more than the stalled subscriber's
        # connection buffers hold, so without a per-subscriber bound publishing would stall.
        outputs = []
        started = time.monotonic()
        reply = run('for i in 0..10_000 { println!("{i:05} {}", "x".repeat(3000)); }\nkept')
        elapsed = time.monotonic() - started
        assert reply["status"] == "ok"
        text = "".join(o["content"]["text"] for o in outputs if o["msg_type"] == "stream")
        lines = text.splitlines()
        assert len(lines) == 10_000, len(lines)
        assert lines[0].startswith("00000 x") and lines[-1].startswith("09999 x")
        results = [o["content"]["data"]["text/plain"] for o in outputs if o["msg_type"] == "execute_result"]
        assert results == ["41"]
        print(f"10,000 lines (30 MB) with a stalled subscriber: {elapsed:.1f} s")
    finally:
        stalled.close()
        forged.close()
        kc.stop_channels()
