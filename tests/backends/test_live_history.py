"""The time machine over a live cluster (`k9py serve`, the official client): delete a pod, go a
minute back, the pod and its last log lines are there."""

from __future__ import annotations

from k9py.backends.live import LiveBackend, LiveOptions
from k9py.explorer.session import Session
from k9py.explorer.timetravel import open_past
from k9py.store.history import History
from tests.backends.conftest import FAST, run, truth, until


def test_live_rewind_finds_a_deleted_pod_and_its_last_logs(server, kubeconfig, tmp_path):
    async def main():
        backend = LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST))
        backend.now = server.handle.cluster.now  # the apiserver's clock (serve's virtual one): no waiting a real minute
        session = Session(backend, manual=True, history=lambda b: History(tmp_path / "h", "serve", poll_logs=False))
        session.start()
        h = session.history
        pod = sorted(truth(server.handle, "Pod", "default"))[0][1]
        await until(lambda: h.exists_now("Pod", "default", pod), "the history sees the pods")
        h.follow_logs("default", pod)  # a log view opened on it
        server.handle.advance(20)
        await h.poll_logs()
        seen = [ln async for ln in backend.logs("default", pod, "nginx")]
        assert seen
        await backend.delete("Pod", "default", pod)
        await until(lambda: not h.exists_now("Pod", "default", pod) or h.state.get(("Pod", "default", pod), "")
                    .count("deletionTimestamp"), "the pod terminating")
        server.handle.advance(40)  # the kubelet removes it after its grace period; the deployment replaces it
        await until(lambda: not h.exists_now("Pod", "default", pod), "the pod gone")
        server.handle.advance(30)

        past = open_past(session, backend.now() - 60)
        assert ("default", pod) in {(o["metadata"]["namespace"], o["metadata"]["name"])
                                    for o in past.playhead.store.list("Pod")}
        assert past.gone("Pod", "default", pod) and past.info().backend == "past"
        lines = [ln async for ln in past.backend.logs("default", pod, "nginx")]
        assert lines == seen
        await session.close()
    run(main())


def test_a_new_k9py_on_the_same_live_cluster_reaches_back_into_the_last_ones_history(server, kubeconfig, tmp_path):
    """k9py quit (or crashed) and started again on the same context: `:rewind` reaches into what
    the first one recorded; the time between shows as last seen, then what changed comes in."""
    from k9py.explorer.timetravel import first_moment, unwatched

    def visit(ended):
        backend = LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST))
        backend.now = server.handle.cluster.now
        session = Session(backend, manual=True, history=lambda b: History(tmp_path / "h", "serve", poll_logs=False,
                                                                          ended=ended))
        session.start()
        return backend, session

    async def main():
        _, first = visit([])  # one k9py process...
        h = first.history
        pod = sorted(truth(server.handle, "Pod", "default"))[0][1]
        await until(lambda: h.complete_t is not None and h.exists_now("Pod", "default", pod), "the first look")
        server.handle.advance(20)
        seen_at = server.handle.cluster.now()
        began = first_moment(first)
        await first.close()

        backend = LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST))
        await backend.delete("Pod", "default", pod)  # while no k9py watched
        server.handle.advance(60)
        assert ("default", pod) not in truth(server.handle, "Pod", "default")

        backend, second = visit([])  # ...and the next one: its own memory of ended runs
        h2 = second.history
        await until(lambda: h2.complete_t is not None and h2.pruning is not None and h2.pruning.done(), "its first look")
        server.handle.advance(5)
        assert first_moment(second) == began

        def pods(at):
            return {o["metadata"]["name"] for o in open_past(second, at).playhead.store.list("Pod", "default")}
        assert pod in pods(seen_at - 1) and unwatched(second, seen_at + 30) and pod in pods(seen_at + 30)
        assert pod not in pods(backend.now())
        await second.close()

        # `k9py record --from-history` saves the latest run with the earlier ones on that cluster
        import json

        from k9py.store.history import save_run
        out = tmp_path / "both.jsonl"
        save_run(h2.dir, str(out))
        events = [json.loads(ln) for ln in out.read_text().splitlines()[1:]]
        named = [(e["type"], e["object"]["metadata"]["name"]) for e in events if e["object"]["kind"] == "Pod"]
        assert ("ADDED", pod) in named and ("DELETED", pod) in named
    run(main())
