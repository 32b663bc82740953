"""The app under cProfile, for `python -m bench.relay.run --profile DIR`:

    python -m bench.relay.profiled OUT.prof UVICORN-ARGS...

Only the measured windows are profiled: SIGUSR1 writes the profile running, if any, and starts the next
(a mode is about to begin); SIGUSR2 writes the last one (the load is over). Each goes to OUT with its
number: app-sqlite.1.prof, app-sqlite.2.prof (bench/relay/run.py: saturated, then offered). The set-up
(logins, the bot's failed turns, the claims) and the shutdown are left out. (One signal for both
"stop" and "start": two signals sent together are handled in the order of their numbers, not sent.)"""

from __future__ import annotations

import cProfile
import signal
import sys
from pathlib import Path
from types import FrameType


def main() -> None:
    out, args = Path(sys.argv[1]), sys.argv[2:]
    sys.argv = ["uvicorn", *args]
    profiles: list[cProfile.Profile] = []

    def stop(_signum: int = 0, _frame: FrameType | None = None) -> None:
        if profiles:
            profiles[-1].disable()
            profiles[-1].dump_stats(out.with_suffix(f".{len(profiles)}{out.suffix}"))

    def start(_signum: int, _frame: FrameType | None) -> None:
        stop()
        profiles.append(cProfile.Profile())
        profiles[-1].enable()

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    import uvicorn.main

    uvicorn.main.main()


if __name__ == "__main__":
    main()
