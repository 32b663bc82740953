"""Registers every model on the shared metadata; the one module that knows them all."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from handoff.agents import models as agent_models
from handoff.assist import models as assist_models
from handoff.canned import models as canned_models
from handoff.conversations import models as conversation_models
from handoff.database import Base
from handoff.instances import models as instance_models
from handoff.responses import models as response_models
from handoff.review import models as review_models
from handoff.serving import models as serving_models
from handoff.shop import models as shop_models
from handoff.tools import models as tool_models
from handoff.training import models as training_models

MODEL_MODULES = (agent_models, assist_models, canned_models, conversation_models, instance_models, response_models,
                 review_models, serving_models, shop_models, tool_models, training_models)


async def create_all(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
