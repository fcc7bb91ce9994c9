//! Wikidata diplomatic missions CSV (placeholder: being written).
