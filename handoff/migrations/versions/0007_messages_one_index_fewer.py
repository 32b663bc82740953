"""The messages' index on conversation_id alone dropped: the unique (conversation_id, seq) index
starts with the same column and answers every look-up by conversation, and each relayed message
paid for writing a third index entry

Revision 0007_messages_one_index_fewer after '0006_entities_and_responses', made 2026-12-07.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007_messages_one_index_fewer"
down_revision: str | Sequence[str] | None = "0006_entities_and_responses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_messages_conversation_id", table_name="messages")


def downgrade() -> None:
    op.create_index("ix_messages_conversation_id", "messages", ["conversation_id"])
