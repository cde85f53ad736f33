"""one person, several addresses: addresses, consents, merges and linking codes

Every person so far had one (channel, address); each becomes one address row of their own,
and each consent given becomes a consent row. The person keeps ``channel``/``address`` as
where replies go, no longer unique: a shared number carries several people.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.json_text import indexed_json_text
from backend.db.types import JsonType, UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("channel_name", sa.String(120), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_inbound_at", UTCDateTime(), nullable=True),
        sa.Column("chosen_at", UTCDateTime(), nullable=True),
        _fk("addresses", "beneficiary_id", "beneficiaries", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
        sa.UniqueConstraint(
            "channel", "address", "slot", name="uq_addresses_channel_address_slot"
        ),
    )
    op.create_index(op.f("ix_addresses_beneficiary_id"), "addresses", ["beneficiary_id"])
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        _fk("consents", "beneficiary_id", "beneficiaries", "CASCADE"),
        _fk("consents", "address_id", "addresses", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_beneficiary_id"), "consents", ["beneficiary_id"])
    op.create_index(op.f("ix_consents_address_id"), "consents", ["address_id"])
    op.create_table(
        "person_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("absorbed_id", sa.Integer(), nullable=False),
        sa.Column("merged_by", sa.String(10), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("absorbed", JsonType, nullable=False),
        sa.Column("survivor_profile", JsonType, nullable=False),
        sa.Column("moved", JsonType, nullable=False),
        sa.Column("conflicts", JsonType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
        _fk("person_merges", "beneficiary_id", "beneficiaries", "CASCADE"),
        _fk("person_merges", "staff_id", "staff", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merges")),
        sa.CheckConstraint("merged_by IN ('person', 'staff')", name="ck_person_merges_merged_by"),
    )
    op.create_index(op.f("ix_person_merges_beneficiary_id"), "person_merges", ["beneficiary_id"])
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        _fk("link_codes", "beneficiary_id", "beneficiaries", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_codes")),
    )
    op.create_index(op.f("ix_link_codes_beneficiary_id"), "link_codes", ["beneficiary_id"])
    op.create_index(op.f("ix_link_codes_digest"), "link_codes", ["digest"])

    op.execute(
        "INSERT INTO addresses (beneficiary_id, channel, address, slot, language, channel_name,"
        " created_at, last_inbound_at)"
        " SELECT id, channel, address, 0, language, channel_name, created_at, last_inbound_at"
        " FROM beneficiaries"
    )
    op.execute(
        "INSERT INTO consents (beneficiary_id, address_id, version, given_at)"
        " SELECT b.id, a.id, b.consent_version, COALESCE(b.consent_at, b.created_at)"
        " FROM beneficiaries b JOIN addresses a ON a.beneficiary_id = b.id"
        " WHERE b.consent_version IS NOT NULL"
    )

    # SQLite rebuilds the table to drop the unique constraint (env.py turns foreign keys off
    # around migrations, so the rebuild fires no cascade); the expression index is not
    # carried over by the rebuild, so it is dropped and made again.
    op.drop_index("ix_beneficiaries_governorate", "beneficiaries")
    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_beneficiaries_channel_address", type_="unique")
        batch_op.add_column(
            sa.Column("link_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("link_blocked_until", UTCDateTime(), nullable=True))
        batch_op.create_index("ix_beneficiaries_channel_address", ["channel", "address"])
    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.alter_column("link_failures", server_default=None)
    op.create_index(
        "ix_beneficiaries_governorate",
        "beneficiaries",
        [indexed_json_text(sa.column("profile"), "governorate")],
    )


def downgrade() -> None:
    # Only people who still have one address each can go back to one row per address.
    op.drop_index("ix_beneficiaries_governorate", "beneficiaries")
    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.drop_index("ix_beneficiaries_channel_address")
        batch_op.drop_column("link_blocked_until")
        batch_op.drop_column("link_failures")
        batch_op.create_unique_constraint(
            "uq_beneficiaries_channel_address", ["channel", "address"]
        )
    op.create_index(
        "ix_beneficiaries_governorate",
        "beneficiaries",
        [indexed_json_text(sa.column("profile"), "governorate")],
    )
    op.drop_index(op.f("ix_link_codes_digest"), "link_codes")
    op.drop_index(op.f("ix_link_codes_beneficiary_id"), "link_codes")
    op.drop_table("link_codes")
    op.drop_index(op.f("ix_person_merges_beneficiary_id"), "person_merges")
    op.drop_table("person_merges")
    op.drop_index(op.f("ix_consents_address_id"), "consents")
    op.drop_index(op.f("ix_consents_beneficiary_id"), "consents")
    op.drop_table("consents")
    op.drop_index(op.f("ix_addresses_beneficiary_id"), "addresses")
    op.drop_table("addresses")
