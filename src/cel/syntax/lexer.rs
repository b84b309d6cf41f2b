//! Tokens of CEL text.
