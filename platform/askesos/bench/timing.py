"""What the benchmarks share: a named list of timings and its percentiles (ms)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Timing:
    name: str
    samples: list[float]

    def pct(self, p: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] * 1000
