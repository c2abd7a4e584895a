"""``python -m training average`` (tiny 4-block Llama): the mean of runs trained on from
one adapter with different seeds is exactly the mean of their weight updates, keeps the
shared S_gen and predictor, records the runs, trains on with ``--init-from``; runs that
differ in more than their weights are refused and nothing is written. With ``--rank`` the
mean is cut to that rank by its SVD: exact when the rank suffices, else the closest
matrix of that rank, with the share of the update kept recorded. ``--weights`` weigh the
runs, scaled to sum to one."""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from itune_core.bundle import AdapterBundle
from training import cli

PAIRS = [
    ("He go to school.", "He went to school.", "fluency"),
    ("It are red.", "It is red.", "fluency"),
    ("We use it a lot.", "We use it often.", "clarity"),
    ("The car red.", "The car is red.", "fluency"),
]


def _argv(model: Path, data: Path | str, output: Path) -> list[str]:
    argv = ["train", "--data", str(data), "--output", str(output), "--model", str(model)]
    argv += ["--batch-size", "2", "--max-length", "96", "--max-steps", "2", "--lora-r", "4"]
    return [*argv, "--method", "intention-tuning"]


def _train(model: Path, data: Path, output: Path, *extra: str) -> int:
    return cli.main([*_argv(model, data, output), *extra])


@pytest.fixture(scope="module")
def runs(save_tiny_llama, tmp_path_factory) -> dict[str, Path]:
    """A parent, two seeds trained on from it, a run trained on from it with more data,
    another with other data only, and a run trained afresh."""
    model = save_tiny_llama(4)
    root = tmp_path_factory.mktemp("average")
    data = root / "d.jsonl"
    rows = [{"before_sent": b, "after_sent": a, "labels": label} for b, a, label in PAIRS]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    found = {"model": model, "data": data}
    assert _train(model, data, root / "parent") == 0
    assert _train(model, data, root / "fresh", "--seed", "1") == 0
    for seed in ("0", "1"):
        out = root / f"seed{seed}"
        extra = ("--init-from", str(root / "parent"), "--seed", seed, "--lr", "0.05")
        assert _train(model, data, out, *extra) == 0
        found[f"seed{seed}"] = out
    more = root / "e.jsonl"
    more.write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    for name, sets in (("wider", f"{data}+{more}"), ("other", str(more))):
        extra = ("--init-from", str(root / "parent"), "--lr", "0.05")
        assert cli.main([*_argv(model, sets, root / name), *extra]) == 0
        found[name] = root / name
    found.update(parent=root / "parent", fresh=root / "fresh")
    return found


def _updates(folder: Path) -> dict[str, torch.Tensor]:
    """Each adapted module's weight update, scaling * B @ A."""
    config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    weights = load_file(folder / "adapter_model.safetensors")
    scaling = config["lora_alpha"] / config["r"]
    modules = {k.removesuffix(".lora_A.weight") for k in weights if k.endswith("lora_A.weight")}
    return {
        m: scaling * weights[f"{m}.lora_B.weight"] @ weights[f"{m}.lora_A.weight"] for m in modules
    }


def _average(runs: dict[str, Path], output: Path, *names: str) -> int:
    """``average`` of the runs named (an item starting with "--" and what follows it are
    passed on as options)."""
    first_option = next((i for i, n in enumerate(names) if n.startswith("--")), len(names))
    folders, options = names[:first_option], list(names[first_option:])
    argv = ["average", *(str(runs[n]) for n in folders), "--output", str(output), *options]
    return cli.main(argv)


def test_the_mean_is_exactly_the_mean_of_the_weight_updates(runs, tmp_path):
    out = tmp_path / "mean"
    assert _average(runs, out, "seed0", "seed1") == 0
    first, second, mean = _updates(runs["seed0"]), _updates(runs["seed1"]), _updates(out)
    assert mean.keys() == first.keys() == second.keys()
    assert any(not torch.allclose(first[m], second[m]) for m in first)  # the seeds differ
    for module, update in mean.items():
        torch.testing.assert_close(update, (first[module] + second[module]) / 2)


def test_the_mean_keeps_s_gen_and_predictor_and_records_its_runs(runs, tmp_path):
    out = tmp_path / "mean"
    assert _average(runs, out, "seed0", "seed1") == 0
    assert AdapterBundle.is_finished(out)
    mean, seed0 = AdapterBundle.read(out, check=True), AdapterBundle.read(runs["seed0"])
    assert mean.lineage["s_gen"] == seed0.lineage["s_gen"]
    for name in ("head.safetensors", "adapter_model.safetensors", "predictor.json"):
        saved = (out / "predictor" / name).read_bytes()
        assert saved == (runs["seed0"] / "predictor" / name).read_bytes()
    recorded = mean.lineage["average"]["runs"]
    assert [r["folder"] for r in recorded] == [str(runs[n].resolve()) for n in ("seed0", "seed1")]
    assert [r["seed"] for r in recorded] == [0, 1]
    assert mean.lineage["parent"] == seed0.lineage["parent"]  # both trained on from it
    assert mean.lineage["method_config"]["lora"]["r"] == 8  # two runs of rank 4
    assert mean.metrics["runs"] == 2


def test_weights_make_the_mean_a_weighted_one_and_are_recorded(runs, tmp_path):
    out = tmp_path / "mean"
    assert _average(runs, out, "seed0", "seed1", "--weights", "3", "1") == 0
    first, second, mean = _updates(runs["seed0"]), _updates(runs["seed1"]), _updates(out)
    for module, update in mean.items():
        torch.testing.assert_close(update, 0.75 * first[module] + 0.25 * second[module])
    assert AdapterBundle.read(out).lineage["average"]["weights"] == [0.75, 0.25]


def test_weighted_and_cut_keeps_the_weighted_means_leading_directions(runs, tmp_path):
    out = tmp_path / "mean"
    assert _average(runs, out, "seed0", "seed1", "--weights", "1", "3", "--rank", "2") == 0
    first, second, cut = _updates(runs["seed0"]), _updates(runs["seed1"]), _updates(out)
    for module, update in cut.items():
        u, s, vh = torch.linalg.svd(0.25 * first[module] + 0.75 * second[module])
        best = u[:, :2] @ torch.diag(s[:2]) @ vh[:2]
        torch.testing.assert_close(update, best, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (("1",), "1 weights for 2 runs"),
        (("1", "2", "3"), "3 weights for 2 runs"),
        (("1", "0"), "positive"),
        (("-1", "2"), "positive"),
        (("nan", "1"), "positive"),
        (("inf", "1"), "positive"),
    ],
)
def test_weights_that_do_not_weigh_the_runs_are_refused_and_nothing_is_written(
    runs, tmp_path, capsys, weights, message
):
    out = tmp_path / "mean"
    assert _average(runs, out, "seed0", "seed1", "--weights", *weights) == 1
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_parent_averaged_with_a_run_on_more_data_has_the_wider_lineage(runs, tmp_path):
    out = tmp_path / "mean"
    assert _average(runs, out, "parent", "wider") == 0
    mean, wider = AdapterBundle.read(out), AdapterBundle.read(runs["wider"])
    assert mean.lineage["data"] == wider.lineage["data"]  # what the mean learned from
    recorded = [r["data"] for r in mean.lineage["average"]["runs"]]
    parent = AdapterBundle.read(runs["parent"]).lineage["data"]["name"]
    assert recorded == [parent, wider.lineage["data"]["name"]]
    assert "+" in recorded[1] and "+" not in recorded[0]


def test_a_run_trains_on_from_the_mean(runs, tmp_path):
    mean, child = tmp_path / "mean", tmp_path / "child"
    assert _average(runs, mean, "seed0", "seed1") == 0
    extra = ("--init-from", str(mean), "--lr", "0")
    assert _train(runs["model"], runs["data"], child, *extra) == 0
    start = load_file(mean / "adapter_model.safetensors")
    trained = load_file(child / "adapter_model.safetensors")
    assert start.keys() == trained.keys()
    assert all(torch.equal(start[k], trained[k]) for k in start)  # lr 0: the mean, unchanged


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (("seed0",), "at least two"),
        (("seed0", "seed0"), "given twice"),
        (("seed0", "fresh"), "differ"),
        (("seed0", "other"), "none of which holds"),
    ],
)
def test_runs_that_cannot_be_averaged_are_refused_and_nothing_is_written(
    runs, tmp_path, capsys, names, message
):
    out = tmp_path / "mean"
    assert _average(runs, out, *names) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()
    assert not list(tmp_path.iterdir())  # no staging folder left behind


def test_a_folder_that_is_not_a_run_is_refused(runs, tmp_path, capsys):
    stray = tmp_path / "stray"
    stray.mkdir()
    argv = ["average", str(runs["seed0"]), str(stray), "--output", str(tmp_path / "m")]
    assert cli.main(argv) == 1
    assert "stray" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_a_rank_at_least_the_runs_together_keeps_the_mean_exact(runs, tmp_path):
    out = tmp_path / "mean"
    assert _average(runs, out, "seed0", "seed1", "--rank", "8") == 0
    first, second, mean = _updates(runs["seed0"]), _updates(runs["seed1"]), _updates(out)
    for module, update in mean.items():
        torch.testing.assert_close(
            update, (first[module] + second[module]) / 2, atol=1e-5, rtol=1e-4
        )
    recorded = AdapterBundle.read(out).lineage
    assert recorded["method_config"]["lora"]["r"] == 8
    assert recorded["average"]["energy_kept"]["overall"] == pytest.approx(1.0)
    assert "svd" in recorded["average"]["how"]


def test_a_lower_rank_keeps_the_mean_updates_leading_directions(runs, tmp_path):
    out = tmp_path / "mean"
    assert _average(runs, out, "seed0", "seed1", "--rank", "2") == 0
    first, second, cut = _updates(runs["seed0"]), _updates(runs["seed1"]), _updates(out)
    kept_total = all_total = 0.0
    for module, update in cut.items():
        exact = (first[module] + second[module]) / 2
        u, s, vh = torch.linalg.svd(exact, full_matrices=False)
        best = u[:, :2] @ torch.diag(s[:2]) @ vh[:2]  # the closest rank-2 matrix
        torch.testing.assert_close(update, best, atol=1e-5, rtol=1e-4)
        assert torch.linalg.matrix_rank(update) <= 2
        kept_total += float((s[:2] ** 2).sum())
        all_total += float((s**2).sum())
    lineage = AdapterBundle.read(out).lineage
    assert lineage["method_config"]["lora"]["r"] == 2
    kept = lineage["average"]["energy_kept"]
    assert kept["rank"] == 2
    assert kept["overall"] == pytest.approx(kept_total / all_total, rel=1e-4)
    assert 0 < kept["worst"] <= kept["overall"] < 1


def test_a_rank_below_one_is_refused_and_nothing_is_written(runs, tmp_path, capsys):
    out = tmp_path / "mean"
    assert _average(runs, out, "seed0", "seed1", "--rank", "0") == 1
    assert "rank must be a positive integer" in capsys.readouterr().err
    assert not out.exists()
