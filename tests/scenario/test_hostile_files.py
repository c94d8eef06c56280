"""Files that would hang, exhaust or crash a naive reader end in one line naming the file (and
exit 2 from `k9py scenario check`): YAML alias bombs wherever they hide, nesting deeper than any
manifest, an alias inside itself, FIFOs, devices, directories, huge files and gzip bombs."""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

import pytest
import yaml

from k9py.commands import cmd_check
from k9py.config import yamlfile
from k9py.errors import K9pyError
from k9py.scenario import files
from k9py.scenario.source import MAX_DOCUMENTS_BYTES, MAX_FILE_BYTES, read_text
from k9py.scenario.yamldoc import MAX_DEPTH, YamlError, load_fast, parse_documents


def laughs(levels: int = 9, indent: str = "") -> str:
    """A "billion laughs": each level an anchored list of nine aliases of the one before."""
    out = [f'{indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        out.append(f"{indent}l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(out) + "\n"


def check(path: Path, capsys) -> str:
    """What `k9py scenario check PATH` says: one line, and exit 2."""
    out = io.StringIO()
    assert cmd_check([str(path)], out) == 2
    said = out.getvalue().strip()
    assert len(said.splitlines()) == 1, said
    return said


CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n"


@pytest.mark.parametrize("text", [
    CONFIGMAP + "data:\n" + laughs(indent="  ") + "  x: *l8\n",  # in data
    CONFIGMAP + "bogus:\n" + laughs(indent="  ") + "  x: *l8\n",  # in an unknown field
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nx:\n" + laughs(indent="  ") + "spec: {replicas: *l8}\n",
    "apiVersion: k9py.dev/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nx:\n" + laughs(indent="  ") + "timeline: *l8\n",
    "apiVersion: k9py.dev/v1alpha1\nkind: Recording\nx:\n" + laughs(indent="  ") + "events: *l8\n",
], ids=["data", "unknown-field", "replicas", "scenario", "recording"])
def test_alias_bombs_are_refused(tmp_path, capsys, text):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    assert check(path, capsys).endswith("yaml: document contains excessive aliasing")


def test_a_few_anchors_are_fine():
    docs = parse_documents("base: &b {app: web}\na: *b\nb: *b\n")
    assert docs[0].data == {"base": {"app": "web"}, "a": {"app": "web"}, "b": {"app": "web"}}
    assert load_fast("base: &b [1, 2]\nc: *b\n") == [{"base": [1, 2], "c": [1, 2]}]


def test_nesting_and_self_reference():
    deep = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(YamlError, match=f"nested more than {MAX_DEPTH} levels deep"):
        parse_documents(deep)
    with pytest.raises((YamlError, yaml.YAMLError), match="nest"):  # libyaml stops at its own depth
        load_fast(deep)
    shallow = "a: " + "[" * 50 + "]" * 50 + "\n"
    assert parse_documents(shallow)[0].data is not None
    with pytest.raises(YamlError, match="an alias refers to the value that contains it"):
        parse_documents("a: &a [1, *a]\n")


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_what_is_not_a_regular_file(tmp_path, capsys, kind):
    if kind == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)
        said = "is not a regular file (a FIFO, device or socket), not a scenario file"
    elif kind == "device":
        path = Path("/dev/zero")
        said = "is not a regular file (a FIFO, device or socket), not a scenario file"
    else:
        path = tmp_path
        said = "is a directory, not a scenario file"
    assert check(path, capsys) == f"{path}: {said}"
    with pytest.raises(yamlfile.ConfigError) as err:
        yamlfile.load(path)
    assert str(err.value) == f"{path}: {said.replace('a scenario file', 'a YAML file')}"


def test_huge_files_and_gzip_bombs(tmp_path, capsys):
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:  # sparse: the size is what counts, nothing is written
        f.truncate(MAX_FILE_BYTES + 1)
    assert check(huge, capsys) == f"{huge}: too large: 128.0 MiB (k9py reads files up to 128 MiB)"

    bomb = tmp_path / "bomb.yaml.gz"
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    with bomb.open("wb") as f:
        for _ in range(MAX_FILE_BYTES // len(zeros) + 2):
            f.write(deflate.compress(zeros))
        f.write(deflate.flush())
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(K9pyError, match="gzip data inflates beyond 128 MiB"):
        read_text(str(bomb))

    big = tmp_path / "big.yaml"
    line = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
    big.write_bytes(line * (MAX_DOCUMENTS_BYTES // len(line) + 1))
    assert check(big, capsys).startswith(f"{big}: too large for manifests or a scenario: 16.0 MiB (at most 16 MiB")


def test_gzip_with_several_members_reads_whole(tmp_path):
    import gzip
    path = tmp_path / "two.yaml.gz"
    path.write_bytes(gzip.compress(b"apiVersion: v1\nkind: ConfigMap\n") + gzip.compress(b"metadata: {name: x}\n"))
    assert read_text(str(path)) == "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    assert files.check(str(path)) == []


def test_sizes_that_would_take_hours_are_refused_with_the_limit(tmp_path, capsys):
    dep = tmp_path / "huge.yaml"
    dep.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: huge}\nspec:\n  replicas: 1000000\n"
                   "  selector: {matchLabels: {app: huge}}\n  template:\n    metadata: {labels: {app: huge}}\n"
                   "    spec: {containers: [{name: c, image: nginx}]}\n")
    assert check(dep, capsys) == (f"{dep}:5: document 1 (Deployment huge): spec.replicas: Invalid value: 1000000: "
                                  "k9py simulates at most 10000 pods of one workload")
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text("apiVersion: k9py.dev/v1alpha1\nkind: Scenario\nmetadata: {name: big}\nspec:\n  nodes:\n"
                     + "".join(f"  - {{name: n{i}, cpu: '2', memory: 4Gi}}\n" for i in range(1001)))
    assert check(nodes, capsys).endswith("spec.nodes: Too many: 1001: k9py simulates at most 1000 nodes")


def test_a_control_character_is_named_with_its_line(tmp_path, capsys):
    path = tmp_path / "ctl.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\n\x08\n")
    assert check(path, capsys) == f"{path}:3: document 1: yaml: unacceptable character #x0008: special characters are not allowed"


@pytest.mark.parametrize(("value", "what"), [(".inf", "+Inf"), ("-.inf", "-Inf"), (".nan", "NaN"), ("1.0e+999", "+Inf")])
def test_a_number_json_has_no_place_for_is_refused_at_its_line(tmp_path, capsys, value, what):
    """YAML's .inf, .nan and 1.0e+999 loaded (kubectl refuses the file: Go's YAML to JSON has no such
    number), and `serve` then listed Infinity, which no client decodes."""
    path = tmp_path / "inf.yaml"
    path.write_text(CONFIGMAP + f"data:\n  a: '1'\nbinaryData: {{}}\nimmutable: false\n"
                    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
                    f"    image: nginx\n    resources:\n      limits: {{cpu: {value}}}\n")
    said = check(path, capsys)
    assert said == (f"{path}:17: document 2 (Pod p): spec.containers[0].resources.limits.cpu: "
                    f"error converting YAML to JSON: json: unsupported value: {what}")
