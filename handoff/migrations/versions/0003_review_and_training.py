"""The admins' review inbox (review_items, review_changes) and retraining (training_jobs, model_versions)

Revision 0003_review_and_training after '0002_pending_turns', made 2026-12-06 21:32:36.537404.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_review_and_training"
down_revision: str | Sequence[str] | None = "0002_pending_turns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("trained_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_by", sa.String(length=64), nullable=True),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["promoted_by"], ["agents.id"], name=op.f("fk_model_versions_promoted_by_agents")),
        sa.ForeignKeyConstraint(["trained_by"], ["agents.id"], name=op.f("fk_model_versions_trained_by_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
    )
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("runner_up", sa.String(length=64), nullable=True),
        sa.Column("runner_up_confidence", sa.Float(), nullable=False),
        sa.Column("neighbourhood", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("annotated_intent", sa.String(length=64), nullable=True),
        sa.Column("annotated_by", sa.String(length=64), nullable=True),
        sa.Column("annotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["annotated_by"], ["agents.id"], name=op.f("fk_review_items_annotated_by_agents")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_review_items_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint("conversation_id", "seq", name=op.f("uq_review_items_conversation_id_seq")),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_items_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_intent"), ["intent"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_language"), ["language"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_neighbourhood"), ["neighbourhood"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_status"), ["status"], unique=False)

    op.create_table(
        "training_jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("component", sa.String(length=128), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("held_out", sa.Integer(), nullable=False),
        sa.Column("log_path", sa.String(length=512), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["model_versions.id"], name=op.f("fk_training_jobs_model_id_model_versions")
        ),
        sa.ForeignKeyConstraint(["requested_by"], ["agents.id"], name=op.f("fk_training_jobs_requested_by_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_jobs")),
        sa.UniqueConstraint("active", name=op.f("uq_training_jobs_active")),
    )
    op.create_table(
        "review_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("admin_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["admin_id"], ["agents.id"], name=op.f("fk_review_changes_admin_id_agents")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["review_items.id"], name=op.f("fk_review_changes_item_id_review_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_changes")),
    )
    with op.batch_alter_table("review_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_changes_item_id"), ["item_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("review_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_changes_item_id"))

    op.drop_table("review_changes")
    op.drop_table("training_jobs")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_status"))
        batch_op.drop_index(batch_op.f("ix_review_items_neighbourhood"))
        batch_op.drop_index(batch_op.f("ix_review_items_language"))
        batch_op.drop_index(batch_op.f("ix_review_items_intent"))
        batch_op.drop_index(batch_op.f("ix_review_items_created_at"))
        batch_op.drop_index(batch_op.f("ix_review_items_conversation_id"))

    op.drop_table("review_items")
    op.drop_table("model_versions")
