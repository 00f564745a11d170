"""TNT105 ambiguous-table-name: reported by `tenantlint verify` on the imported models.

`runtime_check` reads SQLAlchemy's own objects (`tenantlint.verify` imports the models and
places its problems); this module also holds the rule's documentation and the examples
`tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example
from tenantlint.verify.results import Problem, Runtime

PUBLIC_PATH = "app/models/public/example.py"


def runtime_check(run: Runtime) -> Iterator[Problem]:
    kinds: dict[str, set[bool]] = {}
    for info in run.tables:
        kinds.setdefault(info.name, set()).add(run.is_tenant(info))
    for name, found in sorted(kinds.items()):
        if found == {True, False}:
            info = next(i for i in run.tables if i.name == name and run.is_tenant(i))
            yield Problem(info, f"Table name `{name}` exists both shared and per tenant: a plain string reference "
                          "to it is ambiguous")


RULE = Rule(
    code="TNT105",
    name="ambiguous-table-name",
    what="Reports a table name that exists both as a shared table and as a tenant table.",
    why="A plain string reference (`ForeignKey(\"settings.id\")`, `metadata.tables[\"settings\"]`) can only "
    "name the shared one, and readers cannot tell which is meant.",
    example='class Settings(Base):        # shared\n    __tablename__ = "settings"\n\n'
    'class UserSettings(Base):    # per tenant\n    __tablename__ = "settings"\n'
    '    __table_args__ = {"schema": "tenant"}',
    use_instead='class UserSettings(Base):\n    __tablename__ = "user_settings"\n'
    '    __table_args__ = {"schema": "tenant"}',
    fix_safety=f"{RUNTIME_FIX_SAFETY}.",
    summary='a table name exists both as a shared and as a tenant table',
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    runtime_check=runtime_check,
    valid=(
        Valid(example('''
class Settings(Base):
    __tablename__ = "settings"
    id = Column(Integer, primary_key=True)
'''), path=PUBLIC_PATH),
        Valid(example('''
class UserSettings(Base):
    __tablename__ = "user_settings"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
''')),
        Valid(example('''
settings = Table("settings", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")


class Preference(Base):
    __tablename__ = "preferences"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
''')),
    ),
    invalid=(
        Invalid(example('''
class Settings(Base):  # shared
    __tablename__ = "settings"
    __table_args__ = {"schema": None}
    id = Column(Integer, primary_key=True)


class UserSettings(Base):  # per tenant
    __tablename__ = "settings"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''),
        messages=(
            "Table name `settings` exists both shared and per tenant: a plain string reference to it is "
            "ambiguous",
        )),
        Invalid(example('''
settings = Table("settings", Base.metadata, Column("id", Integer, primary_key=True))


class UserSettings(Base):
    __tablename__ = "settings"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''), path=PUBLIC_PATH,
        messages=(
            "Table name `settings` exists both shared and per tenant: a plain string reference to it is "
            "ambiguous",
        )),
        Invalid(example('''
shared = Table("settings", Base.metadata, Column("id", Integer, primary_key=True))
tenant = Table("settings", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
'''), path=PUBLIC_PATH,
        messages=(
            "Table name `settings` exists both shared and per tenant: a plain string reference to it is "
            "ambiguous",
        )),
    ),
)
