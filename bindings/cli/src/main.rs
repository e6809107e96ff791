//! The traceprop command-line tool. Placeholder.

fn main() {}
