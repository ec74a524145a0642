#!/usr/bin/env python3
"""errand's fault-injection suite (run by scripts/chaos).

For each fault, a fresh errand (Kafka topics on a nisshi broker, state in
Redis, the food domain served by an external HTTP provider run here) takes a
load of whole food dialogues over HTTP while the fault happens. Clients
behave as errand asks them to: each utterance carries an Idempotency-Key and
is retried with it until it is acknowledged. Then every acknowledged
command is followed to its final state, and the provider's ledger (every
call it received, kept here, so nothing errand does can hide one) is
compared with what errand reports.

One JSON line per fault:
  fault, acknowledged, confirmed, failed, lost, broker_lost,
  provider_calls_max, doubled, failed_but_placed, recovered_without_restart
`lost` counts acknowledged commands with no final state; `broker_lost` those
whose records the broker itself lost (nisshi keeps topics in memory, so a
broker kill -9 loses what they held; errand recreates its topics and goes
on, and every command acknowledged after that must finish); `doubled` counts
orders the provider placed twice for one command (a second call with the
same key is a retry, not a double, when the provider honours the key);
`failed_but_placed` counts commands errand ended without confirming whose
order the provider placed all the same (the person would be charged for
what they were told failed);
`recovered_without_restart` says a new dialogue completed after the fault
with no restart of errand beyond the one the fault itself forces. The suite
fails unless every line has lost 0, doubled 0, failed_but_placed 0 and
recovered_without_restart true.

The peer faults run errand as two nodes of a cluster instead: "core"
(gateway, reasoner, router, tracker, errors) and "hands" (the agents, the
food provider's calls among them), with confirmation on so that quotes cross
the cluster link as well as orders and heartbeats. Each node's cluster port
is reached through a TCP proxy run here (a Link), which is how a partition
is made without root: the proxy black-holes the link, then heals. Their
lines also carry `peer_down_seen`, whether the gateway's node reported its
peer down (suspect or gone) during the fault: a fault nobody noticed proved
nothing, so it must be true. A timeline of both nodes' /readyz and
/v1/cluster is kept in the run's directory (timeline.jsonl, with --keep).

--broken-provider makes the provider ignore Idempotency-Key (a provider, or
an agent, that ignores its idempotency record): the suite must then fail.
"""

import argparse
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from typing import Callable, NamedTuple

FINAL = {"confirmed", "failed", "cancelled", "declined", "answered"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def log(*parts):
    print("==>", *parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# The external food provider: errand's REST contract, a ledger of every call.


class Provider:
    """POST /v1/food/orders with an Idempotency-Key. Honest: one order per
    key, however often it is called (a call that arrives while the first is
    still being served waits for it). Broken: a new order every call.
    POST /v1/commands/{trace_id}/cancel takes an order back (errand calls it
    for an order placed while it declared the command failed)."""

    def __init__(self, broken):
        self.broken = broken
        self.lock = threading.Condition()
        self.calls = {}  # key -> calls received
        self.orders = {}  # key -> [order ids placed]
        self.done = {}  # key -> the answer, once placed
        self.claimed = set()  # keys an order is being placed for
        self.cancelled = set()  # keys whose order errand took back
        self.slow_first_call = 0.0  # seconds the first call for a key takes
        self.failing = 0  # answer this many calls with a 500 and no code
        self.port = free_port()
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.startswith("/v1/commands/") and self.path.endswith("/cancel"):
                    # errand takes back an order placed after it declared
                    # the command failed (its deadline passed meanwhile).
                    status, answer = provider.cancel(self.headers.get("Idempotency-Key", ""))
                    return self.answer(status, answer)
                if self.path.endswith("/quote"):
                    return self.answer(404, {"code": "not_found", "detail": "no quotes"})
                if self.path != "/v1/food/orders":
                    return self.answer(404, {"code": "not_found", "detail": self.path})
                status, answer = provider.order(self.headers.get("Idempotency-Key", ""), body)
                self.answer(status, answer)

            def answer(self, status, value):
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client killed mid-request (errand, by a fault)

        self.server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def order(self, key, body):
        with self.lock:
            self.calls[key] = self.calls.get(key, 0) + 1
            if self.failing > 0:
                self.failing -= 1
                return 500, {"detail": "the kitchen is on fire"}
            if not self.broken and key in self.claimed:
                # A retry: the answer the first call gives.
                while key not in self.done:
                    self.lock.wait(timeout=60)
                return 201, self.done[key]
            self.claimed.add(key)
            slow = self.slow_first_call
        if slow:
            time.sleep(slow)
        items = [
            {"name": i.get("name", "item"), "quantity": i.get("quantity", 1), "unit_price": 899}
            for i in body.get("items", [])
        ] or [{"name": "item", "quantity": 1, "unit_price": 899}]
        with self.lock:
            order_id = "CK-" + uuid.uuid4().hex[:10]
            self.orders.setdefault(key, []).append(order_id)
            answer = {
                "order_id": order_id,
                "items": items,
                "total": sum(i["quantity"] * i["unit_price"] for i in items) + 299,
                "currency": "GBP",
                "eta_minutes": 20,
                "merchant": "Chaos Kitchen",
                "delivery_fee": 299,
                "address": str(body.get("address", "")),
                "charge_id": "ck-" + order_id,
            }
            self.done.setdefault(key, answer)
            self.lock.notify_all()
            return 201, self.done[key] if not self.broken else answer

    def cancel(self, key):
        with self.lock:
            if not self.orders.get(key):
                return 404, {"code": "not_found", "detail": "no order for that key"}
            self.cancelled.add(key)
            return 200, {}

    def ledger(self, keys):
        with self.lock:
            calls = max((self.calls.get(k, 0) for k in keys), default=0)
            doubled = sum(1 for k in keys if len(self.orders.get(k, [])) > 1)
            return calls, doubled


# ---------------------------------------------------------------------------
# The cluster link: a proxy in front of each node's cluster port.


class Link:
    """Listens on 127.0.0.2 at the port a node's cluster server listens on
    (127.0.0.1) and forwards to it. The node advertises 127.0.0.2, so every
    peer reaches it through here, as a seed or transitively; same port, so
    the seed a peer dials is the address the node announces (errand's seeds
    actor compares them to know which seeds it is connected to).

    partition() black-holes the link: open connections stay open and what
    either end sends is read and dropped; a new connection is accepted and
    treated the same. heal() forwards new connections again, but the ones
    that lived through the partition keep losing bytes (half-open), so the
    nodes must notice and connect again."""

    HOST = "127.0.0.2"

    class Pipe:
        """One connection: the dialer's socket and the node's (None when it
        was accepted during a partition); doomed once it has lost bytes."""

        def __init__(self, client, upstream, doomed):
            self.ends, self.doomed = [client, upstream], doomed

    def __init__(self, port):
        self.port = port
        self.address = f"{self.HOST}:{port}"
        self.lock = threading.Lock()
        self.partitioned = False
        self.stopped = False
        self.pipes = []
        self.dropped = 0  # bytes black-holed
        self.listener = socket.create_server((self.HOST, port))
        self.listener.settimeout(0.5)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            upstream = None
            with self.lock:
                partitioned = self.partitioned
            if not partitioned:
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                    upstream.settimeout(None)
                    upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    client.close()  # the node is down: as if nothing listened
                    continue
            pipe = self.Pipe(client, upstream, doomed=partitioned)
            with self.lock:
                pipe.doomed = pipe.doomed or self.partitioned  # cut meanwhile
                self.pipes.append(pipe)
            threading.Thread(target=self.pump, args=(pipe, 0, 1), daemon=True).start()
            if upstream:
                threading.Thread(target=self.pump, args=(pipe, 1, 0), daemon=True).start()

    def pump(self, pipe, src, dst):
        while True:
            try:
                data = pipe.ends[src].recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            with self.lock:
                doomed = pipe.doomed
                if doomed:
                    self.dropped += len(data)
            if doomed:
                continue
            try:
                pipe.ends[dst].sendall(data)
            except OSError:
                break
        self.close(pipe)

    def close(self, pipe):
        with self.lock:
            if pipe in self.pipes:
                self.pipes.remove(pipe)
        for sock in pipe.ends:
            if sock:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def partition(self):
        with self.lock:
            self.partitioned = True
            for pipe in self.pipes:
                pipe.doomed = True

    def heal(self):
        # Half-open, as when a firewall or NAT lost the connections' state:
        # new connections go through again, but those that lived through
        # the partition keep losing every byte until a node closes them
        # (errand closes a peer's session after three heartbeat timeouts of
        # silence, then dials again). Connections accepted during the
        # partition, which never reached the node, are closed.
        with self.lock:
            self.partitioned = False
            unborn = [p for p in self.pipes if p.doomed and p.ends[1] is None]
        for pipe in unborn:
            self.close(pipe)

    def stop(self):
        self.stopped = True
        self.listener.close()
        for pipe in list(self.pipes):
            self.close(pipe)


# ---------------------------------------------------------------------------
# Processes: Redis, the broker, errand.


class Process:
    def __init__(self, name, argv, env=None, logfile=None):
        self.name, self.argv, self.env, self.logfile = name, argv, env, logfile
        self.proc = None
        self.starts = 0

    def start(self):
        out = open(self.logfile, "ab") if self.logfile else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=out, stderr=out)
        self.starts += 1

    def signal(self, sig):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def kill9(self):
        self.signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


class World:
    """errand, its Redis, its broker and its provider. errand is one process
    (`errand up`), or with `cluster` two nodes joined through Links: `errand`
    is then "core" (the gateway and the rest but the agents) and `peer` is
    "hands" (the agents, serving food through the provider), with
    confirmation on."""

    CORE_ROLES = "gateway,reasoner,router,tracker,errors"

    def __init__(self, errand, run_dir, broken, cluster=False):
        self.dir = run_dir
        self.provider = Provider(broken)
        self.redis_port = free_port()
        self.redis = Process(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--dir", run_dir],
            logfile=os.path.join(run_dir, "redis.log"),
        )
        self.kafka_port = free_port()
        url = f"tcp://127.0.0.1:{self.kafka_port}"
        self.broker = Process(
            "nisshi",
            ["nisshi", "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://nisshi/", "--group-initial-rebalance-delay", "0s"],
            logfile=os.path.join(run_dir, "nisshi.log"),
        )
        self.http_port = free_port()
        env = dict(os.environ)
        env.update({
            "ERRAND_LISTEN": f"127.0.0.1:{self.http_port}",
            "ERRAND_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}",
            "ERRAND_KAFKA_BROKERS": f"127.0.0.1:{self.kafka_port}",
            "ERRAND_HTTP_AGENTS": f"food=http://127.0.0.1:{self.provider.port}",
            "ERRAND_CONFIRM": "never",
            "ERRAND_COMMAND_DEADLINE_SECS": "25",
            "ERRAND_RATE_PER_SECOND": "1000",
            "ERRAND_RATE_BURST": "1000",
            "ERRAND_LOG": env.get("ERRAND_LOG", "warn"),
        })
        # What a dialogue answers, after "order me a burger", to each question.
        self.answers = [("awaiting_clarification", "221B Baker Street")]
        self.links, self.peer, self.peer_http_port = [], None, None
        if not cluster:
            self.errand = Process("errand", [errand, "up"], env=env,
                                  logfile=os.path.join(run_dir, "errand.log"))
        else:
            # Quotes cross the cluster link too: the summary is confirmed.
            env["ERRAND_CONFIRM"] = "always"
            self.answers.append(("awaiting_confirmation", "yes"))
            cluster_ports = [free_port(), free_port()]
            self.links = [Link(port) for port in cluster_ports]
            env.update({
                "ERRAND_CLUSTER_COOKIE": uuid.uuid4().hex,
                "ERRAND_CLUSTER_ADVERTISE": Link.HOST,
                # Every node seeds every node (its own address is skipped),
                # as docker/compose.yaml does.
                "ERRAND_CLUSTER_SEEDS": ",".join(link.address for link in self.links),
            })
            self.peer_http_port = free_port()
            self.errand = self.node(errand, env, "core", self.CORE_ROLES,
                                    cluster_ports[0], self.http_port)
            self.peer = self.node(errand, env, "hands", "agents",
                                  cluster_ports[1], self.peer_http_port)
        # When each command's last utterance was acknowledged, and when the
        # broker came back from a fault (what it held before is its loss).
        self.acked_at = {}
        self.broker_back_at = None
        # Cluster faults: what happened when, and samples of both nodes'
        # readiness and views of each other, in seconds from the load's start.
        self.timeline = []
        self.t0 = time.time()

    def node(self, errand, env, name, roles, cluster_port, http_port):
        env = dict(env, ERRAND_NODE_NAME=name, ERRAND_ROLES=roles,
                   ERRAND_CLUSTER_LISTEN=f"127.0.0.1:{cluster_port}",
                   ERRAND_LISTEN=f"127.0.0.1:{http_port}")
        # The gateway's node keeps the name "errand" (what the single-node
        # faults act on); the agents' node is the peer.
        return Process("errand" if "gateway" in roles else "peer", [errand, "node"], env=env,
                       logfile=os.path.join(self.dir, f"{name}.log"))

    def nodes(self):
        return [p for p in (self.errand, self.peer) if p]

    def start(self):
        self.redis.start()
        self.broker.start()
        assert wait_port(self.redis_port), "redis did not start"
        assert wait_port(self.kafka_port), "the broker did not start"
        for node in self.nodes():
            node.start()
        assert self.ready(60), "errand did not become ready"
        if self.peer:
            assert self.ready(60, self.peer_http_port), "the peer did not become ready"
            assert self.joined(60), "the nodes did not join each other"

    def stop(self):
        for p in self.nodes() + [self.broker, self.redis]:
            p.stop()
        for link in self.links:
            link.stop()
        self.provider.server.shutdown()

    # -- HTTP --------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, timeout=15, port=None):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.http_port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            h = {"Content-Type": "application/json"} if data else {}
            h.update(headers or {})
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            try:
                return r.status, json.loads(raw or b"null")
            except ValueError:
                return r.status, None
        finally:
            conn.close()

    def ready(self, seconds, port=None):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if self.request("GET", "/readyz", timeout=2, port=port)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    # -- the cluster -------------------------------------------------------

    def views(self):
        """How each node sees the other ("up", "suspect", "refused"; None:
        not listed), and each node's /readyz status (None: no answer)."""
        seen = {}
        for me, port, other in (("core", self.http_port, "hands"),
                                ("hands", self.peer_http_port, "core")):
            try:
                status, body = self.request("GET", "/v1/cluster", timeout=2, port=port)
                nodes = (body or {}).get("nodes", []) if status == 200 else []
                seen[f"{me}_sees_{other}"] = next(
                    (n.get("health") for n in nodes if n.get("name") == other), None)
            except OSError:
                seen[f"{me}_sees_{other}"] = None
            try:
                seen[f"{me}_readyz"] = self.request("GET", "/readyz", timeout=2, port=port)[0]
            except OSError:
                seen[f"{me}_readyz"] = None
        return seen

    def joined(self, seconds):
        """Both nodes report each other up."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            v = self.views()
            if v["core_sees_hands"] == "up" and v["hands_sees_core"] == "up":
                return True
            time.sleep(0.25)
        return False

    def mark(self, **what):
        self.timeline.append(dict(t=round(time.time() - self.t0, 2), **what))

    def watch(self, phase, until):
        """Samples both nodes every quarter second, until `until()`; each
        sample says which phase of the run it was taken in."""
        while not until():
            self.mark(phase=phase(), **self.views())
            time.sleep(0.25)

    def say(self, session, text, key, give_up):
        """Says `text` with its key until it is acknowledged: the trace."""
        while time.time() < give_up:
            try:
                status, body = self.request(
                    "POST", f"/v1/sessions/{session}/utterances", {"text": text},
                    {"Idempotency-Key": key}, timeout=12)
                if status == 202:
                    with self.provider.lock:
                        self.acked_at[body["trace_id"]] = time.time()
                    return body["trace_id"]
            except OSError:
                pass
            time.sleep(0.3)
        return None

    def state(self, trace):
        try:
            status, body = self.request("GET", f"/v1/commands/{trace}", timeout=5)
            return body if status == 200 else None
        except OSError:
            return None

    def until(self, trace, statuses, give_up):
        while time.time() < give_up:
            s = self.state(trace)
            if s and s.get("status") in statuses:
                return s
            time.sleep(0.2)
        return None

    # -- one dialogue ------------------------------------------------------

    def dialogue(self, acknowledged, give_up):
        """'order me a burger' -> the address question -> the address ->
        placed (confirmation is off: the Python stack asks none either), or
        in a cluster -> the priced summary -> "yes" -> placed."""
        session = "chaos-" + uuid.uuid4().hex[:12]
        trace = self.say(session, "order me a burger", session + "-1", give_up)
        if not trace:
            return
        acknowledged.add(trace)
        for turn, (question, answer) in enumerate(self.answers, start=2):
            s = self.until(trace, {question} | FINAL, give_up + 30)
            if not s or s.get("status") in FINAL:
                return
            trace = self.say(session, answer, f"{session}-{turn}", give_up + 30)
            if not trace:
                return
            acknowledged.add(trace)


# ---------------------------------------------------------------------------
# Faults: each runs while the load does.


def fault_errand_kill9(w):
    time.sleep(3)
    w.errand.kill9()
    time.sleep(1)
    w.errand.start()


def fault_errand_sigstop(w):
    time.sleep(3)
    w.errand.signal(signal.SIGSTOP)
    time.sleep(6)
    w.errand.signal(signal.SIGCONT)


def fault_redis_kill9(w):
    time.sleep(3)
    w.redis.kill9()
    time.sleep(3)
    w.redis.start()


def fault_broker_kill9(w):
    time.sleep(3)
    w.broker.kill9()
    time.sleep(3)
    w.broker.start()
    w.broker_back_at = time.time()


def fault_slow_agent(w):
    # The provider takes longer than errand's 10 s call timeout: errand
    # calls again with the same key.
    w.provider.slow_first_call = 12.0
    time.sleep(8)
    w.provider.slow_first_call = 0.0


def fault_agent_errors(w):
    # The provider answers 500 with no code: transient, retried.
    with w.provider.lock:
        w.provider.failing = 40
    time.sleep(6)


def fault_poison_records(w):
    # Records no errand wrote, on the topics errand consumes.
    time.sleep(2)
    poison = "\n".join(json.dumps(r) for r in [
        {"key": "poison", "value": "not a command"},
        {"key": "poison", "value": {"trace_id": 7, "action": None}},
        {"key": "poison", "value": {"type": "utterance"}},
    ]) + "\n"
    for topic in ("transcript", "agent.cmd", "agent.status", "agent.out.clarify"):
        subprocess.run(
            ["nisshi", "cat", "produce", "--silent", "--broker",
             f"tcp://127.0.0.1:{w.kafka_port}", topic],
            input=poison.encode(), check=False, timeout=30,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fault_peer_partition(w):
    # The cluster link between core and hands black-holes both ways for
    # 12 s, then heals: past the heartbeat timeout (hands is suspected) and
    # the call timeout (calls made before it time out inside it, and their
    # retries find no usable agent until it heals).
    time.sleep(3)
    for link in w.links:
        link.partition()
    w.mark(event="partitioned")
    time.sleep(12)
    w.mark(event="healing", dropped_bytes=sum(link.dropped for link in w.links))
    for link in w.links:
        link.heal()


def fault_peer_kill9(w):
    time.sleep(3)
    w.peer.kill9()
    w.mark(event="killed")
    time.sleep(3)
    w.peer.start()
    w.mark(event="started")


class Fault(NamedTuple):
    run: Callable
    # The processes ("errand", "peer") the fault itself starts again.
    restarts: tuple = ()
    # Two nodes (core and hands) instead of one.
    cluster: bool = False


FAULTS = {
    "errand_kill9": Fault(fault_errand_kill9, restarts=("errand",)),
    "errand_sigstop": Fault(fault_errand_sigstop),
    "redis_kill9": Fault(fault_redis_kill9),
    "broker_kill9": Fault(fault_broker_kill9),
    "slow_agent": Fault(fault_slow_agent),
    "agent_errors": Fault(fault_agent_errors),
    "poison_records": Fault(fault_poison_records),
    "peer_partition": Fault(fault_peer_partition, cluster=True),
    "peer_kill9": Fault(fault_peer_kill9, restarts=("peer",), cluster=True),
}


def run_fault(name, errand, broken, seconds, workers, keep):
    fault = FAULTS[name]
    run_dir = tempfile.mkdtemp(prefix=f"errand-chaos-{name}-")
    w = World(errand, run_dir, broken, cluster=fault.cluster)
    try:
        w.start()
        acknowledged = set()
        w.t0 = time.time()
        stop_at = w.t0 + seconds

        def load():
            while time.time() < stop_at:
                w.dialogue(acknowledged, stop_at + 60)

        threads = [threading.Thread(target=load, daemon=True) for _ in range(workers)]
        for t in threads:
            t.start()
        phase, finished = ["fault"], threading.Event()
        watcher = threading.Thread(target=w.watch, args=(lambda: phase[0], finished.is_set),
                                   daemon=True)
        if w.peer:
            watcher.start()
        fault.run(w)
        phase[0] = "after"
        for t in threads:
            t.join(timeout=seconds + 200)

        # Every acknowledged command to its final state (the sweeper fails
        # what runs past its deadline).
        finals = {}
        settle = time.time() + 90
        for trace in sorted(acknowledged):
            s = w.until(trace, FINAL, settle)
            if s:
                finals[trace] = s["status"]
        confirmed = sum(1 for s in finals.values() if s == "confirmed")
        failed = sum(1 for s in finals.values() if s == "failed")
        unfinished = [t for t in acknowledged if t not in finals]
        # The nisshi broker keeps topics in memory: what it held when it
        # was killed is gone with it (a Kafka cluster keeps it). A command
        # whose last utterance it acknowledged before it came back is the
        # broker's loss; every later one must finish.
        back = w.broker_back_at
        broker_lost = sum(1 for t in unfinished if back and w.acked_at.get(t, 0) < back)
        lost = len(unfinished) - broker_lost

        # Recovered: a new dialogue goes through, and errand was not
        # restarted beyond what the fault did.
        probe = set()
        give_up = time.time() + 60
        w.dialogue(probe, give_up)
        recovered = bool(probe) and all(
            (w.until(t, {"confirmed"}, give_up + 30) or {}).get("status") == "confirmed"
            for t in probe)
        ports = [w.http_port] + ([w.peer_http_port] if w.peer else [])
        recovered = recovered and all(w.ready(10, port) for port in ports)
        recovered = recovered and all(
            node.alive() and node.starts == (2 if node.name in fault.restarts else 1)
            for node in w.nodes())
        recovered = recovered and (not w.peer or w.joined(30))

        finished.set()
        if w.peer:
            watcher.join()

        calls, doubled = w.provider.ledger(acknowledged | probe)
        # Told it failed, yet the provider holds its order: charged for a
        # failure.
        with w.provider.lock:
            failed_but_placed = sum(1 for t, s in finals.items()
                                    if s != "confirmed" and w.provider.orders.get(t)
                                    and t not in w.provider.cancelled)
        line = {
            "fault": name,
            "acknowledged": len(acknowledged),
            "confirmed": confirmed,
            "failed": failed,
            "lost": lost,
            "broker_lost": broker_lost,
            "provider_calls_max": calls,
            "doubled": doubled,
            "failed_but_placed": failed_but_placed,
            "recovered_without_restart": recovered,
        }
        ok = lost == 0 and doubled == 0 and failed_but_placed == 0 and recovered
        if w.peer:
            # The gateway's node saw its peer suspect or gone while the
            # fault lasted (a fault no one noticed proved nothing).
            line["peer_down_seen"] = any(s.get("phase") == "fault" and s["core_sees_hands"] != "up"
                                         for s in w.timeline)
            ok = ok and line["peer_down_seen"]
            with open(os.path.join(run_dir, "timeline.jsonl"), "w") as f:
                f.writelines(json.dumps(s) + "\n" for s in w.timeline)
        print(json.dumps(line), flush=True)
        if not ok:
            log(f"{name}: see {run_dir}")
        return ok
    finally:
        w.stop()
        if not keep:
            subprocess.run(["rm", "-rf", run_dir], check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errand", required=True, help="the errand binary")
    parser.add_argument("--seconds", type=int, default=20, help="load per fault")
    parser.add_argument("--workers", type=int, default=8, help="concurrent clients")
    parser.add_argument("--only", action="append", choices=sorted(FAULTS),
                        help="run this fault only (repeatable)")
    parser.add_argument("--broken-provider", action="store_true",
                        help="a provider that ignores Idempotency-Key: the suite must fail")
    parser.add_argument("--keep", action="store_true", help="keep each run's directory")
    args = parser.parse_args()
    faults = args.only or list(FAULTS)
    started = time.time()
    results = [run_fault(f, args.errand, args.broken_provider, args.seconds, args.workers,
                         args.keep) for f in faults]
    log(f"{sum(results)} of {len(results)} faults held, in {time.time() - started:.0f} s")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
