"""Real BGP speakers that export BMP, for the live-collection tests: GoBGP
(``gobgpd``) and FRR (``bgpd`` with its BMP module), on addresses of
127.0.0.0/8, each started as a child process and stopped by its PID.

Two speakers peer over loopback: a *feeder* (AS 65001, 127.0.0.2) that
announces and withdraws routes, and the *router under test* (AS 65000,
127.0.0.1) that exports its RIBs over BMP to the collector.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

FRR_BGPD = Path("/usr/lib/frr/bgpd")

FAMILIES = ("ipv4-unicast", "ipv6-unicast", "l3vpn-ipv4-unicast", "l3vpn-ipv6-unicast", "l2vpn-evpn")


def have_gobgp() -> bool:
    return shutil.which("gobgpd") is not None and shutil.which("gobgp") is not None


def have_frr() -> bool:
    return FRR_BGPD.exists()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0, step: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(step)
    raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")


class Process:
    """A child process stopped by its PID (SIGTERM, then SIGKILL)."""

    def __init__(self, argv: Sequence[str], log: Path, cwd: Path | None = None) -> None:
        self.log = log
        self._fh = open(log, "wb")
        self.proc = subprocess.Popen(list(argv), stdout=self._fh, stderr=subprocess.STDOUT, cwd=cwd)
        self.pid = self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._fh.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _afi_safis() -> str:
    block = '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "{}"\n'
    return "".join(block.format(f) for f in FAMILIES)


class GoBGP:
    """One gobgpd with its gRPC API on a loopback port, driven by the ``gobgp`` CLI."""

    def __init__(self, workdir: Path, name: str, toml: str) -> None:
        self.api_port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        conf = workdir / f"{name}.toml"
        conf.write_text(toml)
        self.process = Process(
            [
                "gobgpd",
                "-f",
                str(conf),
                "-t",
                "toml",
                "-p",
                "--pprof-disable",
                "--api-hosts",
                f"127.0.0.1:{self.api_port}",
            ],
            workdir / f"{name}.log",
        )
        wait_for(lambda: self.cli("global", check=False).returncode == 0, f"{name}'s API")

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["gobgp", "-u", "127.0.0.1", "-p", str(self.api_port), *args],
            check=check,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def established(self, neighbor: str) -> bool:
        out = self.cli("neighbor", "-j", check=False).stdout
        try:
            peers = json.loads(out or "[]")
        except ValueError:
            return False
        for peer in peers:
            if peer.get("conf", {}).get("neighbor_address") == neighbor:
                return bool(peer.get("state", {}).get("session_state") == 6)
        return False

    def stop(self) -> None:
        self.process.stop()


def gobgp_router(workdir: Path, bgp_port: int, bmp_port: int, policy: str = "all") -> GoBGP:
    """The router under test: AS 65000 on 127.0.0.1, BMP to the collector."""
    toml = f"""[global.config]
  as = 65000
  router-id = "10.255.0.1"
  port = {bgp_port}
  local-address-list = ["127.0.0.1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.2"
    peer-as = 65001
  [neighbors.transport.config]
    passive-mode = true
    local-address = "127.0.0.1"
{_afi_safis()}
[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = {bmp_port}
    route-monitoring-policy = "{policy}"
    sys-name = "gobgp-dut"
"""
    return GoBGP(workdir, "dut", toml)


def gobgp_feeder(workdir: Path, bgp_port: int) -> GoBGP:
    """The feeder: AS 65001 on 127.0.0.2, connecting to the router under test."""
    toml = f"""[global.config]
  as = 65001
  router-id = "10.255.0.2"
  port = -1

[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 65000
  [neighbors.transport.config]
    local-address = "127.0.0.2"
    remote-port = {bgp_port}
{_afi_safis()}"""
    return GoBGP(workdir, "feeder", toml)


class FRR:
    """FRR's bgpd with the BMP module (no zebra), configured from a file."""

    def __init__(self, workdir: Path, bgp_port: int, bmp_port: int) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        conf = workdir / "bgpd.conf"
        conf.write_text(
            f"""hostname frr-dut
log stdout debugging
router bgp 65000
 bgp router-id 10.255.0.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 127.0.0.2 remote-as 65001
 neighbor 127.0.0.2 passive
 neighbor 127.0.0.2 disable-connected-check
 address-family ipv4 unicast
  neighbor 127.0.0.2 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor 127.0.0.2 activate
 exit-address-family
 bmp targets collector
  bmp monitor ipv4 unicast pre-policy
  bmp monitor ipv4 unicast post-policy
  bmp monitor ipv6 unicast pre-policy
  bmp monitor ipv6 unicast post-policy
  bmp connect 127.0.0.1 port {bmp_port} min-retry 100 max-retry 500
 exit
!
"""
        )
        self.process = Process(
            [
                str(FRR_BGPD),
                "-f",
                str(conf),
                "-S",
                "-Z",
                "-n",
                "-M",
                "bmp",
                "-p",
                str(bgp_port),
                "-l",
                "127.0.0.1",
                "-P",
                "0",
                "-i",
                str(workdir / "bgpd.pid"),
                "--vty_socket",
                str(workdir),
                "--log",
                "stdout",
            ],
            workdir / "bgpd.log",
        )

    def stop(self) -> None:
        self.process.stop()
