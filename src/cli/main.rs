//! The `changeguard` command-line tool.

fn main() {}
