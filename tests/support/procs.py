"""What the operating system says about the stack's processes (Linux /proc): whether one still runs,
and which ports it holds connections to, for tests that check which server an app really talks to."""

from __future__ import annotations

import os
from pathlib import Path


def running(pid: int) -> bool:
    """False once it has exited, a zombie left unreaped included (its parent gone, nothing reaps it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def connected_ports(pid: int) -> set[int]:
    """The remote ports of the process's established TCP connections."""
    inodes: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    ports: set[int] = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            remote, state, inode = fields[2], fields[3], fields[9]
            if state == "01" and inode in inodes:  # ESTABLISHED
                ports.add(int(remote.rsplit(":", 1)[1], 16))
    return ports
