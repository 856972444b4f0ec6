"""Matcher speed and memory on the bundled knowledge.

Prints per-question latency (p50/p99) over the evaluation questions, index build time, start-up
time (import, load and index, in a fresh process) and peak memory (RSS) of that process.
Targets: p99 <= 2 ms per question; start-up <= 1.5 s; RSS <= 200 MB.

    python bench/matcher.py [--json] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from figures import print_figures

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "tests" / "eval" / "questions.yaml"

# Run in a fresh interpreter: what a staff member waits for when the bot starts.
STARTUP = """
import json, resource, time
start = time.perf_counter()
from guidance_bot.answering import Answerer
from guidance_bot.config import Settings
from guidance_bot.knowledge import LiveKnowledge
settings = Settings()
live = LiveKnowledge(settings.knowledge_dir)
live.reload()
answerer = Answerer(live, settings)
answerer.ask("通話を録音してもいい?")
elapsed = time.perf_counter() - start
print(json.dumps({"startup_s": elapsed,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def startup() -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def latency(rounds: int) -> dict[str, float]:
    from guidance_bot.answering import Index
    from guidance_bot.config import Settings
    from guidance_bot.evaluation import load_eval
    from guidance_bot.knowledge import load_knowledge

    settings = Settings()
    knowledge = load_knowledge(settings.knowledge_dir).knowledge
    start = time.perf_counter()
    index = Index.build(knowledge, settings.weights, settings.thresholds)
    build_s = time.perf_counter() - start
    questions = [item.question for item in load_eval(QUESTIONS)]
    times = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            index.matcher.decide(q)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "questions": len(questions) * rounds,
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "max_ms": times[-1],
        "index_s": build_s,
        "entries": len(knowledge.entries),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    args = parser.parse_args(argv)
    print_figures({**latency(args.rounds), **startup()}, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
