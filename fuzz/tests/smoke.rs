//! The fuzz targets as stable tests (`make fuzz-smoke`, part of `make test`):
//! every target over every seed generated from the vectors, then over random
//! mutations of its seeds and random bytes (proptest; `PROPTEST_CASES` cases
//! per target, default 2048). The same bodies run under libFuzzer with
//! `make fuzz`.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::OnceLock;
use traceprop_fuzz::seeds::{self, Seeds};
use traceprop_fuzz::TARGETS;

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = match std::env::var_os("TRACEPROP_VECTORS") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors"),
        };
        seeds::from_vectors(&dir).expect("vector files")
    })
}

#[test]
fn every_target_passes_on_its_seeds() {
    for (name, check) in TARGETS {
        let inputs = seeds().get(name).cloned().unwrap_or_default();
        assert!(!inputs.is_empty(), "no seed for {name}");
        for input in &inputs {
            if catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
                let text = String::from_utf8_lossy(input);
                let cut: String = text.chars().take(300).collect();
                panic!("{name} fails on {cut:?} ({} bytes)", input.len());
            }
        }
        println!("{name}: {} seeds", inputs.len());
    }
}

/// Bytes the formats give meaning to.
const INTERESTING: &[u8] = b"019afAFgz-_=,;:/ \t%+@.*~?\n\0\xc3\xff";

#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, u8),
    Replace(Index, u8),
    Delete(Index),
    Truncate(Index),
    RepeatTail(Index),
    Splice(Index, Vec<u8>),
}

fn a_byte() -> impl Strategy<Value = u8> {
    prop_oneof![3 => select(INTERESTING), 1 => any::<u8>()]
}

fn edit(others: Vec<Vec<u8>>) -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), a_byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<Index>(), a_byte()).prop_map(|(i, b)| Edit::Replace(i, b)),
        any::<Index>().prop_map(Edit::Delete),
        any::<Index>().prop_map(Edit::Truncate),
        any::<Index>().prop_map(Edit::RepeatTail),
        (any::<Index>(), select(others)).prop_map(|(i, o)| Edit::Splice(i, o)),
    ]
}

fn apply(mut b: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = b.len();
        match e {
            Edit::Insert(i, c) => b.insert(i.index(len + 1), *c),
            Edit::Replace(i, c) if len > 0 => b[i.index(len)] = *c,
            Edit::Delete(i) if len > 0 => drop(b.remove(i.index(len))),
            Edit::Truncate(i) => b.truncate(i.index(len + 1)),
            Edit::RepeatTail(i) => {
                let tail = b[i.index(len + 1)..].to_vec();
                b.extend(tail);
            }
            Edit::Splice(i, other) => {
                let at = i.index(len + 1);
                b.splice(at..at, other.iter().copied());
            }
            _ => {}
        }
    }
    b
}

/// A fuzz input, shown as text (or hex when it is not UTF-8) on failure.
#[derive(Clone)]
struct Input(Vec<u8>);

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(text) => write!(f, "{text:?}"),
            Err(_) => self.0.iter().try_for_each(|b| write!(f, "{b:02x}")),
        }
    }
}

/// Seeds of `target`, mutated, or random bytes.
fn input(target: &str) -> impl Strategy<Value = Input> {
    let own: Vec<Vec<u8>> = seeds()
        .get(target)
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default();
    let mutated = (select(own.clone()), vec(edit(own), 0..6)).prop_map(|(s, e)| apply(s, &e));
    prop_oneof![4 => mutated, 1 => vec(any::<u8>(), 0..256)].prop_map(Input)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2048)
}

macro_rules! mutated_inputs {
    ($($target:ident),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig {
                cases: cases(),
                failure_persistence: None,
                ..ProptestConfig::default()
            })]
            $(
                #[test]
                fn $target(data in input(stringify!($target))) {
                    traceprop_fuzz::check::$target(&data.0);
                }
            )*
        }

        #[test]
        fn every_target_has_a_mutation_test() {
            let tested = [$(stringify!($target)),*];
            for (name, _) in TARGETS {
                assert!(tested.contains(name), "{name} is not in mutated_inputs!");
            }
        }
    };
}

mutated_inputs!(
    traceparent,
    tracestate,
    baggage,
    b3,
    jaeger,
    datadog,
    datadog_member,
    xray,
    cloudtrace,
    sw8,
    grpc_trace_bin,
    grpc_trace_bin_text,
    ids,
    config,
    composite_extract,
    composite_roundtrip,
);

#[test]
fn every_fuzz_target_file_is_a_target() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz_targets");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("fuzz_targets/")
        .map(|e| e.expect("entry").path())
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    files.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    names.sort();
    assert_eq!(files, names);
}
