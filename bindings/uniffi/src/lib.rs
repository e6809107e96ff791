//! uniffi bindings (Kotlin, Swift). Placeholder.
