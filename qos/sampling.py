"""The monthly random sample: a pure, seeded, auditable draw over an eligible population.

The population is a list of (crime id, crime reference, offence category) sorted by id. The
same seed over the same population always gives the same sample and reserve list.
"""
from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass

Member = tuple[int, str, str]  # crime id, crime reference, offence category


@dataclass(frozen=True)
class Draw:
    sample: list[int]
    reserve: list[int]


def population_hash(population: list[Member]) -> str:
    """Changes if any crime joins, leaves or changes reference or category."""
    digest = hashlib.sha256()
    for crime_id, ref, category in sorted(population):
        digest.update(f"{crime_id}\t{ref}\t{category}\n".encode())
    return digest.hexdigest()


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31)


def allocate(counts: dict[str, int], size: int) -> dict[str, int]:
    """Proportional allocation with largest remainders (ties broken by category name)."""
    total = sum(counts.values())
    if total == 0:
        return {k: 0 for k in counts}
    size = min(size, total)
    exact = {k: size * n / total for k, n in counts.items()}
    alloc = {k: int(v) for k, v in exact.items()}
    leftover = size - sum(alloc.values())
    for key in sorted(counts, key=lambda k: (-(exact[k] - alloc[k]), k))[:leftover]:
        alloc[key] += 1
    return alloc


def draw_sample(population: list[Member], size: int, seed: int, *, stratified: bool = False,
                reserve_size: int | None = None) -> Draw:
    members = sorted(population)
    rng = random.Random(seed)
    reserve_size = size if reserve_size is None else reserve_size
    if not stratified:
        order = [m[0] for m in rng.sample(members, len(members))]
        return Draw(order[:size], order[size:size + reserve_size])
    by_category: dict[str, list[int]] = defaultdict(list)
    for crime_id, _, category in members:
        by_category[category].append(crime_id)
    alloc = allocate({k: len(v) for k, v in by_category.items()}, size)
    chosen: list[int] = []
    rest: list[int] = []
    for category in sorted(by_category):
        shuffled = rng.sample(by_category[category], len(by_category[category]))
        chosen += shuffled[:alloc[category]]
        rest += shuffled[alloc[category]:]
    rng.shuffle(chosen)
    rng.shuffle(rest)
    return Draw(chosen, rest[:reserve_size])
