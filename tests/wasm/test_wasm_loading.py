"""Loading components: the version handshake, broken files, and an instance that survives
guest exceptions (every one becomes an `error` event)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from remi_web import ChatRequest, ScriptedModel
from remi_web.core.ids import RunId
from remi_web.guest.protocol import (
    Ack,
    EventOut,
    Finished,
    GuestConfig,
    ModelCall,
    ModelEnd,
    RequestOut,
)
from remi_web.wasm import GuestLoadError, IncompatibleGuest, Limits, WasmAgent
from remi_web.wasm.artifact import CWASM_MAGIC, load
from remi_web.wasm.instance import GuestInstance
from remi_web.wasm.linker import make_linker


def _component_exporting(name: str) -> str:
    """A tiny hand-written component exporting an instance called `name`."""
    return f"""
    (component
      (core module $m (func (export "f")))
      (core instance $i (instantiate $m))
      (func $f (canon lift (core func $i "f")))
      (instance $api (export "describe" (func $f)))
      (export "{name}" (instance $api))
    )
    """


def _write_wat(tmp_path: Path, wat: str) -> Path:
    from wasmtime import wat2wasm

    path = tmp_path / "guest.wasm"
    path.write_bytes(wat2wasm(wat))
    return path


def test_a_guest_of_another_major_version_is_refused(tmp_path: Path) -> None:
    path = _write_wat(tmp_path, _component_exporting("remi:agent/agent@9.0.0"))
    with pytest.raises(IncompatibleGuest) as caught:
        WasmAgent.from_file(path, model=ScriptedModel([]))
    message = str(caught.value)
    assert "remi:agent@9.0.0" in message and "remi:agent@0.2.0" in message
    assert "rebuild" in message and caught.value.code == "guest_incompatible"


def test_a_0x_guest_of_another_minor_version_is_refused(tmp_path: Path) -> None:
    path = _write_wat(tmp_path, _component_exporting("remi:agent/agent@0.1.0"))
    with pytest.raises(IncompatibleGuest, match=r"remi:agent@0\.1\.0"):
        load(path)


def test_a_component_that_is_not_an_agent_is_refused(tmp_path: Path) -> None:
    path = _write_wat(tmp_path, _component_exporting("example:other/api@1.0.0"))
    with pytest.raises(GuestLoadError, match="not a remi agent.*example:other/api@1.0.0"):
        load(path)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_broken_files_are_refused_with_the_reason(
    probe_wasm: Path, tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "broken.wasm"
    data = probe_wasm.read_bytes()
    path.write_bytes({"garbage": b"not wasm at all", "truncated": data[: len(data) // 3],
                      "empty": b""}[damage])
    with pytest.raises(GuestLoadError) as caught:
        load(path)
    assert str(path) in str(caught.value)


def test_a_cwasm_from_another_wasmtime_is_refused_clearly(probe_wasm: Path, tmp_path: Path) -> None:
    data = probe_wasm.with_suffix(".cwasm").read_bytes()
    header_end = data.index(b"\n", len(CWASM_MAGIC))
    header = json.loads(data[len(CWASM_MAGIC):header_end])
    header["wasmtime"] = "1.0.0"
    forged = tmp_path / "old.cwasm"
    forged.write_bytes(CWASM_MAGIC + json.dumps(header).encode() + data[header_end:])
    with pytest.raises(IncompatibleGuest, match="precompiled by wasmtime 1.0.0"):
        load(forged)


def test_a_stale_cwasm_beside_the_wasm_is_ignored(probe_wasm: Path, probe_v2_wasm: Path,
                                                  tmp_path: Path) -> None:
    wasm = tmp_path / "agent.wasm"
    shutil.copyfile(probe_v2_wasm, wasm)
    shutil.copyfile(probe_wasm.with_suffix(".cwasm"), wasm.with_suffix(".cwasm"))  # v1's
    loaded = load(wasm)
    assert not loaded.precompiled  # compiled from the .wasm, not the mismatched .cwasm
    assert loaded.sha256 != load(probe_wasm).sha256


def _instance(probe_wasm: Path) -> GuestInstance:
    return GuestInstance(load(probe_wasm), make_linker(GuestConfig()), Limits())


def test_a_guest_exception_is_an_error_event_and_the_instance_stays_usable(
    probe_wasm: Path,
) -> None:
    instance = _instance(probe_wasm)
    failing = instance.start(ChatRequest.resume(RunId("no-such-run"), {}), {}, [])
    out = failing.next()
    assert isinstance(out, RequestOut)  # the loop first asks the host for the checkpoint
    out = failing.provide(out.id, _no_checkpoint())
    assert isinstance(out, EventOut) and out.event.type == "error"
    assert out.event.code == "run_not_found"  # type: ignore[union-attr]
    assert isinstance(failing.next(), Finished)
    failing.close()

    working = instance.start(ChatRequest.user("hi"), {}, [])
    kinds = []
    out = working.next()
    while not isinstance(out, Finished):
        if isinstance(out, RequestOut):  # an empty model reply; the store just acknowledges
            reply = ModelEnd() if isinstance(out.request, ModelCall) else Ack()
            out = working.provide(out.id, reply)
            continue
        assert isinstance(out, EventOut)
        kinds.append(out.event.type)
        out = working.next()
    assert kinds[0] == "run_start" and kinds[-1] == "done"
    assert instance.dead is None


def test_a_reply_to_a_request_never_made_is_an_error_event(probe_wasm: Path) -> None:
    instance = _instance(probe_wasm)
    broken = instance.start(ChatRequest.user("hi"), {}, [])
    out = broken.provide(999, ModelEnd())
    assert isinstance(out, EventOut) and out.event.type == "error"
    assert "999" in out.event.message  # type: ignore[union-attr]
    assert isinstance(broken.next(), Finished)
    assert instance.describe().name == "probe-v1"  # still alive


def _no_checkpoint() -> object:
    from remi_web.guest.protocol import CheckpointReply

    return CheckpointReply(None)
