//! Opening hours (placeholder: being written).
