"""Unity builds (PLINTH_UNITY) compile several .cc files of one library as one translation
unit, so file-local helpers of different files meet: two with the same name and different
parameters silently become overloads, and a call may bind to the other file's helper (it
happened: LightGBM objective errors took the model parser's message prefix). This check keeps
top-level function names unique across the files of each library and of each test binary."""
import collections
import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "plinth"
# A function defined at column 0 (this code base does not indent namespaces), not a member.
DEFINITION = re.compile(r"^(?:template <[^>]*>\s*)?(?:static |inline |constexpr )*[A-Za-z_][\w:<>,*& ]*[\s*&]+([A-Za-z_]\w*)\(")
SKIP = {"main", "TEST", "TEST_F", "TEST_P", "MATCHER_P", "MATCHER", "INSTANTIATE_TEST_SUITE_P", "operator"}


def definitions(path):
    names = set()
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith(("return", "else", "case", "using", "namespace", "//", "#", " ")):
            continue
        m = DEFINITION.match(line)
        if m and m.group(1) not in SKIP and not m.group(1).isupper():
            names.add(m.group(1))
    return names


def test_no_function_name_is_defined_in_two_files_of_one_target():
    clashes = []
    for folder in sorted({p.parent for p in SRC.rglob("*.cc")}):
        for tests in (False, True):
            seen = collections.defaultdict(list)
            for f in sorted(folder.glob("*.cc")):
                if f.name.endswith("_test.cc") != tests or f.name == "main.cc":
                    continue
                for name in definitions(f):
                    seen[name].append(f.name)
            clashes += [f"{folder.relative_to(SRC)}: {name} in {', '.join(files)}"
                        for name, files in seen.items() if len(files) > 1]
    assert not clashes, "rename one of each (unity batches would mix them):\n" + "\n".join(clashes)
