#!/usr/bin/env python3
"""Offline sweep of the extractive answer's selection weights and outcome thresholds.

Replays ExtractiveAnswerer.Select, ExtractiveAnswerer.Confidence and ExtractiveOutcome.Decide over the sentence features
that `dotnet run -c Release --project tests/PolicyChat.Benchmarks -- extractive-features` writes, so a setting can be
tried in milliseconds instead of a full `eval squad --answers` run. The replay reproduces the CLI's figures exactly at
the defaults (checked: XQuAD ar 0.8118 / 1.90, en 0.8832 / 1.76).

    B="dotnet run -c Release --project tests/PolicyChat.Benchmarks -- extractive-features"
    $B ../shared/eval/xquad/xquad.ar.json /tmp/f_ar.jsonl          # answerable: the paragraphs are the collection
    $B ../shared/eval/xquad/xquad.en.json /tmp/f_en.jsonl
    $B ../shared/eval/xquad/xquad.ar.json /tmp/n_ar.jsonl corpus   # negatives: asked against the sample corpus
    $B ../shared/eval/xquad/xquad.en.json /tmp/n_en.jsonl corpus
    python3 tests/PolicyChat.Benchmarks/sweeps/extractive_sweep.py /tmp

Tuning protocol (README, "Extractive answers"): selection weights are chosen on XQuAD English (containment, with
sentences per answer <= 1.8 on English) and checked on XQuAD Arabic; the outcome sweep shows the trade-off between
XQuAD English containment and negatives answered (both languages), with XQuAD Arabic as the check.
"""
import itertools
import json
import math
import os
import sys

DEFAULTS = dict(
    passage=0.15, proximity=0.1, type_bonus=0.15, type_penalty=0.15, rank=0.2, neighbour=0.1, position=0.02,
    ratio=0.85, gain_ratio=0.7, adjacent=0.2, min_support=0.2, max_sentences=3, coverage_weight=0.2, prior=6,
    answer=0.173, partial=0.088, abstain_below=0.55)


def load(folder, name):
    with open(os.path.join(folder, name + ".jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def score(s, w):
    kind = w["type_bonus"] if s["holds"] is True else (-w["type_penalty"] if s["holds"] is False else 0)
    return (s["cov"] + w["passage"] * s["pcov"] + w["proximity"] * s["prox"]
            + ((kind + w["neighbour"] * s["nb"]) if s["cov"] > 0 else 0)
            + w["rank"] / s["p"] + w["position"] / (1 + s["i"]))


def idf(q, term):
    n, df = q["chunks"], q["df"].get(term, 0)
    return 1.0 if n == 0 else math.log(1 + (n - df + 0.5) / (df + 0.5))


def select(q, w):
    """ExtractiveAnswerer.Select: the sentences quoted, the best top passage coverage, the best sentence's support."""
    sentences = q["sentences"]
    if not sentences:
        return [], 0.0, 0.0
    ranked = sorted(sentences, key=lambda s: -score(s, w))
    coverage = max([s["pcov"] for s in sentences if s["p"] <= 3] or [0])
    best = ranked[0]
    best_score = score(best, w)
    chosen, seen, covered = [best], {best["norm"]}, set(best["covered"])
    for c in ranked[1:]:
        if len(chosen) >= w["max_sentences"]:
            break
        adjacent = best["cov"] > 0 and c["p"] == best["p"] and abs(c["i"] - best["i"]) == 1
        gain = sum(idf(q, t) for t in c["covered"] if t not in covered)
        ratio = w["gain_ratio"] if gain > 0 else w["ratio"]
        if score(c, w) + (w["adjacent"] if adjacent else 0) < ratio * best_score:
            continue
        if (not adjacent and c["cov"] < max(w["min_support"], 1e-12)) or c["norm"] in seen:
            continue
        seen.add(c["norm"])
        chosen.append(c)
        covered |= set(c["covered"])
    return chosen, coverage, best["cov"]


def decide(q, chosen, coverage, support, w):
    """ExtractiveAnswerer.Confidence + ExtractiveOutcome.Decide: 'extractive', 'partial' or 'abstained'."""
    n = q["words"]
    confidence = 0 if n <= 0 else (w["coverage_weight"] * coverage + (1 - w["coverage_weight"]) * support) * n / (n + w["prior"])
    if chosen and (confidence >= w["answer"] or q["evidence"] >= w["abstain_below"]):
        return "extractive"
    if confidence >= w["partial"] or q["evidence"] >= w["abstain_below"]:
        return "partial"
    return "abstained"


def run(questions, w):
    contained = sentences = answered = partial = refused = 0
    for q in questions:
        chosen, coverage, support = select(q, w)
        mode = decide(q, chosen, coverage, support, w)
        if mode == "extractive":
            answered += 1
            sentences += len(chosen)
            contained += any(s["has"] for s in chosen)
        elif mode == "partial":
            partial += 1
        else:
            refused += 1
    n = max(1, len(questions))
    return dict(containment=round(contained / n, 4), sentences=round(sentences / max(1, answered), 3),
                false_abstention=round(refused / n, 4), partial=round(partial / n, 4), answered=answered)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    sets = {name: load(folder, name) for name in ("f_ar", "f_en", "n_ar", "n_en")}
    for name, questions in sets.items():
        print("defaults", name, run(questions, DEFAULTS))
    everything = dict(DEFAULTS, answer=0, partial=0, abstain_below=0)
    print("ceiling (every question answered): ar", run(sets["f_ar"], everything), "en", run(sets["f_en"], everything))

    print("\nselection sweep (chosen on f_en with sentences <= 1.8 on en; f_ar shown as the check):")
    for adjacent, ratio, gain_ratio in itertools.product((0, 0.1, 0.2, 0.3), (0.7, 0.8, 0.85, 0.9), (0.7, 0.8)):
        w = dict(everything, adjacent=adjacent, ratio=ratio, gain_ratio=min(gain_ratio, ratio))
        en, ar = run(sets["f_en"], w), run(sets["f_ar"], w)
        print(f"  adjacent {adjacent} ratio {ratio} gain_ratio {min(gain_ratio, ratio)}: en {en['containment']} / {en['sentences']}"
              f"  ar {ar['containment']} / {ar['sentences']}")

    print("\noutcome sweep (best f_en containment for each number of negatives answered; f_ar shown as the check):")
    best = {}
    for answer, evidence in itertools.product((0.15, 0.16, 0.173, 0.19, 0.2, 0.21, 0.235, 0.25), (0.55, 0.6, 0.65, 0.7, 0.77, 1.01)):
        w = dict(DEFAULTS, answer=answer, abstain_below=evidence)
        negatives = run(sets["n_ar"], w)["answered"] + run(sets["n_en"], w)["answered"]
        en = run(sets["f_en"], w)["containment"]
        if negatives not in best or en > best[negatives][0]:
            best[negatives] = (en, w)
    for negatives in sorted(best)[:8]:
        en, w = best[negatives]
        ar = run(sets["f_ar"], w)
        print(f"  {negatives} negatives answered: answer {w['answer']}, passage evidence {w['abstain_below']}:"
              f" en {en}, ar {ar['containment']} (partial {ar['partial']})")

if __name__ == "__main__":
    main()
