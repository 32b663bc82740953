"""`python -m api.create_admin NAME`: the first admin of a production team (the password is read from
standard input, never from the command line, where `ps` and shell histories would show it).

Production seeds no demo team (its passwords are public); this is how a team starts. The admin page
then adds everyone else. Applies the database's migrations first, as the app does at start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from api.lifespan import prepare_database
from handoff.agents import service as agent_service
from handoff.agents.enums import AgentRole
from handoff.agents.schemas import AgentCreate
from handoff.config import Settings
from handoff.database import create_engine, create_sessionmaker


async def create_admin(settings: Settings, agent_id: str, password: str) -> None:
    engine = create_engine(settings.database_url)
    try:
        sessions = create_sessionmaker(engine)
        clock = await prepare_database(settings, engine, sessions)
        body = AgentCreate(id=agent_id, display_name=agent_id.capitalize(), password=password, role=AgentRole.ADMIN,
                           skills=[], languages=[], max_chats=0)
        async with sessions() as session:
            await agent_service.create(session=session, body=body, clock=clock)
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("agent_id")
    args = parser.parse_args()
    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        asyncio.run(create_admin(Settings(), args.agent_id, password))
    except ValueError as exc:  # a taken id, a short password (pydantic's ValidationError is one)
        print(f"not created: {exc}", file=sys.stderr)
        return 1
    print(f"admin {args.agent_id} created")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
