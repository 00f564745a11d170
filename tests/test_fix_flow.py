"""The fix run's record (issue 13 items 5, 9, 10): plurals, `--diff` of a file without a final
newline, the commit of a file that only qualifies references, the summary's "Left to do by hand"."""

from __future__ import annotations

import sys
import types

import pytest

from conftest import run_tenantlint
from miniapp import FILES, PYPROJECT, write_app
from test_commit_per_model import git, repo, subjects  # noqa: F401 - `repo` is a fixture

INVOICE = '''\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = {"schema": "tenant"}

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
'''

ARCHIVE = '''\
from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class SoftDeleteMixin:
    __table_args__ = (Index("ix_archives_deleted", "deleted"),)
    deleted: Mapped[bool] = mapped_column(default=False)


class Archive(SoftDeleteMixin, Base):
    __tablename__ = "archives"

    id: Mapped[int] = mapped_column(primary_key=True)
'''

# tag.py refers to `products` too: it joins the batch that moves the table
BATCH = ("app/models/user/invoice.py", "app/models/user/product.py", "app/models/user/tag.py")
COUPON_NO_NEWLINE = FILES["app/models/user/coupon.py"].rstrip("\n")


def test_diff_of_a_file_without_final_newline_ends_its_hunk_and_the_counts_are_singular(tmp_path):
    write_app(tmp_path, {**FILES, "app/models/user/coupon.py": COUPON_NO_NEWLINE})
    result = run_tenantlint("fix", "--diff", "--no-cache", "app/models/user/coupon.py", "app/models/user/tag.py",
                            cwd=tmp_path, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (1, (
        "--- a/app/models/user/coupon.py\n"
        "+++ b/app/models/user/coupon.py\n"
        "@@ -4,5 +4,6 @@\n"
        " \n"
        " \n"
        " class Coupon(Base):\n"
        '+    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n'
        "     id: Mapped[int] = mapped_column(primary_key=True)\n"
        "     code: Mapped[str]\n"
        "\\ No newline at end of file\n"
        "--- a/app/models/user/tag.py\n"
        "+++ b/app/models/user/tag.py\n"
        "@@ -6,7 +6,7 @@\n"
        " \n"
        " class Tag(Base):\n"
        '     __tablename__ = "tags"\n'
        '-    __table_args__ = (UniqueConstraint("name"),)\n'
        '+    __table_args__ = (UniqueConstraint("name"), {"schema": "tenant"})\n'
        " \n"
        "     id: Mapped[int] = mapped_column(primary_key=True)\n"
        "     name: Mapped[str]\n"
    ), "Would fix 2 problems in 2 files.\n")
    one = run_tenantlint("fix", "--diff", "--no-cache", "app/models/user/coupon.py", cwd=tmp_path, in_process=True)
    assert (one.exit_code, one.stderr) == (1, "Would fix 1 problem in 1 file.\n")
    # the output is a patch git applies as it is
    (tmp_path / "fix.patch").write_text(result.stdout)
    git(tmp_path, "init", "-q")
    git(tmp_path, "apply", "fix.patch")
    assert (tmp_path / "app/models/user/coupon.py").read_text() == COUPON_NO_NEWLINE.replace(
        "class Coupon(Base):\n", 'class Coupon(Base):\n    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n')


def test_fix_says_one_problem_in_one_file(tmp_path):
    write_app(tmp_path)
    result = run_tenantlint("fix", "--no-cache", "app/models/user/coupon.py", cwd=tmp_path, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Fixed 1 problem in 1 file.\n", "")


@pytest.fixture
def invoicing(repo):  # noqa: F811 - the fixture imported above
    write_app(repo, {"app/models/user/invoice.py": INVOICE, "app/models/user/archive.py": ARCHIVE})
    git(repo, "add", "app/models/user/invoice.py", "app/models/user/archive.py")
    git(repo, "commit", "-q", "-m", "invoices")
    return repo


def test_a_file_that_only_qualifies_references_says_so_in_its_commit(invoicing):
    result = run_tenantlint("fix", "--commit-per-model", *BATCH, in_process=True)
    assert result.exit_code == 0, result.stderr
    assert subjects(invoicing)[:3] == [
        "feat(models): add tenant schema to tag.py (Tag)",
        "feat(models): add tenant schema to product.py (Product)",
        "feat(models): qualify references to products in invoice.py",
    ]


def test_the_qualify_message_comes_from_the_config(invoicing):
    (invoicing / "pyproject.toml").write_text(PYPROJECT + 'qualify-message = "chore: {tables} via {path}"\n')
    git(invoicing, "commit", "-q", "-m", "config", "--", "pyproject.toml")
    result = run_tenantlint("fix", "--commit-per-model", *BATCH, in_process=True)
    assert result.exit_code == 0, result.stderr
    assert subjects(invoicing)[2] == "chore: products via app/models/user/invoice.py"


@pytest.mark.parametrize(("template", "shown"), [
    ("qualify {models}", "{models}"), ("qualify {tables!r}", "{tables!r}"), ("q {file.__class__}", "{file.__class__}"),
])
def test_the_qualify_message_only_takes_its_placeholders(tmp_path, template, shown):
    write_app(tmp_path, {**FILES, "pyproject.toml": PYPROJECT + f'qualify-message = "{template}"\n'})
    result = run_tenantlint("check", "--no-cache", cwd=tmp_path, in_process=True)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"tenantlint: error: config key `qualify-message` uses '{shown}'; it may only use {{file}}, {{path}} and "
        "{tables} (no format spec, conversion, attribute or index) (in pyproject.toml)\n")


def test_the_summary_ends_with_what_is_left_to_do_by_hand(invoicing, tmp_path):
    summary = tmp_path / "summary.md"
    result = run_tenantlint("fix", "--commit-per-model", "--summary", str(summary), in_process=True)
    assert result.exit_code == 1, result.stderr
    assert summary.read_text().endswith(
        "\n## Left to do by hand\n\n"
        "- `app/models/user/archive.py:12:7` TNT001: Model `Archive` has no tenant schema; it inherits "
        "`__table_args__` from `SoftDeleteMixin`, which a plain assignment would drop: merge them by hand\n"
        "\n"
        "  ```python\n"
        '  __table_args__ = (*SoftDeleteMixin.__table_args__, {"schema": "tenant"})\n'
        "  ```\n"
    )


def test_a_summary_with_nothing_left_says_so(repo, tmp_path):  # noqa: F811
    summary = tmp_path / "summary.md"
    assert run_tenantlint("fix", "--commit-per-model", "--summary", str(summary), in_process=True).exit_code == 0
    assert summary.read_text().endswith("\n## Edits\n\n- assignment added: 2 files\n- dict appended: 1 file\n"
                                        "- FK qualified: 1 file\n\n## Left to do by hand\n\n"
                                        "Nothing: every finding was fixed.\n")


def test_the_line_to_write_keeps_the_parents_options(tmp_path, monkeypatch):
    """The suggested assignment is what SQLAlchemy accepts: the options dict stays last."""
    from tenantlint.config import load_config
    from tenantlint.engine import analyze

    mixin = ARCHIVE.replace('(Index("ix_archives_deleted", "deleted"),)',
                            '(Index("ix_archives_deleted", "deleted"), {"comment": "soft"})')
    write_app(tmp_path, {**FILES, "app/models/user/archive.py": mixin})
    analysis = analyze([tmp_path / "app/models/user/archive.py"], load_config(None, [tmp_path]), use_cache=False)
    line = "__table_args__ = (*SoftDeleteMixin.__table_args__[:-1], {**SoftDeleteMixin.__table_args__[-1], \"schema\": \"tenant\"})"
    assert [f.by_hand for f in analysis.findings] == [line]
    module = types.ModuleType("suggested_archive")  # SQLAlchemy reads annotations through sys.modules
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(mixin.replace('    __tablename__ = "archives"\n', f'    __tablename__ = "archives"\n    {line}\n')
         .replace("from app.models.base import Base", "from sqlalchemy.orm import DeclarativeBase\n\n\n"
                  "class Base(DeclarativeBase):\n    pass"), module.__dict__)
    table = module.Archive.__table__
    assert (table.schema, table.comment, [i.name for i in table.indexes]) == ("tenant", "soft", ["ix_archives_deleted"])
