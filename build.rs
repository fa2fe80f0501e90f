//! Rebuilds when a migration folder or a message file is added: `embed_migrations!` reads the
//! folders at compile time but cannot tell cargo to watch for new ones.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    // The Fluent files are embedded by `static_loader!`, which does not
    // tell cargo about them either.
    println!("cargo:rerun-if-changed=locales");
}
