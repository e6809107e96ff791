//! C ABI over the traceprop core. Placeholder.
