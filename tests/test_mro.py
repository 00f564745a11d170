"""models.Project.mro is Python's own C3 linearization over the classes tenantlint can see."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tenantlint.facts import collect
from tenantlint.models import Project
from tenantlint.resolution import ClassRef

_HIERARCHY = textwrap.dedent('''
    class A: pass
    class B(A): pass
    class C(A): pass
    class D(B, C): pass
    class E: pass
    class F(D, E): pass
    class G(C, E): pass
    class H(F, G): pass
    class I(E, A): pass
    class J(I, B): pass
''')


def _project(sources: dict[str, str]) -> Project:
    return Project([collect(ast.parse(source), source, path) for path, source in sources.items()])


@pytest.mark.parametrize("name", list("ABCDEFGHIJ"))
def test_the_mro_is_the_one_python_computes(name):
    namespace: dict = {}
    exec(_HIERARCHY, namespace)
    expected = [k.__name__ for k in namespace[name].__mro__ if k is not object]
    project = _project({"app/h.py": _HIERARCHY})
    ref = project._classes[("app.h", name)]
    assert [c.info.name for c in project.mro(ref) if isinstance(c, ClassRef)] == expected


def test_a_cycle_of_bases_across_modules_ends():
    """Not valid Python, but a file being edited can say it: the walk must end."""
    project = _project({"app/a.py": "from app.b import B\n\n\nclass A(B):\n    pass\n",
                        "app/b.py": "from app.a import A\n\n\nclass B(A):\n    pass\n"})
    a, b = project._classes[("app.a", "A")], project._classes[("app.b", "B")]
    assert [c.info.name for c in project.mro(a)] == ["A", "B"]
    assert [c.info.name for c in project.mro(b)] == ["B", "A"]
