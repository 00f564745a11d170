"""The words that can make a file hold facts, said once.

`MARKERS`, the bytes a file must contain to be parsed at all (`engine.names_a_model`), is
derived from this list. A rule names the words its check relies on (`Rule.words`); a test
checks each is here, so a new rule cannot be blind to a file the prefilter drops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Keywords whose string value names tables (`secondary=`) or holds expressions over them.
REF_KEYWORDS_TABLE = frozenset({"secondary"})
REF_KEYWORDS_EXPR = frozenset({"primaryjoin", "secondaryjoin", "order_by", "foreign_keys", "remote_side"})


# Calls with string arguments that are SQLAlchemy's own, never a project's foreign key helper.
SQLALCHEMY_CALLS = frozenset({
    "Column", "mapped_column", "relationship", "Index", "UniqueConstraint", "CheckConstraint", "PrimaryKeyConstraint",
    "ForeignKeyConstraint", "ForeignKey", "Table", "String", "text", "backref", "column_property", "Enum",
    "Sequence", "Field", "declared_attr",
})


@dataclass(frozen=True)
class Word:
    name: str
    marker: bytes | None = None  # searched in a file's bytes (fast); None: not a reason to parse
    confirm: re.Pattern | None = None  # for a common marker, the pattern that confirms it


def _marker(name: str, marker: str | None = None, confirm: bytes | None = None) -> Word:
    return Word(name, (marker or name).encode(), re.compile(confirm) if confirm else None)


# In prefilter order (a plain `in` test each, cheapest and most telling first).
# A confirming pattern starts with its marker's text, its word boundary checked behind it
# (`text\((?<=\btext\()`): `re` searches a leading literal like `bytes.find`, while a leading
# `\b` is tried at every byte of the file, seven times as long.
WORDS: tuple[Word, ...] = (
    _marker("__table"),  # __tablename__, __table__, __table_args__
    _marker("__abstract__"),
    _marker("mapped_column"),
    # also ForeignKeyConstraint; not psycopg's ForeignKeyViolation
    Word("ForeignKey", b"ForeignKey", re.compile(rb"ForeignKey(?<=\bForeignKey)(?:Constraint)?(?!\w)")),
    Word("foreign_key", b"foreign_key"),  # SQLModel Field(foreign_key=)
    Word("primaryjoin", b"primaryjoin"),
    Word("secondaryjoin", b"secondaryjoin"),
    Word("tables", b".tables["),  # metadata.tables["name"]
    _marker("table=True", "table=True", rb"table=True(?<=\btable=True)"),  # SQLModel, not editable=True
    _marker("DeclarativeBase"),
    _marker("declarative_base"),
    _marker("generate_base"),
    Word("secondary", b"secondary", re.compile(rb"secondary(?<=\bsecondary)\s*=")),
    _marker("relationship", "relationship", rb"relationship\((?<=\brelationship\()"),  # order_by=, remote_side=, ... strings
    _marker(".Model", ".Model", rb"\.Model(?![\w\"'])"),  # Flask-SQLAlchemy db.Model, not "users.Model"
    # Table("name", ...), Table(f"...", ...), Table(USERS, ...)
    Word("Table", b"Table(", re.compile(rb"Table\((?<=\bTable\()\s*(?:[fFrRuU]{0,2}[\"']|[A-Z_][A-Z0-9_]*\b)")),
    # What schema_translate_map never translates (TNT009, TNT011) and where naming conventions live (TNT010).
    # text(<what facts.raw_sql.sql_text reads>): a string, a name, a parenthesis (or a comment
    # before it); not Hypothesis's st.text() or st.text(alphabet=...), nor `def text(self)`
    _marker("text", "text(", rb"text\((?<=\btext\()(?<!def text\()\s*(?:[#(\"']|[A-Za-z_]\w*\s*[^\w\s=(])"),
    _marker("exec_driver_sql"),
    _marker("execute", ".execute(", rb"\.execute\(\s*(?:[fFrRuU]{0,2}[\"']|[A-Z_][A-Z0-9_]*\b)"),  # a string or CONSTANT
    _marker("read_sql"),
    _marker("table", "table(", rb"table\((?<=\btable\()\s*[rRuU]?[\"']"),  # sa.table("name"), a lightweight table
    _marker("inspector", ".get_", rb"\.get_(?:columns|indexes|foreign_keys|pk_constraint|"
            rb"unique_constraints|check_constraints|table_comment)\(\s*[rRuU]?[\"']"),
    _marker("has_table", ".has_table(", rb"\.has_table\(\s*[rRuU]?[\"']"),
    _marker("alembic", "from alembic import", rb"from alembic import\b(?<=\bfrom alembic import)"),
    # a call, where a naming convention is given (facts.auto_names); not NSMetaDataQuery, nor the
    # word in a string or an annotation
    _marker("MetaData", "MetaData", rb"MetaData(?<=\bMetaData)\s*\("),
    # Read in any file that is parsed (tenant paths always are), never a reason to parse one.
    Word("Enum"),
    Word("Sequence"),
    *(Word(keyword) for keyword in sorted(REF_KEYWORDS_EXPR - {"primaryjoin", "secondaryjoin"})),
    # `fk("parent")`: a call with a string argument that may be a project's foreign key helper
    # (whose module names `ForeignKey`, see `resolution.helper`)
    Word("helper call"),
)

BY_NAME = {word.name: word for word in WORDS}

MARKERS: tuple[tuple[bytes, re.Pattern | None], ...] = tuple(
    (word.marker, word.confirm) for word in WORDS if word.marker is not None
)

# What the rules declare in `Rule.words`, by the facts they read.
MODEL_WORDS = ("__table", "__abstract__", "mapped_column", "table=True", "DeclarativeBase", "declarative_base",
               "generate_base", ".Model")  # which classes are models (context.models)
TABLE_WORDS = ("Table",)  # `Table("name", ...)` (context.tables)
REFERENCE_WORDS = ("ForeignKey", "foreign_key", "secondary", "primaryjoin", "secondaryjoin", "tables",
                   "relationship", "order_by", "foreign_keys", "remote_side", "helper call")  # string references (context.refs)
TYPE_WORDS = ("Enum", "Sequence", "mapped_column")  # type objects (`Mapped[SomeEnum]` included)
RAW_SQL_WORDS = ("text", "exec_driver_sql", "execute", "read_sql", "table", "inspector", "has_table")  # facts.sql
MIGRATION_WORDS = ("alembic",)  # facts.ops (migration scripts are parsed whenever they are in scope)
METADATA_WORDS = ("MetaData",)  # facts.metadata
