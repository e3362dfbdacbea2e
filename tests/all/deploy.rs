//! The cluster files of `deploy/`: the Kubernetes manifest is checked
//! against the Kubernetes API's own types (k8s-openapi: every field known
//! and of its type, found by a round trip that would drop an unknown or
//! misplaced one), then for what a sharded run needs — an Indexed Job whose
//! index and shard count reach `--shard-from-env`, exit codes the failure
//! policy acts on, a merge that waits for the shards Job and reads the
//! same volume — and its commands are run by wfsim itself, pod by pod.
//! (The Slurm scripts run on a real Slurm in CI: `deploy/slurm/check.sh`.)

use std::path::Path;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Container, PersistentVolumeClaim, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use serde::Deserialize;
use serde_json::Value;

use crate::common::wfsim_with;

const MANIFEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/deploy/kubernetes/wfsim-run.yaml"
);

/// Each document of the manifest, as JSON.
fn documents() -> Vec<Value> {
    let text = std::fs::read_to_string(MANIFEST).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

/// `v` read as the API type `T`, refused unless every field survives the
/// round trip (k8s-openapi skips fields it does not know).
fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> T {
    let t: T = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{} {}: {e}", v["kind"], v["metadata"]["name"]));
    let back = serde_json::to_value(&t).unwrap();
    assert_eq!(
        &back, v,
        "{} {} has a field the Kubernetes API does not know (or in the wrong place)",
        v["kind"], v["metadata"]["name"]
    );
    t
}

struct Manifest {
    shards: Job,
    merge: Job,
    roles: Vec<Role>,
    bindings: Vec<RoleBinding>,
    accounts: Vec<ServiceAccount>,
    claims: Vec<PersistentVolumeClaim>,
}

fn manifest() -> Manifest {
    let mut jobs = vec![];
    let mut m = Manifest {
        shards: Job::default(),
        merge: Job::default(),
        roles: vec![],
        bindings: vec![],
        accounts: vec![],
        claims: vec![],
    };
    for d in documents() {
        match d["kind"].as_str().unwrap() {
            "Job" => jobs.push(typed::<Job>(&d)),
            "Role" => m.roles.push(typed(&d)),
            "RoleBinding" => m.bindings.push(typed(&d)),
            "ServiceAccount" => m.accounts.push(typed(&d)),
            "PersistentVolumeClaim" => m.claims.push(typed(&d)),
            k => panic!("a {k} in the manifest, which this test does not check"),
        }
    }
    assert_eq!(jobs.len(), 2, "a shards Job and a merge Job");
    let is_indexed =
        |j: &Job| j.spec.as_ref().unwrap().completion_mode.as_deref() == Some("Indexed");
    let (shards, merge): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(is_indexed);
    assert_eq!(shards.len(), 1, "exactly one Indexed Job (the shards)");
    m.shards = shards.into_iter().next().unwrap();
    m.merge = merge.into_iter().next().unwrap();
    m
}

fn container<'a>(job: &'a Job, name: &str) -> &'a Container {
    let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
    pod.containers
        .iter()
        .chain(pod.init_containers.iter().flatten())
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

fn args(c: &Container) -> Vec<String> {
    c.command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .cloned()
        .collect()
}

/// The value after `flag` in `args`.
fn after<'a>(args: &'a [String], flag: &str) -> &'a str {
    let i = args
        .iter()
        .position(|a| a == flag)
        .unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    &args[i + 1]
}

fn claim(job: &Job, mount: &str, c: &Container) -> String {
    let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
    let vm = c
        .volume_mounts
        .iter()
        .flatten()
        .find(|m| mount.starts_with(&m.mount_path))
        .unwrap_or_else(|| panic!("{mount} is on no volume of {}", c.name));
    let vol = pod
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name == vm.name)
        .unwrap();
    vol.persistent_volume_claim
        .as_ref()
        .unwrap()
        .claim_name
        .clone()
}

#[test]
fn the_kubernetes_manifest_is_an_indexed_job_and_a_merge_that_waits_for_it() {
    let m = manifest();
    let spec = m.shards.spec.as_ref().unwrap();
    let wf = container(&m.shards, "wfsim");
    let a = args(wf);
    assert_eq!(a[0], "run");
    assert!(a.contains(&"--shard-from-env".to_string()));
    // The shard count wfsim reads is the Job's number of indexes.
    let shards = wf
        .env
        .iter()
        .flatten()
        .find(|e| e.name == "WFSIM_SHARDS")
        .and_then(|e| e.value.clone())
        .expect("WFSIM_SHARDS is set");
    assert_eq!(shards.parse::<i32>().unwrap(), spec.completions.unwrap());
    // Exit codes: the policy fails the Job on 1 and 2 (input), never on 3
    // (I/O) or 4; a pod's disruption does not count.
    for job in [&m.shards, &m.merge] {
        let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
        assert_eq!(
            pod.restart_policy.as_deref(),
            Some("Never"),
            "a podFailurePolicy needs it"
        );
        let rules = &job
            .spec
            .as_ref()
            .unwrap()
            .pod_failure_policy
            .as_ref()
            .unwrap()
            .rules;
        let fail: Vec<i32> = rules
            .iter()
            .filter(|r| r.action == "FailJob")
            .filter_map(|r| r.on_exit_codes.as_ref())
            .inspect(|c| assert_eq!(c.container_name.as_deref(), Some("wfsim")))
            .flat_map(|c| c.values.clone())
            .collect();
        assert_eq!(fail, vec![1, 2]);
    }
    assert!(
        spec.pod_failure_policy
            .as_ref()
            .unwrap()
            .rules
            .iter()
            .any(|r| r.action == "Ignore"
                && r.on_pod_conditions
                    .iter()
                    .flatten()
                    .any(|c| c.type_ == "DisruptionTarget"))
    );

    // The merge waits for the shards Job to complete...
    let shards_name = m.shards.metadata.name.clone().unwrap();
    let merge_pod = m
        .merge
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap();
    let wait = &merge_pod
        .init_containers
        .as_ref()
        .expect("an init container waits")[0];
    let w = args(wait);
    assert!(
        w.contains(&"wait".to_string()) && w.contains(&"--for=condition=complete".to_string()),
        "{w:?}"
    );
    assert!(w.contains(&format!("job/{shards_name}")), "{w:?}");
    // ...as a ServiceAccount that may read Jobs,
    let account = merge_pod.service_account_name.clone().unwrap();
    assert!(
        m.accounts
            .iter()
            .any(|s| s.metadata.name.as_deref() == Some(account.as_str()))
    );
    let binding = m
        .bindings
        .iter()
        .find(|b| b.subjects.iter().flatten().any(|s| s.name == account))
        .expect("the merge's account is bound to a role");
    let role = m
        .roles
        .iter()
        .find(|r| r.metadata.name.as_deref() == Some(binding.role_ref.name.as_str()))
        .unwrap();
    assert!(role.rules.iter().flatten().any(|r| {
        r.api_groups.iter().flatten().any(|g| g == "batch")
            && r.resources.iter().flatten().any(|x| x == "jobs")
            && ["get", "watch"]
                .iter()
                .all(|v| r.verbs.contains(&v.to_string()))
    }));
    // ...and merges the folder the shards write, on the same claim.
    let mw = container(&m.merge, "wfsim");
    let ma = args(mw);
    assert_eq!(ma[0], "merge");
    let out = after(&a, "--out");
    assert_eq!(ma[1], out);
    assert_eq!(claim(&m.shards, out, wf), claim(&m.merge, out, mw));
    assert!(m.claims.iter().any(|c| {
        c.metadata.name.as_deref() == Some(claim(&m.shards, out, wf).as_str())
            && c.spec
                .as_ref()
                .unwrap()
                .access_modes
                .iter()
                .flatten()
                .any(|x| x == "ReadWriteMany")
    }));
}

/// The manifest's own commands, run by wfsim as the pods would run them:
/// each index with JOB_COMPLETION_INDEX and the Job's environment, then
/// the merge — with the mounts mapped to a temporary folder and a small
/// trajectory count.
#[test]
fn the_manifests_commands_run_the_shards_and_merge_them() {
    let m = manifest();
    let dir = tempfile::tempdir().unwrap();
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml");
    let data = dir.path().join("data");
    let local = |a: &String| -> String {
        if a == "/plans/plan.toml" {
            plan.to_string()
        } else if let Some(rest) = a.strip_prefix("/data") {
            format!("{}{rest}", data.display())
        } else {
            a.clone()
        }
    };
    let wf = container(&m.shards, "wfsim");
    let mut a: Vec<String> = args(wf).iter().map(local).collect();
    let i = a.iter().position(|x| x == "--trajectories").unwrap();
    a[i + 1] = "600".into();
    let env: Vec<(String, String)> = wf
        .env
        .iter()
        .flatten()
        .map(|e| (e.name.clone(), e.value.clone().unwrap_or_default()))
        .collect();
    let completions = m.shards.spec.as_ref().unwrap().completions.unwrap();
    for index in 0..completions {
        let idx = index.to_string();
        let mut e: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        e.push(("JOB_COMPLETION_INDEX", &idx));
        let argv: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, _, err) = wfsim_with(&argv, dir.path(), &e);
        assert_eq!(code, 0, "index {index}: {err}");
    }
    let ma: Vec<String> = args(container(&m.merge, "wfsim"))
        .iter()
        .map(local)
        .collect();
    let argv: Vec<&str> = ma.iter().map(String::as_str).collect();
    let (code, _, err) = wfsim_with(&argv, dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let run = Path::new(&ma[1]);
    let s: Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["run"]["trajectories"], 600);
    assert!(run.join("report.html").is_file());
}
