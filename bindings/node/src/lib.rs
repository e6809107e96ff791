//! Node binding (napi-rs). Placeholder.
