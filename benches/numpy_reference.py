#!/usr/bin/env python3
"""A vectorised NumPy model of the benchmark shape: the yardstick for wfsim's speed.

Not a dependency and not a second implementation of wfsim: a plain NumPy
script of the *same shape* of work, written from ../shared/MODEL.md's steps,
as an analyst would write it, so that `cargo bench --bench engine` can say
how wfsim's per-core throughput compares with the obvious alternative.

Shape (benches/shape/mod.rs): 14 regions x 8 projected years x 10,000
trajectories, every trajectory held in memory (arrays of trajectories x
regions). Each region-year draws what MODEL.md's year draws: yearly budget
noise; training completions; registrations and passes at two levels from
three pools, outside candidates; promotions; supervisors; post filling;
organisation births and closures; station openings; leaving by stock and
post status; graduate entry; coverage by the occupancy law -- about 32
binomial/Poisson draws per region-year, vectorised over trajectories. Then
what wfsim aggregates: each of 48 metrics for every scope (total and
regions) and year reduced to mean, sd and five quantiles, and four targets'
P(met).

Usage: python3 benches/numpy_reference.py [TRAJECTORIES] [SEED]
Prints one line: "numpy_reference seconds=<s> trajectory_region_years=<n>".
"""

import sys
import time

import numpy as np

REGIONS = 14
YEARS = 8
METRICS = 48


def run(n, seed):
    rng = np.random.default_rng(seed)
    r = REGIONS
    shape = (n, r)
    # Per-trajectory unknowns (epistemic), as the template draws them.
    pass_junior = rng.beta(1 + 486, 1 + 2456, size=n)[:, None]
    pass_inter = rng.beta(1 + 300, 1 + 1700, size=n)[:, None]
    reg_rate = rng.triangular(0.04, 0.08, 0.15, size=n)[:, None]
    leave = rng.triangular(0.06, 0.10, 0.16, size=n)[:, None]
    growth = rng.normal(0.05, 0.02, size=n)
    closure = rng.uniform(0.02, 0.06, size=n)[:, None]
    uncert = rng.triangular(3000, 4000, 5000, size=(n, r)).round().astype(np.int64) // 7

    # Stocks by region: uncertified, trained, graduates, junior, intermediate,
    # senior, each split into placed (post) and free.
    free = np.zeros((6, n, r), dtype=np.int64)
    post = np.zeros((6, n, r), dtype=np.int64)
    free[0] = uncert
    free[1] = 40
    free[2] = 60
    free[3] = 120
    free[4] = 60
    free[5] = 5
    posts = np.full(shape, 150, dtype=np.int64)
    orgs = np.full(shape, 20, dtype=np.int64)
    stations = np.full(shape, 3, dtype=np.int64)
    supervisors = np.full(shape, 10, dtype=np.int64)
    issued = np.zeros((3, n, r), dtype=np.int64)
    budget = np.full(n, 30e6)
    communities = 120

    out = np.zeros((n, YEARS + 1, r + 1, METRICS), dtype=np.float32)

    def record(y, flows):
        cols = [free[k] + post[k] for k in range(6)]
        certified = cols[3] + cols[4] + cols[5]
        talent = certified + cols[1] + cols[2]
        practitioners = talent + cols[0]
        base = cols + [
            certified, talent, practitioners, posts, post.sum(axis=0), posts - post.sum(axis=0),
            orgs, stations, supervisors, issued[0], issued[1], issued[2], issued.sum(axis=0),
            np.minimum(stations, 10),
        ]
        # Coverage by the occupancy law, and derived shares.
        lam = certified / communities
        base.append(1 - np.exp(-lam))
        base.append(1 - np.exp(-lam) * (1 + lam))
        base.append(np.divide(certified, np.maximum(practitioners, 1)))
        base.append(np.broadcast_to((budget / r)[:, None], shape))
        base += flows
        while len(base) < METRICS:
            base.append(base[len(base) % 20] * 0.5)
        m = np.stack(base[:METRICS], axis=-1).astype(np.float32)
        out[:, y, 1:, :] = m
        out[:, y, 0, :] = m.sum(axis=1)

    zero = [np.zeros(shape, dtype=np.int64)] * 10
    record(0, zero)
    for y in range(1, YEARS + 1):
        # 1. Funding: growth around the trajectory's mean.
        budget = budget * (1 + growth + rng.normal(0, 0.03, size=n))
        money = (budget / r)[:, None] * np.ones(shape)
        # 2. Training.
        seats = np.minimum(free[0], np.minimum(80, (money * 0.05 / 3000).astype(np.int64)))
        trainees = rng.binomial(seats, 0.3)
        done = rng.binomial(trainees, 0.85)
        free[0] -= done
        free[1] += done
        # 3. Exam: registrations from three pools, passes, outside candidates.
        regs = [rng.binomial(free[k], reg_rate * np.ones(shape)) for k in (0, 1, 2)]
        passes = [rng.binomial(reg, pass_junior * np.ones(shape)) for reg in regs]
        for k, p in zip((0, 1, 2), passes):
            free[k] -= p
            free[3] += p
        inter_regs = rng.binomial(free[3] + post[3], 0.1)
        inter_pass = rng.binomial(inter_regs, pass_inter * np.ones(shape))
        inter_pass = np.minimum(inter_pass, free[3])
        free[3] -= inter_pass
        free[4] += inter_pass
        outside = rng.poisson(30 * 1.05**y, size=shape)
        outside_pass = rng.binomial(outside, pass_junior * np.ones(shape))
        outside_in = rng.binomial(outside_pass, 0.3)
        free[3] += outside_in
        issued[0] += sum(passes) + outside_pass
        issued[1] += inter_pass
        # 4. Senior review and supervisors.
        promoted = rng.binomial(free[4] + post[4], 0.02)
        promoted = np.minimum(promoted, free[4])
        free[4] -= promoted
        free[5] += promoted
        issued[2] += promoted
        supervisors += rng.binomial(np.maximum(free[4] + post[4] - supervisors, 0), 0.05)
        # 5. Posts: create what money allows, fill from the certified.
        posts += np.minimum(15, (money * 0.3 / 60000).astype(np.int64))
        for k in (5, 4, 3):
            vacant = posts - post.sum(axis=0)
            fill = np.minimum(vacant, free[k])
            free[k] -= fill
            post[k] += fill
        # 6. Organisations.
        orgs += rng.poisson(3.0, size=shape) - rng.binomial(orgs, closure * np.ones(shape))
        # 7. Stations.
        stations += rng.binomial(np.full(shape, 4), 0.5)
        # 8. Attrition by stock and status; graduate entry.
        leavers = np.zeros(shape, dtype=np.int64)
        for k in range(6):
            lf = rng.binomial(free[k], np.minimum(leave * 1.5, 1) * np.ones(shape))
            lp = rng.binomial(post[k], leave * np.ones(shape))
            free[k] -= lf
            post[k] -= lp
            leavers += lf + lp
        entrants = rng.binomial(np.full(shape, 200), 0.3)
        free[2] += entrants
        # 9. Coverage is read in record(); this year's flows go with it.
        flows = [sum(regs), sum(passes), trainees, leavers, entrants, promoted,
                 outside, outside_pass, inter_regs, inter_pass]
        record(y, flows)

    # Aggregation: every metric, scope and year; then the targets.
    flat = out.reshape(n, -1)
    stats = [flat.mean(axis=0), flat.std(axis=0, ddof=1)]
    stats.append(np.percentile(flat, [5, 25, 50, 75, 95], axis=0))
    certified_end = out[:, YEARS, 0, 6]
    coverage_end = out[:, YEARS, 0, 20]
    targets = [
        (certified_end >= 1000).mean(),
        (out[:, YEARS, 0, 7] >= 2000).mean(),
        (coverage_end >= 0.9).mean(),
        (out[:, YEARS, 1:, 20].min(axis=1) >= 0.5).mean(),
    ]
    return stats, targets


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    started = time.process_time()
    run(n, seed)
    seconds = time.process_time() - started
    print(f"numpy_reference seconds={seconds:.3f} trajectory_region_years={n * REGIONS * YEARS}")


if __name__ == "__main__":
    main()
