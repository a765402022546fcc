"""App hosts as network namespaces: each joined to the host by a veth pair on a 10.213.x.y/30.

The host side of each pair runs socat forwarders to PostgreSQL, Redis and SMTP, which listen on
127.0.0.1 only. Nothing here sends traffic anywhere but 127.0.0.1 and the addresses created
here; `Network.remove()` deletes namespaces, veths and forwarders even after a failure.
"""

import os
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy import stack

SUBNET = "10.213"


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result


def free_third_octet() -> int:
    """A 10.213.X.0/24 with no address on this host, so the test's /30s collide with nothing."""
    used = ip("-o", "-4", "addr").stdout
    choices = [x for x in range(256) if f" {SUBNET}.{x}." not in used]
    return random.choice(choices)


@dataclass
class Host:
    """One app host: namespace `name`, reached at `address`; the host side is `gateway`."""

    name: str
    outside: str  # veth in the host namespace
    gateway: str
    address: str
    forwarders: list = field(default_factory=list)


class Network:
    """Namespaces created by this test run, and everything attached to them."""

    def __init__(self, count: int, directory: Path):
        self.directory = directory
        self.hosts: list[Host] = []
        third = free_third_octet()
        tag = f"mtg{os.getpid() % 100000}"
        for index in range(count):
            letter = "abcdefgh"[index]
            base = 4 * index
            host = Host(name=f"{tag}{letter}", outside=f"{tag}{letter}h",
                        gateway=f"{SUBNET}.{third}.{base + 1}",
                        address=f"{SUBNET}.{third}.{base + 2}")
            self.hosts.append(host)
            try:
                self.create(host, f"{tag}{letter}n")
            except BaseException:
                self.remove()
                raise

    def create(self, host: Host, inside: str) -> None:
        ip("netns", "add", host.name)
        ip("link", "add", host.outside, "type", "veth", "peer", "name", inside)
        ip("link", "set", inside, "netns", host.name)
        ip("addr", "add", f"{host.gateway}/30", "dev", host.outside)
        ip("link", "set", host.outside, "up")
        ip("-n", host.name, "addr", "add", f"{host.address}/30", "dev", inside)
        ip("-n", host.name, "link", "set", inside, "up")
        ip("-n", host.name, "link", "set", "lo", "up")

    def forward(self, host: Host, port: int, target_port: int) -> None:
        """Listen on host.gateway:port, forward each connection to 127.0.0.1:target_port."""
        process = stack.Process(
            ["socat", f"TCP-LISTEN:{port},bind={host.gateway},reuseaddr,fork",
             f"TCP:127.0.0.1:{target_port}"],
            {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            self.directory / f"socat-{host.name}-{port}.log", f"socat {host.gateway}:{port}")
        host.forwarders.append(process)
        stack.wait_until(lambda: stack.port_open(host.gateway, port) or not process.alive(), 10,
                         f"socat on {host.gateway}:{port}")
        assert process.alive(), process.output()

    def remove(self) -> None:
        for host in self.hosts:
            for process in host.forwarders:
                process.stop()
            ip("netns", "del", host.name, check=False)
            ip("link", "del", host.outside, check=False)  # gone with its peer, normally
