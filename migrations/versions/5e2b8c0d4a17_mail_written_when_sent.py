"""booking mails written by the sender: the facts an unwritten message keeps (issue 9)

Revision ID: 5e2b8c0d4a17
Revises: 3c1d7e5a9b20
Create Date: 2026-11-25 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e2b8c0d4a17"
down_revision = "3c1d7e5a9b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))


def downgrade():
    # The code before writes no message: one still unwritten would go out empty. Failed, with the
    # reason, it shows under Sent mail instead.
    op.execute(
        "UPDATE outbox_message SET status = 'failed', claimed_until = NULL, last_error = "
        "'Not written before the downgrade that removed its facts.' "
        "WHERE facts IS NOT NULL AND status = 'pending'"
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("facts")
