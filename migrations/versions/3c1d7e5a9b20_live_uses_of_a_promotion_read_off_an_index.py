"""live uses of a promotion read off an index (issue 9: counted at each booking)

Revision ID: 3c1d7e5a9b20
Revises: bdb58e0d0607
Create Date: 2026-11-24 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c1d7e5a9b20"
down_revision = "bdb58e0d0607"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.create_index(
            "ix_redemption_live_promotion",
            ["promotion_id"],
            unique=False,
            postgresql_include=["uses"],
            sqlite_where=sa.text("released_at IS NULL"),
            postgresql_where=sa.text("released_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.drop_index("ix_redemption_live_promotion")
