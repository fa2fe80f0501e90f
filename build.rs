//! Rebuilds when a migration folder is added: `embed_migrations!` reads the
//! folders at compile time but cannot tell cargo to watch for new ones.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
