"""The safety net: verified fixes, byte-faithful atomic writes, interrupts, hostile input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from conftest import run_tenantlint

from tenantlint import parsing
from tenantlint.findings import Edit, EditKind
from tenantlint.safety import UnsafeFix, prove_edits

BASE = b"from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
MODEL = b'class Product(Base):\n    __tablename__ = "products"\n    id = 1\n'
FIXED = (
    b'class Product(Base):\n    __tablename__ = "products"\n'
    b'    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n    id = 1\n'
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.tenantlint]\n")
    user = tmp_path / "models" / "user"
    user.mkdir(parents=True)
    (tmp_path / "models" / "base.py").write_bytes(BASE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def model_file(body: bytes = MODEL) -> bytes:
    return b"from models.base import Base\n\n\n" + body


# -- 1. verification -----------------------------------------------------------------------

ADD = Edit(EditKind.ADD_ASSIGNMENT, 1, 6, old="Product")
SOURCE = b'class Product(Base):\n    __tablename__ = "products"\n    id = 1\n'


def test_prove_edits_accepts_the_planned_assignment():
    prove_edits(SOURCE, FIXED, [ADD], "tenant")


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        (FIXED.replace(b"id = 1", b"id = 2"), "a value changed: 1 became 2"),
        (FIXED.replace(b'"tenant"}', b'"public"}'), "did not get the planned `__table_args__`"),
        (SOURCE, "did not get exactly one new statement"),
        (FIXED.replace(b"\n", b"\r\n"), "the line endings would change"),
        (FIXED.rstrip(b"\n"), "the presence of a final newline would change"),
        (FIXED.replace(b"    ", b"\t"), "the indentation style would change"),
        (b"\xef\xbb\xbf" + FIXED, "the byte order mark would change"),
        (FIXED + b"x = (\n", "the fixed file would not parse"),
    ],
)
def test_prove_edits_refuses_anything_else(new, reason):
    with pytest.raises(UnsafeFix, match=reason.replace("(", r"\(").replace("[", r"\[")):
        prove_edits(SOURCE, new, [ADD], "tenant")


def test_prove_edits_refuses_a_change_no_edit_explains():
    old = b'x = ForeignKey("products.id")\ny = ForeignKey("orders.id")\n'
    qualify = Edit(EditKind.QUALIFY_STRING, 1, 15, old='"products.id"', new='"tenant.products.id"')
    prove_edits(old, old.replace(b'"products', b'"tenant.products'), [qualify], "tenant")
    with pytest.raises(UnsafeFix, match="a value changed: 'orders.id' became 'tenant.orders.id'"):
        prove_edits(old, old.replace(b'"', b'"tenant.', 1).replace(b'("orders', b'("tenant.orders'), [qualify], "tenant")


def test_a_fix_that_fails_verification_leaves_the_file_and_exits_2(project, monkeypatch):
    target = project / "models" / "user" / "product.py"
    target.write_bytes(model_file())
    import tenantlint.fixer as fixer

    original = fixer.apply_edits
    monkeypatch.setattr(fixer, "apply_edits", lambda *a: original(*a).replace(b"id = 1", b"id = 2"))
    code, out, err = run_tenantlint("fix", ".", in_process=True)
    assert code == 2
    assert target.read_bytes() == model_file()
    assert err == (
        "tenantlint: error: models/user/product.py: internal error: unsafe fix refused: "
        "a value changed: 1 became 2; file left unchanged\n"
    )


# -- 2. byte-faithful writes ---------------------------------------------------------------

FAITHFUL = {
    "crlf": (model_file().replace(b"\n", b"\r\n"), FIXED.replace(b"\n", b"\r\n")),
    "cr only": (model_file().replace(b"\n", b"\r"), FIXED.replace(b"\n", b"\r")),
    "tabs": (model_file().replace(b"    ", b"\t"), FIXED.replace(b"    ", b"\t")),
    "no final newline": (model_file()[:-1], FIXED[:-1]),
    "bom": (b"\xef\xbb\xbf" + model_file(), FIXED),
    "latin-1 cookie": (
        b"# -*- coding: latin-1 -*-\n" + model_file(MODEL.replace(b"id = 1", b"id = '\xe9'")),
        FIXED.replace(b"id = 1", b"id = '\xe9'"),
    ),
}


@pytest.mark.parametrize("case", sorted(FAITHFUL))
def test_fix_keeps_encoding_bom_line_endings_tabs_and_final_newline(project, case):
    before, fixed_model = FAITHFUL[case]
    target = project / "models" / "user" / "product.py"
    target.write_bytes(before)
    target.chmod(0o640)
    code, out, err = run_tenantlint("fix", "-q", ".", in_process=True)
    assert (code, out, err) == (0, "", "")
    header = before[: before.index(b"class Product")]
    assert target.read_bytes() == header + fixed_model
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["product.py"]  # no temporary file left


def test_a_comment_the_file_encoding_cannot_hold_is_refused(project):
    (project / "pyproject.toml").write_text('[tool.tenantlint]\ncomment = "schéma → tenant"\n', encoding="utf-8")
    before = b"# -*- coding: latin-1 -*-\n" + model_file()
    target = project / "models" / "user" / "product.py"
    target.write_bytes(before)
    code, out, err = run_tenantlint("fix", "-q", ".", in_process=True)
    assert code == 2
    assert err == "tenantlint: error: models/user/product.py: the fix cannot be written in the file's encoding " \
                  "(latin-1); file left unchanged\n"
    assert target.read_bytes() == before


# -- 2b. interrupts --------------------------------------------------------------------------

# In a fresh interpreter: the deferral blocks the signals in the writing thread, as in the
# single-threaded CLI; a pytest-xdist worker has a second thread that would take the signal. The
# handler is set as a terminal's Python has it, also where the shell (a background job) ignores SIGINT.
SIGINT_SCRIPT = """
import os, signal, sys
from pathlib import Path
from tenantlint import atomic
signal.signal(signal.SIGINT, signal.default_int_handler)
real_fsync = os.fsync
def fsync_then_interrupt(fd):
    os.kill(os.getpid(), signal.SIGINT)
    real_fsync(fd)
os.fsync = fsync_then_interrupt
try:
    atomic.write_atomic(Path(sys.argv[1]) / "a.py", b"new\\n")
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_sigint_during_a_write_lets_that_write_finish(tmp_path):
    target = tmp_path / "a.py"
    target.write_bytes(b"old\n")
    proc = subprocess.run([sys.executable, "-c", SIGINT_SCRIPT, str(tmp_path)], capture_output=True, text=True)
    assert (proc.returncode, proc.stderr) == (130, "")
    assert target.read_bytes() == b"new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


SIGTERM_SCRIPT = """
import os, signal, sys
from pathlib import Path
from tenantlint import atomic
real_fsync = os.fsync
def fsync_then_term(fd):
    os.kill(os.getpid(), signal.SIGTERM)
    real_fsync(fd)
os.fsync = fsync_then_term
for name in ("a.py", "b.py"):
    atomic.write_atomic(Path(sys.argv[1]) / name, b"new\\n")
"""


def test_sigterm_during_a_run_leaves_each_file_old_or_new(tmp_path):
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_bytes(b"old\n")
    proc = subprocess.run([sys.executable, "-c", SIGTERM_SCRIPT, str(tmp_path)], capture_output=True)
    assert proc.returncode == -signal.SIGTERM
    # the signal arrived during a.py's write: a.py is complete, b.py was never started
    assert (tmp_path / "a.py").read_bytes() == b"new\n"
    assert (tmp_path / "b.py").read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "b.py"]


# -- 3. hostile input ------------------------------------------------------------------------

def test_hostile_files_get_tnt000_and_every_other_file_is_still_fixed(project, monkeypatch):
    user = project / "models" / "user"
    (user / "syntax.py").write_bytes(b"class A(Base:\n")
    (user / "binary.py").write_bytes(bytes(range(256)) * 4)
    (user / "empty.py").write_bytes(b"")
    (user / "undecodable.py").write_bytes(b"x = '\xff\xfe'\n")
    (user / "cookie.py").write_bytes(b"# -*- coding: no-such-codec -*-\nx = 1\n")
    (user / "deep.py").write_bytes(b"x = " + b"+".join([b"1"] * 100_000) + b"\n")
    (user / "dangling.py").symlink_to(project / "nowhere.py")
    (user / "unreadable.py").write_bytes(b"x = 1\n")
    (user / "product.py").write_bytes(model_file())
    (user / "long.py").write_bytes(model_file().replace(b"Product", b"Long") + b"x = 1\n" * 10_000)
    real_read = parsing.read_bytes

    def read_bytes(path, limit):  # chmod 000 does not stop root, so refuse the read here
        if path.name == "unreadable.py":
            raise PermissionError(13, "Permission denied")
        return real_read(path, limit)

    monkeypatch.setattr(parsing, "read_bytes", read_bytes)
    code, out, err = run_tenantlint("fix", ".", in_process=True)
    assert code == 2
    assert out == textwrap.dedent("""\
        models/user/dangling.py:1:1: TNT000 cannot read file: No such file or directory
        models/user/unreadable.py:1:1: TNT000 cannot read file: Permission denied
        models/user/binary.py:1:1: TNT000 cannot decode file: 'utf-8' codec can't decode byte 0x80 in position 128: invalid start byte
        models/user/cookie.py:1:1: TNT000 cannot decode file: unknown encoding: no-such-codec
        models/user/deep.py:1:1: TNT000 cannot parse file: maximum recursion depth exceeded during ast construction
        models/user/syntax.py:1:13: TNT000 syntax error: invalid syntax
        models/user/undecodable.py:1:1: TNT000 cannot decode file: invalid or missing encoding declaration
        Found 7 problems (0 fixable with `tenantlint fix`).
        Fixed 2 problems in 2 files.
        """)
    assert err == ""
    assert (user / "product.py").read_bytes() == model_file(FIXED)
    assert (user / "long.py").read_bytes() == model_file(FIXED.replace(b"Product", b"Long")) + b"x = 1\n" * 10_000
    assert (user / "empty.py").read_bytes() == b""


def test_a_symlink_out_of_the_project_is_never_written(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "product.py"
    outside.write_bytes(model_file())
    (project / "models" / "user" / "product.py").symlink_to(outside)
    code, out, err = run_tenantlint("fix", ".", in_process=True)
    assert code == 2
    assert err == f"tenantlint: error: models/user/product.py: symlink to {outside}, outside the project; not fixed; " \
                  "file left unchanged\n"
    assert outside.read_bytes() == model_file()


def test_an_internal_error_is_one_line_and_the_traceback_needs_verbose(project, monkeypatch):
    (project / "models" / "user" / "product.py").write_bytes(model_file())
    import tenantlint.context

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(tenantlint.context, "Context", broken)  # engine imports it when it runs the rules
    code, out, err = run_tenantlint("check", ".", in_process=True)
    assert (code, out) == (2, "")
    assert err == "tenantlint: internal error: RuntimeError: boom (run with -v for the traceback)\n"
    code, out, err = run_tenantlint("check", "-v", ".", in_process=True)
    assert code == 2
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.endswith("RuntimeError: boom\ntenantlint: internal error: RuntimeError: boom\n")


EVERY_EDIT = '''\
from sqlalchemy import Column, Enum, ForeignKey, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class A(Base):
    __tablename__ = "a"
    __table_args__ = {"schema": "public"}
    id: Mapped[int] = mapped_column(primary_key=True)
    kind = mapped_column(Enum("x", "y", name="kind_enum"))


class B(Base):
    __tablename__ = "b"
    __table_args__ = None
    id: Mapped[int] = mapped_column(primary_key=True)
    a_id = mapped_column("é_id", ForeignKey("b.id"))


class C(Base):
    __tablename__ = "c"
    id: Mapped[int] = mapped_column(primary_key=True)


t = Table("t", Base.metadata, Column("é", ForeignKey("b.id")))
'''


def test_every_edit_kind_passes_verification_even_after_non_ascii_text(project):
    target = project / "models" / "user" / "every.py"
    target.write_text(EVERY_EDIT, encoding="utf-8")
    code, out, err = run_tenantlint("fix", "--unsafe-fixes", ".", in_process=True)
    assert (code, out, err) == (0, "Fixed 7 problems in 1 file.\n", "")
    assert target.read_text(encoding="utf-8") == (
        EVERY_EDIT.replace('"public"', '"tenant"')
        .replace('name="kind_enum")', 'name="kind_enum", schema="tenant")')
        .replace("__table_args__ = None", '__table_args__ = {"schema": "tenant"}')
        .replace('"b.id"', '"tenant.b.id"')
        .replace('__tablename__ = "c"\n', '__tablename__ = "c"\n    __table_args__ = {"schema": "tenant"}  '
                 "# Placeholder for schema_translate_map\n")
        .replace('ForeignKey("tenant.b.id")))', 'ForeignKey("tenant.b.id")), schema="tenant")')
    )


def test_a_crash_on_one_file_is_tnt000_for_that_file_only(project, monkeypatch):
    user = project / "models" / "user"
    (user / "odd.py").write_bytes(model_file().replace(b"Product", b"Odd"))
    (user / "product.py").write_bytes(model_file())
    import tenantlint.facts

    real = tenantlint.facts.collect

    def collect(tree, text, relative, lines=None):
        if relative.endswith("odd.py"):
            raise RuntimeError("boom")
        return real(tree, text, relative, lines)

    monkeypatch.setattr(tenantlint.facts, "collect", collect)  # engine.load looks it up when it parses
    code, out, err = run_tenantlint("fix", ".", in_process=True)
    assert code == 2
    assert out == (
        "models/user/odd.py:1:1: TNT000 internal error while analysing the file: RuntimeError: boom\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"
        "Fixed 1 problem in 1 file.\n"
    )
    assert err == ""
    assert (user / "product.py").read_bytes() == model_file(FIXED)
    code, out, err = run_tenantlint("check", "-v", ".", in_process=True)
    assert code == 2
    assert "while analysing " in err and err.rstrip().endswith("RuntimeError: boom")


def test_a_fixer_crash_on_one_file_leaves_it_and_fixes_the_others(project, monkeypatch):
    user = project / "models" / "user"
    (user / "odd.py").write_bytes(model_file().replace(b"Product", b"Odd"))
    (user / "product.py").write_bytes(model_file())
    import tenantlint.fixer as fixer

    real = fixer.apply_edits

    def apply_edits(source, *args):
        if b"Odd" in source:
            raise RuntimeError("boom")
        return real(source, *args)

    monkeypatch.setattr(fixer, "apply_edits", apply_edits)
    code, out, err = run_tenantlint("fix", ".", in_process=True)
    assert code == 2
    assert err == "tenantlint: error: models/user/odd.py: internal error: RuntimeError: boom; file left unchanged\n"
    assert out == (
        "models/user/odd.py:4:7: TNT001 Model `Odd` has no tenant schema [*]\n"
        "Found 1 problem (1 fixable with `tenantlint fix`).\n"
        "Fixed 1 problem in 1 file.\n"
    )
    assert (user / "odd.py").read_bytes() == model_file().replace(b"Product", b"Odd")
    assert (user / "product.py").read_bytes() == model_file(FIXED)


def test_a_symlink_inside_the_project_stays_a_symlink(project):
    real = project / "models" / "user" / "product.py"
    real.write_bytes(model_file())
    (project / "models" / "user" / "alias.py").symlink_to("product.py")
    code, out, err = run_tenantlint("fix", "-q", ".", in_process=True)
    assert (code, out, err) == (0, "", "")
    assert os.readlink(project / "models" / "user" / "alias.py") == "product.py"
    assert real.read_bytes() == model_file(FIXED)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_the_owner_of_a_fixed_file_is_kept(project):
    target = project / "models" / "user" / "product.py"
    target.write_bytes(model_file())
    os.chown(target, 12345, 23456)
    assert run_tenantlint("fix", "-q", ".", in_process=True)[0] == 0
    assert (target.stat().st_uid, target.stat().st_gid) == (12345, 23456)
    assert target.read_bytes() == model_file(FIXED)


def test_an_edit_not_made_is_refused_though_its_statement_reads_the_same():
    old = b'x = ForeignKey("products.id")\n'
    qualify = Edit(EditKind.QUALIFY_STRING, 1, 15, old='"products.id"', new='"tenant.products.id"')
    with pytest.raises(UnsafeFix, match="did not give the planned value"):
        prove_edits(old, old, [qualify], "tenant")


def test_statements_written_the_same_are_not_walked_and_a_changed_one_still_is(monkeypatch):
    """The proof skips a statement whose lines read the same in both files and hold no planned
    edit (the same text parses to the same subtree), even where an inserted line shifted it."""
    from tenantlint import safety

    walked = []
    real = safety._Walk._edited
    monkeypatch.setattr(safety._Walk, "_edited", lambda self, a, b: walked.append(getattr(a, "lineno", None)) or real(self, a, b))
    old = SOURCE + b"x = 1\n"
    prove_edits(old, FIXED + b"x = 1\n", [ADD], "tenant")
    # the class, where the edit is; not its two statements (one line lower in the new file) nor `x = 1`
    assert sorted({line for line in walked if line is not None}) == [1]
    walked.clear()
    with pytest.raises(UnsafeFix, match="a value changed: 1 became 2"):
        prove_edits(old, FIXED + b"x = 2\n", [ADD], "tenant")
    assert 4 in walked
