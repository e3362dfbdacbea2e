//! Every stock balances in every region and year: start + in − out = end,
//! over many random scenarios with every step and lever switched on.

use rand::RngExt;
use rand_pcg::Pcg64Mcg;

use wfsim::model::{STOCKS, Tally, Trajectory};

use crate::common::parse;

/// A random but valid scenario exercising every step.
fn random_scenario(rng: &mut Pcg64Mcg) -> String {
    let regions = rng.random_range(1..=4);
    let years = rng.random_range(1..=8);
    let mut s = format!(
        "schema_version = 1\n[scenario]\nname = \"random\"\n[time]\nstart_year = 2012\nend_year = {}\n",
        2012 + years
    );
    let u = |rng: &mut Pcg64Mcg, hi: u32| rng.random_range(0..=hi);
    for r in 0..regions {
        let tag = if r % 2 == 0 { "a" } else { "b" };
        let intermediate = u(rng, 400);
        let senior = u(rng, 50);
        s += &format!(
            "[[region]]\nid = \"r{r}\"\ntags = [\"{tag}\"]\nbudget_share = {share}\nurban_communities = {}\nrural_communities = {}\ntownships = {}\ngraduates_per_year = {}\noutside_candidates = {}\nwage_index = {}\n",
            u(rng, 500),
            u(rng, 800),
            u(rng, 40),
            u(rng, 300),
            u(rng, 1000),
            0.8 + rng.random::<f64>() * 0.5,
            share = 1.0 / regions as f64,
        );
        s += &format!(
            "[region.stocks]\nuncertified = {}\ntrained = {}\ngraduates = {}\njunior = {}\nintermediate = {intermediate}\nsenior = {senior}\nsupervisors = {}\nposts = {}\nproject_positions = {}\norgs = {}\nstations = {}\n",
            u(rng, 5000),
            u(rng, 500),
            u(rng, 500),
            u(rng, 2000),
            u(rng, intermediate + senior),
            u(rng, 800),
            u(rng, 300),
            u(rng, 50),
            u(rng, 5),
        );
    }
    let p = |rng: &mut Pcg64Mcg, hi: f64| format!("{:.4}", rng.random::<f64>() * hi);
    s += &format!(
        "[parameters.exam]\njunior_registration_rate = {{ dist = \"uniform\", min = 0, max = {} }}\nintermediate_registration_rate = {}\nintermediate_eligible_share = {}\ngraduate_intermediate_share = {}\njunior_pass_rate = {{ dist = \"beta\", alpha = 20, beta = 80 }}\nintermediate_pass_rate = {}\npass_rate_concentration = 100\noutside_entry_share = {}\n",
        p(rng, 0.3),
        p(rng, 0.3),
        p(rng, 1.0),
        p(rng, 0.5),
        p(rng, 0.4),
        p(rng, 1.0)
    );
    s += &format!("[parameters.training]\ncompletion_rate = {}\n", p(rng, 1.0));
    s += &format!(
        "[parameters.promotion]\nsenior_rate = {}\nsupervisor_eligible_share = {}\n",
        p(rng, 0.1),
        p(rng, 1.0)
    );
    s += &format!(
        "[parameters.attrition]\nuncertified = {}\ntrained = {}\ngraduates = {{ dist = \"pert\", min = 0, mode = 0.1, max = 0.4, per = \"year\" }}\njunior = {}\nintermediate = {}\nsenior = {}\nno_post_multiplier = {}\npay_elasticity = {}\n",
        p(rng, 0.3),
        p(rng, 0.3),
        p(rng, 0.3),
        p(rng, 0.3),
        p(rng, 0.3),
        1.0 + rng.random::<f64>() * 2.0,
        p(rng, 2.0)
    );
    s += &format!(
        "[parameters.pay]\nsalary = {}\nbenchmark = 50000\nwage_growth = {}\n",
        20000 + u(rng, 60000),
        p(rng, 0.1)
    );
    s += &format!(
        "[parameters.entry]\ngraduate_entry_share = {}\nreplacement_rate = {}\nrole_growth = {}\n",
        p(rng, 1.0),
        p(rng, 1.0),
        p(rng, 0.1)
    );
    s += &format!(
        "[parameters.orgs]\nbase_births = {}\nclosure_rate = {}\n",
        p(rng, 20.0),
        p(rng, 0.2)
    );
    s += &format!(
        "[parameters.coverage]\ntargeting = {}\nurban_min = {}\n",
        p(rng, 1.0),
        1 + u(rng, 2)
    );
    s += &format!(
        "[funding]\nbudget = {}\ngrowth = {{ dist = \"normal\", mean = 0, sd = 0.2, min = -0.5, max = 0.5 }}\ngrowth_year_sd = 0.1\ncarry_over = {}\nmax_committed_share = {}\n",
        u(rng, 50_000_000),
        rng.random::<bool>(),
        p(rng, 1.0)
    );
    // Lever shares adding up to at most 1.
    let mut left = 1.0;
    let mut share = |rng: &mut Pcg64Mcg| {
        let s = (rng.random::<f64>() * left * 0.5 * 1e4).floor() / 1e4;
        left -= s;
        s
    };
    s += &format!(
        "[levers.training]\nshare = {}\ncapacity = {}\n",
        share(rng),
        u(rng, 2000)
    );
    s += &format!(
        "[levers.exam_support]\nshare = {}\nfee = 172\nprep_cost = 500\nreward = 1000\nregistration_uplift = {}\nprep_pass_odds = 1.5\n",
        share(rng),
        p(rng, 0.5)
    );
    s += &format!(
        "[levers.posts]\nshare = {}\nplanned_per_year = {}\nallow_uncertified = {}\n",
        share(rng),
        u(rng, 500),
        rng.random::<bool>()
    );
    s += &format!("[levers.orgs]\nshare = {}\n", share(rng));
    s += &format!(
        "[levers.services]\nshare = {}\nallow_uncertified = {}\n",
        share(rng),
        rng.random::<bool>()
    );
    s += &format!(
        "[levers.stations]\nshare = {}\nplanned_per_year = {}\nmin_staff = {}\n",
        share(rng),
        u(rng, 30),
        1 + u(rng, 4)
    );
    s += &format!(
        "[levers.supervision]\nshare = {}\ncapacity = {}\n",
        share(rng),
        u(rng, 100)
    );
    s += &format!("[levers.pay]\nfloor_ratio = {}\n", p(rng, 1.2));
    if regions > 1 {
        s += &format!(
            "[[transfer]]\nfrom = \"tag:a\"\nto = \"tag:b\"\nstock = \"intermediate\"\nper_year = {}\n",
            u(rng, 100)
        );
        s += &format!(
            "[[transfer]]\nfrom = \"r0\"\nto = \"r1\"\nstock = \"uncertified\"\nper_year = {}\n",
            u(rng, 100)
        );
    }
    s
}

#[test]
fn every_stock_balances_in_every_region_and_year() {
    let mut rng = Pcg64Mcg::new(0xC0FFEE);
    // What the cases exercised, so the test cannot pass by doing nothing.
    let mut seen = [0u64; 8];
    for case in 0..60 {
        let text = random_scenario(&mut rng);
        let sc = parse(&text);
        let mut traj = Trajectory::new(&sc);
        for i in 0..20u64 {
            traj.run(&sc, case, i);
            for y in 0..=sc.horizon() {
                for (r, t) in traj.year(y).iter().enumerate() {
                    let at = format!("case {case}, trajectory {i}, region {r}, year {y}");
                    let before = (y > 0).then(|| &traj.year(y - 1)[r]);
                    balances(t, before, &at, &text);
                    if y > 0 {
                        for (k, v) in [
                            t.passes,
                            t.promotions,
                            t.posts_created,
                            t.stations,
                            t.org_births,
                            t.supervisors_trained,
                            t.trainees,
                            t.leavers,
                        ]
                        .into_iter()
                        .enumerate()
                        {
                            seen[k] += v;
                        }
                    }
                }
                // Transfers move people between regions and create none.
                let row = traj.year(y);
                let moved: i128 = row
                    .iter()
                    .map(|t| {
                        (0..STOCKS)
                            .map(|s| t.inflow[s] as i128 - t.outflow[s] as i128)
                            .sum::<i128>()
                    })
                    .sum();
                let entered: i128 = row
                    .iter()
                    .map(|t| t.entrants as i128 - t.leavers as i128)
                    .sum();
                assert_eq!(
                    moved, entered,
                    "people appear only by entry and vanish only by leaving: case {case}, year {y}"
                );
            }
        }
    }
    assert!(
        seen.iter().all(|&v| v > 0),
        "every flow happened somewhere: {seen:?}"
    );
}

/// The checks every region-year must pass: each stock balances, a year
/// starts where the last ended, supervisors are among the experienced,
/// places hold no more than there are, and the money balances.
fn balances(t: &Tally, before: Option<&Tally>, at: &str, text: &str) {
    for s in 0..STOCKS {
        assert_eq!(
            t.start[s] + t.inflow[s] - t.outflow[s],
            t.people[s],
            "stock {s} does not balance: {at}\n{text}"
        );
    }
    if let Some(before) = before {
        assert_eq!(
            t.start, before.people,
            "year starts where the last ended: {at}"
        );
        assert_eq!(t.supervisors_start, before.supervisors, "{at}");
    }
    assert_eq!(
        t.supervisors_start + t.supervisors_trained - t.supervisors_out,
        t.supervisors,
        "supervisors: {at}"
    );
    assert!(
        t.supervisors <= t.people[4] + t.people[5],
        "supervisors are among intermediate + senior: {at}"
    );
    assert!(
        t.posts_filled <= t.posts && t.project_staff <= t.project_positions,
        "{at}"
    );
    assert!(
        t.stations_staffed <= t.stations && t.townships_covered <= t.townships,
        "{at}"
    );
    assert!(
        t.urban_covered <= t.urban_communities && t.rural_covered <= t.rural_communities,
        "{at}"
    );
    let spent: f64 = t.spend.iter().sum::<f64>() + t.committed + t.unspent;
    assert!(
        before.is_none() || (spent - t.budget).abs() <= 1e-6 * t.budget.max(1.0),
        "money balances: {at}: {spent} vs {}",
        t.budget
    );
    assert!(t.spend.iter().all(|&x| x >= 0.0), "{at}");
}

#[test]
fn stocks_balance_with_counts_near_the_limit() {
    // A province-sized file scaled up to near 10¹² people (the largest count
    // the file format accepts): every flow is drawn on counts where f64
    // loses whole units, and the ledger must still balance to the person,
    // with no count above the limit and none wrapped.
    let text = include_str!("../../scenarios/template.toml")
        .replace(
            "uncertified = { dist = \"pert\", min = 3000, mode = 4000, max = 5000 }",
            "uncertified = 400_000_000_000",
        )
        .replace("uncertified = 2500", "uncertified = 300_000_000_000")
        .replace("junior = 900", "junior = 90_000_000_000")
        .replace("junior = 300", "junior = 30_000_000_000")
        .replace("trained = 300", "trained = 30_000_000_000")
        .replace(
            "graduates_per_year = 150",
            "graduates_per_year = 5_000_000_000",
        )
        .replace(
            "outside_candidates = 600",
            "outside_candidates = 20_000_000_000",
        );
    assert!(text.contains("400_000_000_000") && text.contains("5_000_000_000"));
    let sc = parse(&text);
    let mut traj = Trajectory::new(&sc);
    let mut largest = 0u64;
    for i in 0..4u64 {
        traj.run(&sc, 77, i);
        for y in 0..=sc.horizon() {
            for (r, t) in traj.year(y).iter().enumerate() {
                let before = (y > 0).then(|| &traj.year(y - 1)[r]);
                balances(
                    t,
                    before,
                    &format!("trajectory {i}, region {r}, year {y}"),
                    &text,
                );
                for &n in &t.people {
                    assert!(n as f64 <= wfsim::model::draw::MAX_COUNT, "{n} people");
                    largest = largest.max(n);
                }
            }
        }
    }
    assert!(
        largest > 100_000_000_000,
        "the test ran near the limit: {largest}"
    );
}
