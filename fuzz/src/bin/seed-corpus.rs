//! Writes the seed corpus of every fuzz target, generated from the
//! conformance vectors, as `{corpus dir}/{target}/{hash}` files.
//!
//! Usage: `seed-corpus [vectors dir] [corpus dir]` (defaults:
//! `tests/vectors`, `fuzz/corpus`, relative to the repository root).

use std::path::PathBuf;
use std::process::ExitCode;

/// FNV-1a 64 of the content: a stable file name, so re-running adds nothing.
fn name(input: &[u8]) -> String {
    let h = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("seed-{h:016x}")
}

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut args = std::env::args_os().skip(1);
    let vectors = args
        .next()
        .map_or_else(|| root.join("tests/vectors"), PathBuf::from);
    let corpus = args
        .next()
        .map_or_else(|| root.join("fuzz/corpus"), PathBuf::from);
    let seeds = match traceprop_fuzz::seeds::from_vectors(&vectors) {
        Ok(seeds) => seeds,
        Err(e) => {
            eprintln!("seed-corpus: {}: {e}", vectors.display());
            return ExitCode::FAILURE;
        }
    };
    for (target, _) in traceprop_fuzz::TARGETS {
        let dir = corpus.join(target);
        let inputs = seeds.get(target).cloned().unwrap_or_default();
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            inputs
                .iter()
                .try_for_each(|input| std::fs::write(dir.join(name(input)), input))
        });
        if let Err(e) = written {
            eprintln!("seed-corpus: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        println!("{target}: {} seeds", inputs.len());
    }
    ExitCode::SUCCESS
}
